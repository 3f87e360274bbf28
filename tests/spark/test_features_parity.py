"""Spark (local mode) gives the features DuckDB gives, on the reference tests' hypothesis tables:
text ids and coded ids, one cutoff and two (relations materialised with integer keys), the
contract and inactivity churn definitions; and on a demo data directory read in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import assert_same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import as_hand_built, as_loaded, cutoffs, label_specs, tables

from churnlab.errors import SpecError
from churnlab.features import DuckDBEngine, build_scoring_frame, build_training_frame
from churnlab.labels import LabelSpec

# Spark runs each query in ~0.1-1 s: a few derandomised examples per case keep the module short.
PARITY = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
KEY_PATHS = {"text ids": as_hand_built, "coded ids": as_loaded}


def _both(build: Any, spark_engine: Any) -> None:
    """Build with each engine; both refuse alike (no customer in scope) or agree."""
    try:
        expected = build(DuckDBEngine())
    except SpecError as exc:
        with pytest.raises(SpecError, match=str(exc)[:40]):
            build(spark_engine)
        return
    assert_same(build(spark_engine).frame, expected.frame)


@pytest.mark.parametrize("key_path", list(KEY_PATHS))
@pytest.mark.parametrize("definition", ["contract", "inactivity"])
@PARITY
@given(data=st.data())
def test_training_frames_are_the_same(data, spark_engine, key_path, definition) -> None:
    spec = data.draw(label_specs([definition]), label="spec")
    t = KEY_PATHS[key_path](data.draw(tables(need_bills=definition == "inactivity", shop=True)))
    chosen = sorted({data.draw(cutoffs(t, spec)) for _ in range(data.draw(st.integers(1, 2)))})
    _both(
        lambda engine: build_training_frame(t, spec, cutoffs=chosen, engine=engine, progress=False),
        spark_engine,
    )


@pytest.mark.parametrize("labels", [False, True], ids=["one cutoff", "two cutoffs"])
def test_a_data_directory_read_in_place_gives_the_same_frame(
    tiny_demo: Path, spark_engine, labels
) -> None:
    """Parquet files read by Spark where they lie (checked there), as by DuckDB."""
    if labels:
        spec = LabelSpec(horizon_days=60)
        got = build_training_frame(
            tiny_demo, spec, cutoffs=["2024-01-31", "2024-02-29"], engine=spark_engine
        )
        expected = build_training_frame(tiny_demo, spec, cutoffs=["2024-01-31", "2024-02-29"])
    else:
        got = build_scoring_frame(tiny_demo, as_of="2024-03-31", engine=spark_engine)
        expected = build_scoring_frame(tiny_demo, as_of="2024-03-31", engine="duckdb")
    assert got.vocabulary == expected.vocabulary
    assert_same(got.frame, expected.frame)


def test_results_do_not_depend_on_the_session_time_zone(tiny_demo: Path, spark) -> None:
    """A session set to another time zone (as a cluster may be) gives the same features:
    the engine pins UTC whenever it hands data to Spark or takes results back."""
    from churnlab.features.spark import SparkEngine

    tables_ = __import__("churnlab").load_tables(tiny_demo)
    expected = build_scoring_frame(tables_, as_of="2024-03-31")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        with SparkEngine(session=spark) as engine:
            spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
            got = build_scoring_frame(tables_, as_of="2024-03-31", engine=engine)
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert_same(got.frame, expected.frame)
