"""Fixtures of the campaign tests: the session's tiny demo operator and its model, saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from churnlab.model import ChurnModel, save_model


@pytest.fixture(scope="session")
def campaign_demo(tiny_demo: Path) -> Path:
    return tiny_demo


@pytest.fixture(scope="session")
def campaign_model(tiny_model: ChurnModel) -> ChurnModel:
    return tiny_model


@pytest.fixture(scope="session")
def campaign_model_dir(
    campaign_model: ChurnModel, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return save_model(campaign_model, tmp_path_factory.mktemp("campaign_model") / "model")
