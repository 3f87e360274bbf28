"""churnlab target-list: files, the closing lines, exit codes and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from churnlab.cli import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str):
    return runner.invoke(app, ["target-list", *args])


def test_a_list_is_written_and_the_command_ends_with_its_path_and_totals(
    runner, campaign_demo, campaign_model_dir, tmp_path
):
    out = tmp_path / "list"
    result = _run(
        runner,
        str(campaign_demo),
        "--model",
        str(campaign_model_dir),
        "--out",
        str(out),
        "--top",
        "30",
        "--format",
        "csv,xlsx",
        "--control-fraction",
        "0.2",
        "--seed",
        "3",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == str(out)
    assert "to contact" in lines[-1] and "control" in lines[-1] and "gain" in lines[-1]
    assert "the control group is" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "profit_curve.png",
        "target_list.csv",
        "target_list.xlsx",
        "winback.csv",
    ]
    again = _run(
        runner,
        str(campaign_demo),
        "--model",
        str(campaign_model_dir),
        "--out",
        str(out),
        "--top",
        "30",
        "--format",
        "csv,xlsx",
        "--control-fraction",
        "0.2",
        "--seed",
        "3",
    )
    assert again.exit_code == 0, again.output  # an earlier list is replaced


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "10", "--budget", "50"], "Choose one way to cut the list"),
        (["--budget", "0"], "must be a positive amount"),
        (["--budget", "0.2"], "smaller than one contact"),
        (["--top-share", "1.5"], "must be a number in (0, 1)"),
        (["--control-fraction", "1.5"], "fraction"),
        (["--control-fraction", "lots"], "--control-fraction must be a number in (0, 1) or auto"),
        (["--format", "xls"], "Did you mean 'xlsx'"),
        (["--as-of", "2031-01-31"], "after"),
        (["--include-columns", "phon"], "Did you mean 'phone'"),
    ],
)
def test_usage_mistakes_exit_2_with_one_message_and_no_files(
    runner, campaign_demo, campaign_model_dir, tmp_path, args, message
):
    out = tmp_path / "list"
    result = _run(
        runner, str(campaign_demo), "--model", str(campaign_model_dir), "--out", str(out), *args
    )
    assert result.exit_code == 2, result.output
    assert message.lower() in result.stderr.lower()
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_output_directory_that_is_not_a_list_is_refused_before_any_work(
    runner, campaign_demo, campaign_model_dir, tmp_path
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = _run(runner, str(campaign_demo), "--model", str(campaign_model_dir), "--out", str(out))
    assert result.exit_code == 2
    assert "not an earlier export" in result.stderr
    assert (out / "notes.txt").read_text() == "keep me"


def test_a_list_is_never_written_into_the_data(runner, campaign_demo, campaign_model_dir):
    result = _run(
        runner,
        str(campaign_demo),
        "--model",
        str(campaign_model_dir),
        "--out",
        str(Path(campaign_demo) / "list"),
    )
    assert result.exit_code == 2
    assert "never writes over its inputs" in result.stderr


def test_a_data_problem_exits_1(runner, campaign_model_dir, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id,signup_date\n001,not a date\n")
    result = _run(
        runner, str(data), "--model", str(campaign_model_dir), "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
