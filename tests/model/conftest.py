"""Fixtures of the model tests: one tiny demo operator, its training frame, a trained model."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_helpers import CREATED, SMALL

from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.model import ChurnModel, save_model, train


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model_demo")
    generate_demo(out, DemoSpec(customers=2000, months=18, seed=3))
    return out


@pytest.fixture(scope="session")
def frame(demo_dir: Path) -> FeatureFrame:
    return build_training_frame(demo_dir, progress=False)


@pytest.fixture(scope="session")
def model(frame: FeatureFrame) -> ChurnModel:
    return train(frame, SMALL, created_at=CREATED)


@pytest.fixture(scope="session")
def model_dir(model: ChurnModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("saved") / "model")
