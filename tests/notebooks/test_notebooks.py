"""Notebooks run end to end with papermill on small data, and stay paired with their .py files."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_overview_notebook_runs_on_small_demo_data(tmp_path):
    out = tmp_path / "overview.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "01_data_overview.ipynb"),
        str(out),
        parameters={"data_dir": str(tmp_path / "demo"), "demo_customers": 300, "demo_months": 14},
        kernel_name="churnlab",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    executed = json.loads(out.read_text())
    text = json.dumps(executed)
    assert "churnlab found no problems" in text
    assert "FeatureFrame (scoring)" in text


def test_training_notebook_runs_on_small_demo_data(tmp_path):
    out = tmp_path / "train.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "02_train_and_evaluate.ipynb"),
        str(out),
        parameters={
            "data_dir": str(tmp_path / "demo"),
            "demo_customers": 1500,
            "demo_months": 18,
            "model_dir": str(tmp_path / "model"),
        },
        kernel_name="churnlab",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    text = out.read_text()
    assert "ChurnModel" in text and "Evaluation" in text and "Scores at" in text
    assert "<Explanation: " in text and "the churn risk (" in text  # what drives churn
    assert (tmp_path / "model" / "model.txt").exists()


@pytest.mark.parametrize("ipynb", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_paired_and_committed_clear(ipynb):
    paired = ipynb.with_suffix(".py")
    assert paired.exists(), f"{ipynb.name} needs its jupytext py:percent twin"
    from_py = jupytext.read(paired)
    from_nb = jupytext.read(ipynb)
    assert [c.source for c in from_py.cells] == [c.source for c in from_nb.cells]
    assert all(not c.get("outputs") for c in from_nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in from_nb.cells)
