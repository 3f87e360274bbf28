"""Fixtures of the explanation tests: a tiny demo operator, a trained model, its explanation."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from churnlab.explanations import Explanation, explain
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.model import ChurnModel, save_model

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def demo_dir(tiny_demo: Path) -> Path:
    return tiny_demo


@pytest.fixture(scope="session")
def frame(demo_dir: Path) -> FeatureFrame:
    return build_training_frame(demo_dir, progress=False)


@pytest.fixture(scope="session")
def model(tiny_model: ChurnModel) -> ChurnModel:
    return tiny_model


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
