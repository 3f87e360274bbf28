"""Loading some customers only: their rows of every table, the whole data's extract date."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlab import DataRepairWarning
from churnlab.errors import SpecError
from churnlab.tables import Tables, check_data, load_tables

# Five customers; the latest date of the data (2024-06-30) is a service event of 012's, the
# "tier" attribute is a number for every customer but 011 (so CSV reads it as text) while
# "monthly_fee" is a number for all (so CSV reads it as a number), and one
# bill's id has spaces around it (trimmed, with a warning).
CUSTOMERS = [
    ("007", "2023-01-05", None, "1", "19.9", "a@example.com"),
    ("010", "2023-02-01", "2024-04-15", "2", "29", "b@example.com"),
    ("011", "2023-03-10", "2024-05-02", "gold", "9.5", None),
    ("012", "2023-04-01", None, "3", "39", "d@example.com"),
    ("020", "2023-05-01", "2024-05-20", "4", "15", None),
]
BILLS = [
    ("007", "2024-01-01", "19.9", "2024-01-15"),
    ("007", "2024-02-01", "19.9", "2024-02-15"),
    (" 010", "2024-03-01", "29", "2024-03-15"),
    ("010", "2024-04-01", "29", None),
    ("011", "2024-04-01", "9.5", "2024-04-15"),
    ("012", "2024-06-01", "39", "2024-06-28"),
    ("020", "2024-05-01", "15", "2024-05-15"),
]
COMPLAINTS = [
    ("007", "2024-02-03T09:30:00", "network", "2024-02-04T10:00:00"),
    ("011", "2024-04-20T11:00:00", "billing", None),
]
EVENTS = [
    ("010", "2024-03-02T20:15:00", "call", "12.5"),
    ("012", "2024-06-30T18:00:00", "call", "3"),
]
COLUMNS = {
    "customers": ["customer_id", "signup_date", "end_date", "tier", "monthly_fee", "email"],
    "bills": ["customer_id", "bill_date", "amount", "paid_date"],
    "complaints": ["customer_id", "opened_at", "category", "resolved_at"],
    "service_events": ["customer_id", "occurred_at", "kind", "duration_minutes"],
}
ROWS = {"customers": CUSTOMERS, "bills": BILLS, "complaints": COMPLAINTS, "service_events": EVENTS}
DATES = {"signup_date", "end_date", "bill_date", "paid_date", "opened_at", "resolved_at"}
DATES |= {"occurred_at"}
NUMBERS = {"amount", "duration_minutes", "monthly_fee"}
LATEST = pd.Timestamp("2024-06-30")
# How a Parquet file stores the ids: text (read filtered), a dictionary or numbers (read whole,
# then narrowed).
FORMATS = ("csv", "parquet", "parquet-dictionary", "parquet-numbers")


def _ids(fmt: str) -> list[str]:
    """The customers' ids as churnlab reads them in a format (numbers lose leading zeros)."""
    ids = [row[0] for row in CUSTOMERS]
    return [str(int(i)) for i in ids] if fmt == "parquet-numbers" else ids


def _parquet(table: str, fmt: str) -> pd.DataFrame:
    frame = pd.DataFrame(ROWS[table], columns=COLUMNS[table])
    for column in frame.columns:
        if column in DATES:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
        elif column in NUMBERS:
            frame[column] = frame[column].astype("float64")
    if fmt == "parquet-dictionary":
        frame["customer_id"] = frame["customer_id"].astype("category")
    elif fmt == "parquet-numbers":
        frame["customer_id"] = frame["customer_id"].str.strip().astype("int64")
    return frame


def _write(folder: Path, fmt: str, rows: dict[str, list[tuple]] | None = None) -> Path:
    folder.mkdir()
    for table, columns in COLUMNS.items():
        if fmt == "csv":
            frame = pd.DataFrame((rows or ROWS)[table], columns=columns)
            frame.to_csv(folder / f"{table}.csv", index=False)
        else:
            _parquet(table, fmt).to_parquet(folder / f"{table}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("subsets")
    return {fmt: _write(root / fmt, fmt) for fmt in FORMATS}


def _load(folder: Path, customers: list[str] | None = None) -> Tables:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)  # the trimmed bill id
        return load_tables(folder, customers=customers)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its ids as plain text (event tables code them over their customers)."""
    return frame.assign(customer_id=frame["customer_id"].astype("str"))


def _assert_same_as_restricted(few: Tables, full: Tables, ids: list[str]) -> None:
    for name, frame in full.present().items():
        kept = frame["customer_id"].astype("str").isin(ids).to_numpy()
        expected = _plain(frame.loc[kept].reset_index(drop=True))
        found = few.table(name)
        assert found is not None, name
        pd.testing.assert_frame_equal(_plain(found), expected, obj=name)
    assert set(few.present()) == set(full.present())
    assert few.extract_date == full.extract_date
    assert few.extract_date_source == full.extract_date_source
    assert few.attribute_columns == full.attribute_columns
    assert few.personal_columns == full.personal_columns
    people = pd.Index(few.customers["customer_id"].astype("str"))
    for name in ("bills", "complaints", "service_events"):
        dtype = few.table(name)["customer_id"].dtype  # type: ignore[index]
        assert isinstance(dtype, pd.CategoricalDtype) and dtype.categories.equals(people), name


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("picked", [[0, 1], [3], [1, 2, 4], [0, 1, 2, 3, 4], []])
def test_a_subset_is_the_whole_load_restricted_to_those_customers(folders, fmt, picked) -> None:
    ids = [_ids(fmt)[i] for i in picked]
    full = _load(folders[fmt])

    few = _load(folders[fmt], ids)

    _assert_same_as_restricted(few, full, ids)
    assert few.customers["customer_id"].astype("str").tolist() == ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_extract_date_is_the_whole_datas_latest_date_whoever_is_loaded(folders, fmt) -> None:
    # The latest date is 012's service event; 007 has nothing after 2024-02-15.
    few = _load(folders[fmt], [_ids(fmt)[0]])

    assert few.extract_date == LATEST
    assert few.extract_date_source == "latest date in the data"
    assert _load(folders[fmt]).extract_date == LATEST


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_ids_are_simply_absent(folders, fmt) -> None:
    known = _ids(fmt)[1]

    few = _load(folders[fmt], [known, "999", "C-404"])
    nobody = _load(folders[fmt], ["999"])

    assert few.customers["customer_id"].astype("str").tolist() == [known]
    assert len(nobody.customers) == 0
    assert all(len(frame) == 0 for frame in nobody.present().values())
    assert set(nobody.present()) == set(COLUMNS)
    assert nobody.extract_date == LATEST


def test_csv_attributes_keep_the_type_the_whole_file_gives_them(folders) -> None:
    # "tier" is a number for 007 and 010, but 011's "gold" makes the column text.
    few = _load(folders["csv"], ["007", "010"])

    assert few.customers["tier"].tolist() == ["1", "2"]
    assert pd.api.types.is_string_dtype(few.customers["tier"].dtype)
    assert few.customers["monthly_fee"].tolist() == [19.9, 29.0]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_ids_with_spaces_around_them_are_kept_and_their_repair_reported(folders, fmt) -> None:
    with pytest.warns(DataRepairWarning, match="bills.customer_id: trimmed spaces around 1 id"):
        few = load_tables(folders[fmt], customers=["010"])

    assert few.bills["bill_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-01", "2024-04-01"]


def test_the_checks_cover_the_loaded_customers_rows_only(tmp_path) -> None:
    # A bill of 555, whom the customers table lacks: seen by a load that includes 555 only.
    rows = {**ROWS, "bills": [*BILLS, ("555", "2024-05-01", "10", None)]}
    folder = _write(tmp_path / "data", "csv", rows)

    with pytest.warns(DataRepairWarning):
        whole = check_data(folder)
        others = check_data(folder, customers=["007", "012"])
        with_555 = check_data(folder, customers=["007", "555"])

    assert [(p.table, p.column) for p in whole.problems] == [("bills", "customer_id")]
    assert others.ok
    assert [(p.table, p.column) for p in with_555.problems] == [("bills", "customer_id")]
    assert "555" in str(with_555)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_file_without_rows_is_read_as_absent_whoever_is_loaded(tmp_path, fmt) -> None:
    folder = _write(tmp_path / "data", fmt)
    empty = _parquet("complaints", fmt).iloc[:0]
    (folder / f"complaints.{'csv' if fmt == 'csv' else 'parquet'}").unlink()
    if fmt == "csv":
        empty.to_csv(folder / "complaints.csv", index=False)
    else:
        empty.to_parquet(folder / "complaints.parquet", index=False)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)
        report = check_data(folder, customers=["007"])

    assert report.ok and report.tables is not None and report.tables.complaints is None
    assert report.notes == (
        f"complaints.{fmt} has no rows: read as if there were no complaints table",
    )


@pytest.mark.parametrize("customers", ["007", 7, 7.5])
def test_customers_must_be_a_collection_of_ids(folders, customers) -> None:
    with pytest.raises(
        SpecError,
        match=r"The 'customers' parameter of load_tables must be a collection of customer ids",
    ):
        load_tables(folders["csv"], customers=customers)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(FORMATS),
    picked=st.sets(st.integers(0, len(CUSTOMERS) - 1)),
    unknown=st.lists(st.text(alphabet="0123456789X ", min_size=1, max_size=4), max_size=3),
)
def test_any_subset_is_the_whole_load_restricted(folders, fmt, picked, unknown) -> None:
    known = _ids(fmt)
    ids = [known[i] for i in sorted(picked)] + [u for u in unknown if u.strip() not in known]
    full = _load(folders[fmt])

    few = _load(folders[fmt], ids)

    _assert_same_as_restricted(few, full, ids)
