"""Fixtures of the run tests: a tiny notebook with a typed parameters cell, written by the tests
themselves; and for the monitoring tests, a tiny demo operator, a model, and target-list snapshots
at three month ends (two whose outcome windows have closed in the data, one whose has not)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import nbformat
import pytest

from churnlab.campaign import target_list
from churnlab.features import build_training_frame
from churnlab.model import ChurnModel, ModelSpec, save_model, scoring_frame, train
from churnlab.runs import write_snapshot
from churnlab.tables import Tables, load_tables

matplotlib.use("Agg")

MONTH_ENDS = {"jan": "2024-01-31", "feb": "2024-02-29", "may": "2024-05-31"}
"""The demo's extract date is 2024-06-30; a 90-day window closes for January and February."""


@pytest.fixture(scope="session")
def monitor_demo(tiny_demo: Path) -> Path:
    return tiny_demo


@pytest.fixture(scope="session")
def monitor_tables(monitor_demo: Path) -> Tables:
    return load_tables(monitor_demo)


@pytest.fixture(scope="session")
def monitor_model_dir(monitor_tables: Tables, tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = train(
        build_training_frame(monitor_tables, progress=False),
        ModelSpec(max_rounds=60),
        created_at="2024-07-01T00:00:00",
        progress=False,
    )
    return save_model(model, tmp_path_factory.mktemp("monitor_model") / "model")


@pytest.fixture(scope="session")
def monitor_model(monitor_model_dir: Path) -> ChurnModel:
    from churnlab.model import load_model

    return load_model(monitor_model_dir)


@pytest.fixture(scope="session")
def snapshots(
    monitor_demo: Path,
    monitor_tables: Tables,
    monitor_model: ChurnModel,
    monitor_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    """Snapshot directories by month (``jan``, ``feb``, ``may``)."""
    root = tmp_path_factory.mktemp("snapshots")
    out = {}
    for name, day in MONTH_ENDS.items():
        found = target_list(monitor_tables, monitor_model, as_of=day, winback=False)
        features = scoring_frame(monitor_model, monitor_tables, as_of=day).frame
        out[name] = write_snapshot(
            found, features, root / name, model_dir=monitor_model_dir, data_dir=monitor_demo
        )
    return out


PARAMETERS = """\
data_dir: str = "data"  # the data folder
as_of: str = ""  # scoring date (YYYY-MM-DD; empty: today's extract)
top: int = 3  # how many to list (at least 0)
budget: float = 10.5  # what to spend (above 0, at most 1000)
fail: bool = False  # raise in the third cell
output_dir: str = ""  # where this run writes (created)
run_id: str = ""  # set by churnlab run
"""

WORK = """\
from pathlib import Path
import sys
from churnlab.runs import record_figures
out = Path(output_dir or "out")
out.mkdir(parents=True, exist_ok=True)
(out / "list.txt").write_text(f"{run_id} top={top}\\n")
record_figures(out, listed=top, expected_gain=budget * 2)
print("wrote", top, "rows")
print("a warning nobody needs", file=sys.stderr)
"""

FAIL = """\
if fail:
    raise ValueError("the list is empty")
print("done")
"""


def write_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny list\nA list of *top* customers."),
        params,
        nbformat.v4.new_code_cell(WORK),
        nbformat.v4.new_code_cell(FAIL),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding notebooks/tiny.ipynb and data/, and the working folder."""
    write_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text("customer_id\n001\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path
