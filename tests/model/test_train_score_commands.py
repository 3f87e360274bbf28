"""`churnlab train` and `churnlab score`: one library call, a rendering, an exit code."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def trained(runner, demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    result = runner.invoke(app, ["train", str(demo_dir), "--out", str(out)])
    return result, out


def test_train_prints_the_model_and_where_it_is(trained):
    result, out = trained

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<ChurnModel: ")
    assert result.stdout.rstrip().endswith(f"saved to {out}")
    assert json.loads((out / "card.json").read_text())["label_spec"]["horizon_days"] == 90


def test_train_takes_cutoffs_horizon_and_definition(runner, demo_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            *("train", str(demo_dir), "--out", str(tmp_path / "m")),
            *("--cutoffs", "2023-06-30:2024-02-29:1M", "--horizon", "60"),
            *("--churn-definition", "inactivity"),
        ],
    )

    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["label_spec"]["definition"] == "inactivity"
    assert card["label_spec"]["horizon_days"] == 60
    assert card["training_cutoffs"][0] == "2023-06-30"
    assert card["holdout_cutoffs"] == ["2024-02-29"]


def test_train_refuses_cutoffs_without_labels_with_exit_2(runner, demo_dir, tmp_path):
    result = runner.invoke(
        app, ["train", str(demo_dir), "--out", str(tmp_path / "m"), "--cutoffs", "2024-06-30"]
    )

    assert result.exit_code == 2
    assert "The label of cutoff 2024-06-30 needs data until" in result.stderr
    assert not (tmp_path / "m").exists()


def test_train_on_broken_data_exits_1(runner, make_data, tmp_path):
    folder = make_data(
        {"customers.csv": "customer_id,signup_date,end_date\n1,2024-01-01,\n1,2024-01-02,\n"}
    )

    result = runner.invoke(app, ["train", str(folder), "--out", str(tmp_path / "m")])

    assert result.exit_code == 1
    assert "duplicate customer_id" in result.stderr


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_score_writes_one_row_per_customer(runner, trained, demo_dir, tmp_path, suffix):
    out = tmp_path / f"scores{suffix}"

    result = runner.invoke(
        app,
        [
            "score",
            str(demo_dir),
            "--model",
            str(trained[1]),
            "--as-of",
            "2024-06-30",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<Scores at 2024-06-30: ")
    assert result.stdout.rstrip().endswith(f"written to {out}")
    frame = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out, dtype=str)
    assert list(frame.columns) == ["customer_id", "as_of", "churn_probability", "risk_band"]
    assert frame["customer_id"].is_unique
    assert frame["customer_id"].str.len().eq(5).all(), "ids stay text"


def test_score_with_a_tampered_model_exits_2_naming_the_file(runner, trained, demo_dir, tmp_path):
    import shutil

    model = shutil.copytree(trained[1], tmp_path / "model")
    (model / "model.txt").write_text((model / "model.txt").read_text() + "\n")

    result = runner.invoke(
        app,
        [
            "score",
            str(demo_dir),
            "--model",
            str(model),
            "--as-of",
            "2024-06-30",
            "--out",
            str(tmp_path / "s.csv"),
        ],
    )

    assert result.exit_code == 2
    assert "model.txt in" in result.stderr and "does not match its checksum" in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_score_without_a_model_exits_2(runner, demo_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        app,
        [
            "score",
            str(demo_dir),
            "--model",
            str(tmp_path / "empty"),
            "--as-of",
            "2024-06-30",
            "--out",
            str(tmp_path / "s.csv"),
        ],
    )

    assert result.exit_code == 2
    assert "is not a churnlab model directory" in result.stderr


def test_train_prints_a_churnlab_warning_readably(runner, demo_dir, tmp_path):
    # Two cutoffs a month apart: no gap of a label window before the hold-out (GapWarning).
    result = runner.invoke(
        app,
        [
            "train",
            str(demo_dir),
            "--out",
            str(tmp_path / "m"),
            "--cutoffs",
            "2024-01-31:2024-02-29:1M",
        ],
    )

    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warned) == 1
    assert (
        "No cutoff is 90 days (the label window) before the hold-out cutoff 2024-02-29" in warned[0]
    )
    assert "warnings.warn" not in result.stderr


def test_score_without_as_of_scores_at_the_extract_date_and_says_so(
    runner, trained, demo_dir, tmp_path
):
    out = tmp_path / "scores.parquet"

    result = runner.invoke(
        app, ["score", str(demo_dir), "--model", str(trained[1]), "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "as of 2024-06-30, the data's extract date\n" in result.stderr
    assert result.stdout.startswith("<Scores at 2024-06-30 (the data's extract date): ")
    assert pd.read_parquet(out)["as_of"].eq(pd.Timestamp("2024-06-30")).all()
