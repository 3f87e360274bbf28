"""Spark gives DuckDB's verdicts on the data contract (the rules of churnlab.tables.rules,
compiled once to Ibis) and local scoring's probabilities, risk bands and reason texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from broken_folders import assert_engine_words_them_as_pandas, broken_folders
from conftest import assert_same
from hypothesis import HealthCheck, given, settings

from churnlab.errors import DataError
from churnlab.explanations import score_with_reasons
from churnlab.features import DuckDBEngine, build_scoring_frame
from churnlab.features.direct import _run_checks
from churnlab.tables.contract import CONTRACTS
from churnlab.tables.engine_checks import engine_checks

DAY = pd.Timestamp("2024-01-01")


def _us(values: list[Any]) -> pd.Series:
    return pd.Series(pd.to_datetime(values), dtype="datetime64[us]")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Parquet data directory that breaks a rule of every kind."""
    folder = tmp_path_factory.mktemp("broken")
    pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C2", "C4", None],
            "signup_date": _us(
                ["2023-01-01", "2023-02-01", "2023-02-01", "2023-05-01", "2023-01-01"]
            ),
            "end_date": _us([None, "2023-01-01", None, "2023-06-01", None]),  # C2 ends before
        }
    ).to_parquet(folder / "customers.parquet")
    pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C9", "C4"],  # C9 is no customer
            "bill_date": _us(["2023-03-01", None, "2023-04-01", "2023-05-01"]),
            "amount": [10.0, -5.0, 20.0, 30.0],  # a negative amount
            "due_date": _us(["2023-03-15", "2023-03-15", "2023-04-15", "2023-05-15"]),
        }
    ).to_parquet(folder / "bills.parquet")
    pd.DataFrame(
        {
            "customer_id": ["C1", "C4"],
            "opened_at": _us(["2023-03-02", "2023-05-02"]),
            "category": ["billing", "network"],
            "resolved_at": _us(["2023-03-01", "2023-05-03"]),  # resolved before opened
        }
    ).to_parquet(folder / "complaints.parquet")
    (folder / "churnlab.toml").write_text('[data]\nextract_date = "2023-12-31"\n')
    return folder


def _rule_counts(engine: Any, folder: Path) -> dict[str, dict[str, Any]]:
    """Each table's rule breaks, as the direct read counts them (one aggregate per table)."""
    out = {}
    for table in ("customers", "bills", "complaints"):
        rel = engine.read_parquet(f"{table}_raw", folder / f"{table}.parquet")
        checks = engine_checks(table, rel)
        counts = {f"broken:{r.name}": c.ifelse(1, 0).sum() for r, c in checks.rows.items()}
        counts.update({f"broken:{r.name}": n for r, n in checks.totals.items()})
        out[table] = _run_checks(engine, rel, counts)
    return out


def test_the_rules_count_the_same_breaks_on_spark(broken: Path, spark_engine) -> None:
    expected = _rule_counts(DuckDBEngine(), broken)
    assert _rule_counts(spark_engine, broken) == expected
    assert expected["customers"]["broken:customers.customer_id unique"] == 2  # C2 twice, one empty
    assert expected["bills"]["broken:bills.amount non_negative"] == 1
    assert set(expected) == {"customers", "bills", "complaints"} and set(CONTRACTS) >= set(expected)


def test_broken_data_give_the_same_problems(
    broken: Path, spark_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spark words the problems itself: the data never go to pandas."""
    with pytest.raises(DataError) as on_duckdb:
        build_scoring_frame(broken, as_of="2023-06-30", engine="duckdb")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("load_tables was called")

    monkeypatch.setattr("churnlab.features.plan.load_tables", refuse)
    with pytest.raises(DataError) as on_spark:
        build_scoring_frame(broken, as_of="2023-06-30", engine=spark_engine)
    assert [(p, p.code) for p in on_spark.value.problems] == [
        (p, p.code) for p in on_duckdb.value.problems
    ]
    assert len(on_spark.value.problems) >= 5
    assert str(on_spark.value) == str(on_duckdb.value).split("\nNote: ")[0]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=broken_folders())
def test_spark_words_any_broken_datas_problems_as_pandas(case: dict[str, Any], spark) -> None:
    """Generated broken data (as tests/features checks with DuckDB): Spark's problems, with
    their counts and examples, are the pandas check's."""
    from churnlab.features.spark import SparkEngine

    with SparkEngine(session=spark) as engine:
        assert_engine_words_them_as_pandas(engine, case)


def test_scores_and_reasons_are_the_same(tiny_demo: Path, tiny_model, spark_engine, tmp_path):
    """Scored by Spark in batches (mapInPandas), written as Parquet partitioned by risk band:
    the same probabilities, bands and reason texts as local scoring."""
    from churnlab.explanations.spark import score_on_spark

    written = score_on_spark(
        tiny_model, tiny_demo, str(tmp_path / "scores"), k=3, engine=spark_engine
    )
    expected = score_with_reasons(tiny_model, tiny_demo, k=3).frame
    got = pd.read_parquet(tmp_path / "scores")
    assert sorted(p.name for p in (tmp_path / "scores").glob("risk_band=*"))
    assert written.rows == len(expected)
    assert written.bands == expected["risk_band"].value_counts().loc[lambda n: n > 0].to_dict()
    got = got.sort_values("customer_id").reset_index(drop=True)[list(expected.columns)]
    got["risk_band"] = got["risk_band"].astype(str)
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    expected["risk_band"] = expected["risk_band"].astype(str)
    assert_same(got, expected)
    # a second run replaces the first (written beside, then renamed)
    score_on_spark(tiny_model, tiny_demo, str(tmp_path / "scores"), engine=spark_engine)
    assert "reason_1" not in pd.read_parquet(tmp_path / "scores").columns
    assert [p.name for p in tmp_path.iterdir()] == ["scores"]


def test_a_training_frame_sampled_on_spark_trains_here(tiny_demo: Path, spark_engine) -> None:
    """Every churner and a share of the others reach this machine; the card says so."""
    from churnlab.features import build_training_frame
    from churnlab.model import ModelSpec, train

    cutoffs = ["2024-01-31", "2024-02-29"]
    full = build_training_frame(tiny_demo, cutoffs=cutoffs, engine="duckdb", progress=False)
    sampled = build_training_frame(
        tiny_demo, cutoffs=cutoffs, engine=spark_engine, negative_sample=0.4, sample_seed=2
    )
    churners = full.frame[full.frame["churned"]]
    assert sampled.frame["churned"].sum() == len(churners)
    others = (~full.frame["churned"]).groupby(full.frame["cutoff"]).sum()
    kept = (~sampled.frame["churned"]).groupby(sampled.frame["cutoff"]).sum()
    assert ((kept / others).between(0.3, 0.5)).all(), kept / others  # per cutoff
    # the same seed draws the same rows on DuckDB (one hash for every engine), another seed not
    for seed, same in ((2, True), (3, False)):
        here = build_training_frame(
            tiny_demo, cutoffs=cutoffs, engine="duckdb", negative_sample=0.4, sample_seed=seed
        )
        assert (
            here.frame[["customer_id", "cutoff"]].equals(sampled.frame[["customer_id", "cutoff"]])
            is same
        )
    model = train(sampled, ModelSpec(max_rounds=20), progress=False)
    assert model.card_.sampling["when_built"]["negative_fraction"] == 0.4
    assert model.card_.sampling["negative_weight"] == pytest.approx(2.5)
    assert model.card_.churn_rate == pytest.approx(full.churn_rate, abs=0.02)
