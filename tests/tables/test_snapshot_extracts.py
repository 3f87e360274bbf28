"""Snapshot extracts: one row per customer with a churn flag as of one date."""

from __future__ import annotations

import pandas as pd
import pytest

import churnlab
from churnlab.tables import Problem, check_data

SNAPSHOT = """
    [snapshot]
    label_column = "Exited"
    as_of = "2024-06-30"
    """


def test_a_snapshot_needs_no_dates_and_gets_a_bool_churned_column(make_data):
    folder = make_data(
        {
            "churnlab.toml": SNAPSHOT,
            "customers.csv": """
                customer_id,Exited,plan
                C1,1,basic
                C2,0,gold
                C3,Yes,basic
                C4,no,gold
                """,
        }
    )

    tables = churnlab.load_tables(folder)

    customers = tables.customers
    assert tables.is_snapshot
    assert "Exited" not in customers.columns
    assert customers["churned"].dtype == bool
    assert customers["churned"].tolist() == [True, False, True, False]
    assert customers["signup_date"].isna().all()
    assert str(customers["end_date"].dtype) == "datetime64[us]"
    assert tables.attribute_columns == ("plan",)
    assert tables.extract_date == pd.Timestamp("2024-06-30")
    assert tables.extract_date_source == "snapshot as_of"


def test_positive_values_name_the_churned_flag(make_data):
    folder = make_data(
        {
            "churnlab.toml": """
                [snapshot]
                label_column = "是否流失"
                as_of = "2024-06-30"
                positive_values = ["是"]
                negative_values = ["否"]
                """,
            "customers.csv": "customer_id,是否流失\nC1,是\nC2,否\nC3,否\n",
        }
    )

    tables = churnlab.load_tables(folder)

    assert tables.customers["churned"].tolist() == [True, False, False]
    assert tables.summary().headline == (
        "snapshot as of 2024-06-30: 3 customers, 1 churned (33.3%) by column '是否流失'"
    )


def test_an_unrecognised_flag_is_a_problem(make_data):
    folder = make_data(
        {
            "churnlab.toml": SNAPSHOT + 'positive_values = ["1"]\n',
            "customers.csv": "customer_id,Exited\nC1,1\nC2,0\nC3,maybe\nC4,yes\nC5,\n",
        }
    )

    report = check_data(folder)

    assert report.problems == (
        Problem(
            table="customers",
            column="Exited",
            check="churn flag not recognised (set positive_values)",
            rows=3,
            examples=("maybe", "yes", "<empty>"),
        ),
    )


def test_a_numeric_flag_beside_a_blank_is_still_recognised(make_data):
    folder = make_data(
        {
            "churnlab.toml": SNAPSHOT + 'positive_values = ["1"]\nnegative_values = ["0"]\n',
            "customers.csv": "customer_id,Exited\nC1,1\nC2,0\nC3,\n",
        }
    )

    (problem,) = check_data(folder).problems

    assert (problem.rows, problem.examples) == (1, ("<empty>",))


def test_a_missing_flag_column_is_a_problem(make_data):
    folder = make_data({"churnlab.toml": SNAPSHOT, "customers.csv": "customer_id,Exit\nC1,1\n"})

    report = check_data(folder)

    assert report.problems == (
        Problem(
            table="customers", column="Exited", check="required column missing (closest: Exit)"
        ),
    )


def test_events_after_the_as_of_date_are_a_problem(make_data):
    folder = make_data(
        {
            "churnlab.toml": SNAPSHOT,
            "customers.csv": "customer_id,Exited\nC1,1\nC2,0\n",
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-06-01,10\nC2,2024-07-01,10\n",
        }
    )

    (problem,) = check_data(folder).problems

    assert problem.where == "bills.bill_date"
    assert problem.check == "dated after the extract date 2024-06-30"


def test_the_summary_headline_mentions_the_snapshot(make_data):
    folder = make_data(
        {"churnlab.toml": SNAPSHOT, "customers.csv": "customer_id,Exited\nC1,1\nC2,0\nC3,0\nC4,0\n"}
    )

    summary = churnlab.load_tables(folder).summary()

    assert summary.headline == (
        "snapshot as of 2024-06-30: 4 customers, 1 churned (25.0%) by column 'Exited'"
    )
    assert (summary.customers, summary.active, summary.churned) == (4, 3, 1)
    assert summary.by_month.empty
    assert summary.headline in str(summary)
    assert "Churn by month" not in str(summary)
    assert repr(churnlab.load_tables(folder)).startswith("<Tables snapshot ")


@pytest.mark.parametrize("flag", ["1", "1.0", "true", "Yes", "Y", "churned", "Exited", " left "])
def test_default_positive_values(make_data, flag):
    folder = make_data(
        {"churnlab.toml": SNAPSHOT, "customers.csv": f"customer_id,Exited\nC1,{flag}\nC2,no\n"}
    )

    assert churnlab.load_tables(folder).customers["churned"].tolist() == [True, False]
