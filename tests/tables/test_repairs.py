"""Safe repairs are applied and reported as DataRepairWarning, never silently."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import churnlab
from churnlab import DataRepairWarning
from churnlab.tables import check_data


def test_spaces_around_ids_are_trimmed_with_a_warning(make_data):
    folder = make_data(
        {
            "customers.csv": "customer_id,signup_date,end_date\n C1 ,2024-01-01,\nC2,2024-01-02,\n",
            "bills.csv": "customer_id,bill_date,amount\nC1  ,2024-02-01,10\n",
        }
    )

    with pytest.warns(DataRepairWarning) as caught:
        report = check_data(folder)

    messages = [str(w.message) for w in caught]
    assert any(
        "customers.customer_id: trimmed spaces around 1 id, e.g. ' C1 '" in m for m in messages
    )
    assert any("bills.customer_id: trimmed spaces around 1 id, e.g. 'C1  '" in m for m in messages)
    assert report.ok  # the trimmed bill id matches its customer
    assert report.tables.customers["customer_id"].tolist() == ["C1", "C2"]
    assert report.tables.bills["customer_id"].tolist() == ["C1"]


def test_a_utf8_byte_order_mark_is_removed_with_a_warning(make_data):
    folder = make_data(
        {"customers.csv": b"\xef\xbb\xbfcustomer_id,signup_date,end_date\nC1,2024-01-01,\n"}
    )

    with pytest.warns(
        DataRepairWarning, match="removed the UTF-8 byte-order mark of customers.csv"
    ):
        report = check_data(folder)

    assert report.ok
    assert list(report.tables.customers.columns) == ["customer_id", "signup_date", "end_date"]


def test_aware_timestamps_are_converted_to_utc_when_all_are_aware(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01T08:00:00+08:00,
                C2,2024-01-02T00:00:00Z,2024-03-01T01:30:00-02:00
                """,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01T12:00:00+0100,10\n",
        }
    )

    with pytest.warns(
        DataRepairWarning,
        match=r"converted time-zone-aware timestamps to UTC without a zone: "
        r"customers\.signup_date, customers\.end_date, bills\.bill_date",
    ):
        report = check_data(folder)

    assert report.ok
    customers = report.tables.customers
    assert customers["signup_date"].tolist() == [
        pd.Timestamp("2024-01-01 00:00"),
        pd.Timestamp("2024-01-02 00:00"),
    ]
    assert customers["end_date"].iloc[1] == pd.Timestamp("2024-03-01 03:30")
    assert report.tables.bills["bill_date"].tolist() == [pd.Timestamp("2024-02-01 11:00")]
    assert str(customers["signup_date"].dtype) == "datetime64[us]"


def test_an_empty_date_column_does_not_make_aware_timestamps_mixed(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01T08:00:00+08:00,
                C2,2024-01-02T00:00:00Z,
                """
        }
    )

    with pytest.warns(DataRepairWarning, match="customers.signup_date"):
        report = check_data(folder)

    assert report.ok


def test_aware_parquet_timestamps_are_converted_to_utc(make_data):
    customers = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "signup_date": pd.to_datetime(["2024-01-01T08:00:00+08:00"]),
            "end_date": pd.to_datetime(["2024-02-01T00:00:00+01:00"]),
        }
    )
    folder = make_data({"customers.parquet": customers})

    with pytest.warns(DataRepairWarning, match="converted time-zone-aware timestamps to UTC"):
        tables = churnlab.load_tables(folder)

    assert tables.customers["signup_date"].tolist() == [pd.Timestamp("2024-01-01")]
    assert tables.customers["end_date"].tolist() == [pd.Timestamp("2024-01-31 23:00")]


def test_numeric_parquet_ids_become_text_with_a_warning(make_data):
    customers = pd.DataFrame(
        {
            "customer_id": [7, 12],
            "signup_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "end_date": pd.to_datetime([None, None]),
        }
    )
    bills = pd.DataFrame(
        {"customer_id": ["7"], "bill_date": pd.to_datetime(["2024-02-01"]), "amount": [9.5]}
    )
    folder = make_data({"customers.parquet": customers, "bills.parquet": bills})

    with pytest.warns(
        DataRepairWarning,
        match="customers.customer_id: ids stored as numbers were turned into text; "
        "leading zeros lost in the file cannot be recovered",
    ):
        report = check_data(folder)

    assert report.ok
    assert report.tables.customers["customer_id"].tolist() == ["7", "12"]


def test_repairs_are_kept_on_the_report_and_the_tables(make_data):
    folder = make_data({"customers.csv": "customer_id,signup_date,end_date\n C1,2024-01-01,\n"})

    with pytest.warns(DataRepairWarning):
        report = check_data(folder)

    assert report.repairs == ("customers.customer_id: trimmed spaces around 1 id, e.g. ' C1'",)
    assert report.tables.repairs == report.repairs
    assert "Repaired: customers.customer_id: trimmed spaces" in str(report.tables.summary())


def test_clean_data_gives_no_warning(make_data):
    folder = make_data(
        {"customers.csv": "customer_id,signup_date,end_date\n007,2024-01-01,\n008,2024-01-02,\n"}
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = check_data(folder)

    assert report.ok
    assert report.repairs == ()
