"""A data directory given as a URI is read by Spark, through its own Hadoop file systems.

``file://`` is the one URI scheme this machine serves without a cluster; it goes through the
same code as ``hdfs://`` and ``s3a://``: Hadoop's ``FileSystem`` in Spark's JVM lists the
files and reads the settings and the Parquet footers, and Spark reads the rows. The tests make
churnlab's own local reading fail, to prove that nothing is read around Spark.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import assert_same

from churnlab.errors import ChurnlabWarning, DataError, EngineError, SpecError
from churnlab.features import build_scoring_frame
from churnlab.tables.direct import plan_direct_read
from churnlab.tables.storage import LocalStorage

AS_OF = "2024-03-31"


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("read around Spark")


@pytest.fixture
def no_local_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """churnlab's own reading of this machine's files fails: only Spark may read."""
    for method in ("is_dir", "matches", "read_text", "footer", "head", "copy_folder"):
        monkeypatch.setattr(LocalStorage, method, _refuse)
    monkeypatch.setattr("churnlab.features.plan.load_tables", _refuse)


def test_a_uri_folder_is_read_in_place_by_spark(
    tiny_demo: Path, spark_engine, no_local_reads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = tiny_demo.resolve().as_uri()
    plan = plan_direct_read(uri, None, spark_engine.storage())
    assert plan is not None and plan.extract_date is not None  # from its churnlab.toml
    assert all(path.startswith("file:") for paths in plan.files.values() for path in paths)
    on_spark = build_scoring_frame(uri, as_of=AS_OF, engine=spark_engine).frame
    monkeypatch.undo()
    local = build_scoring_frame(tiny_demo, as_of=AS_OF, engine="duckdb").frame
    assert_same(on_spark, local)


def test_broken_data_at_a_uri_are_reported_by_spark(
    tiny_demo: Path, tmp_path: Path, spark_engine, no_local_reads: None
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(tiny_demo, folder)
    customers = pd.read_parquet(folder / "customers.parquet")
    customers.loc[3, "signup_date"] = pd.Timestamp("1900-01-01")
    customers.to_parquet(folder / "customers.parquet")
    with pytest.raises(DataError, match="dated before 1950-01-01") as raised:
        build_scoring_frame(folder.as_uri(), as_of=AS_OF, engine=spark_engine)
    assert folder.as_uri() in str(raised.value)
    [problem] = raised.value.problems
    assert (problem.where, problem.rows) == ("customers.signup_date", 1)
    assert problem.examples == (str(customers.loc[3, "customer_id"]),)


def test_csv_at_a_uri_is_copied_here_and_loaded(tiny_demo: Path, tmp_path: Path, spark_engine):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in ("customers", "bills"):
        pd.read_parquet(tiny_demo / f"{table}.parquet").to_csv(folder / f"{table}.csv", index=False)
    with pytest.warns(ChurnlabWarning, match="copied to this machine"):
        on_spark = build_scoring_frame(folder.as_uri(), as_of=AS_OF, engine=spark_engine)
    local = build_scoring_frame(folder, as_of=AS_OF, engine="duckdb")
    assert_same(on_spark.frame, local.frame)


def test_a_missing_uri_folder_says_so(tmp_path: Path, spark_engine) -> None:
    with pytest.raises(EngineError, match="is not a folder"):
        build_scoring_frame((tmp_path / "nowhere").as_uri(), as_of=AS_OF, engine=spark_engine)


def test_duckdb_sends_a_uri_to_spark(tiny_demo: Path) -> None:
    with pytest.raises(EngineError, match="choose the Spark engine"):
        build_scoring_frame(tiny_demo.resolve().as_uri(), as_of=AS_OF, engine="duckdb")


def test_a_target_list_of_data_at_a_uri(tiny_demo: Path, tiny_model, spark_engine) -> None:
    from churnlab.campaign import target_list

    uri = tiny_demo.resolve().as_uri()
    with pytest.warns(ChurnlabWarning, match="win-back list"):
        made = target_list(uri, tiny_model, as_of=AS_OF, engine=spark_engine)
    local = target_list(tiny_demo, tiny_model, as_of=AS_OF, winback=False, engine="duckdb")
    pd.testing.assert_frame_equal(made.frame, local.frame)
    files = made.data_fingerprint["files"]
    assert files["customers.parquet"]["bytes"] == (tiny_demo / "customers.parquet").stat().st_size
    assert made.data_fingerprint["source"] == uri
    with pytest.raises(SpecError, match="not on this machine"):
        target_list(uri, tiny_model, as_of=AS_OF, include_columns=["plan"], engine=spark_engine)
