"""Fixtures of the evaluation tests: a stand-in model, a tiny demo, Agg figures closed."""

from __future__ import annotations

import matplotlib
import pytest
from fakes import FakeModel

from churnlab.demo import DemoSpec, generate_demo
from churnlab.tables import load_tables

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures drawn by a test are closed after it (pyplot keeps them otherwise)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def fake_model() -> FakeModel:
    return FakeModel()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, DemoSpec(customers=400, months=15, seed=5))
    return folder


@pytest.fixture(scope="session")
def demo_tables(demo_dir):
    return load_tables(demo_dir)
