"""Spark chosen but unusable, or failing: a clear message that says what to do, never a JVM
stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import ConfigError, EngineError, SpecError
from churnlab.features import build_scoring_frame
from churnlab.features import spark as spark_module
from churnlab.features.engine import open_engine
from churnlab.tables.config import config_from_dict


@pytest.fixture
def no_session(monkeypatch, spark):
    """As in a process where Spark has not started yet."""
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))


def test_pyspark_missing(monkeypatch, tiny_demo: Path) -> None:
    monkeypatch.setattr(spark_module, "spark_available", lambda: False)
    with pytest.raises(
        EngineError, match=r"pyspark is not installed: pip install 'churnlab\[spark\]'"
    ):
        open_engine("spark")
    result = CliRunner().invoke(
        app, ["features", str(tiny_demo), "--out", "x.parquet", "--engine", "spark"]
    )
    assert result.exit_code == 2, result.output
    assert "churnlab[spark]" in result.output and "Traceback" not in result.output


def test_java_missing(monkeypatch, no_session) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_module.shutil, "which", lambda name: None)
    with pytest.raises(EngineError, match=r"Java was not found.*openjdk-17-jre-headless"):
        spark_module.spark_session("local[1]")


def test_master_that_cannot_be_reached(no_session, make_data) -> None:
    with pytest.raises(EngineError, match=r"spark://127.0.0.1:9 cannot be reached"):
        spark_module.spark_session("spark://127.0.0.1:9")
    folder = make_data(
        {
            "customers.csv": "customer_id,signup_date\nC1,2023-01-01\n",
            "churnlab.toml": '[engine]\nname = "spark"\nmaster = "spark://127.0.0.1:9"\n',
        }
    )
    result = CliRunner().invoke(app, ["features", str(folder), "--out", "x.parquet"])
    assert result.exit_code == 2, result.output
    assert "cannot be reached" in result.output and "Traceback" not in result.output


def test_path_spark_cannot_read(spark_engine, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"Spark could not read .*nowhere.parquet: .*Check"):
        spark_engine.read_parquet("bills", tmp_path / "nowhere.parquet")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(EngineError, match="Spark could not") as caught:
        spark_engine.to_arrow(spark_engine.read_parquet("bad", tmp_path / "bad.parquet"))
    assert "\tat " not in str(caught.value) and "JVM" not in str(caught.value)


def test_rule_broken_on_spark(monkeypatch, spark_engine, tiny_demo: Path) -> None:
    """A rule whose expression Spark refuses (here a regular expression Java cannot compile)
    is named, with what to do."""
    from churnlab.features import direct
    from churnlab.tables.engine_checks import engine_checks

    def breaking(table, rel, statistics=None, **options):
        checks = engine_checks(table, rel, statistics, **options)
        for rule in checks.rows:
            if rule.column == "customer_id":
                checks.rows[rule] = rel.customer_id.re_search("[")
        return checks

    monkeypatch.setattr(direct, "engine_checks", breaking)
    with pytest.raises(
        EngineError,
        match=r"could not check the data contract's rules .*customers.customer_id not_empty.*churnlab validate",
    ):
        build_scoring_frame(tiny_demo, engine=spark_engine)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"engine": {"name": "sparkk"}}, "Unknown engine 'sparkk'.*Did you mean 'spark'"),
        ({"engine": {"master": "local[2]"}}, "master and .engine.settings. are Spark's"),
        ({"engine": {"name": "spark", "settings": 3}}, r"\[engine.settings\] must be a table"),
    ],
)
def test_bad_engine_settings(settings, message) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_dict(settings)


def test_unknown_engine_name() -> None:
    with pytest.raises(SpecError, match=r"Unknown engine .sprak.. Did you mean 'spark'"):
        open_engine("sprak")
