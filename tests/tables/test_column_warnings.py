"""Column warnings: id-like, constant, a copy of the label, date-like text; listed by validate,
left out of training frames (unless kept), recorded in the card, left out when scoring."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import (
    ColumnWarning,
    ConstantColumnWarning,
    DateLikeCategoryWarning,
    IdLikeColumnWarning,
    LabelCopyWarning,
)
from churnlab.tables.column_warnings import MIN_ROWS, column_findings, single_column_auc

N = 40
CHURNED = pd.Series([i % 4 == 0 for i in range(N)])


@pytest.mark.parametrize(
    ("values", "kind", "found"),
    [
        (list(range(1, N + 1)), "id_like", "increasing with the row order in all 40 rows"),
        (list(range(N, 0, -1)), "id_like", "decreasing with the row order"),
        ([(i * 7919) % 1009 for i in range(N)], "id_like", "unique per row: 40 distinct"),
        ([f"X{(i * 37) % 101:03d}" for i in range(N)], "id_like", "unique per row"),
        (["DE"] * N, "constant", "one value in all 40 rows"),
        ([None] * N, "constant", "no value in any of its 40 rows"),
        (["left" if c else "stays" for c in CHURNED], "label_copy", "ROC-AUC 1.000"),
        ([2.5 * c + 0.01 * i for i, c in enumerate(CHURNED)], "label_copy", "ROC-AUC 1.000"),
        ([f"2023-0{1 + i % 9}-1{i % 10}" for i in range(N)], "date_like", "read as dates"),
        ([f"1{i % 10}/0{1 + i % 9}/2023" for i in range(N)], "date_like", "read as dates"),
    ],
)
def test_each_kind_is_found_with_its_numbers(values, kind, found):
    frame = pd.DataFrame({"col": values})

    findings = column_findings(frame, ["col"], label=CHURNED)

    assert [f.kind for f in findings] == [kind]
    assert found in str(findings[0])
    assert "left out of the features; keep it with --keep-column col" in str(findings[0])


@pytest.mark.parametrize(
    "values",
    [
        [["basic", "premium", "plus"][i % 3] for i in range(N)],  # a plain category
        [round(20 + (i * 13) % 17 * 1.5, 2) for i in range(N)],  # a fee with ties
        np.random.default_rng(0).normal(size=N),  # a continuous number, unique, unordered
        [i % 5 for i in range(N)],  # a small count
    ],
)
def test_ordinary_columns_are_left_alone(values):
    frame = pd.DataFrame({"col": values})

    assert column_findings(frame, ["col"], label=CHURNED) == []


def test_too_few_rows_prove_nothing():
    frame = pd.DataFrame({"col": range(MIN_ROWS - 1)})

    assert column_findings(frame, ["col"]) == []


@given(st.lists(st.integers(-1000, 1000), min_size=MIN_ROWS, max_size=60))
@settings(max_examples=60, deadline=None)
def test_a_finding_is_never_made_from_nothing(values):
    """A finding's kind holds for the column: unique or monotone for id-like, one value for
    constant; and shuffling a column whose values repeat never makes it id-like."""
    column = pd.Series(values)
    for finding in column_findings(pd.DataFrame({"col": column}), ["col"]):
        if finding.kind == "constant":
            assert column.nunique() <= 1
        if finding.kind == "id_like":
            diffs = np.diff(column.to_numpy())
            assert column.is_unique or (diffs > 0).all() or (diffs < 0).all()


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("id_like", IdLikeColumnWarning),
        ("constant", ConstantColumnWarning),
        ("label_copy", LabelCopyWarning),
        ("date_like", DateLikeCategoryWarning),
    ],
)
def test_each_kind_has_its_warning_category(kind, category):
    from churnlab.tables.column_warnings import CATEGORIES

    assert CATEGORIES[kind] is category
    assert issubclass(category, ColumnWarning)


def _snapshot(extra: dict[str, list]) -> dict[str, str]:
    frame = pd.DataFrame(
        {
            "customer_id": [f"{i:03d}" for i in range(N)],
            "plan": [["a", "b", "c"][i % 3] for i in range(N)],
            "Churn": ["Yes" if c else "No" for c in CHURNED],
            **extra,
        }
    )
    toml = '[snapshot]\nlabel_column = "Churn"\nas_of = "2024-01-31"\npositive_values = ["Yes"]\n'
    return {"customers.csv": frame.to_csv(index=False), "churnlab.toml": toml}


def test_validate_lists_the_column_warnings(make_data):
    folder = make_data(
        _snapshot(
            {
                "RowNumber": list(range(1, N + 1)),
                "Exited": [int(c) for c in CHURNED],
                "source": ["crm"] * N,
            }
        )
    )

    result = CliRunner().invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Column warnings (3):" in out
    assert "customers.RowNumber looks like an id" in out
    assert "customers.Exited predicts churn almost perfectly on its own: ROC-AUC 1.000" in out
    assert "customers.source is constant" in out
    assert "customers.plan" not in out.split("Column warnings")[1]


def test_training_leaves_them_out_records_them_and_scoring_follows(make_data, tmp_path):
    rng = np.random.default_rng(5)
    churned = rng.random(400) < 0.3
    frame = pd.DataFrame(
        {
            "customer_id": [f"{i:04d}" for i in range(400)],
            "fee": np.round(rng.normal(50, 10, 400) + 15 * churned, 1),
            "RowNumber": range(400),
            "country": "DE",
            "Churn": np.where(churned, "Yes", "No"),
        }
    )
    toml = '[snapshot]\nlabel_column = "Churn"\nas_of = "2024-01-31"\npositive_values = ["Yes"]\n'
    folder = make_data({"customers.parquet": frame, "churnlab.toml": toml})
    out = tmp_path / "model"
    args = ["train", str(folder), "--out", str(out), "--keep-column", "country"]
    args += ["--model-param", "max_rounds=10", "--model-param", "min_child_samples=10"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    assert "customers.RowNumber looks like an id" in result.stderr
    assert "customers.country is constant" in result.stderr
    assert "kept as a feature, as asked" in result.stderr
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert set(card["left_out"]) == {"RowNumber"}
    assert "RowNumber" not in card["feature_names"]
    assert {"fee", "country"} <= set(card["feature_names"])
    scored = CliRunner().invoke(
        app, ["score", str(folder), "--model", str(out), "--out", str(tmp_path / "s.csv")]
    )
    assert scored.exit_code == 0, scored.output


def test_building_a_frame_warns_by_category(make_data):
    from churnlab.features import build_training_frame

    folder = make_data(_snapshot({"batch": ["2024-01-0" + str(1 + i % 9) for i in range(N)]}))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = build_training_frame(folder, progress=False)

    assert [w.category for w in caught if issubclass(w.category, ColumnWarning)] == [
        DateLikeCategoryWarning
    ]
    assert "batch" not in frame.feature_names
    assert frame.left_out == {"batch": "date_like: 100% of its 9 distinct values read as dates"}


def test_a_few_churners_prove_no_copy_of_the_label():
    y = pd.Series([i < 2 for i in range(30)])  # 2 churners: a column ranks them first by chance
    fee = np.random.default_rng(2).uniform(10, 90, 30).round(2)
    fee[:2] = [95.5, 99.5]

    assert single_column_auc(pd.Series(fee), y.to_numpy()) == 1.0
    assert column_findings(pd.DataFrame({"fee": fee}), ["fee"], label=y) == []
