"""Spend trends see only the months since signup: a customer who joined four months ago and
spends the same every month shows no trend, never "spend up 200%"."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import frame

from churnlab.features import build_scoring_frame
from churnlab.tables import Tables

TRENDS = ("spend_ratio_3m", "spend_slope_6m", "spend_std_6m", "spend_max_increase_6m")


def _customer(signup: pd.Timestamp, cutoff: pd.Timestamp, amount: float) -> Tables:
    """One customer billed ``amount`` every month from signup (on its day of the month)."""
    months = (cutoff.year - signup.year) * 12 + cutoff.month - signup.month + 1
    bills = [
        {"customer_id": "001", "bill_date": signup + pd.DateOffset(months=k), "amount": amount}
        for k in range(months)
        if signup + pd.DateOffset(months=k) <= cutoff
    ]
    return Tables(
        customers=frame("customers", [{"customer_id": "001", "signup_date": signup}]),
        bills=frame("bills", bills),
        extract_date=cutoff,
    )


@settings(max_examples=40, deadline=None)
@given(
    months_ago=st.integers(min_value=0, max_value=14),
    signup_day=st.integers(min_value=1, max_value=28),
    cutoff_day=st.integers(min_value=1, max_value=28),
    amount=st.floats(min_value=5, max_value=500).map(lambda a: round(a, 2)),
)
def test_a_steady_customer_shows_no_spend_trend_whenever_they_joined(
    months_ago: int, signup_day: int, cutoff_day: int, amount: float
) -> None:
    cutoff = pd.Timestamp(2024, 9, cutoff_day)
    signup = (cutoff - pd.DateOffset(months=months_ago)).replace(day=signup_day)
    if signup > cutoff:
        signup -= pd.DateOffset(months=1)
    row = build_scoring_frame(_customer(signup, cutoff, amount), as_of=cutoff).frame.iloc[0]
    ratio, slope, std, jump = (float(row[name]) for name in TRENDS)
    assert math.isnan(ratio) or math.isclose(ratio, 1.0, rel_tol=1e-5), ratio
    assert math.isnan(slope) or abs(slope) < 1e-3 * amount, slope
    assert math.isnan(std) or std < 1e-3 * amount, std
    assert math.isnan(jump) or jump < 1e-3 * amount, jump
    # Enough months since signup give the trends (they are missing only when too few exist).
    whole_months = months_ago - (signup_day > cutoff_day)
    if whole_months >= 7:
        assert not any(math.isnan(v) for v in (ratio, slope, std, jump))


def test_before_the_fix_a_new_customer_looked_like_a_spend_jump() -> None:
    # The case: four months in, the 3-month ratio read 3.0 and the slope 12.
    cutoff = pd.Timestamp("2024-09-15")
    row = build_scoring_frame(
        _customer(pd.Timestamp("2024-05-10"), cutoff, 40.0), as_of=cutoff
    ).frame.iloc[0]
    assert math.isnan(row["spend_ratio_3m"])  # the quarter before is not all since signup
    assert row["spend_slope_6m"] == 0.0 and row["spend_max_increase_6m"] == 0.0
    assert row["spend_mean_3m"] == 40.0
