"""Engines have a lifecycle: whoever creates one closes it, and ``with`` does it for them."""

from __future__ import annotations

from typing import ClassVar

import duckdb
import pandas as pd
import pytest

import churnlab.features.engine as engine_module
from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import DuckDBEngine, Engine, build_scoring_frame, build_training_frame


class CountingEngine(Engine):
    """An engine of its own (DuckDB inside) that counts how often it is closed."""

    made: ClassVar[list[CountingEngine]] = []

    def __init__(self) -> None:
        self.inner = DuckDBEngine(threads=1)
        self.closed = 0
        CountingEngine.made.append(self)

    def load(self, name, frame):
        return self.inner.load(name, frame)

    def read_parquet(self, name, path):
        return self.inner.read_parquet(name, path)

    def materialize(self, name, expr):
        return self.inner.materialize(name, expr)

    def to_arrow(self, expr):
        return self.inner.to_arrow(expr)

    def close(self) -> None:
        self.closed += 1
        self.inner.close()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, DemoSpec(customers=300, months=15, seed=5))
    return folder


@pytest.fixture
def owned(monkeypatch):
    """The builder's own engines are CountingEngines."""
    CountingEngine.made = []
    monkeypatch.setattr(engine_module, "DuckDBEngine", CountingEngine)
    return CountingEngine.made


@pytest.mark.parametrize(
    "build",
    [
        lambda data: build_scoring_frame(data, as_of="2023-12-31"),
        lambda data: build_training_frame(data, cutoffs=["2023-11-30", "2023-12-31"]),
    ],
    ids=["one cutoff", "many cutoffs"],
)
def test_an_engine_the_builder_creates_is_closed(demo_dir, owned, build):
    build(demo_dir)

    assert len(owned) == 1
    assert owned[0].closed >= 1


class FailingEngine(CountingEngine):
    def to_arrow(self, expr):
        raise RuntimeError("the engine lost its connection")


def test_an_engine_the_builder_creates_is_closed_when_the_build_fails(demo_dir, owned, monkeypatch):
    monkeypatch.setattr(engine_module, "DuckDBEngine", FailingEngine)

    with pytest.raises(RuntimeError, match="the engine lost its connection"):
        build_scoring_frame(demo_dir, as_of="2023-12-31")

    assert len(owned) == 1 and owned[0].closed >= 1


def test_an_engine_the_caller_gives_is_left_open(demo_dir):
    with CountingEngine() as engine:
        frame = build_training_frame(demo_dir, cutoffs=["2023-11-30", "2023-12-31"], engine=engine)
        assert engine.closed == 0
        again = build_scoring_frame(demo_dir, as_of="2023-12-31", engine=engine)  # still usable

    assert engine.closed == 1
    same = frame.frame[frame.frame["cutoff"] == "2023-12-31"].drop(columns="churned")
    pd.testing.assert_frame_equal(same.reset_index(drop=True), again.frame)


def test_a_duckdb_engine_is_a_context_manager_and_closing_twice_is_harmless():
    with DuckDBEngine(threads=1) as engine:
        table = engine.load("plans", pd.DataFrame({"plan": ["basic", "gold"]}))
        assert engine.to_arrow(table).column("plan").to_pylist() == ["basic", "gold"]

    engine.close()
    with pytest.raises(duckdb.ConnectionException, match="Connection already closed"):
        engine.to_arrow(table)


def test_leaving_the_block_by_an_error_closes_the_engine_and_keeps_the_error():
    with pytest.raises(RuntimeError, match="query failed"), DuckDBEngine(threads=1) as engine:
        raise RuntimeError("query failed")

    engine.close()
    with pytest.raises(duckdb.ConnectionException, match="Connection already closed"):
        engine.load("plans", pd.DataFrame({"plan": ["basic"]}))
