"""The orders table: order lines loaded as bills, refunds flagged, broken lines reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import DataError
from churnlab.tables import check_data, load_tables
from churnlab.tables.orders import bills_from_orders

CUSTOMERS = """
customer_id,signup_date,end_date
a,2024-01-01,
b,2024-01-01,
"""


def test_order_lines_become_one_bill_per_order_and_direction(make_data) -> None:
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "orders.csv": """
            customer_id,ordered_at,order_id,amount,kind
            a,2024-02-01 10:00,o1,10.00,
            a,2024-02-01 10:00,o1,5.50,
            a,2024-03-01,o1,-5.50,
            b,2024-02-03,o2,7.00,Return
            """,
        }
    )
    bills = load_tables(folder).bills
    assert bills is not None
    got = bills[["customer_id", "amount", "refund", "order_lines"]].astype({"customer_id": "str"})
    assert got.to_dict("records") == [
        {"customer_id": "a", "amount": 15.5, "refund": False, "order_lines": 2},
        {"customer_id": "a", "amount": 5.5, "refund": True, "order_lines": 1},
        {"customer_id": "b", "amount": 7.0, "refund": True, "order_lines": 1},
    ]
    assert (bills["amount"] >= 0).all()


def test_lines_without_order_id_make_a_bill_per_customer_and_day(make_data) -> None:
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "orders.csv": """
            customer_id,ordered_at,amount
            a,2024-02-01 09:00,3
            a,2024-02-01 18:00,4
            a,2024-02-02 09:00,5
            """,
        }
    )
    bills = load_tables(folder).bills
    assert bills is not None
    assert bills["amount"].tolist() == [7.0, 5.0]
    assert bills["bill_date"].tolist() == [
        pd.Timestamp("2024-02-01 09:00"),
        pd.Timestamp("2024-02-02 09:00"),
    ]


def test_broken_lines_name_the_table_column_rows_and_examples(make_data) -> None:
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "orders.csv": """
            customer_id,ordered_at,amount,quantity
            a,2024-02-01,3,1
            zz,2024-02-01,3,1
            a,,4,1
            a,2024-02-02,5,-2
            """,
        }
    )
    report = check_data(folder)
    found = {(p.table, p.column, p.check, p.rows) for p in report.problems}
    assert found == {
        ("orders", "customer_id", "customer not in customers", 1),
        ("orders", "ordered_at", "empty value", 1),
        ("orders", "quantity", "negative quantity", 1),
    }
    assert "zz" in str(report)
    with pytest.raises(DataError):
        load_tables(folder)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "orders.customer_id" in result.output and "Traceback" not in result.output


def test_recorded_at_of_a_bill_is_its_last_line(make_data) -> None:
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "orders.parquet": pd.DataFrame(
                {
                    "customer_id": ["a", "a"],
                    "ordered_at": pd.to_datetime(["2024-02-01", "2024-02-01"]),
                    "order_id": ["o1", "o1"],
                    "amount": [1.0, 2.0],
                    "recorded_at": pd.to_datetime(["2024-02-01", "2024-02-05"]),
                }
            ),
        }
    )
    bills = load_tables(folder).bills
    assert bills is not None
    assert bills["recorded_at"].tolist() == [pd.Timestamp("2024-02-05")]


LINES = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 20),
        st.sampled_from(["o1", "o2", "o3"]),
        st.integers(-400, 400),
        st.sampled_from([None, "sale", "refund", " Credit "]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(lines=LINES)
def test_bills_keep_every_cent_and_never_go_negative(lines: list[tuple]) -> None:
    orders = pd.DataFrame(lines, columns=["customer_id", "day", "order_id", "cents", "kind"])
    orders["ordered_at"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(orders["day"], unit="D")
    orders["amount"] = orders["cents"] / 100
    bills = bills_from_orders(orders)
    assert (bills["amount"] >= 0).all()
    assert bills["order_lines"].sum() == len(orders)
    signed = bills["amount"].where(~bills["refund"], -bills["amount"])
    words = orders["kind"].fillna("").str.strip().str.lower().isin(["refund", "return", "credit"])
    expected = (
        orders["amount"].abs().where(~(words | (orders["amount"] < 0)), -orders["amount"].abs())
    )
    assert signed.sum() == pytest.approx(expected.sum())
    groups = orders.assign(refund=words | (orders["amount"] < 0))
    assert len(bills) == len(groups.drop_duplicates(["customer_id", "order_id", "refund"]))


def test_direct_read_leaves_orders_to_load_tables(make_data, tmp_path: Path) -> None:
    from churnlab.tables.direct import plan_direct_read

    customers = pd.DataFrame(
        {
            "customer_id": ["a"],
            "signup_date": pd.to_datetime(["2024-01-01"]),
            "end_date": pd.to_datetime([None]),
        }
    )
    orders = pd.DataFrame(
        {"customer_id": ["a"], "ordered_at": pd.to_datetime(["2024-02-01"]), "amount": [3.0]}
    )
    folder = make_data({"customers.parquet": customers, "orders.parquet": orders})
    assert plan_direct_read(folder) is None
