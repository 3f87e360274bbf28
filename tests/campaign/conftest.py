"""Fixtures of the campaign tests: a tiny demo operator and a trained, saved model."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import build_training_frame
from churnlab.model import ChurnModel, ModelSpec, save_model, train

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def campaign_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("campaign_demo")
    generate_demo(out, DemoSpec(customers=1500, months=18, seed=11))
    return out


@pytest.fixture(scope="session")
def campaign_model(campaign_demo: Path) -> ChurnModel:
    frame = build_training_frame(campaign_demo, progress=False)
    return train(frame, ModelSpec(max_rounds=60), created_at="2024-07-01T00:00:00", progress=False)


@pytest.fixture(scope="session")
def campaign_model_dir(
    campaign_model: ChurnModel, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return save_model(campaign_model, tmp_path_factory.mktemp("campaign_model") / "model")
