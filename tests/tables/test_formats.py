"""CSV and Parquet give the same typed tables; ids stay text; Chinese text passes through."""

from __future__ import annotations

import pandas as pd
import pytest

import churnlab
from churnlab.tables import check_data

US = "datetime64[us]"


def _dates(*values: str | None) -> list[pd.Timestamp | None]:
    return [None if v is None else pd.Timestamp(v) for v in values]


CSV_FILES = {
    "customers.csv": """
        customer_id,signup_date,end_date,region,monthly_fee
        007,2024-01-05,,华东,19.9
        010,2024-02-01,2024-04-15,华北,29
        """,
    "bills.csv": """
        customer_id,bill_date,amount,due_date,paid_date
        007,2024-02-01,19.9,2024-02-15,2024-02-10
        010,2024-03-01,29,2024-03-15,
        """,
    "complaints.csv": """
        customer_id,opened_at,category,resolved_at,channel
        007,2024-02-03T09:30:00,网络问题,2024-02-04T10:00:00,电话
        """,
    "service_events.csv": """
        customer_id,occurred_at,kind,duration_minutes
        010,2024-03-02T20:15:00,call,12.5
        """,
}


def _parquet_files() -> dict[str, pd.DataFrame]:
    return {
        "customers.parquet": pd.DataFrame(
            {
                "customer_id": ["007", "010"],
                "signup_date": pd.to_datetime(_dates("2024-01-05", "2024-02-01")),
                "end_date": pd.to_datetime(_dates(None, "2024-04-15")),
                "region": ["华东", "华北"],
                "monthly_fee": [19.9, 29.0],
            }
        ),
        "bills.parquet": pd.DataFrame(
            {
                "customer_id": ["007", "010"],
                "bill_date": pd.to_datetime(_dates("2024-02-01", "2024-03-01")),
                "amount": [19.9, 29.0],
                "due_date": pd.to_datetime(_dates("2024-02-15", "2024-03-15")),
                "paid_date": pd.to_datetime(_dates("2024-02-10", None)),
            }
        ),
        "complaints.parquet": pd.DataFrame(
            {
                "customer_id": ["007"],
                "opened_at": pd.to_datetime(_dates("2024-02-03T09:30:00")),
                "category": ["网络问题"],
                "resolved_at": pd.to_datetime(_dates("2024-02-04T10:00:00")),
                "channel": ["电话"],
            }
        ),
        "service_events.parquet": pd.DataFrame(
            {
                "customer_id": ["010"],
                "occurred_at": pd.to_datetime(_dates("2024-03-02T20:15:00")),
                "kind": ["call"],
                "duration_minutes": [12.5],
            }
        ),
    }


@pytest.fixture
def csv_tables(make_data):
    return churnlab.load_tables(make_data(CSV_FILES, folder="csv"))


@pytest.fixture
def parquet_tables(make_data):
    return churnlab.load_tables(make_data(_parquet_files(), folder="parquet"))


@pytest.mark.parametrize("table", ["customers", "bills", "complaints", "service_events"])
def test_csv_and_parquet_give_the_same_typed_table(csv_tables, parquet_tables, table):
    pd.testing.assert_frame_equal(csv_tables.table(table), parquet_tables.table(table))


@pytest.mark.parametrize(
    ("table", "column", "dtype"),
    [
        ("customers", "customer_id", "str"),
        ("customers", "signup_date", US),
        ("customers", "end_date", US),
        ("bills", "customer_id", "category"),
        ("bills", "bill_date", US),
        ("bills", "amount", "float64"),
        ("bills", "paid_date", US),
        ("complaints", "opened_at", US),
        ("complaints", "category", "str"),
        ("service_events", "duration_minutes", "float64"),
    ],
)
@pytest.mark.parametrize("tables", ["csv_tables", "parquet_tables"])
def test_contract_columns_have_their_types(request, tables, table, column, dtype):
    loaded = request.getfixturevalue(tables)

    assert str(loaded.table(table)[column].dtype) == dtype


@pytest.mark.parametrize("tables", ["csv_tables", "parquet_tables"])
def test_event_customer_ids_are_categoricals_over_the_customers_ids(request, tables):
    loaded = request.getfixturevalue(tables)

    dtype = loaded.bills["customer_id"].dtype
    assert list(dtype.categories) == loaded.customers["customer_id"].tolist()
    assert str(dtype.categories.dtype) == "str"


@pytest.mark.parametrize("tables", ["csv_tables", "parquet_tables"])
def test_ids_keep_leading_zeros(request, tables):
    loaded = request.getfixturevalue(tables)

    assert loaded.customers["customer_id"].tolist() == ["007", "010"]
    assert loaded.bills["customer_id"].tolist() == ["007", "010"]


@pytest.mark.parametrize("tables", ["csv_tables", "parquet_tables"])
def test_chinese_values_pass_through_intact(request, tables):
    loaded = request.getfixturevalue(tables)

    assert loaded.customers["region"].tolist() == ["华东", "华北"]
    assert loaded.complaints["category"].tolist() == ["网络问题"]
    assert loaded.complaints["channel"].tolist() == ["电话"]


def test_a_chinese_column_name_renders_in_the_summary(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date,地区
                001,2024-01-05,,华东
                002,2024-01-06,,华南
                """
        }
    )

    tables = churnlab.load_tables(folder)

    assert tables.customers["地区"].tolist() == ["华东", "华南"]
    assert "Attributes used as features: 地区" in str(tables.summary())
    assert "Attributes used as features: 地区" in tables._repr_html_()


def test_an_encoding_setting_reads_gbk_files(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[data]\nencoding = "gbk"\n',
            "customers.csv": "customer_id,signup_date,end_date,region\n1,2024-01-01,,华东\n".encode(
                "gbk"
            ),
        }
    )

    assert churnlab.load_tables(folder).customers["region"].tolist() == ["华东"]


@pytest.mark.parametrize(
    ("values", "expected", "dtype"),
    [
        (["19.9", "29"], [19.9, 29.0], "float64"),
        (["1", "2"], [1, 2], "int64"),
        (["-3", "12"], [-3, 12], "int64"),
        (["0.5", "1"], [0.5, 1.0], "float64"),
        (["007", "010"], ["007", "010"], "str"),
        (["-01", "2"], ["-01", "2"], "str"),
        (["1", "basic"], ["1", "basic"], "str"),
        (["华东", "华北"], ["华东", "华北"], "str"),
    ],
)
def test_attribute_columns_become_numbers_only_when_every_value_is_one(
    make_data, values, expected, dtype
):
    rows = "".join(f"C{i},2024-01-01,,{v}\n" for i, v in enumerate(values))
    folder = make_data({"customers.csv": "customer_id,signup_date,end_date,attr\n" + rows})

    column = churnlab.load_tables(folder).customers["attr"]

    assert str(column.dtype) == dtype
    assert column.tolist() == expected


def test_an_attribute_with_blanks_becomes_float_with_missing_values(make_data):
    folder = make_data(
        {"customers.csv": "customer_id,signup_date,end_date,fee\nC1,2024-01-01,,5\nC2,2024-01-01,"}
    )

    column = churnlab.load_tables(folder).customers["fee"]

    assert str(column.dtype) == "float64"
    assert column.iloc[0] == 5.0
    assert pd.isna(column.iloc[1])


def test_attribute_numbers_follow_the_decimal_comma(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[data]\ndelimiter = ";"\ndecimal = ","\n',
            "customers.csv": "customer_id;signup_date;end_date;fee\nC1;2024-01-01;;1.299,5\n",
        }
    )

    assert churnlab.load_tables(folder).customers["fee"].tolist() == [1299.5]


def test_numeric_ids_in_event_tables_match_text_ids(make_data):
    folder = make_data(
        {
            "customers.parquet": pd.DataFrame(
                {
                    "customer_id": [101],
                    "signup_date": pd.to_datetime(["2024-01-01"]),
                    "end_date": pd.to_datetime([None]),
                }
            ),
            "bills.csv": "customer_id,bill_date,amount\n101,2024-02-01,10\n",
        }
    )

    with pytest.warns(churnlab.DataRepairWarning, match="ids stored as numbers"):
        report = check_data(folder)

    assert report.ok
