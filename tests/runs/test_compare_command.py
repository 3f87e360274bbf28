"""`churnlab compare`: one library call, the summary and the warnings, and an exit code."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from churnlab.cli import app

runner = CliRunner()


def test_compare_prints_the_summary_and_exits_0(snapshots):
    result = runner.invoke(app, ["compare", str(snapshots["jan"]), str(snapshots["feb"])])
    assert result.exit_code == 0, result.output
    for heading in ("Score PSI", "Target list", "Realised outcomes", "ROC-AUC"):
        assert heading in result.stdout
    assert "Most important features (mean |SHAP| in the later run)" in result.stdout


def test_compare_with_other_data_reads_the_outcomes_there(snapshots, monitor_demo):
    result = runner.invoke(
        app,
        ["compare", str(snapshots["may"]), str(snapshots["may"]), "--data", str(monitor_demo)],
    )
    assert result.exit_code == 0, result.output
    assert "the earlier run's window has not closed yet" in result.stdout
    assert "No warning: nothing crossed a threshold." in result.stdout


def test_a_folder_that_is_not_a_run_exits_2(snapshots, tmp_path):
    result = runner.invoke(app, ["compare", str(tmp_path), str(snapshots["feb"])])
    assert result.exit_code == 2
    assert "is not a target-list run" in result.stderr


def test_a_broken_scores_file_exits_1(snapshots, tmp_path):
    broken = shutil.copytree(snapshots["feb"], tmp_path / "feb")
    (broken / "scores.parquet").write_bytes(b"not parquet")
    result = runner.invoke(app, ["compare", str(snapshots["jan"]), str(broken)])
    assert result.exit_code == 1
    assert "Cannot read" in result.stderr and "scores.parquet" in result.stderr
