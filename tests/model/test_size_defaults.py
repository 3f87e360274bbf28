"""min_child_samples scales with the training rows and churners, and the card records it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from model_helpers import CREATED, SMALL, synthetic_frame

from churnlab.errors import SpecError
from churnlab.model import ModelSpec, train
from churnlab.model.spec import MIN_CHILD_SAMPLES, size_defaults


@pytest.mark.parametrize(
    ("rows", "churners", "expected"),
    [
        (3_000, 450, 20),
        (10_000, 1_000, 67),
        (100_000, 10_000, 200),
        (1_000_000, 100_000, 200),
        (10_000, 40, 20),  # rare churn: a leaf must be able to hold churners apart
        (300, 100, 10),
    ],
)
def test_min_child_samples_scales_with_the_data(rows, churners, expected):
    assert size_defaults(ModelSpec(), rows=rows, churners=churners) == {
        "min_child_samples": expected
    }


sizes = st.integers(min_value=2, max_value=10**8)


@given(rows=sizes, more=sizes, share=st.floats(min_value=0.001, max_value=0.5))
def test_more_rows_never_give_smaller_leaves(rows, more, share):
    few = size_defaults(ModelSpec(), rows=rows, churners=max(1, int(rows * share)))
    many_rows = rows + more
    many = size_defaults(ModelSpec(), rows=many_rows, churners=max(1, int(many_rows * share)))

    assert MIN_CHILD_SAMPLES[0] <= few["min_child_samples"] <= many["min_child_samples"]
    assert many["min_child_samples"] <= MIN_CHILD_SAMPLES[1]


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
    assert model.card_.lightgbm_params["min_data_in_leaf"] == 10  # 1,500 rows / 150
