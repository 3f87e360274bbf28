"""`churnlab explain` and ``write_explanation``: pictures and tables in one folder, written as a
whole; usage mistakes exit 2 and data problems exit 1, without a traceback."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

import churnlab.explanations.write as write
from churnlab.cli import app
from churnlab.errors import SpecError
from churnlab.explanations import write_explanation

PICTURES = [
    "beeswarm.png",
    "drivers_by_risk_band.png",
    "importance_by_category.png",
    "importance_by_feature.png",
]
TABLES = [
    "attribution_by_category.csv",
    "drivers.csv",
    "importance_by_category.csv",
    "importance_by_family.csv",
    "importance_by_feature.csv",
]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def written(runner, model_dir, demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "why"
    result = runner.invoke(app, ["explain", str(model_dir), str(demo_dir), "--out", str(out)])
    return result, out


def test_explain_writes_the_pictures_and_tables(written):
    result, out = written

    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    top = json.loads((out / "explanation.json").read_text())["top_driver"]
    assert names == sorted([*PICTURES, f"dependence_{top}.png", *TABLES, "explanation.json"])
    for name in [*PICTURES, f"dependence_{top}.png"]:
        assert (out / name).read_bytes().startswith(PNG)
    by_category = pd.read_csv(out / "importance_by_category.csv")
    assert by_category["share"].sum() == pytest.approx(1.0, abs=1e-4)
    attribution = pd.read_csv(out / "attribution_by_category.csv")
    assert attribution["risk_band"].iloc[0] == "all customers"
    assert set(attribution["risk_band"]) >= {"all customers", "low"}
    assert list(pd.read_csv(out / "importance_by_family.csv").columns)[:2] == ["family", "features"]


def test_explain_prints_the_explanation_and_says_which_date_it_took(written):
    result, out = written

    assert result.stdout.startswith("<Explanation: ")
    assert "at 2024-06-30, top driver" in result.stdout
    assert "raise" in result.stdout or "lower" in result.stdout  # the drivers in words
    assert result.stdout.rstrip().endswith(
        "explanation.json, importance_by_category.csv, "
        "importance_by_category.png, importance_by_family.csv, "
        "importance_by_feature.csv, importance_by_feature.png"
    )
    assert (
        "No --as-of given: explained at the data's extract date (churnlab.toml), 2024-06-30."
        in result.stderr
    )
    summary = json.loads((out / "explanation.json").read_text())
    assert summary["as_of"] == "2024-06-30"
    assert summary["as_of_source"] == "extract date (churnlab.toml)"


def test_explain_at_a_date_replaces_its_own_folder(runner, written, model_dir, demo_dir):
    _, out = written
    result = runner.invoke(
        app,
        ["explain", str(model_dir), str(demo_dir), "--out", str(out), "--as-of", "2024-03-31"],
    )

    assert result.exit_code == 0, result.output
    assert "No --as-of" not in result.stderr
    assert json.loads((out / "explanation.json").read_text())["as_of"] == "2024-03-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--as-of", "today"],
            "Error: The 'as_of' date must be written YYYY-MM-DD, like 2025-06-30. Got 'today'",
        ),
        (["--as-of", "2024-01-31:2024-03-31"], "The 'as_of' date must be written YYYY-MM-DD"),
    ],
)
def test_a_bad_date_is_a_usage_error(runner, model_dir, demo_dir, tmp_path, args, message):
    result = runner.invoke(
        app, ["explain", str(model_dir), str(demo_dir), "--out", str(tmp_path / "o"), *args]
    )

    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_a_missing_model_is_a_usage_error(runner, demo_dir, tmp_path):
    result = runner.invoke(
        app, ["explain", str(tmp_path / "none"), str(demo_dir), "--out", str(tmp_path / "o")]
    )

    assert result.exit_code == 2
    text = re.sub(r"[\s│]+", " ", result.stderr)  # typer draws the message in a box
    assert "Invalid value for 'model_dir'" in text and "does not exist" in text


def test_a_folder_it_did_not_write_is_not_replaced(runner, model_dir, demo_dir, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")

    result = runner.invoke(
        app, ["explain", str(model_dir), str(demo_dir), "--out", str(tmp_path / "mine")]
    )

    assert result.exit_code == 2
    assert "was not written by `churnlab explain`" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_data_problems_exit_1(runner, model_dir, make_data, tmp_path):
    data = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-05,
                C1,2024-02-05,
            """
        }
    )

    result = runner.invoke(
        app,
        [
            "explain",
            str(model_dir),
            str(data),
            "--out",
            str(tmp_path / "o"),
            "--as-of",
            "2024-06-30",
        ],
    )

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_a_failed_write_leaves_the_old_folder_as_it_was(model_dir, demo_dir, tmp_path, monkeypatch):
    out = tmp_path / "why"
    write_explanation(model_dir, demo_dir, out, as_of="2024-05-31", progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(explanation):
        raise SpecError("no pictures today")

    monkeypatch.setattr(write, "pictures", broken)
    with pytest.raises(SpecError, match="no pictures today"):
        write_explanation(model_dir, demo_dir, out, as_of="2024-06-30", progress=False)

    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["why"]  # no temporary folder left


def test_write_explanation_returns_what_it_wrote(model_dir, demo_dir, tmp_path):
    written = write_explanation(model_dir, demo_dir, tmp_path / "w", as_of="2024-06-30")

    assert written.as_of_source == "as_of"
    assert repr(written).startswith("<WrittenExplanation at 2024-06-30: ")
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == list(written.files)
