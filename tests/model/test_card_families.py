"""The model card records the feature families a model was trained with: ``purchases`` only
when the bills carried order lines (a shop), shown in the card's views, kept by save/load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from model_helpers import CREATED, SMALL

from churnlab.demo import DemoSpec
from churnlab.demo.shop import generate_shop
from churnlab.evaluate.report import _card_table
from churnlab.features import build_training_frame
from churnlab.labels import LabelSpec
from churnlab.model import ChurnModel, load_model, save_model, train


@pytest.fixture(scope="module")
def shop_model(tmp_path_factory: pytest.TempPathFactory) -> ChurnModel:
    folder = tmp_path_factory.mktemp("shop")
    generate_shop(folder, DemoSpec(customers=300, months=12, seed=3))
    frame = build_training_frame(folder, LabelSpec(definition="inactivity"), progress=False)
    return train(frame, SMALL, created_at=CREATED)


def test_a_shops_card_lists_the_purchases_family(shop_model):
    assert shop_model.card_.families == ("tenure", "spend", "purchases", "attributes")


def test_a_telecom_card_lists_its_families_without_purchases(model):
    families = model.card_.families

    assert "purchases" not in families
    assert {"tenure", "spend", "payment", "complaints", "service"} <= set(families)
    assert set(families) == {f.family for f in model.card_.features}


def test_the_families_survive_save_and_load_and_show_in_the_views(shop_model, tmp_path):
    loaded = load_model(save_model(shop_model, tmp_path / "model"))

    assert loaded.card_.families == shop_model.card_.families
    assert "tenure, spend, purchases, attributes" in loaded._repr_html_()
    facts = dict(_card_table(loaded.card_.to_dict()).to_numpy())
    assert facts["Features"].endswith("from the families tenure, spend, purchases, attributes")


def test_a_card_written_before_families_were_recorded_still_loads(model_dir: Path, tmp_path):
    copy = Path(shutil.copytree(model_dir, tmp_path / "old"))
    card = json.loads((copy / "card.json").read_text())
    del card["families"]
    (copy / "card.json").write_text(json.dumps(card))

    loaded = load_model(copy)

    assert loaded.card_.families == ()
    assert "not recorded" in loaded._repr_html_()
    assert "families" not in dict(_card_table(loaded.card_.to_dict()).to_numpy())["Features"]
