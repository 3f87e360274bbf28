"""Fixtures of the explanation tests: a tiny demo operator, a trained model, its explanation."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from churnlab.demo import DemoSpec, generate_demo
from churnlab.explanations import Explanation, explain
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.model import ChurnModel, ModelSpec, save_model, train

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures drawn by a test are closed after it (pyplot keeps them otherwise)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explain_demo")
    generate_demo(out, DemoSpec(customers=1500, months=18, seed=11))
    return out


@pytest.fixture(scope="session")
def frame(demo_dir: Path) -> FeatureFrame:
    return build_training_frame(demo_dir, progress=False)


@pytest.fixture(scope="session")
def model(frame: FeatureFrame) -> ChurnModel:
    return train(frame, ModelSpec(max_rounds=60), created_at="2024-07-01T00:00:00", progress=False)


@pytest.fixture(scope="session")
def model_dir(model: ChurnModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("saved") / "model")


@pytest.fixture(scope="session")
def explanation(model: ChurnModel, frame: FeatureFrame) -> Explanation:
    return explain(model, frame, progress=False)


@pytest.fixture(scope="session")
def shap():
    """The shap package (imported without the notices its import raises in matplotlib)."""
    from churnlab.explanations.explanation import import_shap

    return import_shap()
