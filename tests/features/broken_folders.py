"""Small Parquet data directories that break the data contract's rules in every way a typed
file can: a hypothesis strategy shared by the in-place problem tests (``tests/features`` with
DuckDB, ``tests/spark`` with Spark)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pandas as pd

from churnlab.tables import check_data

IDS = ["C1", "C2", "C3", "C9", None]  # C9 is never a customer
DATES = ["1900-06-01", "2023-01-01", "2023-03-01", "2023-09-01", "2024-03-01", None]
AMOUNTS = [10.0, 0.0, -5.0, 2e12, float("inf")]


def us_dates(values: list[Any]) -> pd.Series:
    return pd.Series(pd.to_datetime(values), dtype="datetime64[us]")


@st.composite
def broken_folders(draw: st.DrawFn) -> dict[str, Any]:
    """Small tables that break the contract's rules in every way a typed Parquet file can."""
    n = draw(st.integers(1, 6))
    customers = {
        "customer_id": draw(st.lists(st.sampled_from([*IDS[:3], None]), min_size=n, max_size=n)),
        "signup_date": draw(st.lists(st.sampled_from(DATES[:4]), min_size=n, max_size=n)),
        "end_date": draw(st.lists(st.sampled_from(DATES), min_size=n, max_size=n)),
    }
    m = draw(st.integers(0, 6))
    bills = {
        "customer_id": draw(st.lists(st.sampled_from(IDS), min_size=m, max_size=m)),
        "bill_date": draw(st.lists(st.sampled_from(DATES), min_size=m, max_size=m)),
        "amount": draw(st.lists(st.sampled_from(AMOUNTS), min_size=m, max_size=m)),
    }
    k = draw(st.integers(0, 3))
    complaints = {
        "customer_id": draw(st.lists(st.sampled_from(IDS), min_size=k, max_size=k)),
        "opened_at": draw(st.lists(st.sampled_from(DATES[1:5]), min_size=k, max_size=k)),
        "resolved_at": draw(st.lists(st.sampled_from(DATES), min_size=k, max_size=k)),
        "category": ["billing"] * k,
    }
    return {
        "customers": customers,
        "bills": bills,
        "complaints": complaints,
        "extract": draw(st.sampled_from(["2023-12-31", None])),
        "split_bills": draw(st.booleans()),
    }


def write_folder(folder: Path, case: dict[str, Any]) -> Path:
    """The case as Parquet files (bills in two files when ``split_bills``)."""
    for table in ("customers", "bills", "complaints"):
        data = {
            name: us_dates(values)
            if name.endswith(("_date", "_at"))
            else pd.Series(values, dtype="float64" if name == "amount" else "string")
            for name, values in case[table].items()
        }
        frame = pd.DataFrame(data)
        if table != "customers" and frame.empty:
            continue
        if table == "bills" and case["split_bills"] and len(frame) > 1:
            half = len(frame) // 2
            frame.iloc[:half].to_parquet(folder / "bills_1.parquet")
            frame.iloc[half:].to_parquet(folder / "bills_2.parquet")
        else:
            frame.to_parquet(folder / f"{table}.parquet")
    lines = []
    if case["extract"]:
        lines.append(f'[data]\nextract_date = "{case["extract"]}"')
    if case["split_bills"] and (folder / "bills_1.parquet").exists():
        lines.append('[files]\nbills = "bills_*.parquet"')
    (folder / "churnlab.toml").write_text("\n".join(lines) + "\n")
    return folder


def pandas_problems(folder: Path) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(check_data(folder).problems)


def assert_engine_words_them_as_pandas(engine: Any, case: dict[str, Any]) -> None:
    """The engine's in-place problems of ``case`` are the pandas check's: table, column,
    words, code, rows and examples, in the same order."""
    from churnlab.features.direct_problems import problems_in_place

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), case)
        found = problems_in_place(engine, folder)
        if found is None:  # a latest date far beyond the others: load_tables reports it
            assert case["extract"] is None
            return
        assert [(p, p.code, p.rows, p.examples) for p in found] == [
            (p, p.code, p.rows, p.examples) for p in pandas_problems(folder)
        ]
