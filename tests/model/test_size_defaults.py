"""min_child_samples scales with the training churn rate and rows, and the card records it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from model_helpers import CREATED, SMALL, synthetic_frame

from churnlab.errors import SpecError
from churnlab.model import ModelSpec, train
from churnlab.model.spec import LARGE_LEAF, LARGE_ROWS, MIN_CHILD_SAMPLES, size_defaults


@pytest.mark.parametrize(
    ("rows", "churners", "expected"),
    [
        (3_000, 750, 80),  # 25% churn: small leaves
        (100_000, 5_000, 400),  # 5%
        (100_000, 2_000, 1_000),  # 2%: big leaves, so a leaf's churn rate is not noise
        (3_000, 150, 375),  # at most an eighth of the rows
        (300, 200, 30),
        (50, 40, 10),  # never below 10
        (1_000_000, 50_000, 200),  # large: at most 200 (bigger leaves cost rounds, not AUC)
        (499_999, 10_000, 1_000),
    ],
)
def test_min_child_samples_scales_with_the_data(rows, churners, expected):
    assert size_defaults(ModelSpec(), rows=rows, churners=churners) == {
        "min_child_samples": expected
    }


sizes = st.integers(min_value=2, max_value=10**8)


@given(rows=sizes, churners=sizes, fewer=sizes)
def test_rarer_churn_never_gives_smaller_leaves(rows, churners, fewer):
    churners = min(churners, rows)
    common = size_defaults(ModelSpec(), rows=rows, churners=churners)["min_child_samples"]
    rare = size_defaults(ModelSpec(), rows=rows, churners=max(1, churners - fewer))

    assert MIN_CHILD_SAMPLES <= common <= rare["min_child_samples"]
    assert rare["min_child_samples"] <= max(MIN_CHILD_SAMPLES, round(rows / 8))
    if rows >= LARGE_ROWS:
        assert rare["min_child_samples"] <= LARGE_LEAF


@given(rows=sizes, churners=sizes, chosen=st.integers(min_value=1, max_value=5000))
def test_a_value_set_in_the_spec_is_used_as_is(rows, churners, chosen):
    spec = ModelSpec(min_child_samples=chosen)

    assert size_defaults(spec, rows=rows, churners=churners) == {"min_child_samples": chosen}


def test_the_spec_keeps_none_and_round_trips():
    spec = ModelSpec()

    assert spec.min_child_samples is None
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(SpecError, match="'min_child_samples' parameter of ModelSpec"):
        ModelSpec(min_child_samples=0)


def test_the_card_records_the_value_used():
    frame, _ = synthetic_frame(rows_per_cutoff=1500, cutoffs=1, base_rate=0.2, seed=4)

    model = train(frame, SMALL, created_at=CREATED)

    assert model.card_.model_spec.min_child_samples is None
    churn = float(frame.frame["churned"].mean())
    assert model.card_.lightgbm_params["min_data_in_leaf"] == round(min(20 / churn, 1500 / 8))


def test_a_sampled_frame_keeps_the_leaves_of_its_population():
    frame, _ = synthetic_frame(rows_per_cutoff=6000, cutoffs=1, base_rate=0.1, seed=5)
    population = 20 / float(frame.frame["churned"].mean())

    model = train(frame, ModelSpec(max_rounds=60, negative_sample=0.3), created_at=CREATED)

    # The kept rows churn about three times as often; the leaves follow the population.
    assert abs(model.card_.lightgbm_params["min_data_in_leaf"] - population) < 0.1 * population
