"""Scores and reasons on Spark: the features stay on the cluster, each batch of rows is scored
and explained by churnlab's own functions, and the results are written as partitioned Parquet.

The model travels as text, never pickled: LightGBM's text model, the calibrator's and the
card's JSON are broadcast once; each Python worker rebuilds the model from them once and
scores its batches (:func:`mapInPandas`) with :func:`churnlab.model.score.score_rows` and
:func:`churnlab.explanations.explain`, the functions local scoring uses, so the probabilities,
risk bands and reason texts are those of :func:`churnlab.score_with_reasons`.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from churnlab.dates import DateLike, parse_date
from churnlab.errors import EngineError, SpecError
from churnlab.explanations.actions import ActionTable, read_actions
from churnlab.explanations.reasons import check_k
from churnlab.explanations.scored import with_reasons
from churnlab.features.engine import Engine, open_engine
from churnlab.features.family import Feature
from churnlab.features.plan import (
    Chosen,
    Data,
    FeaturePlan,
    frame_of,
    load_families,
    open_and_run,
    scoring_cutoff,
)
from churnlab.features.wording import check_language
from churnlab.labels.window import CutoffBounds
from churnlab.model import ChurnModel, load_model
from churnlab.model.calibration import Calibrator
from churnlab.model.card import ModelCard
from churnlab.tables import DataConfig
from churnlab.tables.config import resolve_config


@dataclass(frozen=True)
class SparkScores:
    """Scores written by Spark: where, how many customers, and how many per risk band."""

    path: str
    rows: int
    as_of: pd.Timestamp
    bands: Mapping[str, int]

    def __repr__(self) -> str:
        per_band = ", ".join(f"{band} {n:,}" for band, n in self.bands.items())
        return f"<SparkScores {self.rows:,} customers as of {self.as_of.date()} ({per_band})>"


def model_texts(model: ChurnModel) -> dict[str, str]:
    """What a Spark worker needs to rebuild ``model``, as text (nothing pickled)."""
    return {
        "booster": model.booster_.model_to_string(),
        "calibrator": json.dumps(model.calibrator_.to_dict()),
        "card": json.dumps(model.card_.to_dict()),
    }


def model_from_texts(texts: Mapping[str, str]) -> ChurnModel:
    """The model :func:`model_texts` describes (without its holdout and baseline)."""
    import lightgbm as lgb

    return ChurnModel(
        booster_=lgb.Booster(model_str=texts["booster"]),
        calibrator_=Calibrator.from_dict(json.loads(texts["calibrator"])),
        card_=ModelCard.from_dict(json.loads(texts["card"])),
        baseline_=None,
        holdout_=pd.DataFrame(),
    )


def batch_scorer(
    texts: Any,
    features: Sequence[Feature],
    vocab: Mapping[str, tuple[str, ...]],
    stamp: pd.Timestamp,
    *,
    k: int,
    language: str,
    actions: ActionTable | None,
    typical: Mapping[str, object] | None = None,
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function each Spark worker runs on its batches of feature rows (``mapInPandas``).

    ``texts`` is the broadcast of :func:`model_texts` (or the dict itself). The model is
    rebuilt once per worker process, on its first batch. ``typical``: the typical values that
    reasons compare with, over every customer (:func:`typical_on_spark`; a batch holds a
    share of them only); default: each batch's own.
    """
    from churnlab.explanations.compute import explain
    from churnlab.model.score import score_rows

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = model_from_texts(getattr(texts, "value", texts))
        for batch in batches:
            if batch.empty:
                continue
            rows = pa.Table.from_pandas(_naive_utc(batch), preserve_index=False)
            frame = frame_of(rows, features, vocab)
            scores, _ = score_rows(model, frame, stamp)
            if k:
                reasons = explain(model, frame, progress=False).reasons(
                    k, language, actions=actions, typical=typical
                )
                scores = with_reasons(scores, reasons)
            yield _plain(scores)

    return run


def typical_on_spark(
    rows: Any, features: Sequence[Feature], vocab: Mapping[str, tuple[str, ...]]
) -> dict[str, object]:
    """Each feature's typical value over all ``rows`` (a Spark DataFrame of feature rows), as
    :func:`~churnlab.explanations.reasons.typical_values` gives it over the frame of those
    rows: the exact median of the known numbers, or the most frequent category (values
    outside a category list counted as :func:`~churnlab.features.plan.frame_of` codes them).
    Only the medians and each category's count reach this machine.
    """
    from pyspark.sql import functions as F

    categorical = [f for f in features if f"customers.{f.name}" in vocab]
    numeric = [f.name for f in features if f not in categorical]
    out: dict[str, object] = {}
    if numeric:
        known = {n: F.col(n).cast("double") for n in numeric}  # NaN is unknown, as in pandas
        medians = rows.agg(
            *(F.percentile(F.when(~F.isnan(x), x), F.lit(0.5)).alias(n) for n, x in known.items())
        ).first()
        out.update({n: None if medians[n] is None else float(medians[n]) for n in numeric})
    for feature in categorical:
        counts = rows.groupBy(feature.name).count().toArrow()
        dated = counts.append_column("cutoff", pa.nulls(counts.num_rows, pa.timestamp("us")))
        codes = frame_of(dated, [feature], vocab)[feature.name]  # frame_of wants a cutoff
        totals = (
            pd.Series(counts["count"].to_numpy(), dtype="int64")
            .groupby(codes, observed=False)
            .sum()
        )
        ranked = totals.sort_values(ascending=False, kind="stable")
        out[feature.name] = ranked.index[0] if len(ranked) else None
    return out


def _naive_utc(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as churnlab holds them: UTC wall-clock time without a time zone."""
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            frame[name] = frame[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns (risk bands, reason categories) as text, for Spark's Arrow types."""
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame[name] = column.astype(object).where(column.notna(), None)
    return frame


def score_on_spark(
    model: ChurnModel | str | Path,
    data_dir: str | Path,
    out: str,
    *,
    as_of: DateLike | None = None,
    k: int = 0,
    language: str = "en",
    actions: ActionTable | str | Path | None = None,
    config: DataConfig | str | Path | None = None,
    engine: Engine | None = None,
    partition_by: Sequence[str] = ("risk_band",),
) -> SparkScores:
    """Score every customer in scope at ``as_of`` on Spark and write the scores (and, with
    ``k``, each customer's ``k`` reasons and the recommended action) as Parquet.

    The features are built by Spark and stay there; each batch of rows is scored by churnlab's
    own scoring and explanation functions (results identical to
    :func:`churnlab.score_with_reasons`). The files go to a temporary folder beside ``out``,
    partitioned by ``partition_by``, which is then renamed to ``out`` (replacing an earlier
    result there).

    Parameters
    ----------
    out:
        Any path Spark writes to: a folder, ``hdfs://...``, ``s3a://...``.
    engine:
        A :class:`~churnlab.features.spark.SparkEngine` (default: a new one with the data's
        ``[engine]`` settings).
    """
    if k:
        check_k(k)
        check_language(language)
    table: ActionTable | None = None
    if k:
        table = actions if isinstance(actions, ActionTable) else read_actions(actions)
    given = None if as_of is None else parse_date(as_of, "as_of")
    if not isinstance(model, ChurnModel):
        model = load_model(model)
    card = model.card_
    if engine is None:
        engine = open_engine("spark", resolve_config(data_dir, config).engine)
        owned = True
    else:
        owned = False
    session = getattr(engine, "session", None)
    if session is None:
        raise SpecError("score_on_spark needs a SparkEngine (engine='spark').")
    families = load_families(card.feature_families)

    def run(data: Data, chosen: Chosen, eng: Engine, _owned: bool) -> SparkScores:
        spec, cutoffs = chosen
        plan = FeaturePlan.of(
            data, cutoffs, engine=eng, vocabulary=card.vocabulary, families=families
        )
        if card.left_out:  # the columns the model was trained without
            kept = tuple(f for f in plan.features if f.name not in card.left_out)
            plan = dataclasses.replace(plan, features=kept)
        query = plan.query(CutoffBounds.at(cutoffs[0]), spec, label=False, engine=eng)
        rows = eng.dataframe(query.drop("key") if "key" in query.columns else query)  # type: ignore[attr-defined]
        scorer = batch_scorer(
            session.sparkContext.broadcast(model_texts(model)),
            plan.features,
            plan.vocab,
            cutoffs[0],
            k=k,
            language=language,
            actions=table,
            typical=typical_on_spark(rows, plan.features, plan.vocab) if k else None,
        )
        schema = _result_schema(
            scorer, rows, model_texts(model), plan, cutoffs[0], k, language, table
        )
        scored = rows.mapInPandas(scorer, schema)
        _write_atomically(session, scored, out, partition_by)
        counts = session.read.parquet(out).groupBy("risk_band").count().toPandas()
        bands = {
            band: int(counts.loc[counts["risk_band"] == band, "count"].sum())
            for band in model.card_.model_spec.band_names
            if band in set(counts["risk_band"])
        }
        return SparkScores(out, int(counts["count"].sum()), cutoffs[0], bands)

    try:
        return open_and_run(
            str(data_dir),
            engine,
            config,
            card.label_spec,
            many_cutoffs=False,
            progress=False,
            choose=lambda data: scoring_cutoff(data, card.label_spec, given),
            run=run,
        )
    finally:
        if owned:
            engine.close()


def _result_schema(
    scorer: Any,
    rows: Any,
    texts: Mapping[str, str],
    plan: FeaturePlan,
    stamp: pd.Timestamp,
    k: int,
    language: str,
    actions: ActionTable | None,
) -> Any:
    """The Spark schema of the results: the batch function run here on a few rows."""
    from pyspark.sql.pandas.types import from_arrow_schema

    sample = rows.limit(20).toArrow()
    local = batch_scorer(
        texts, plan.features, plan.vocab, stamp, k=k, language=language, actions=actions
    )
    frames = list(local(iter([sample.to_pandas()])))
    if not frames:
        raise SpecError(f"No customers are in scope at {stamp.date()}: nothing to score.")
    arrow = pa.Table.from_pandas(frames[0], preserve_index=False).schema
    return from_arrow_schema(arrow, prefer_timestamp_ntz=True)


def _write_atomically(session: Any, frame: Any, out: str, partition_by: Sequence[str]) -> None:
    """Write to a temporary folder beside ``out``, then rename it to ``out`` (an earlier result
    there is moved aside first and deleted after). On HDFS and local disks the rename is
    atomic; object stores (S3) copy, so readers should wait for the ``_SUCCESS`` file."""
    jvm = session.sparkContext._jvm
    conf = session.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(str(out))
    fs = target.getFileSystem(conf)
    token = uuid.uuid4().hex[:8]
    temporary = jvm.org.apache.hadoop.fs.Path(f"{str(out).rstrip('/')}.tmp-{token}")
    try:
        frame.write.mode("overwrite").partitionBy(*partition_by).parquet(str(temporary))
    except Exception as exc:
        from churnlab.features.spark import spark_error

        fs.delete(temporary, True)
        raise spark_error(
            f"Spark could not write the scores to {out}",
            exc,
            "Check that the folder above it exists and can be written to.",
        ) from None
    old = None
    if fs.exists(target):
        old = jvm.org.apache.hadoop.fs.Path(f"{str(out).rstrip('/')}.old-{token}")
        fs.rename(target, old)
    if not fs.rename(temporary, target):
        if old is not None:
            fs.rename(old, target)
        raise EngineError(f"Spark wrote the scores but could not rename them to {out}.")
    if old is not None:
        fs.delete(old, True)
