"""`churnlab features` and `write_features`: the frames the builders return, in a file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.demo import DemoSpec, generate_demo
from churnlab.errors import SpecError
from churnlab.features import build_scoring_frame, build_training_frame, write_features
from churnlab.labels import LabelSpec
from churnlab.tables import load_tables

CUTOFFS = ["2024-01-31", "2024-02-29", "2024-03-31"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, DemoSpec(customers=600, months=18, seed=9))
    return folder


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_training_frame_file_holds_the_frame_the_builder_returns(demo_dir, tmp_path, suffix):
    out = tmp_path / f"train{suffix}"

    written = write_features(demo_dir, out, cutoffs=CUTOFFS, labels=True, progress=False)

    expected = build_training_frame(demo_dir, cutoffs=CUTOFFS, progress=False).frame
    if suffix == ".parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    else:
        got = pd.read_csv(out, dtype={"customer_id": str})
        assert list(got.columns) == list(expected.columns)
        assert got["customer_id"].astype(str).tolist() == expected["customer_id"].tolist()
    assert written.rows == len(expected)
    assert written.churned == int(expected["churned"].sum())
    assert written.cutoffs == tuple(pd.Timestamp(c) for c in CUTOFFS)
    assert "training features" in repr(written) and f"{len(expected):,} rows" in repr(written)


def test_a_scoring_frame_file_holds_the_frame_the_builder_returns(demo_dir, tmp_path):
    out = tmp_path / "score.parquet"

    written = write_features(demo_dir, out, as_of="2024-03-31")

    expected = build_scoring_frame(demo_dir, as_of="2024-03-31").frame
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert written.churned is None and "churned" not in expected


def test_loaded_tables_and_unseen_categories_are_written_alike(demo_dir, tmp_path):
    # A vocabulary from elsewhere: values outside it become missing, as in the frame.
    tables = load_tables(demo_dir)
    found = build_scoring_frame(tables, as_of="2024-03-31").vocabulary
    vocabulary = {**found, "customers.plan": ("basic",)}
    out = tmp_path / "t.parquet"

    write_features(tables, out, as_of="2024-03-31", vocabulary=vocabulary)

    expected = build_scoring_frame(tables, as_of="2024-03-31", vocabulary=vocabulary).frame
    got = pd.read_parquet(out)
    pd.testing.assert_frame_equal(got, expected)
    assert got["plan"].isna().any() and list(got["plan"].cat.categories) == ["basic"]


def test_a_failed_run_keeps_the_previous_file(demo_dir, tmp_path):
    out = tmp_path / "train.parquet"
    write_features(demo_dir, out, cutoffs=CUTOFFS, labels=True, progress=False)
    before = out.read_bytes()

    with pytest.raises(SpecError, match="needs data until"):
        write_features(demo_dir, out, cutoffs=["2024-05-31"], labels=True, progress=False)

    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["train.parquet"]


def test_bad_requests_are_refused(demo_dir, tmp_path):
    with pytest.raises(SpecError, match=r"must end in \.parquet or \.csv"):
        write_features(demo_dir, tmp_path / "x.xlsx", as_of="2024-03-31")
    with pytest.raises(SpecError, match=r"A scoring frame has one date, as_of .* and no cutoffs"):
        write_features(demo_dir, tmp_path / "x.parquet", as_of="2024-03-31", cutoffs=CUTOFFS)
    with pytest.raises(SpecError, match="The 'as_of' date must be written YYYY-MM-DD"):
        write_features(demo_dir, tmp_path / "x.parquet", as_of="31.03.2024")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_scoring_frame_is_at_the_extract_date_unless_told(demo_dir, tmp_path, suffix):
    extract = load_tables(demo_dir).extract_date

    written = write_features(demo_dir, tmp_path / f"s{suffix}")

    assert written.cutoffs == (extract,)
    assert written.rows == len(build_scoring_frame(demo_dir, as_of=extract).frame)
    assert build_scoring_frame(demo_dir).cutoffs == (extract,)


def test_the_command_writes_a_training_frame(runner, demo_dir, tmp_path):
    out = tmp_path / "t.parquet"

    result = runner.invoke(
        app,
        [
            *("features", str(demo_dir), "--out", str(out), "--labels"),
            *("--cutoffs", "2024-01-31:2024-03-31:1M", "--horizon", "60"),
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<training features: ")
    assert result.stdout.rstrip().endswith(f"written to {out}>")
    spec = LabelSpec(horizon_days=60)
    expected = build_training_frame(demo_dir, spec, cutoffs=CUTOFFS, progress=False).frame
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)


def test_the_command_writes_a_scoring_frame_as_csv(runner, demo_dir, tmp_path):
    out = tmp_path / "s.csv"

    result = runner.invoke(
        app, ["features", str(demo_dir), "--out", str(out), "--as-of", "2024-03-31"]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<scoring features: ")
    assert len(pd.read_csv(out)) == len(build_scoring_frame(demo_dir, as_of="2024-03-31").frame)


def test_the_command_scores_at_the_extract_date_without_as_of_and_says_so(
    runner, demo_dir, tmp_path
):
    out = tmp_path / "s.parquet"
    extract = load_tables(demo_dir).extract_date

    result = runner.invoke(app, ["features", str(demo_dir), "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert result.stderr == f"as of {extract.date()}, the data's extract date\n"
    expected = build_scoring_frame(demo_dir, as_of=extract).frame
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)


def test_the_command_says_nothing_of_the_extract_date_when_as_of_is_given(
    runner, demo_dir, tmp_path
):
    result = runner.invoke(
        app,
        ["features", str(demo_dir), "--out", str(tmp_path / "s.parquet"), "--as-of", "2024-03-31"],
    )

    assert result.exit_code == 0, result.output
    assert "extract date" not in result.stderr


def test_the_command_refuses_cutoffs_for_a_scoring_frame(runner, demo_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            *("features", str(demo_dir), "--out", str(tmp_path / "s.parquet")),
            *("--cutoffs", "2024-01-31:2024-03-31"),
        ],
    )

    assert result.exit_code == 2
    assert "a scoring frame has one date, --as-of, and no --cutoffs" in result.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_the_command_names_an_unobservable_label_with_exit_2(runner, demo_dir, tmp_path):
    out = tmp_path / "t.parquet"

    result = runner.invoke(
        app, ["features", str(demo_dir), "--out", str(out), "--labels", "--as-of", "2024-05-31"]
    )

    assert result.exit_code == 2
    assert "needs data until" in result.stderr
    assert not out.exists()
