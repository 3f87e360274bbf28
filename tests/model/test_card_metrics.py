"""The model card and the evaluation report give one set of numbers for the same hold-out."""

from __future__ import annotations

import json

import pytest

from churnlab.evaluate import evaluate, evaluate_model
from churnlab.model import load_model

CARD_KEYS = {"roc_auc", "pr_auc", "brier", "log_loss", "ece"}


@pytest.mark.parametrize(
    ("card_key", "evaluation_key"), [("model", "metrics"), ("baseline", "baseline")]
)
def test_card_json_and_evaluation_json_agree_on_the_holdout(
    model_dir, tmp_path, card_key, evaluation_key
):
    card = json.loads((model_dir / "card.json").read_text())["metrics"][card_key]
    path = evaluate_model(load_model(model_dir)).save_json(tmp_path / "evaluation.json")
    evaluation = json.loads(path.read_text())[evaluation_key]

    assert set(card) == CARD_KEYS
    assert set(card) <= set(evaluation)
    assert card == {key: evaluation[key] for key in card}


def test_the_raw_probabilities_are_scored_like_the_calibrated_ones(model):
    holdout = model.holdout_
    card = model.card_.metrics["raw"]

    evaluation = evaluate(holdout["churned"], holdout["raw_probability"])

    assert card == {key: evaluation.metrics[key] for key in card}
