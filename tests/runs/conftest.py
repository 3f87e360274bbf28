"""Fixtures of the monitoring tests: a tiny demo operator, a model, and target-list snapshots
at three month ends (two whose outcome windows have closed in the data, one whose has not)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from churnlab.campaign import target_list
from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import build_training_frame
from churnlab.model import ChurnModel, ModelSpec, save_model, scoring_frame, train
from churnlab.runs import write_snapshot
from churnlab.tables import Tables, load_tables

matplotlib.use("Agg")

MONTH_ENDS = {"jan": "2024-01-31", "feb": "2024-02-29", "may": "2024-05-31"}
"""The demo's extract date is 2024-06-30; a 90-day window closes for January and February."""


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def monitor_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitor_demo")
    generate_demo(out, DemoSpec(customers=1500, months=18, seed=11))
    return out


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
