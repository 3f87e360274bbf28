"""`churnlab evaluate MODEL_DIR [--out DIR] [--backtest DATA_DIR]`: summary, report, exit code."""

from __future__ import annotations

import importlib.util

import pytest
from fakes import a_backtest
from typer.testing import CliRunner

import churnlab.evaluate.report as report_module
from churnlab.cli import app
from churnlab.errors import SpecError
from churnlab.labels import LabelSpec

FILES = {
    "report.html",
    "evaluation.json",
    "roc_pr.png",
    "gains_lift.png",
    "calibration.png",
    "score_distribution.png",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def model_dir(tmp_path, monkeypatch, fake_model):
    """A model directory whose loading gives the stand-in model."""
    folder = tmp_path / "model"
    folder.mkdir()
    monkeypatch.setattr(report_module, "_load", lambda where: fake_model)
    return folder


def test_writes_the_report_into_the_model_directory_by_default(runner, model_dir):
    result = runner.invoke(app, ["evaluate", str(model_dir)])

    assert result.exit_code == 0, result.output
    assert {p.name for p in (model_dir / "evaluation").iterdir()} == FILES
    lines = result.stdout.splitlines()
    assert lines[0].startswith("<Evaluation hold-out: ROC-AUC 0.")
    assert "Churn by risk decile (1 = highest risk):" in result.stdout
    assert lines[-1] == f"report written to {model_dir / 'evaluation' / 'report.html'}"


def test_out_option(runner, model_dir, tmp_path):
    result = runner.invoke(app, ["evaluate", str(model_dir), "--out", str(tmp_path / "r")])

    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "r").iterdir()} == FILES


def test_a_model_error_exits_2_with_the_message(runner, model_dir, monkeypatch):
    def broken(where):
        raise SpecError("The model card lists feature x, the model file does not.")

    monkeypatch.setattr(report_module, "_load", broken)

    result = runner.invoke(app, ["evaluate", str(model_dir)])

    assert result.exit_code == 2
    assert "Error: The model card lists feature x" in result.stderr


def test_a_missing_model_directory_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nowhere")])

    assert result.exit_code == 2


def test_backtest_option_backtests_the_models_label_spec(runner, model_dir, monkeypatch):
    calls = []

    def run_backtest(data_dir, spec, **kwargs):
        calls.append((data_dir, spec))
        return a_backtest()

    monkeypatch.setattr(report_module, "run_backtest", run_backtest)

    result = runner.invoke(app, ["evaluate", str(model_dir), "--backtest", str(model_dir)])

    assert result.exit_code == 0, result.output
    assert calls == [(model_dir, LabelSpec())]  # the fake card's label definition
    assert {p.name for p in (model_dir / "evaluation").iterdir()} == FILES | {
        "backtest.json",
        "metrics_by_cutoff.png",
    }
    assert "\n<Backtest 3 cutoffs 2024-01-31..2024-03-31: ROC-AUC " in result.stdout


@pytest.mark.skipif(
    importlib.util.find_spec("churnlab.model") is None, reason="churnlab.model not built yet"
)
def test_a_model_saved_by_save_model(runner, demo_dir, tmp_path):
    from churnlab.features import build_training_frame
    from churnlab.labels import LabelSpec, default_cutoffs
    from churnlab.model import save_model, train
    from churnlab.tables import load_tables

    tables = load_tables(demo_dir)
    spec = LabelSpec(horizon_days=60)
    frame = build_training_frame(
        tables, spec, cutoffs=default_cutoffs(tables, spec, count=6), progress=False
    )
    model_dir = tmp_path / "model"
    save_model(train(frame), model_dir)

    result = runner.invoke(app, ["evaluate", str(model_dir)])

    assert result.exit_code == 0, result.output
    assert {p.name for p in (model_dir / "evaluation").iterdir()} >= FILES
    assert result.stdout.startswith("<Evaluation hold-out: ROC-AUC ")
