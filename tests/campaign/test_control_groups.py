"""Control groups: the hash, determinism, stability under other customers, balance by stratum."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.campaign.control import (
    BUCKETS,
    ControlSpec,
    assign_control,
    control_balance,
    control_buckets,
    in_control,
    risk_decile,
)
from churnlab.errors import DataError, SpecError

FAST = settings(max_examples=60, deadline=None)
IDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


# Computed once from the documented rule and written down: they pin the hash for good.
@pytest.mark.parametrize(
    ("customer_id", "seed", "campaign_id", "bucket"),
    [
        ("00123", 7, "spring", 2169),
        ("123", 7, "spring", 4825),
        ("00123", 8, "spring", 6835),
        ("00123", 7, "summer", 2735),
        ("客户-001", 0, "2025-06-retention", 8777),
        ("C0991", 123456789, "win back =1+1", 9708),
    ],
)
def test_fixed_vectors_pin_the_hash(customer_id, seed, campaign_id, bucket):
    assert control_buckets([customer_id], seed=seed, campaign_id=campaign_id).tolist() == [bucket]


def test_the_bucket_is_the_first_8_bytes_of_sha256_big_endian_modulo_10000():
    ids = [f"{i:05d}" for i in range(200)] + ["é", "", " 1", "=SUM(A1)"]
    expected = [
        int.from_bytes(hashlib.sha256(f"3\x1fc\x1f{i}".encode()).digest()[:8], "big") % 10_000
        for i in ids
    ]
    assert control_buckets(ids, seed=3, campaign_id="c").tolist() == expected


def test_ids_are_text_so_leading_zeros_make_another_customer():
    a, b = control_buckets(["007", "7"], seed=1, campaign_id="x")
    assert a != b


def test_lists_series_and_arrays_of_ids_give_the_same_buckets():
    ids = ["a", "b", "00c", "d"]
    as_list = control_buckets(ids, seed=1, campaign_id="x")
    as_series = control_buckets(pd.Series(ids, dtype="string"), seed=1, campaign_id="x")
    as_array = control_buckets(np.array(ids, dtype=object), seed=1, campaign_id="x")
    assert as_list.tolist() == as_series.tolist() == as_array.tolist()
    assert as_list.dtype == np.int64


@FAST
@given(
    a=st.lists(IDS, unique=True, min_size=1, max_size=30),
    b=st.lists(IDS, unique=True, max_size=30),
    seed=st.integers(0, 2**40),
    campaign=st.text(min_size=1, max_size=10).filter(lambda c: "\x1f" not in c),
    fraction=st.floats(0.0001, 0.9999),
)
def test_adding_other_customers_never_moves_anyone(a, b, seed, campaign, fraction):
    both = list(dict.fromkeys(b + a))  # the union, in another order
    alone = assign_control(a, seed=seed, campaign_id=campaign, fraction=fraction)
    within = dict(
        zip(
            both,
            assign_control(both, seed=seed, campaign_id=campaign, fraction=fraction),
            strict=True,
        )
    )
    assert alone.tolist() == [within[i] for i in a]
    again = assign_control(a, seed=seed, campaign_id=campaign, fraction=fraction)
    assert again.tolist() == alone.tolist()


@FAST
@given(
    ids=st.lists(IDS, unique=True, min_size=1, max_size=50),
    low=st.floats(0.0001, 0.9999),
    high=st.floats(0.0001, 0.9999),
)
def test_a_larger_fraction_only_adds_customers_to_the_control_group(ids, low, high):
    low, high = sorted((low, high))
    buckets = control_buckets(ids, seed=0, campaign_id="c")
    assert not (in_control(buckets, low) & ~in_control(buckets, high)).any()


def test_the_fraction_is_whole_buckets():
    assert in_control([999, 1000], 0.1).tolist() == [True, False]
    assert in_control([1233, 1234], 0.1234).tolist() == [True, False]
    assert in_control(np.arange(BUCKETS), 0.25).sum() == 2_500


def test_the_control_share_of_many_customers_is_close_to_the_fraction():
    ids = [f"{i:07d}" for i in range(100_000)]
    share = assign_control(ids, seed=7, campaign_id="2025-06", fraction=0.1).mean()
    assert abs(share - 0.1) < 4 * np.sqrt(0.1 * 0.9 / 100_000)  # fixed ids: deterministic


def test_another_campaign_draws_an_independent_group():
    ids = [f"{i:07d}" for i in range(100_000)]
    first = assign_control(ids, seed=7, campaign_id="june", fraction=0.1)
    second = assign_control(ids, seed=7, campaign_id="july", fraction=0.1)
    both = (first & second).mean()
    assert abs(both - 0.01) < 4 * np.sqrt(0.01 * 0.99 / 100_000)


def test_ids_that_are_not_text_are_refused():
    with pytest.raises(DataError, match=r"1 of 3 are not, e.g. 123 \(int\)"):
        control_buckets(["a", 123, "b"], seed=0, campaign_id="c")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, r"The 'seed' parameter of control_buckets must be an int >= 0. Got -1"),
        ({"seed": 1.5}, r"'seed' parameter of control_buckets must be an int >= 0. Got 1.5"),
        ({"campaign_id": ""}, r"'campaign_id' parameter of control_buckets must be a non-empty"),
        ({"campaign_id": "a\x1fb"}, r"without the \\x1f character. Got 'a\\x1fb' instead"),
        ({"campaign_id": 5}, r"'campaign_id' parameter .* Got 5 instead"),
    ],
)
def test_bad_seeds_and_campaign_ids_are_refused(kwargs, message):
    arguments = {"seed": 0, "campaign_id": "c"} | kwargs
    with pytest.raises(SpecError, match=message):
        control_buckets(["a"], **arguments)


@pytest.mark.parametrize(
    ("fraction", "message"),
    [
        (1.5, r"must be a number in \(0, 1\). Got 1.5 instead"),
        (0, r"must be a number in \(0, 1\). Got 0 instead"),
        (0.00001, r"must be a number in \[0.0001, 0.9999\] \(whole buckets of 10,000\). Got 1e-05"),
        (0.99999, r"must be a number in \[0.0001, 0.9999\]"),
    ],
)
def test_in_control_refuses_fractions_outside_the_buckets(fraction, message):
    with pytest.raises(SpecError, match=r"The 'fraction' parameter of in_control " + message):
        in_control([1, 2], fraction)


def test_risk_deciles_put_the_riskiest_tenth_first_and_ties_together():
    p = np.linspace(0.99, 0.0, 20)
    assert risk_decile(p).tolist() == [d for d in range(1, 11) for _ in range(2)]
    assert risk_decile([0.5, 0.5, 0.5, 0.1]).tolist() == [1, 1, 1, 8]
    with pytest.raises(DataError, match="1 are missing"):
        risk_decile([0.5, np.nan])


def _listed(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"{i:06d}" for i in range(n)],
            "probability": rng.random(n),
            "segment": rng.choice(
                ["high_value_high_loyalty", "low_value_low_loyalty", "inactive"], n
            ),
        }
    )
    frame["risk_decile"] = risk_decile(frame["probability"])
    return frame


def test_the_hashed_assignment_is_balanced_in_every_stratum():
    frame = _listed()
    frame["group"] = np.where(
        assign_control(frame["customer_id"], seed=7, campaign_id="c", fraction=0.1),
        "control",
        "target",
    )
    balance = control_balance(frame, "group", ["risk_decile", "segment"], fraction=0.1)
    assert len(balance) == 30
    assert list(balance.columns) == [
        "risk_decile",
        "segment",
        "customers",
        "control",
        "control_share",
        "expected",
        "p_value",
        "out_of_balance",
    ]
    assert balance["customers"].sum() == len(frame)
    assert balance["control"].sum() == (frame["group"] == "control").sum()
    assert np.allclose(balance["expected"], balance["customers"] * 0.1)
    assert not balance["out_of_balance"].any()


def test_an_assignment_that_follows_risk_is_flagged():
    frame = _listed()
    rng = np.random.default_rng(0)
    control = rng.random(len(frame)) < np.where(frame["risk_decile"] == 1, 0.2, 0.1)
    balance = control_balance(frame, control, ["risk_decile"], fraction=0.1)
    flagged = balance.loc[balance["out_of_balance"], "risk_decile"].tolist()
    assert flagged == [1]


def test_without_a_fraction_the_list_wide_share_is_expected():
    frame = pd.DataFrame({"s": ["a", "a", "b", "b"]})
    balance = control_balance(frame, [True, False, False, False], ["s"])
    assert balance["expected"].tolist() == [0.5, 0.5]
    assert balance["p_value"].tolist() == pytest.approx([0.4375, 1.0])


@pytest.mark.parametrize(
    ("group", "strata", "message"),
    [
        ([True, False], ["nope"], r"names columns the frame lacks: 'nope' \(it has s, g\)"),
        ("missing", ["s"], r"'group' parameter of control_balance names a column the frame lacks"),
        ([True], ["s"], r"one value per row of the frame \(2\). Got 1 values instead"),
        (["control", "treated"], ["s"], r"True/False or 'control'/'target'. Got 'treated'"),
    ],
)
def test_control_balance_refuses_bad_arguments(group, strata, message):
    frame = pd.DataFrame({"s": ["a", "b"], "g": ["control", "target"]})
    with pytest.raises(SpecError, match=message):
        control_balance(frame, group, strata)


def test_the_control_spec_round_trips_and_has_the_issue_defaults():
    spec = ControlSpec()
    assert (spec.fraction, spec.min_fraction, spec.power, spec.alpha) == (0.1, 0.05, 0.8, 0.05)
    for made in (spec, ControlSpec(fraction="auto", min_fraction=0.1, max_fraction=0.3)):
        assert ControlSpec.from_dict(made.to_dict()) == made


def test_the_control_spec_gives_its_fraction_or_the_automatic_one():
    assert ControlSpec(fraction=0.2).fraction_for(0.08, 20_000, 0.016) == 0.2
    assert ControlSpec(fraction="auto").fraction_for(0.08, 20_000, 0.016) == 0.116
    assert ControlSpec(fraction="auto", min_fraction=0.2).fraction_for(0.08, 20_000, 0.016) == 0.2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"fraction": 1.5},
            r"The 'fraction' parameter of ControlSpec must be a number in \(0, 1\) or 'auto'. Got 1.5 instead.",
        ),
        ({"fraction": 0}, r"'fraction' .* Got 0 instead"),
        ({"fraction": -0.1}, r"'fraction' .* Got -0.1 instead"),
        ({"fraction": "half"}, r"'fraction' .* Got 'half' instead"),
        ({"fraction": True}, r"'fraction' .* Got True instead"),
        ({"fraction": float("nan")}, r"'fraction' .* Got nan instead"),
        (
            {"min_fraction": 0.6},
            r"'min_fraction' parameter of ControlSpec must be a number in \(0, 0.5\]",
        ),
        (
            {"min_fraction": 0.2, "max_fraction": 0.1},
            r"'max_fraction' .* >= min_fraction \(0.2\). Got 0.1",
        ),
        ({"alpha": 1}, r"'alpha' parameter of ControlSpec must be a number in \(0, 1\). Got 1"),
        (
            {"power": 0.01},
            r"'power' parameter of ControlSpec must be a number in \(alpha = 0.05, 1\)",
        ),
    ],
)
def test_bad_control_specs_are_refused_with_the_parameter_and_the_value(kwargs, message):
    with pytest.raises(SpecError, match=message):
        ControlSpec(**kwargs)


def test_unknown_control_settings_suggest_the_closest_name():
    with pytest.raises(SpecError, match=r"no setting 'powr' .* Did you mean 'power'\?"):
        ControlSpec.from_dict({"powr": 0.9})
