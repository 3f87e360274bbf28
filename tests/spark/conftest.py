"""Spark in local mode for the parity tests: one session per test module, small shuffles.

The hypothesis strategies and the frame comparison of the reference tests are shared with
``tests/features`` (imported from there, not copied).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "features"))

SPARK_SETTINGS = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """This module's SparkSession (local[2]); stopped after the module's last test."""
    from churnlab.features.spark import spark_session

    session = spark_session("local[2]", SPARK_SETTINGS)
    yield session
    session.stop()


@pytest.fixture
def spark_engine(spark: Any) -> Iterator[Any]:
    """A SparkEngine on the module's session, closed (views dropped) after the test."""
    from churnlab.features.spark import SparkEngine

    with SparkEngine(session=spark) as engine:
        yield engine


def assert_same(spark_frame: pd.DataFrame, duckdb_frame: pd.DataFrame) -> None:
    """Same rows, columns and types; counts exactly, floats to 1e-9."""
    pd.testing.assert_frame_equal(
        spark_frame.reset_index(drop=True),
        duckdb_frame.reset_index(drop=True),
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )
