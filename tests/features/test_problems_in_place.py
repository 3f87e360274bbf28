"""Problems worded by the engine where the data lie are the pandas check's, row for row.

An engine that ``reports_in_place`` (Spark) words the data contract's problems itself instead
of loading broken data into pandas; here DuckDB runs the same function, and the problems must
equal :func:`churnlab.tables.check_data`'s: table, column, words, code, rows and examples, in
the same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from broken_folders import (
    assert_engine_words_them_as_pandas,
    broken_folders,
    pandas_problems,
    us_dates,
    write_folder,
)
from hypothesis import HealthCheck, given, settings

from churnlab.features import DuckDBEngine, build_scoring_frame
from churnlab.features.direct_problems import problems_in_place


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=broken_folders())
def test_the_engine_words_the_problems_as_the_pandas_check(case: dict[str, Any]) -> None:
    with DuckDBEngine(threads=1) as engine:
        assert_engine_words_them_as_pandas(engine, case)


def test_rows_are_counted_across_a_tables_files(tmp_path: Path) -> None:
    case = {
        "customers": {"customer_id": ["C1"], "signup_date": ["2023-01-01"], "end_date": [None]},
        "bills": {
            "customer_id": ["C1", "C1", "C1", "C9"],
            "bill_date": ["2023-03-01", None, "2023-03-01", "2023-03-01"],
            "amount": [1.0, 1.0, 1.0, 1.0],
        },
        "complaints": {"customer_id": [], "opened_at": [], "resolved_at": [], "category": []},
        "extract": "2023-12-31",
        "split_bills": True,
    }
    with DuckDBEngine(threads=1) as engine:
        found = problems_in_place(engine, write_folder(tmp_path, case))
    assert found is not None
    assert [(p.where, p.rows, p.examples) for p in found] == [
        ("bills.customer_id", 1, ("C9",)),
        ("bills.bill_date", 1, ("row 2",)),
    ]
    assert found == pandas_problems(tmp_path)


@pytest.mark.parametrize(
    "ids", [["C1", " C1"], ["C1", "C\t1"]], ids=["spaces, trimmed", "control character"]
)
def test_ids_load_tables_would_repair_or_refuse_are_left_to_it(tmp_path: Path, ids) -> None:
    pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": us_dates(["2023-01-01", "1900-01-01"]),
            "end_date": us_dates([None, None]),
        }
    ).to_parquet(tmp_path / "customers.parquet")
    with DuckDBEngine(threads=1) as engine:
        assert problems_in_place(engine, tmp_path) is None


def test_a_nan_amount_is_left_to_load_tables(tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "customer_id": ["C1"],
            "signup_date": us_dates(["2023-01-01"]),
            "end_date": us_dates([None]),
        }
    ).to_parquet(tmp_path / "customers.parquet")
    bills = pa.table(
        {
            "customer_id": ["C1"],
            "bill_date": pa.array([pd.Timestamp("2023-02-01")], pa.timestamp("us")),
            "amount": pa.array([np.nan], from_pandas=False),  # NaN, not an empty value
        }
    )
    pq.write_table(bills, tmp_path / "bills.parquet")
    with DuckDBEngine(threads=1) as engine:
        assert problems_in_place(engine, tmp_path) is None


class InPlace(DuckDBEngine):
    """DuckDB that reports problems in place, as Spark does."""

    reports_in_place = True


def test_an_engine_that_reports_in_place_never_loads_broken_data_into_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pd.DataFrame(
        {
            "customer_id": ["C1", "C1"],
            "signup_date": us_dates(["2023-01-01", "2023-01-01"]),
            "end_date": us_dates([None, None]),
        }
    ).to_parquet(tmp_path / "customers.parquet")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("load_tables was called")

    monkeypatch.setattr("churnlab.features.plan.load_tables", refuse)
    with pytest.raises(Exception, match="duplicate customer_id") as raised, InPlace() as engine:
        build_scoring_frame(tmp_path, as_of="2023-06-30", engine=engine)
    assert [p.where for p in raised.value.problems] == ["customers.customer_id"]
