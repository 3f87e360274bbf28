"""ModelSpec: validated when built, one message shape, JSON round trip."""

from __future__ import annotations

import pytest

from churnlab.errors import SpecError
from churnlab.model import ModelSpec


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"holdout_cutoffs": 0},
            "The 'holdout_cutoffs' parameter of ModelSpec must be an int >= 1. Got 0 instead.",
        ),
        (
            {"num_leaves": 1},
            "The 'num_leaves' parameter of ModelSpec must be an int >= 2. Got 1 instead.",
        ),
        (
            {"max_rounds": 2.5},
            "The 'max_rounds' parameter of ModelSpec must be an int >= 1. Got 2.5 instead.",
        ),
        (
            {"learning_rate": 0},
            "The 'learning_rate' parameter of ModelSpec must be a number in (0, 1]. Got 0 instead.",
        ),
        (
            {"feature_fraction": 1.5},
            "The 'feature_fraction' parameter of ModelSpec must be a number in (0, 1]. Got 1.5 instead.",
        ),
        (
            {"negative_sample": 0.0},
            "The 'negative_sample' parameter of ModelSpec must be a number in (0, 1]. Got 0.0 instead.",
        ),
        (
            {"lambda_l2": -1},
            "The 'lambda_l2' parameter of ModelSpec must be a number >= 0. Got -1 instead.",
        ),
        (
            {"calibration": "beta"},
            "The 'calibration' parameter of ModelSpec must be one of 'auto', 'isotonic', 'platt', 'none'. Got 'beta' instead.",
        ),
        (
            {"risk_bands": (0.3, 0.1)},
            "The 'risk_bands' parameter of ModelSpec must be 1 to 3 increasing probabilities in (0, 1). Got (0.3, 0.1) instead.",
        ),
        ({"risk_bands": (0.1, 1.0)}, "must be 1 to 3 increasing probabilities"),
        (
            {"search": "yes"},
            "The 'search' parameter of ModelSpec must be True or False. Got 'yes' instead.",
        ),
        (
            {"search_budget_s": 0},
            "The 'search_budget_s' parameter of ModelSpec must be a number of seconds > 0.",
        ),
        (
            {"seed": True},
            "The 'seed' parameter of ModelSpec must be an int >= 0. Got True instead.",
        ),
    ],
)
def test_bad_settings_raise_one_message_shape(settings, message):
    with pytest.raises(
        SpecError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        ModelSpec(**settings)


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError):
        ModelSpec(1)  # type: ignore[misc]


def test_round_trips_through_json_values():
    spec = ModelSpec(num_leaves=7, risk_bands=(0.2,), negative_sample=0.5, calibration="platt")

    data = spec.to_dict()

    assert data["risk_bands"] == [0.2]
    assert ModelSpec.from_dict(data) == spec
    assert spec.band_names == ("low", "high")


def test_unknown_settings_are_named():
    with pytest.raises(SpecError, match=r"Unknown ModelSpec setting\(s\) 'leaves'"):
        ModelSpec.from_dict({"leaves": 3})
