"""Hostile values: numbers that are not finite, too large, written with the wrong decimal
mark or thousands separators, NaN written out, negative zero; duplicate event rows."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import case
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import DataError, DataPlausibilityWarning
from churnlab.tables import check_data, load_tables

CUSTOMERS = "customer_id,signup_date,end_date\nC1,2023-01-01,\nC2,2023-02-01,\n"


def bills_with(*amounts: str) -> str:
    rows = "".join(f'C1,2024-0{i + 1}-01,"{a}"\n' for i, a in enumerate(amounts))
    return "customer_id,bill_date,amount\n" + rows


def report_of(folder: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataPlausibilityWarning)
        return check_data(folder)


@pytest.mark.parametrize(
    ("amount", "code", "toml"),
    [
        case("inf", "inf", "out_of_bounds", "", verdict="error", code="out_of_bounds"),
        case("Infinity", "Infinity", "out_of_bounds", "", verdict="error", code="out_of_bounds"),
        case(
            "1e400 overflows to inf",
            "1e400",
            "out_of_bounds",
            "",
            verdict="error",
            code="out_of_bounds",
        ),
        case(
            "1e19 beyond int64", "1e19", "out_of_bounds", "", verdict="error", code="out_of_bounds"
        ),
        case(
            "a 13-digit amount",
            "1234567890123",
            "out_of_bounds",
            "",
            verdict="error",
            code="out_of_bounds",
        ),
        case("NaN written out", "NaN", "not_a_number", "", verdict="error", code="not_a_number"),
        case("nan in lower case", "nan", "not_a_number", "", verdict="error", code="not_a_number"),
        case("N/A", "N/A", "not_a_number", "", verdict="error", code="not_a_number"),
        case("a currency sign", "$12.50", "not_a_number", "", verdict="error", code="not_a_number"),
        case("underscores", "1_000", "not_a_number", "", verdict="error", code="not_a_number"),
        case(
            "thousands commas", "1,234.50", "not_a_number", "", verdict="error", code="not_a_number"
        ),
        case(
            "decimal comma, no setting",
            "76,11",
            "not_a_number",
            "",
            verdict="error",
            code="not_a_number",
        ),
        case(
            "dot decimal, comma setting",
            "76.11",
            "decimal_mismatch",
            '[data]\ndecimal = ","\n',
            verdict="error",
            code="decimal_mismatch",
        ),
        case(
            "two dots, comma setting",
            "1.2.3",
            "decimal_mismatch",
            '[data]\ndecimal = ","\n',
            verdict="error",
            code="decimal_mismatch",
        ),
    ],
)
def test_a_bad_amount_is_one_clear_problem(make_data, amount: str, code: str, toml: str) -> None:
    folder = make_data(
        {"customers.csv": CUSTOMERS, "bills.csv": bills_with("10", amount), "churnlab.toml": toml}
    )
    (problem,) = report_of(folder).problems
    assert (str(problem.code), problem.where, problem.rows) == (code, "bills.amount", 1)


def test_commas_suggest_the_decimal_setting(make_data) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills_with("76,11")})
    (problem,) = report_of(folder).problems
    assert 'decimal = ","' in problem.check


@pytest.mark.parametrize(
    ("amounts", "toml", "expected"),
    [
        case("negative zero", ["-0", "-0.0"], "", [0.0, 0.0], verdict="ok"),
        case("spaces around", [" 12.5 ", "\t3"], "", [12.5, 3.0], verdict="ok"),
        case("a plus sign", ["+4.25", "1e3"], "", [4.25, 1000.0], verdict="ok"),
        case(
            "just below the bound", ["999999999999", "0"], "", [999999999999.0, 0.0], verdict="ok"
        ),
        case(
            "comma decimals",
            ["76,11", "1.234,5"],
            '[data]\ndecimal = ","\n',
            [76.11, 1234.5],
            verdict="ok",
        ),
        case(
            "comma setting, whole numbers",
            ["76", "1.234"],
            '[data]\ndecimal = ","\n',
            [76.0, 1234.0],
            verdict="ok",
        ),
    ],
)
def test_a_plain_amount_is_read_as_written(make_data, amounts, toml, expected) -> None:
    folder = make_data(
        {"customers.csv": CUSTOMERS, "bills.csv": bills_with(*amounts), "churnlab.toml": toml}
    )
    tables = report_of(folder).raise_for_problems()
    assert tables.bills["amount"].tolist() == expected


@pytest.mark.parametrize(
    "value",
    [
        case("Parquet inf", np.inf, verdict="error", code="out_of_bounds"),
        case("Parquet -inf", -np.inf, verdict="error", code="out_of_bounds"),
        case("Parquet 1e19", 1e19, verdict="error", code="out_of_bounds"),
    ],
)
def test_a_typed_amount_out_of_bounds_is_a_problem(make_data, value: float) -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "signup_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
            "end_date": pd.to_datetime([None, None]),
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "bill_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "amount": [10.0, value],
        }
    )
    folder = make_data({"customers.parquet": customers, "bills.parquet": bills})
    codes = {str(p.code) for p in report_of(folder).problems}
    assert "out_of_bounds" in codes


@pytest.mark.parametrize(
    "kind",
    [
        case("1e19 in CSV, features", "csv", verdict="error", code="DataError"),
        case("1e19 in Parquet, features", "parquet", verdict="error", code="DataError"),
    ],
)
def test_features_refuse_a_huge_amount_instead_of_crashing(make_data, kind: str) -> None:
    """The loyalty points cast whole cents to integers: 1e19 crashed DuckDB there."""
    from churnlab.features import build_scoring_frame

    ids = [f"C{i}" for i in range(12)]
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": pd.to_datetime(["2023-01-01"] * 12),
            "end_date": pd.to_datetime([None] * 12),
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ids,
            "bill_date": pd.to_datetime(["2024-01-01"] * 12),
            "amount": [10.0] * 11 + [1e19],
        }
    )
    if kind == "csv":
        files = {
            "customers.csv": customers.to_csv(index=False),
            "bills.csv": bills.to_csv(index=False),
        }
    else:
        files = {"customers.parquet": customers, "bills.parquet": bills}
    folder = make_data(files)

    with pytest.raises(DataError, match=r"bills\.amount") as err:
        build_scoring_frame(folder, as_of="2024-02-01")
    assert {str(p.code) for p in err.value.problems} == {"out_of_bounds"}


@pytest.mark.parametrize(
    ("table", "content"),
    [
        case(
            "every bill row twice",
            "bills.csv",
            "customer_id,bill_date,amount\nC1,2024-01-01,10\nC1,2024-01-01,10\nC2,2024-01-05,7\nC2,2024-01-05,7\n",
            verdict="warn",
        ),
        case(
            "a complaint twice",
            "complaints.csv",
            "customer_id,opened_at,category\nC1,2024-01-01 10:00,billing\nC1,2024-01-01 10:00,billing\n",
            verdict="warn",
        ),
        case(
            "a service event twice",
            "service_events.csv",
            "customer_id,occurred_at,kind\nC2,2024-03-01,outage\nC2,2024-03-01,outage\n",
            verdict="warn",
        ),
    ],
)
def test_duplicate_event_rows_are_a_warning_with_count_and_rows(make_data, table, content) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, table: content})
    name = table.removesuffix(".csv")
    with pytest.warns(
        DataPlausibilityWarning,
        match=rf"{name}: \d+ rows? repeats? an earlier row exactly \(e\.g\. row 2",
    ):
        report = check_data(folder)
    assert report.ok and len(report.doubts) == 1


def test_same_day_same_amount_different_rows_are_not_duplicates(make_data) -> None:
    bills = "customer_id,bill_date,amount,line\nC1,2024-01-01,10,mobile\nC1,2024-01-01,10,tv\n"
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataPlausibilityWarning)
        assert check_data(folder).doubts == ()


@pytest.mark.parametrize(
    ("bills", "exit_code", "words"),
    [
        case(
            "validate lists an infinite amount",
            bills_with("10", "inf"),
            1,
            "not finite",
            verdict="error",
            code="exit1",
        ),
        case(
            "validate lists duplicate rows",
            bills_with("10", "10").replace("2024-02-01", "2024-01-01"),
            0,
            "To check: bills: 1 row repeats",
            verdict="warn",
        ),
    ],
)
def test_validate_lists_the_new_checks(make_data, bills: str, exit_code: int, words: str) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills})
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == exit_code
    assert words in result.output and "Traceback" not in result.output


def test_load_tables_raises_with_the_bound_in_words(make_data) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills_with("1e19")})
    with pytest.raises(DataError, match="not finite, or beyond a trillion"):
        load_tables(folder)
