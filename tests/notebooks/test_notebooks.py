"""The notebooks run end to end with papermill on small demo data, produce what they promise,
declare typed parameters papermill can read, and stay paired with their .py files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jupytext
import pandas as pd
import papermill
import pytest

from churnlab.demo import DemoSpec, ensure_demo

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
STORY = ("01_explore_data", "02_train_model", "03_target_list")
SMALL = {"demo_customers": 1500, "demo_months": 18}
RUN_NAME = "2024-07-01T080000-abc123"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """The kernel imports this checkout's churnlab."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [before])])
    yield
    if before is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = before


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data") / "demo"
    ensure_demo(folder, DemoSpec(customers=1500, months=18, seed=7))
    return folder


def _run(name: str, out: Path, **parameters: object) -> dict:
    executed = out / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(executed),
        parameters={**SMALL, **parameters},
        kernel_name="churnlab",
        cwd=str(out),
        progress_bar=False,
    )
    return json.loads(executed.read_text())


def _outputs(notebook: dict) -> list[dict]:
    return [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]


def _text(notebook: dict) -> str:
    parts = []
    for output in _outputs(notebook):
        parts.append("".join(output.get("text", "")))
        for mime in ("text/plain", "text/html", "text/markdown"):
            parts.append("".join(output.get("data", {}).get(mime, "")))
    return "\n".join(parts)


def _assert_clean(notebook: dict) -> None:
    """No stderr boxes, errors or text progress bars in the executed cells."""
    for output in _outputs(notebook):
        assert output.get("name") != "stderr", "".join(output.get("text", ""))[:300]
        assert output["output_type"] != "error"


@pytest.fixture(scope="module")
def trained(kernel_env, demo, tmp_path_factory):
    """02_train_model run as `churnlab run` would: outputs in a run folder, `latest` set."""
    runs = tmp_path_factory.mktemp("runs")
    outputs = runs / "02_train_model" / RUN_NAME / "outputs"
    outputs.mkdir(parents=True)
    notebook = _run("02_train_model", outputs.parent, data_dir=str(demo), output_dir=str(outputs))
    (runs / "02_train_model" / "latest").write_text(RUN_NAME + "\n")
    return runs, outputs, notebook


def test_explore_notebook_tells_the_data_story(kernel_env, demo, tmp_path):
    notebook = _run("01_explore_data", tmp_path, data_dir=str(demo))
    _assert_clean(notebook)
    text = _text(notebook)
    assert f"churnlab found no problems in {demo}" in text
    assert "Monthly churn from Jan 2023; the 71 months before are cut" in text
    assert "The top 10% of customers hold" in text
    images = sum("image/png" in o.get("data", {}) for o in _outputs(notebook))
    assert images >= 12  # month, 2 retention, 5 cohorts, 4 complaint/service, concentration


def test_train_notebook_saves_the_model_and_records_figures(trained):
    _, outputs, notebook = trained
    _assert_clean(notebook)
    text = _text(notebook)
    assert "<ChurnModel: " in text and "<Evaluation hold-out: ROC-AUC" in text
    assert "the churn risk" in text  # the drivers in words
    assert (outputs / "model" / "model.txt").exists()
    figures = json.loads((outputs / "figures.json").read_text())
    assert 0.5 < figures["holdout_auc"] < 1.0
    assert figures["model_id"].startswith("churn-")
    assert f"Model {figures['model_id']} saved to" in text


def test_target_list_notebook_uses_the_latest_training_run(trained, demo, tmp_path):
    runs, model_outputs, _ = trained
    notebook = _run(
        "03_target_list",
        tmp_path,
        data_dir=str(demo),
        runs_dir=str(runs),
        output_dir=str(tmp_path / "outputs"),
        top=200,
    )
    _assert_clean(notebook)
    text = _text(notebook)
    out = tmp_path / "outputs"
    assert f"from {model_outputs / 'model'}" in text
    assert "Target list retention-2024-06 at 2024-06-30: 200 customers" in text
    assert "smallest drop detectable" in text  # the control group's power in words
    assert (out / "target_list" / "target_list.csv").exists()
    assert (out / "target_list" / "manifest.json").exists()
    figures = json.loads((out / "figures.json").read_text())
    assert figures["listed"] == 200 and 0 < figures["control"] < 200
    assert {"expected_gain", "cost"} <= set(figures)
    snapshot = json.loads((out / "snapshot.json").read_text())
    assert snapshot["as_of"] == "2024-06-30" and snapshot["model_id"] == figures["model_id"]
    scores = pd.read_parquet(out / "scores.parquet")
    assert int(scores["listed"].sum()) == 200


def test_target_list_notebook_says_what_to_do_without_a_model(kernel_env, demo, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="Run `churnlab run 02_train_m"):
        _run("03_target_list", tmp_path, data_dir=str(demo), runs_dir=str(tmp_path / "none"))


@pytest.mark.parametrize("name", STORY)
def test_parameters_are_typed_and_documented(name):
    parameters = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    untyped = [p for p, info in parameters.items() if info["inferred_type_name"] == "None"]
    assert untyped == []
    assert all(info["help"] for info in parameters.values())
    assert parameters["output_dir"]["default"] == '""' and parameters["run_id"]["default"] == '""'


def test_notebooks_share_one_demo_size():
    sizes = {
        name: {
            key: info["default"]
            for key, info in papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")).items()
            if key in ("data_dir", "demo_customers", "demo_months", "seed")
        }
        for name in STORY
    }
    assert all(size == sizes[STORY[0]] for size in sizes.values()), sizes
    assert sizes[STORY[0]] == {
        "data_dir": '"data/demo"',
        "demo_customers": "20000",
        "demo_months": "36",
        "seed": "7",
    }


@pytest.mark.parametrize("ipynb", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_paired_and_committed_clear(ipynb):
    paired = ipynb.with_suffix(".py")
    assert paired.exists(), f"{ipynb.name} needs its jupytext py:percent twin"
    from_py = jupytext.read(paired)
    from_nb = jupytext.read(ipynb)
    assert [c.source for c in from_py.cells] == [c.source for c in from_nb.cells]
    assert all(not c.get("outputs") for c in from_nb.cells if c.cell_type == "code")
    assert sum("parameters" in c.metadata.get("tags", []) for c in from_nb.cells) == 1
