"""Tables.summary(): row counts, date ranges, active and churned customers, churn by month."""

from __future__ import annotations

import pandas as pd
import pytest

import churnlab
from churnlab import DataRepairWarning
from churnlab.tables import churn_by_month

# A joined 10 Jan; B left 10 Feb; C joined and left in February; D joined 1 Feb and left 1 Mar;
# E joined 31 Mar.
CUSTOMERS = """
    customer_id,signup_date,end_date,plan
    A,2024-01-10,,basic
    B,2024-01-15,2024-02-10,basic
    C,2024-02-05,2024-02-20,gold
    D,2024-02-01,2024-03-01,gold
    E,2024-03-31,,basic
    """
BILLS = """
    customer_id,bill_date,amount
    A,2024-02-01,10
    A,2024-03-01,10
    B,2024-02-01,12.5
    """


def _customers(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "signup_date": pd.to_datetime([s for s, _ in rows]).astype("datetime64[us]"),
            "end_date": pd.to_datetime([e for _, e in rows]).astype("datetime64[us]"),
        }
    )


@pytest.fixture
def tables(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[data]\nextract_date = "2024-04-30"\n',
            "customers.csv": CUSTOMERS,
            "bills.csv": BILLS,
        }
    )
    return churnlab.load_tables(folder)


def test_churn_by_month_counts_leavers_among_customers_active_at_the_start(tables):
    by_month = churn_by_month(tables.customers, tables.extract_date)

    # February: A and B were active on the 1st; B left (C joined and left, D joined on the 1st).
    # March: A and D were active; D left on the 1st. April: A and E, nobody left.
    expected = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01"]),
            "active_at_start": [2, 2, 2],
            "churned": [1, 1, 0],
            "churn_rate": [0.5, 0.5, 0.0],
        }
    )
    pd.testing.assert_frame_equal(by_month, expected, check_dtype=False)


@pytest.mark.parametrize(
    ("extract_date", "last_month"),
    [("2024-04-30", "2024-04-01"), ("2024-04-29", "2024-03-01"), ("2024-05-01", "2024-04-01")],
)
def test_churn_by_month_leaves_out_an_incomplete_last_month(tables, extract_date, last_month):
    by_month = churn_by_month(tables.customers, pd.Timestamp(extract_date))

    assert by_month["month"].iloc[-1] == pd.Timestamp(last_month)


def test_churn_by_month_counts_a_leaver_in_the_month_of_the_end_date():
    customers = _customers([("2023-12-01", "2024-01-31"), ("2023-12-01", "2024-02-01")])

    by_month = churn_by_month(customers, pd.Timestamp("2024-02-29"))

    assert by_month[["active_at_start", "churned"]].to_numpy().tolist() == [[2, 1], [1, 1]]
    assert by_month["churn_rate"].tolist() == [0.5, 1.0]


def test_churn_by_month_of_no_dates_is_empty():
    by_month = churn_by_month(_customers([]), pd.Timestamp("2024-01-31"))

    assert by_month.empty
    assert list(by_month.columns) == ["month", "active_at_start", "churned", "churn_rate"]


def test_summary_counts_rows_customers_and_date_ranges(tables):
    summary = tables.summary()

    expected = pd.DataFrame(
        {
            "table": ["customers", "bills"],
            "rows": [5, 3],
            "customers": [5, 2],
            "first_date": pd.to_datetime(["2024-01-10", "2024-02-01"]),
            "last_date": pd.to_datetime(["2024-03-31", "2024-03-01"]),
        }
    )
    pd.testing.assert_frame_equal(summary.tables, expected, check_dtype=False)
    assert (summary.customers, summary.active, summary.churned) == (5, 2, 3)
    assert summary.headline == (
        "5 customers: 2 active and 3 churned by the extract date 2024-04-30 (config)"
    )


def test_an_end_date_after_the_extract_date_is_not_yet_churned(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                A,2024-01-01,2024-03-01
                B,2024-01-01,
                """
        }
    )
    tables = churnlab.load_tables(folder)
    later = churnlab.Tables(customers=tables.customers, extract_date=pd.Timestamp("2024-02-15"))

    summary = later.summary()

    assert (summary.active, summary.churned) == (2, 0)


def test_summary_text_shows_the_headline_tables_months_and_attributes(tables):
    text = str(tables.summary())
    lines = text.splitlines()

    assert lines[0] == f"churnlab data in {tables.source}"
    assert (
        lines[1] == "  5 customers: 2 active and 3 churned by the extract date 2024-04-30 (config)"
    )
    assert ["customers", "5", "5", "2024-01-10", "2024-03-31"] in [line.split() for line in lines]
    assert ["bills", "3", "2", "2024-02-01", "2024-03-01"] in [line.split() for line in lines]
    assert "Churn by month (last 12 complete months):" in lines
    assert ["2024-02", "2", "1", "50.00%"] in [line.split() for line in lines]
    assert ["2024-04", "2", "0", "0.00%"] in [line.split() for line in lines]
    assert lines[-1] == "Attributes used as features: plan"


def test_summary_html_shows_the_same_numbers(tables):
    html = tables._repr_html_()

    assert "5 customers: 2 active and 3 churned" in html
    assert "<td>2024-02</td>" in html
    assert "<td>50.00%</td>" in html
    assert "Attributes used as features: plan" in html


def test_reprs_are_one_line_with_the_numbers_that_matter(tables):
    assert repr(tables) == (
        f"<Tables {tables.source}: customers 5, bills 3; extract date 2024-04-30>"
    )
    assert repr(tables.summary()) == (
        f"<TableSummary {tables.source}: 5 customers: 2 active and 3 churned "
        "by the extract date 2024-04-30 (config)>"
    )


def test_html_escapes_customer_data(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date,<script>alert(1)</script>,<b>email</b>
                 <script>x</script>,2024-01-01,,1,a@b.c
                """
        },
        folder="<i>shop",
    )

    with pytest.warns(DataRepairWarning):
        html = churnlab.load_tables(folder)._repr_html_()

    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the attribute column
    assert "&lt;b&gt;email&lt;/b&gt;" in html  # a personal column
    assert "&lt;script&gt;x&lt;/script&gt;" in html  # the repaired id
    assert "&lt;i&gt;shop" in html  # the folder name


def test_html_escapes_the_snapshot_flag_column(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[snapshot]\nlabel_column = "<script>"\nas_of = "2024-06-30"\n',
            "customers.csv": "customer_id,<script>\nC1,1\nC2,0\n",
        }
    )

    html = churnlab.load_tables(folder)._repr_html_()

    assert "<script>" not in html
    assert "by column &#39;&lt;script&gt;&#39;" in html
