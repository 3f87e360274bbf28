"""One definition, any engine: every feature query compiles for Spark SQL (first passes and
rows set apart included), and the builder talks to its engine only through its seam."""

from __future__ import annotations

import dataclasses

import ibis
import ibis.config
import pandas as pd
import pytest
import sqlglot

from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import DuckDBEngine, build_scoring_frame, build_training_frame
from churnlab.features.families import BUILT_IN
from churnlab.features.prepare import prepare, settle, vocabulary_of
from churnlab.features.query import cutoff_query, feature_list, first_pass
from churnlab.labels import CutoffBounds, LabelSpec
from churnlab.tables import load_tables


class _SparkOptions(ibis.config.Config):
    """The option ibis' pyspark backend registers when pyspark is installed (it is not here)."""

    treat_nan_as_null: bool = False


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, DemoSpec(customers=400, months=15, seed=5))
    return load_tables(folder)


def with_text_ids(tables):
    """The same tables with plain text customer ids in the event tables (as built by hand)."""
    events = {
        name: frame.assign(customer_id=frame["customer_id"].astype("str"))
        for name, frame in tables.present().items()
        if name != "customers"
    }
    return dataclasses.replace(tables, **events)


@pytest.mark.parametrize("many_cutoffs", [False, True])
@pytest.mark.parametrize("text_ids", [False, True])
@pytest.mark.parametrize(
    ("definition", "label"), [("contract", False), ("contract", True), ("inactivity", True)]
)
def test_every_feature_query_compiles_to_spark_sql(
    tables, monkeypatch, many_cutoffs, text_ids, definition, label
):
    monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions(), raising=False)
    source = with_text_ids(tables) if text_ids else tables
    engine = DuckDBEngine()
    prep = prepare(engine, source, many_cutoffs=many_cutoffs)
    if many_cutoffs:  # old rows set apart, as for the cutoffs from 2023-10-31 to 2024-03-31
        first, last = CutoffBounds.at("2023-10-31"), CutoffBounds.at("2024-03-31")
        prep = settle(engine, prep, first, last, BUILT_IN)
        assert set(prep.settled) == {"bills", "service_events"}
        assert prep.wipe_bills is not None
    vocab = vocabulary_of(tables)
    spec = LabelSpec(definition=definition)
    c = CutoffBounds.at("2024-01-31")
    query = cutoff_query(prep, c, spec, vocab, feature_list(prep, vocab), label=label)
    sql = _spark_sql(query)
    assert "tenure_days" in sql and "loyalty_points" in sql
    if not many_cutoffs:  # one cutoff read in place: every row grouped, checks counted beside
        for first in first_pass(prep, c, vocab, {}).values():
            assert "GROUP BY" in _spark_sql(first).upper()


def _spark_sql(query: ibis.Table) -> str:
    sql = str(ibis.to_sql(query, dialect="pyspark"))
    sqlglot.parse_one(sql, read="spark")  # valid Spark SQL
    assert "ASOF" not in sql.upper() and "REGR_SLOPE" not in sql.upper()
    return sql


class RecordingEngine:
    """An engine that delegates to DuckDB and records which seam methods were used."""

    def __init__(self) -> None:
        self.inner = DuckDBEngine()
        self.calls: list[str] = []
        self.queries: list[ibis.Table] = []

    def load(self, name, frame):
        self.calls.append("load")
        return self.inner.load(name, frame)

    def materialize(self, name, expr):
        self.calls.append("materialize")
        self.queries.append(expr)
        return self.inner.materialize(name, expr)

    def to_arrow(self, expr):
        self.calls.append("to_arrow")
        self.queries.append(expr)
        return self.inner.to_arrow(expr)


@pytest.mark.parametrize("text_ids", [False, True])
def test_every_query_sent_to_the_engine_compiles_to_spark_sql(tables, monkeypatch, text_ids):
    """Beyond the cutoff queries: what is computed once for many cutoffs (keys, late bills,
    rows set apart, the bills a wipe can precede) runs on any engine too."""
    monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions(), raising=False)
    source = with_text_ids(tables) if text_ids else tables
    engine = RecordingEngine()
    build_training_frame(source, cutoffs=["2023-10-31", "2023-11-30"], engine=engine)
    compiled = [_spark_sql(query) for query in engine.queries]
    assert any("first_late_due_day" in sql for sql in compiled)  # the bills a wipe can precede
    assert any("settled_spend" in sql for sql in compiled)


@pytest.mark.parametrize("text_ids", [False, True])
def test_key_paths_agree(tables, text_ids):
    source = with_text_ids(tables) if text_ids else tables
    one = build_scoring_frame(source, as_of="2023-12-31").frame
    many = build_training_frame(source, cutoffs=["2023-11-30", "2023-12-31"]).frame
    reference = build_scoring_frame(tables, as_of="2023-12-31").frame
    pd.testing.assert_frame_equal(one, reference)
    same = many[many["cutoff"] == "2023-12-31"].drop(columns="churned").reset_index(drop=True)
    pd.testing.assert_frame_equal(same, reference)


def test_builder_uses_only_the_engine_seam(tables):
    engine = RecordingEngine()
    scored = build_scoring_frame(tables, as_of="2023-12-31", engine=engine)
    assert set(engine.calls) == {"load", "to_arrow"}  # one cutoff: nothing materialised
    engine = RecordingEngine()
    trained = build_training_frame(tables, cutoffs=["2023-11-30", "2023-12-31"], engine=engine)
    assert {"load", "materialize", "to_arrow"} == set(engine.calls)
    same = trained.frame[trained.frame["cutoff"] == "2023-12-31"].drop(columns="churned")
    assert same.reset_index(drop=True).equals(scored.frame.reset_index(drop=True))
