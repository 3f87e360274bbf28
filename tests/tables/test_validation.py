"""Every data problem is reported as a line users read: table.column, check, rows, examples."""

from __future__ import annotations

import pandas as pd
import pytest

import churnlab
from churnlab.tables import Problem, check_data
from churnlab.tables.problems import WHAT_TO_DO

CUSTOMERS = """
    customer_id,signup_date,end_date
    C1,2024-01-01,
    C2,2024-02-01,2024-05-01
    """
EXTRACT_JUNE = '[data]\nextract_date = "2024-06-30"\n'


def _line(report: churnlab.ValidationReport, where: str) -> str:
    """The one report line about ``where`` (``table.column`` or ``table``)."""
    lines = [line for line in str(report).splitlines() if line.split()[0] == where]
    assert len(lines) == 1, str(report)
    return lines[0]


CASES = [
    pytest.param(
        {"customers.csv": "CustomerID,signup_date,end_date\nC1,2024-01-01,\n"},
        Problem(
            table="customers",
            column="customer_id",
            check="required column missing (closest: CustomerID)",
        ),
        id="missing-column-with-closest-name",
    ),
    pytest.param(
        {"customers.csv": CUSTOMERS, "bills.csv": "customer_id,bill_date,total\nC1,2024-02-01,9\n"},
        Problem(
            table="bills",
            column="amount",
            check="required column missing",
            examples=("customer_id", "bill_date", "total"),
        ),
        id="missing-column-lists-the-columns-found",
    ),
    pytest.param(
        {"customers.csv": "customer_id,signup_date,end_date\nC1,2024-01-01,\nC2,2024-13-45,\n"},
        Problem(
            table="customers",
            column="signup_date",
            check="unparseable date",
            rows=1,
            examples=("2024-13-45",),
        ),
        id="unparseable-date",
    ),
    pytest.param(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01,
                C2,2024-01-02,
                C1,2024-01-03,
                """
        },
        Problem(
            table="customers",
            column="customer_id",
            check="duplicate customer_id",
            rows=2,
            examples=("C1",),
        ),
        id="duplicate-customer-id",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "service_events.csv": """
                customer_id,occurred_at,kind,duration_minutes
                C1,2024-02-01,call,3
                C1,2024-02-02,call,-1
                """,
        },
        Problem(
            table="service_events",
            column="duration_minutes",
            check="negative duration",
            rows=1,
            examples=("row 2",),
        ),
        id="negative-duration",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "complaints.csv": """
                customer_id,opened_at,category,resolved_at
                C1,2024-02-05,billing,2024-02-01
                C2,2024-02-05,network,2024-02-06
                """,
        },
        Problem(
            table="complaints",
            column="resolved_at",
            check="resolved_at before opened_at",
            rows=1,
            examples=("row 1",),
        ),
        id="resolved-before-opened",
    ),
    pytest.param(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01,2023-12-31
                C2,2024-02-01,2024-05-01
                """
        },
        Problem(
            table="customers",
            column="end_date",
            check="end_date before signup_date",
            rows=1,
            examples=("C1",),
        ),
        id="end-before-signup-names-the-customer",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "bills.csv": """
                customer_id,bill_date,amount
                C1,2024-02-01,10
                C9,2024-02-01,10
                C9,2024-03-01,10
                C7,2024-03-01,10
                """,
        },
        Problem(
            table="bills",
            column="customer_id",
            check="customer not in customers",
            rows=3,
            examples=("C9", "C7"),
        ),
        id="unknown-customer",
    ),
    pytest.param(
        {
            "churnlab.toml": EXTRACT_JUNE,
            "customers.csv": CUSTOMERS,
            "complaints.csv": """
                customer_id,opened_at,category
                C1,2024-06-30T23:59:00,billing
                C1,2024-07-01,billing
                """,
        },
        Problem(
            table="complaints",
            column="opened_at",
            check="dated after the extract date 2024-06-30",
            rows=1,
            examples=("row 2",),
        ),
        id="after-the-extract-date",
    ),
    pytest.param(
        {
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01T08:00:00+08:00,
                C2,2024-01-02T09:00:00,
                """
        },
        Problem(
            table="customers",
            column="signup_date",
            check="mixed time-zone-aware and naive timestamps",
            rows=1,
            examples=("2024-01-01T08:00:00+08:00",),
        ),
        id="mixed-time-zones-in-one-column",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01T00:00:00Z,10\n",
        },
        Problem(
            table="bills",
            column="bill_date",
            check="mixed time-zone-aware and naive timestamps",
            examples=("naive: customers.signup_date, customers.end_date",),
        ),
        id="mixed-time-zones-across-columns",
    ),
    pytest.param(
        {"customers.csv": ""},
        Problem(table="customers", column="", check="customers.csv is empty"),
        id="empty-file",
    ),
    pytest.param(
        {"customers.csv": "customer_id,signup_date,end_date\n"},
        Problem(table="customers", column="", check="customers.csv has no rows"),
        id="header-only-file",
    ),
    pytest.param(
        {"bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,10\n"},
        Problem(table="customers", column="", check="customers.csv or .parquet not found"),
        id="customers-missing",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "customers.parquet": pd.DataFrame({"customer_id": ["C1"]}),
        },
        Problem(
            table="customers",
            column="",
            check="both customers.parquet and customers.csv exist; keep one or set [files]",
        ),
        id="customers-csv-and-parquet",
    ),
    pytest.param(
        {"churnlab.toml": '[files]\ncustomers = "clients.csv"\n', "customers.csv": CUSTOMERS},
        Problem(table="customers", column="", check="file clients.csv not found"),
        id="named-file-missing",
    ),
    pytest.param(
        {
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,ten\nC1,2024-03-01,10\n",
        },
        Problem(table="bills", column="amount", check="not a number", rows=1, examples=("ten",)),
        id="not-a-number-reported-once",
    ),
    pytest.param(
        {"customers.csv": "customer_id,signup_date,end_date\nC1,,\nC2,2024-01-01,\n"},
        Problem(
            table="customers", column="signup_date", check="empty value", rows=1, examples=("C1",)
        ),
        id="empty-required-value",
    ),
    pytest.param(
        {"customers.csv": "customer_id,signup_date,end_date\n,2024-01-01,\nC2,2024-01-01,\n"},
        Problem(
            table="customers",
            column="customer_id",
            check="empty value",
            rows=1,
            examples=("row 1",),
        ),
        id="empty-customer-id-named-by-row",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_each_problem_is_reported_alone_and_rendered(make_data, files, expected):
    report = check_data(make_data(files))

    assert report.problems == (expected,)
    assert not report.ok
    text = str(report)
    assert f"  {expected}" in text.splitlines()
    assert text.endswith(WHAT_TO_DO)


def test_a_problem_line_shows_location_check_rows_and_examples(make_data):
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "service_events.csv": """
                customer_id,occurred_at,kind,duration_minutes
                C1,2024-02-01,call,-1
                C1,2024-03-01,call,-2
                C2,2024-03-01,call,5
                """,
        }
    )

    line = _line(check_data(folder), "service_events.duration_minutes")

    assert line.startswith("  service_events.duration_minutes ")
    assert " negative duration " in line
    assert " 2 rows " in line
    assert line.endswith("  e.g. row 1, row 2")


def test_a_single_row_is_not_called_rows(make_data):
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "service_events.csv": "customer_id,occurred_at,kind,duration_minutes\nC1,2024-02-01,call,-1\n",
        }
    )

    line = _line(check_data(folder), "service_events.duration_minutes")

    assert " 1 row " in line
    assert "rows" not in line


def test_examples_are_capped_at_five(make_data):
    bills = "customer_id,bill_date,amount\n" + "".join(f"X{i},2024-02-01,1\n" for i in range(1, 8))
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills})

    (problem,) = check_data(folder).problems

    assert problem.rows == 7
    assert problem.examples == ("X1", "X2", "X3", "X4", "X5")


def test_a_corrupt_parquet_file_is_reported_as_unreadable(make_data):
    folder = make_data(
        {"customers.csv": CUSTOMERS, "service_events.parquet": b"PAR1 this is not parquet"}
    )

    (problem,) = check_data(folder).problems

    assert (problem.table, problem.column) == ("service_events", "")
    assert problem.check.startswith("service_events.parquet is unreadable: ")


def test_a_missing_folder_is_reported_not_raised(tmp_path):
    report = check_data(tmp_path / "nowhere")

    assert report.tables is None
    assert report.problems == (
        Problem(table="customers", column="", check=f"no folder {tmp_path / 'nowhere'}"),
    )


def test_all_problems_in_all_tables_come_in_one_report(make_data):
    folder = make_data(
        {
            "churnlab.toml": EXTRACT_JUNE,
            "customers.csv": """
                customer_id,signup_date,end_date
                C1,2024-01-01,
                C1,2024-01-02,
                C2,2024-03-01,2024-02-01
                """,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,n/a\n",
            "complaints.csv": "customer_id,opened_at,category\nC404,2024-02-01,billing\n",
            "service_events.csv": "customer_id,occurred_at,kind\nC2,2024-08-01,call\n",
        }
    )

    report = check_data(folder)

    assert {p.where for p in report.problems} == {
        "customers.customer_id",
        "customers.end_date",
        "bills.amount",
        "complaints.customer_id",
        "service_events.occurred_at",
    }
    lines = str(report).splitlines()
    assert lines[0] == f"churnlab found 5 problems in {folder} (4 tables):"
    assert lines[1:-1] == [f"  {p}" for p in report.problems]
    assert lines[-1] == WHAT_TO_DO
    assert "churnlab.toml" in lines[-1]


def test_load_tables_raises_one_data_error_listing_every_problem(make_data):
    folder = make_data(
        {
            "customers.csv": "customer_id,signup_date,end_date\nC1,2024-01-01,\nC1,2024-01-02,\n",
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,n/a\n",
        }
    )

    with pytest.raises(churnlab.DataError, match=r"churnlab found 2 problems") as caught:
        churnlab.load_tables(folder)

    message = str(caught.value)
    assert "customers.customer_id" in message
    assert "duplicate customer_id" in message
    assert "bills.amount" in message
    assert "not a number" in message
    assert message.endswith(WHAT_TO_DO)
    assert [p.where for p in caught.value.problems] == ["bills.amount", "customers.customer_id"]


def test_a_clean_folder_reports_no_problems(make_data):
    folder = make_data({"customers.csv": CUSTOMERS})

    report = check_data(folder)

    assert report.ok
    assert str(report) == f"churnlab found no problems in {folder}."
    assert repr(report) == f"<ValidationReport {folder}: 0 problems, 0 repairs>"


def test_events_on_the_extract_date_are_accepted(make_data):
    folder = make_data(
        {
            "churnlab.toml": EXTRACT_JUNE,
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-06-30T18:00:00,10\n",
        }
    )

    assert check_data(folder).ok


def test_a_bill_may_fall_due_after_the_extract_date(make_data):
    folder = make_data(
        {
            "churnlab.toml": EXTRACT_JUNE,
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount,due_date\nC1,2024-06-25,10,2024-07-10\n",
        }
    )

    assert check_data(folder).ok


def test_without_an_extract_date_the_latest_date_in_the_data_is_used(make_data):
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-06-12T10:30:00,10\n",
        }
    )

    tables = check_data(folder).tables

    assert tables.extract_date == pd.Timestamp("2024-06-12")
    assert tables.extract_date_source == "latest date in the data"


def test_an_unparseable_start_does_not_also_report_end_before_start(make_data):
    folder = make_data(
        {"customers.csv": "customer_id,signup_date,end_date\nC1,yesterday,2024-02-01\n"}
    )

    assert [p.check for p in check_data(folder).problems] == ["unparseable date"]


def test_a_date_format_is_named_when_dates_do_not_match_it(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[data]\ndate_format = "%d.%m.%Y"\n',
            "customers.csv": "customer_id,signup_date,end_date\nC1,2024-01-05,\n",
        }
    )

    (problem,) = check_data(folder).problems

    assert problem.check == "unparseable date with format %d.%m.%Y"
    assert problem.examples == ("2024-01-05",)
