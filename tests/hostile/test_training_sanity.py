"""Hostile training data: a leaked label, too little data, a hold-out with one class.

Each is trained anyway (a pilot may be all there is) and warned about with counts and what to
do; no churner at all is an error.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from cases import case
from snapshots import FAST, snapshot_data, snapshot_frame
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import DataError, LabelCopyWarning
from churnlab.features import build_training_frame
from churnlab.model import (
    LeakWarning,
    OneClassHoldoutWarning,
    TooLittleDataWarning,
    train,
)
from churnlab.model.sanity import single_column_auc


def _trained(frame):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = train(frame, FAST, created_at="2024-07-01", progress=False)
    return model, caught


def _of(caught, category):
    return [str(w.message) for w in caught if issubclass(w.category, category)]


def _noisy_copy(rng, flags, n):
    flipped = flags.copy()
    flipped[:2] = 1 - flipped[:2]  # 2 of 400 rows differ: AUC still above 0.99
    return flipped


LEAKS = [
    case(
        "attribute equal to the label (0/1)", {"left": lambda r, f, n: f}, "'left'", verdict="warn"
    ),
    case(
        "attribute equal to the label (yes/no text)",
        {"cancelled": lambda r, f, n: np.where(f == 1, "yes", "no")},
        "'cancelled'",
        verdict="warn",
    ),
    case(
        "attribute equal to the label but for 2 rows",
        {"closing": _noisy_copy},
        "'closing'",
        verdict="warn",
    ),
    case(
        "negated label",
        {"active": lambda r, f, n: 1 - f},
        "'active'",
        verdict="warn",
    ),
    case(
        "closing date only for churners",
        {"days_to_close": lambda r, f, n: np.where(f == 1, r.integers(1, 30, n), np.nan)},
        "'days_to_close'",
        verdict="warn",
    ),
]


@pytest.mark.parametrize(("columns", "named"), LEAKS)
def test_a_leak_like_attribute_is_warned_about(tmp_path, columns, named):
    """Building the frame leaves the column out (LabelCopyWarning); kept on purpose
    (keep_columns), training warns about it (LeakWarning)."""
    column = named.strip("'")
    with warnings.catch_warnings(record=True) as built:
        warnings.simplefilter("always")
        frame = snapshot_frame(tmp_path / "d", columns=columns)
    (left,) = _of(built, LabelCopyWarning)
    assert f"customers.{column} predicts churn almost perfectly on its own" in left
    assert column not in frame.feature_names and column in frame.left_out
    kept = build_training_frame(tmp_path / "d", progress=False, keep_columns=[column])

    model, caught = _trained(kept)

    (message,) = _of(caught, LeakWarning)
    assert re.search(rf"{named} \(AUC (0\.99\d|1\.000)\)", message), message
    assert "1 feature(s)" in message and "400 training rows" in message
    assert "Remove the column" in message
    assert model.card_.auc() is not None


@pytest.mark.parametrize(
    "columns",
    [
        case("honest attributes only", {}, verdict="ok"),
        case("a weak signal", {"age": lambda r, f, n: r.integers(18, 80, n) + 3 * f}, verdict="ok"),
        case(
            "one category per customer (not a leak, just unique)",
            {"segment": lambda r, f, n: [f"seg{i}" for i in range(n)]},
            verdict="ok",
        ),
    ],
)
def test_honest_data_trains_without_sanity_warnings(tmp_path, columns):
    _, caught = _trained(snapshot_frame(tmp_path / "d", columns=columns))

    assert not _of(caught, LeakWarning)
    assert not _of(caught, TooLittleDataWarning)
    assert not _of(caught, OneClassHoldoutWarning)


@pytest.mark.parametrize(
    ("rows", "churn", "expected"),
    [
        case("an 8-row snapshot", 8, 0.5, "8 rows", verdict="warn"),
        case("150 rows", 150, 0.4, "150 rows", verdict="warn"),
        case("600 rows but 12 churners", 600, 0.02, "churners", verdict="warn"),
        case("600 rows but 10 non-churners", 600, 0.985, "non-churners", verdict="warn"),
    ],
)
def test_too_little_data_is_warned_about(tmp_path, rows, churn, expected):
    frame = snapshot_frame(tmp_path / "d", rows=rows, churn=churn, seed=4)
    y = frame.frame["churned"].to_numpy()
    if min(int(y.sum()), len(y) - int(y.sum())) < 2:
        pytest.skip("the seed gave fewer than 2 of a class")  # pragma: no cover

    model, caught = _trained(frame)

    (message,) = _of(caught, TooLittleDataWarning)
    assert expected in message and "at least 200 rows and 20 of each" in message
    assert f"{len(y):,} rows, {int(y.sum()):,} churners" in message
    assert model.n_trees >= 1


@pytest.fixture(scope="module")
def demo_frame(tmp_path_factory):
    """A 300-customer demo's training frame: several cutoffs, the latest held out."""
    from churnlab.demo import DemoSpec, generate_demo

    folder = tmp_path_factory.mktemp("small_demo")
    generate_demo(folder, DemoSpec(customers=300, months=14, seed=5))
    cutoffs = ["2023-03-31", "2023-05-31", "2023-08-31", "2023-11-30"]
    return build_training_frame(folder, cutoffs=cutoffs, progress=False)


@pytest.mark.parametrize(
    ("churned", "who"),
    [
        case("hold-out where everyone churned", True, "churned", verdict="warn"),
        case("hold-out where everyone stayed", False, "stayed", verdict="warn"),
    ],
)
def test_a_one_class_holdout_is_warned_about(demo_frame, churned, who):
    data = demo_frame.frame
    last = data["cutoff"].max()
    frame = dataclasses.replace(
        demo_frame,
        frame=data.assign(churned=data["churned"].where(data["cutoff"] != last, churned)),
    )

    model, caught = _trained(frame)

    (message,) = _of(caught, OneClassHoldoutWarning)
    assert f"{who}: the hold-out has one class" in message
    assert str(last.date()) in message
    assert f"{int((data['cutoff'] == last).sum()):,} hold-out rows" in message
    assert model.card_.auc() is None


@pytest.mark.parametrize(
    "churn",
    [case("a snapshot without churners", 0.0, verdict="error", code="DataError")],
)
def test_no_churner_at_all_is_an_error(tmp_path, churn):
    frame = snapshot_frame(tmp_path / "d", rows=50, churn=churn)

    with pytest.raises(DataError, match="0 churners among 50 rows"):
        train(frame, FAST)


@pytest.mark.parametrize(
    "columns",
    [case("train command with a leaked label", {"left": lambda r, f, n: f}, verdict="warn")],
)
def test_the_train_command_prints_the_leak_warning(tmp_path, columns):
    data = snapshot_data(tmp_path / "d", columns=columns)

    result = CliRunner().invoke(app, ["train", str(data), "--out", str(tmp_path / "m")])

    assert result.exit_code == 0, result.output
    assert "customers.left predicts churn almost perfectly on its own: ROC-AUC 1.000" in (
        " ".join(result.stderr.split())
    )
    assert "left out of the features" in result.stderr
    assert "Traceback" not in result.output
    kept = CliRunner().invoke(
        app, ["train", str(data), "--out", str(tmp_path / "k"), "--keep-column", "left"]
    )
    assert kept.exit_code == 0, kept.output
    assert "'left' (AUC 1.000)" in kept.stderr


def test_single_column_auc_reads_numbers_categories_and_gaps():
    y = np.array([True, False] * 30)

    assert single_column_auc(pd.Series(np.where(y, 1.0, np.nan)), y) == 1.0
    assert single_column_auc(pd.Series([3.0] * 60), y) is None
    assert single_column_auc(pd.Series(y), np.ones(60, dtype=bool)) is None
