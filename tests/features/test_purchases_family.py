"""The purchases family: on shop-shaped bills only, point in time, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from churnlab.features import build_scoring_frame
from churnlab.features.families import BUILT_IN, Purchases
from churnlab.tables import load_tables

CUSTOMERS = """
customer_id,signup_date,end_date
a,2023-01-01,
b,2023-01-01,
"""
ORDERS = """
customer_id,ordered_at,order_id,amount,recorded_at
a,2024-01-01,o1,40,
a,2024-03-01,o2,20,
a,2024-03-01,o3,10,
a,2024-04-10,o4,30,
a,2024-04-20,o4,-30,
a,2024-05-30,o5,60,2024-07-01
b,2024-05-01,o6,15,
"""


@pytest.fixture
def shop(make_data):
    return load_tables(make_data({"customers.csv": CUSTOMERS, "orders.csv": ORDERS}))


def test_purchase_features_by_hand(shop) -> None:
    """At 2024-06-01 the order of 05-30 is not yet recorded: purchases on 01-01, 03-01 (two
    orders) and 04-10, the refund of 04-20 aside."""
    row = build_scoring_frame(shop, as_of="2024-06-01").frame.set_index("customer_id").loc["a"]
    assert (row["purchases_30d"], row["purchases_90d"], row["purchases_365d"]) == (
        0,
        1,
        4,
    )  # 03-01 is 92 days back
    assert row["purchase_spend_lifetime"] == 100 and row["purchase_spend_365d"] == 100
    assert row["average_order_value"] == 25
    # Purchase days 01-01, 03-01, 04-10: gaps of 60 and 40 days, mean 50.
    assert row["purchase_gap_mean_days"] == 50 and row["purchase_gap_last_days"] == 40
    assert row["purchase_gap_last_ratio"] == pytest.approx(0.8)
    assert row["purchase_overdue_ratio"] == pytest.approx(52 / 50)  # 04-10 to 06-01
    assert row["refund_share"] == pytest.approx(0.25)
    assert row["days_since_first_purchase"] == 152


def test_one_purchase_day_has_no_gap(shop) -> None:
    row = build_scoring_frame(shop, as_of="2024-06-01").frame.set_index("customer_id").loc["b"]
    assert row["purchases_365d"] == 1 and row["days_since_first_purchase"] == 31
    assert math.isnan(row["purchase_gap_mean_days"]) and math.isnan(row["purchase_overdue_ratio"])


def test_monthly_bills_get_no_purchase_features(make_data) -> None:
    """A telecom's bills carry no order lines: the family stays off (see the model card)."""
    bills = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "bill_date": pd.to_datetime(["2024-01-31", "2024-02-29"]),
            "amount": [30.0, 30.0],
        }
    )
    folder = make_data({"customers.csv": CUSTOMERS, "bills.parquet": bills})
    frame = build_scoring_frame(load_tables(folder), as_of="2024-02-29").frame
    names = {f.name for f in Purchases.entries}
    assert not names & set(frame.columns)
    assert "months_since_last_bill" in frame.columns
    assert any(isinstance(f, Purchases) for f in BUILT_IN)
