"""The fast engine equals the slow reference (:mod:`reference`), row for row and feature for feature.

Random small tables from :mod:`strategies` aim at the bounds of every window; a demo operator
adds realistic volumes and microsecond timestamps. Between them they take every way the engine
keys customers: text ids (hand-built tables, one cutoff), integers assigned by a join and
materialised (hand-built tables, several cutoffs), categorical codes (loaded tables). For
several cutoffs the old rows every cutoff counts alike are set apart as per-customer totals
(:func:`churnlab.features.prepare.settle`): the demo's 18 months have many.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from reference import assert_same_frame, reference_frame, reference_frames
from strategies import CATEGORIES, as_hand_built, cutoffs, frame, label_specs, tables

from churnlab.demo import DemoSpec, generate_demo
from churnlab.errors import SpecError
from churnlab.features import build_scoring_frame, build_training_frame
from churnlab.labels import LabelSpec
from churnlab.tables import Tables, load_tables

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EMPTY = "No customers are in scope"


@PROPERTY
@given(data=st.data())
def test_scoring_frame_equals_the_reference(data: st.DataObject) -> None:
    t = data.draw(tables(shop=True), label="tables")
    cutoff = data.draw(cutoffs(t), label="cutoff")
    expected = reference_frame(t, cutoff)
    if expected.empty:
        with pytest.raises(SpecError, match=EMPTY):
            build_scoring_frame(t, as_of=cutoff)
        return
    assert_same_frame(build_scoring_frame(t, as_of=cutoff).frame, expected)


@pytest.mark.parametrize("definition", ["contract", "inactivity"])
@PROPERTY
@given(data=st.data())
def test_training_frame_equals_the_reference(data: st.DataObject, definition: str) -> None:
    """One cutoff or two (relations materialised once and re-read, keys compacted)."""
    spec = data.draw(label_specs([definition]), label="spec")
    t = data.draw(tables(need_bills=definition == "inactivity", shop=True), label="tables")
    chosen = sorted({data.draw(cutoffs(t, spec)) for _ in range(data.draw(st.integers(1, 2)))})
    note(f"cutoffs {[c.date().isoformat() for c in chosen]}")
    expected = reference_frames(t, chosen, spec, label=True)
    if expected["cutoff"].nunique() < len(chosen):
        with pytest.raises(SpecError, match=EMPTY):
            build_training_frame(t, spec, cutoffs=chosen, progress=False)
        return
    got = build_training_frame(t, spec, cutoffs=chosen, progress=False)
    assert_same_frame(got.frame, expected)


# --- a demo operator ------------------------------------------------------------------------

DEMO_CUTOFFS = ["2023-12-31", "2024-02-29"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Tables:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, DemoSpec(customers=500, months=18, seed=3))
    return load_tables(folder)


# The engine adds money as binary floats before rounding loyalty points down, so a spend of
# exactly 10, 20 ... could lose a point, depending on the order of addition.
LOYALTY_ROUNDING = {"loyalty_points": 1.0}


@pytest.mark.parametrize("cutoff", DEMO_CUTOFFS)
def test_demo_scoring_frame_equals_the_reference(demo: Tables, cutoff: str) -> None:
    got = build_scoring_frame(demo, as_of=cutoff).frame
    assert_same_frame(got, reference_frame(demo, cutoff), atol_of=LOYALTY_ROUNDING)


@pytest.mark.parametrize(
    "spec",
    [
        LabelSpec(horizon_days=60, lead_days=7),
        LabelSpec(definition="inactivity", horizon_days=60, lookback_days=45),
    ],
    ids=["contract", "inactivity"],
)
def test_demo_training_frame_over_two_cutoffs_equals_the_reference(
    demo: Tables, spec: LabelSpec
) -> None:
    got = build_training_frame(demo, spec, cutoffs=DEMO_CUTOFFS, progress=False)
    expected = reference_frames(demo, DEMO_CUTOFFS, spec, label=True)
    assert expected["churned"].any(), "the demo should have churners in these windows"
    assert_same_frame(got.frame, expected, atol_of=LOYALTY_ROUNDING)


def test_demo_hand_built_and_loaded_tables_give_the_same_training_frame(demo: Tables) -> None:
    """Loaded tables key customers by categorical codes; hand-built ones by a join on text ids."""
    spec = LabelSpec(horizon_days=60)
    loaded = build_training_frame(demo, spec, cutoffs=DEMO_CUTOFFS, progress=False)
    hand_built = build_training_frame(
        as_hand_built(demo), spec, cutoffs=DEMO_CUTOFFS, progress=False
    )
    assert_same_frame(hand_built.frame, loaded.frame, rtol=1e-6, atol_of=LOYALTY_ROUNDING)


# --- known differences ----------------------------------------------------------------------


def test_loyalty_points_count_every_full_10_spent() -> None:
    signup = pd.Timestamp("2021-01-01")
    bills = [
        {"customer_id": "007", "bill_date": bill_date, "amount": 1.20,
         "due_date": bill_date + pd.Timedelta(days=14), "paid_date": bill_date}
        for bill_date in pd.date_range(signup, periods=25, freq="MS")
    ]  # fmt: skip
    t = Tables(
        customers=frame("customers", [{"customer_id": "007", "signup_date": signup}]),
        bills=frame("bills", bills),
        extract_date=pd.Timestamp("2023-12-31"),
    )
    got = build_scoring_frame(t, as_of="2023-01-31").frame
    assert got["loyalty_points"].item() == 24 + 3  # 24 whole months, 30.00 spent
    assert_same_frame(got, reference_frame(t, "2023-01-31"))


def test_categories_that_share_a_column_name_keep_a_column_each() -> None:
    day = pd.Timestamp("2023-03-01")
    t = Tables(
        customers=frame("customers", [{"customer_id": "007", "signup_date": day}]),
        complaints=frame(
            "complaints",
            [
                {"customer_id": "007", "opened_at": day, "category": category}
                for category in ("Dropped call", "dropped call", "dropped_call", CATEGORIES[0])
            ],
        ),
        extract_date=pd.Timestamp("2023-06-30"),
    )
    got = build_scoring_frame(t, as_of="2023-04-30")
    assert got.feature_names.count("complaints_365d_dropped_call") == 1
    assert len(set(got.feature_names)) == len(got.feature_names)
    counts = got.frame.filter(like="complaints_365d_dropped_call").iloc[0].tolist()
    assert counts == [1, 1, 1]
    assert_same_frame(got.frame, reference_frame(t, "2023-04-30"))
