"""Hostile customer ids: leading zeros, whitespace and tabs, control characters, unicode,
very long, numeric storage, look-alikes. Ids stay text; what is changed is said."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from cases import case

from churnlab.errors import DataRepairWarning
from churnlab.tables import check_data

HEADER = "customer_id,signup_date,end_date\n"


def customers_of(*ids: str) -> str:
    return HEADER + "".join(f'"{i}",2024-01-0{n},\n' for n, i in enumerate(ids, 1))


def quiet_check(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)
        return check_data(folder)


@pytest.mark.parametrize(
    "ids",
    [
        case("leading zeros", ["007", "0008"], verdict="ok"),
        case("chinese ids", ["客户一", "客户二"], verdict="ok"),
        case("emoji ids", ["📞1", "📞2"], verdict="ok"),
        case("ids differing in case", ["a1", "A1"], verdict="ok"),
        case("a 10,000-character id", ["x" * 10_000, "y"], verdict="ok"),
        case("an id with inner spaces", ["C 1", "C  1"], verdict="ok"),
        case("a formula-looking id", ["=2+2", "@SUM(A1)"], verdict="ok"),
        case("a number in exponent form", ["1e5", "100000"], verdict="ok"),
        case("a comma inside a quoted id", ["C,1", "C2"], verdict="ok"),
    ],
)
def test_an_unusual_id_is_kept_as_written(make_data, ids: list[str]) -> None:
    folder = make_data({"customers.csv": customers_of(*ids)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataRepairWarning)
        tables = check_data(folder).raise_for_problems()
    assert tables.customers["customer_id"].tolist() == ids


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        case("spaces around", [" C1", "C2 "], ["C1", "C2"], verdict="warn"),
        case("a leading tab", ["\tC1", "C2"], ["C1", "C2"], verdict="warn"),
        case("a tab before a formula", ["\t=2+2", "C2"], ["=2+2", "C2"], verdict="warn"),
        case("a no-break space", ["\u00a0C1", "C2"], ["C1", "C2"], verdict="warn"),
    ],
)
def test_whitespace_around_an_id_is_trimmed_with_a_warning(make_data, ids, expected) -> None:
    folder = make_data({"customers.csv": customers_of(*ids)})
    with pytest.warns(DataRepairWarning, match=r"trimmed spaces around \d+ ids?"):
        tables = check_data(folder).raise_for_problems()
    assert tables.customers["customer_id"].tolist() == expected


@pytest.mark.parametrize(
    ("content", "code"),
    [
        case(
            "a NUL inside an id",
            (HEADER + "C\x001,2024-01-01,\n").encode(),
            "control_character",
            verdict="error",
            code="control_character",
        ),
        case(
            "a tab inside an id",
            (HEADER + '"C\t1",2024-01-01,\n').encode(),
            "control_character",
            verdict="error",
            code="control_character",
        ),
        case(
            "a line break inside an id",
            (HEADER + '"C\n1",2024-01-01,\n').encode(),
            "control_character",
            verdict="error",
            code="control_character",
        ),
        case(
            "an empty id",
            (HEADER + ",2024-01-01,\nC2,2024-01-02,\n").encode(),
            "empty_value",
            verdict="error",
            code="empty_value",
        ),
        case(
            "an id of spaces only",
            (HEADER + '"   ",2024-01-01,\nC2,2024-01-02,\n').encode(),
            "empty_value",
            verdict="error",
            code="empty_value",
        ),
        case(
            "the same id twice",
            (HEADER + "C1,2024-01-01,\nC1,2024-01-02,\n").encode(),
            "duplicate_id",
            verdict="error",
            code="duplicate_id",
        ),
        case(
            "the same id once trimmed",
            (HEADER + "C1,2024-01-01,\n C1,2024-01-02,\n").encode(),
            "duplicate_id",
            verdict="error",
            code="duplicate_id",
        ),
    ],
)
def test_an_id_that_cannot_name_one_customer_is_a_problem(
    make_data, content: bytes, code: str
) -> None:
    problems = quiet_check(make_data({"customers.csv": content})).problems
    assert [(str(p.code), p.where) for p in problems] == [(code, "customers.customer_id")]
    assert "\x00" not in str(problems[0])


@pytest.mark.parametrize(
    ("bills_id", "code"),
    [
        case(
            "zeros lost in the bills",
            "7",
            "unknown_customer",
            verdict="error",
            code="unknown_customer",
        ),
        case(
            "a zero-width space",
            "\u200b007",
            "unknown_customer",
            verdict="error",
            code="unknown_customer",
        ),
        case(
            "a fullwidth digit",
            "００7",
            "unknown_customer",
            verdict="error",
            code="unknown_customer",
        ),
    ],
)
def test_a_look_alike_id_in_an_event_table_is_an_unknown_customer(
    make_data, bills_id, code
) -> None:
    bills = f'customer_id,bill_date,amount\n"{bills_id}",2024-02-01,10\n'
    folder = make_data({"customers.csv": customers_of("007"), "bills.csv": bills})
    (problem,) = quiet_check(folder).problems
    assert (str(problem.code), problem.where) == (code, "bills.customer_id")


@pytest.mark.parametrize("ids", [case("ids stored as Parquet integers", [7, 8], verdict="warn")])
def test_numeric_ids_become_text_with_a_warning(make_data, ids) -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": pd.to_datetime(["2024-01-01"] * len(ids)),
            "end_date": pd.to_datetime([None] * len(ids)),
        }
    )
    with pytest.warns(DataRepairWarning, match="leading zeros lost"):
        tables = check_data(make_data({"customers.parquet": customers})).raise_for_problems()
    assert tables.customers["customer_id"].tolist() == ["7", "8"]


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        case(
            "Parquet id with a tab inside",
            ["C\t1", "C2"],
            "control_character",
            verdict="error",
            code="control_character",
        ),
        case(
            "Parquet id that is empty text",
            ["", "C2"],
            "empty_value",
            verdict="error",
            code="empty_value",
        ),
    ],
)
def test_the_direct_read_declines_what_load_tables_reports(make_data, ids, code) -> None:
    from churnlab.features import DuckDBEngine
    from churnlab.features.direct import open_direct

    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": pd.to_datetime(["2024-01-01"] * len(ids)),
            "end_date": pd.to_datetime([None] * len(ids)),
        }
    )
    folder = make_data({"customers.parquet": customers})
    engine = DuckDBEngine()
    try:
        assert open_direct(engine, folder, many_cutoffs=True) is None
    finally:
        engine.close()
    assert [str(p.code) for p in quiet_check(folder).problems] == [code]
