"""Plan fit tells a plan too small (every bill above the fee) from a bill shock (one bill far
above the others); payment counts the loyalty points a late payment took."""

from __future__ import annotations

import pandas as pd
import pytest
from strategies import frame

from churnlab.features import build_scoring_frame
from churnlab.tables import Tables

CUTOFF = pd.Timestamp("2024-06-30")


def _bills(amounts: list[float], **late: object) -> Tables:
    """One customer on a plan of 100 a month since 2024-01-01, billed ``amounts`` in the last
    months (the latest last), each due 15 days after its bill and paid on time unless said."""
    start = 7 - len(amounts)
    rows = []
    for k, amount in enumerate(amounts):
        day = pd.Timestamp(2024, start + k, 5)
        paid = late.get(str(day.date()), day + pd.Timedelta(days=10))
        rows.append(
            {
                "customer_id": "001",
                "bill_date": day,
                "amount": amount,
                "due_date": day + pd.Timedelta(days=15),
                "paid_date": paid,
            }
        )
    customers = frame(
        "customers", [{"customer_id": "001", "signup_date": pd.Timestamp("2024-01-01")}]
    ).assign(monthly_fee=100.0)
    return Tables(
        customers=customers,
        bills=frame("bills", rows),
        extract_date=CUTOFF,
        attribute_columns=("monthly_fee",),
    )


@pytest.mark.parametrize(
    ("amounts", "lowest", "peak"),
    [
        ([140.0, 140.0, 140.0], 1.4, 1.0),  # a plan too small: every bill 40% above the fee
        ([100.0, 100.0, 250.0], 1.0, 2.5),  # a bill shock: one bill far above the others
        ([100.0, 0.0, 100.0], 0.0, None),  # a month without a bill: no peak to speak of
    ],
)
def test_plan_fit_tells_a_plan_too_small_from_a_bill_shock(amounts, lowest, peak):
    row = build_scoring_frame(_bills(amounts), as_of=CUTOFF).frame.iloc[0]
    assert row["spend_over_fee_min_3m"] == pytest.approx(lowest)
    if peak is None:
        assert pd.isna(row["spend_peak_3m"])
    else:
        assert row["spend_peak_3m"] == pytest.approx(peak)


def test_a_late_payment_shows_as_points_lost_and_days_since_it():
    on_time = build_scoring_frame(_bills([100.0] * 6), as_of=CUTOFF).frame
    late = _bills([100.0] * 6, **{"2024-03-05": None})  # the March bill (due 03-20) unpaid
    wiped = build_scoring_frame(late, as_of=CUTOFF).frame
    assert on_time.loc[0, "points_lost"] == 0
    assert pd.isna(on_time.loc[0, "days_since_late_payment"])
    assert wiped.loc[0, "days_since_late_payment"] == (CUTOFF - pd.Timestamp("2024-03-20")).days
    # Points restart at the wipe: 5 months + 60 (600 spent) before it, 3 + 30 after.
    lost = on_time.loc[0, "loyalty_points"] - wiped.loc[0, "loyalty_points"]
    assert wiped.loc[0, "points_lost"] == lost > 0
