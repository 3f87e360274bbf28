"""Hostile dates in the data: outside the plausible window, a latest date far from the rest,
time zones and offsets, impossible or foreign-formatted dates."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from cases import case

from churnlab.errors import ConfigError, DataPlausibilityWarning, DataRepairWarning
from churnlab.tables import check_data


def customers_with(*signups: str) -> str:
    rows = "".join(f"C{i},{s},\n" for i, s in enumerate(signups, 1))
    return "customer_id,signup_date,end_date\n" + rows


CUSTOMERS = customers_with("2023-01-01", "2023-02-01")


def bills_with(*dates: str) -> str:
    rows = "".join(f"C{1 + i % 2},{d},{10 + i}\n" for i, d in enumerate(dates))
    return "customer_id,bill_date,amount\n" + rows


MONTHS = [f"2024-{m:02d}-01" for m in range(1, 13)]


def check(folder: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)
        warnings.simplefilter("ignore", DataPlausibilityWarning)
        return check_data(folder)


@pytest.mark.parametrize(
    ("signup", "toml", "code"),
    [
        case("signup in year 1", "0001-01-01", "", "too_early", verdict="error", code="too_early"),
        case("signup in 1900", "1900-01-01", "", "too_early", verdict="error", code="too_early"),
        case("signup in 1500", "1500-06-15", "", "too_early", verdict="error", code="too_early"),
        case(
            "the day before 1950", "1949-12-31", "", "too_early", verdict="error", code="too_early"
        ),
        case(
            "later than the own earliest date",
            "1900-01-01",
            '[checks]\nearliest_date = "1990-01-01"\n',
            "too_early",
            verdict="error",
            code="too_early",
        ),
    ],
)
def test_a_date_before_the_window_is_a_problem(make_data, signup, toml, code) -> None:
    folder = make_data(
        {"customers.csv": customers_with(signup, "2024-01-01"), "churnlab.toml": toml}
    )
    (problem,) = check(folder).problems
    assert (str(problem.code), problem.where, problem.examples) == (
        code,
        "customers.signup_date",
        ("C1",),
    )
    assert "earliest_date" in problem.check


@pytest.mark.parametrize(
    ("signup", "toml"),
    [
        case("1 January 1950 itself", "1950-01-01", "", verdict="ok"),
        case(
            "1900 with earliest_date 1890",
            "1900-01-01",
            '[checks]\nearliest_date = "1890-01-01"\n',
            verdict="ok",
        ),
    ],
)
def test_a_date_inside_the_window_passes(make_data, signup, toml) -> None:
    folder = make_data(
        {"customers.csv": customers_with(signup, "2024-01-01"), "churnlab.toml": toml}
    )
    assert check(folder).ok


@pytest.mark.parametrize(
    "value",
    [
        case("earliest_date not a date", '"yesterday"', verdict="error", code="ConfigError"),
        case("earliest_date impossible", '"2024-02-31"', verdict="error", code="ConfigError"),
    ],
)
def test_a_bad_earliest_date_is_a_config_error(make_data, value) -> None:
    folder = make_data(
        {"customers.csv": CUSTOMERS, "churnlab.toml": f"[checks]\nearliest_date = {value}\n"}
    )
    with pytest.raises(ConfigError, match=r"\[checks\] earliest_date"):
        check_data(folder)


@pytest.mark.parametrize(
    "late",
    [
        case("a bill in 2200", "2200-01-01", verdict="error", code="far_latest_date"),
        case("a bill in 9999", "9999-12-31", verdict="error", code="far_latest_date"),
        case("a typo 2204 for 2024", "2204-03-01", verdict="error", code="far_latest_date"),
    ],
)
def test_a_latest_date_far_from_the_rest_does_not_become_the_extract_date(make_data, late) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills_with(*MONTHS, late)})
    report = check(folder)
    assert [(str(p.code), p.where, p.examples) for p in report.problems] == [
        ("far_latest_date", "bills.bill_date", ("row 13",)),
        ("after_extract", "bills.bill_date", ("row 13",)),
    ]
    assert report.tables is not None and report.tables.extract_date == pd.Timestamp("2024-12-01")


@pytest.mark.parametrize(
    "late", [case("2200 with an extract date", "2200-01-01", verdict="error", code="after_extract")]
)
def test_a_far_date_with_an_extract_date_is_after_it(make_data, late) -> None:
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "bills.csv": bills_with(*MONTHS, late),
            "churnlab.toml": '[data]\nextract_date = "2024-12-31"\n',
        }
    )
    assert [str(p.code) for p in check(folder).problems] == ["after_extract"]


@pytest.mark.parametrize(
    "dates",
    [
        case("one year after the rest", [*MONTHS, "2025-12-01"], verdict="ok"),
        case("a steady decade", [f"{y}-06-01" for y in range(2014, 2025)], verdict="ok"),
        case("too few dates to judge", ["2010-01-01", "2024-01-01"], verdict="ok"),
    ],
)
def test_an_ordinary_spread_of_dates_is_not_far(make_data, dates) -> None:
    folder = make_data(
        {
            "customers.csv": customers_with("2009-01-01", "2009-02-01"),
            "bills.csv": bills_with(*dates),
        }
    )
    report = check(folder)
    assert report.ok, str(report)


@pytest.mark.parametrize(
    "late",
    [case("2200 in Parquet, read in place", "2200-01-01", verdict="error", code="far_latest_date")],
)
def test_the_direct_read_declines_a_far_latest_date(make_data, late) -> None:
    from churnlab.features import DuckDBEngine
    from churnlab.features.direct import open_direct

    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "signup_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
            "end_date": pd.to_datetime([None, None]),
        }
    )
    bills = pd.read_csv(
        pd.io.common.StringIO(bills_with(*MONTHS, late)), dtype={"customer_id": str}
    )
    bills["bill_date"] = pd.to_datetime(bills["bill_date"]).astype("datetime64[us]")
    bills["amount"] = bills["amount"].astype("float64")
    folder = make_data({"customers.parquet": customers, "bills.parquet": bills})

    engine = DuckDBEngine()
    try:
        assert open_direct(engine, folder, many_cutoffs=True) is None
    finally:
        engine.close()
    assert "far_latest_date" in {str(p.code) for p in check(folder).problems}


@pytest.mark.parametrize(
    ("signups", "expected"),
    [
        case(
            "all in UTC with Z",
            ["2024-01-01T00:00:00Z", "2024-02-01T12:00:00Z"],
            ["2024-01-01 00:00", "2024-02-01 12:00"],
            verdict="warn",
        ),
        case(
            "offsets +05:30",
            ["2024-01-01T05:30:00+05:30", "2024-02-01T00:00:00-02:00"],
            ["2024-01-01 00:00", "2024-02-01 02:00"],
            verdict="warn",
        ),
    ],
)
def test_aware_timestamps_are_converted_to_utc_with_a_warning(make_data, signups, expected) -> None:
    folder = make_data({"customers.csv": customers_with(*signups)})
    with pytest.warns(DataRepairWarning, match="time-zone-aware timestamps to UTC"):
        tables = check_data(folder).raise_for_problems()
    assert tables.customers["signup_date"].tolist() == [pd.Timestamp(t) for t in expected]


def test_aware_parquet_timestamps_are_converted_with_a_warning(make_data) -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "signup_date": pd.to_datetime(["2024-01-01 09:00"]).tz_localize("Asia/Shanghai"),
            "end_date": pd.to_datetime([None]).tz_localize("Asia/Shanghai"),
        }
    )
    with pytest.warns(DataRepairWarning, match="UTC"):
        tables = check_data(make_data({"customers.parquet": customers})).raise_for_problems()
    assert tables.customers["signup_date"].tolist() == [pd.Timestamp("2024-01-01 01:00")]


@pytest.mark.parametrize(
    ("files", "code"),
    [
        case(
            "aware and naive in one column",
            {"customers.csv": customers_with("2024-01-01T00:00:00Z", "2024-02-01")},
            "mixed_time_zones",
            verdict="error",
            code="mixed_time_zones",
        ),
        case(
            "aware bills, naive customers",
            {"customers.csv": CUSTOMERS, "bills.csv": bills_with("2024-01-01T00:00:00+01:00")},
            "mixed_time_zones",
            verdict="error",
            code="mixed_time_zones",
        ),
        case(
            "30 February",
            {"customers.csv": customers_with("2024-02-30", "2024-01-01")},
            "unparseable_date",
            verdict="error",
            code="unparseable_date",
        ),
        case(
            "hour 25",
            {"customers.csv": customers_with("2024-06-30 25:00", "2024-01-01")},
            "unparseable_date",
            verdict="error",
            code="unparseable_date",
        ),
        case(
            "day first without a format",
            {"customers.csv": customers_with("31/12/2023", "2024-01-01")},
            "unparseable_date",
            verdict="error",
            code="unparseable_date",
        ),
        case(
            "an Excel serial number",
            {"customers.csv": customers_with("45292", "2024-01-01")},
            "unparseable_date",
            verdict="error",
            code="unparseable_date",
        ),
        case(
            "a bare year",
            {"customers.csv": customers_with("yesterday", "2024-01-01")},
            "unparseable_date",
            verdict="error",
            code="unparseable_date",
        ),
    ],
)
def test_a_date_that_cannot_be_placed_is_a_problem(make_data, files, code) -> None:
    codes = [str(p.code) for p in check(make_data(files)).problems]
    assert codes and set(codes) == {code}


@pytest.mark.parametrize(
    ("signup", "toml", "expected"),
    [
        case(
            "day first with its format",
            "31/12/2023",
            '[data]\ndate_format = "%d/%m/%Y"\n',
            "2023-12-31",
            verdict="ok",
        ),
        case(
            "nanoseconds",
            "2024-01-01T00:00:00.123456789",
            "",
            "2024-01-01 00:00:00.123456",
            verdict="ok",
        ),
        case("a date far in the past kept exact", "1950-01-02", "", "1950-01-02", verdict="ok"),
    ],
)
def test_a_well_formed_date_is_read_exactly(make_data, signup, toml, expected) -> None:
    rows = f"customer_id,signup_date,end_date\nC1,{signup},\n"
    folder = make_data({"customers.csv": rows, "churnlab.toml": toml})
    tables = check(folder).raise_for_problems()
    assert tables.customers["signup_date"].iloc[0] == pd.Timestamp(expected)
