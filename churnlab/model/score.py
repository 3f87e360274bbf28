"""``score``: a calibrated churn probability and a risk band for every active customer."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jinja2
import numpy as np
import pandas as pd

from churnlab.dates import DateLike, parse_date
from churnlab.display import heading
from churnlab.features import FeatureFrame, build_scoring_frame, load_families
from churnlab.features.engine import EngineLike
from churnlab.features.prepare import OTHER
from churnlab.labels.window import known_at
from churnlab.model.card import ModelCard
from churnlab.model.compat import (
    Unseen,
    align,
    check_frame,
    frame_differences,
    refuse_changed,
    text_columns_changed,
    unseen_values,
    warn_unseen,
)
from churnlab.model.model import ChurnModel
from churnlab.model.sanity import warn_in_sample
from churnlab.tables import DataConfig, Tables, load_tables

SCORE_COLUMNS = ("customer_id", "as_of", "churn_probability", "risk_band")
EVENT_DATES = {"complaints": ("category", "opened_at"), "service_events": ("kind", "occurred_at")}


@dataclass(frozen=True, kw_only=True, eq=False)
class Scores:
    """Churn probabilities at one date: ``frame`` has one row per active customer.

    Attributes
    ----------
    frame:
        ``customer_id``, ``as_of``, ``churn_probability`` (calibrated; positive = churned)
        and ``risk_band`` (ordered categories, lowest risk first).
    as_of:
        The scoring date: what was known at the end of this day.
    as_of_source:
        ``"argument"`` when ``as_of`` was given, ``"extract date"`` when it defaulted to the
        data's extract date.
    thresholds, bands:
        The model's risk-band thresholds and names.
    unseen:
        Category values the model never saw (scored as missing), per column.
    model:
        The one-line description of the model that scored.
    """

    frame: pd.DataFrame
    as_of: pd.Timestamp
    as_of_source: Literal["argument", "extract date"] = "argument"
    thresholds: tuple[float, ...]
    bands: tuple[str, ...]
    unseen: tuple[Unseen, ...] = ()
    model: str = ""

    def band_counts(self) -> pd.DataFrame:
        """Customers, share, mean probability and expected churners per risk band."""
        grouped = self.frame.groupby("risk_band", observed=False)["churn_probability"]
        table = pd.DataFrame(
            {
                "customers": grouped.size(),
                "share": grouped.size() / max(len(self.frame), 1),
                "mean_probability": grouped.mean(),
                "expected_churners": grouped.sum(),
            }
        )
        edges = (0.0, *self.thresholds, 1.0)
        table.insert(
            0,
            "probability",
            [f"{lo:.0%} to {hi:.0%}" for lo, hi in itertools.pairwise(edges)],
        )
        table.index.name = "risk_band"
        return table.reset_index()

    def __repr__(self) -> str:
        counts = self.band_counts()
        bands = ", ".join(
            f"{row.risk_band} {row.customers:,} ({row.share:.1%})" for row in counts.itertuples()
        )
        mean = self.frame["churn_probability"].mean() if len(self.frame) else float("nan")
        unseen = f"; {sum(u.rows for u in self.unseen):,} unseen category values" * bool(
            self.unseen
        )
        source = " (the data's extract date)" * (self.as_of_source == "extract date")
        return (
            f"<Scores at {self.as_of.date()}{source}: {len(self.frame):,} customers, mean churn "
            f"probability {mean:.1%}; {bands}{unseen}>"
        )

    def _repr_html_(self) -> str:
        counts = self.band_counts()
        return _HTML.render(
            title=heading(self),
            model=self.model,
            bands=counts.to_html(
                index=False,
                border=0,
                formatters={
                    "share": "{:.1%}".format,
                    "mean_probability": "{:.1%}".format,
                    "expected_churners": "{:,.0f}".format,
                },
            ),
            unseen=[u.line().strip() for u in self.unseen],
        )

    def to_dict(self) -> dict[str, Any]:
        """The summary (not the rows) as JSON-ready values."""
        return {
            "as_of": str(self.as_of.date()),
            "as_of_source": self.as_of_source,
            "customers": len(self.frame),
            "model": self.model,
            "bands": self.band_counts().to_dict(orient="records"),
            "unseen": {u.column: u.counts for u in self.unseen},
        }


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-scores"><p><b>{{ title }}</b></p><p>{{ model }}</p>
{{ bands | safe }}{% if unseen %}<p>Categories the model never saw (scored as missing):</p>
<ul>{% for line in unseen %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}</div>"""
)


def unseen_in_tables(
    card: ModelCard, tables: Tables, frame: pd.DataFrame, as_of: pd.Timestamp
) -> list[Unseen]:
    """Values in the data that the model's category lists lack, with counts and examples.

    Customer attributes are counted over the scored customers; complaint categories and
    failure kinds over the events known at ``as_of`` (dated and recorded by then, as the
    features count them: :func:`churnlab.labels.window.known_at`).
    """
    found: list[Unseen] = []
    customers = tables.customers
    positions = pd.Index(customers["customer_id"]).get_indexer(frame["customer_id"])
    for name, categories in card.categories.items():
        if name not in customers.columns or f"customers.{name}" not in card.vocabulary:
            continue
        values = customers[name].iloc[positions].reset_index(drop=True)
        ids = frame["customer_id"].reset_index(drop=True)
        unseen = unseen_values(values, categories, column=f"customers.{name}", ids=ids)
        if unseen is not None:
            found.append(unseen)
    for table, (column, date) in EVENT_DATES.items():
        key = f"{table}.{column}"
        events = tables.table(table)
        if key not in card.vocabulary or events is None or column not in events.columns:
            continue
        if unseen_values(events[column], card.vocabulary[key], column=key) is None:
            continue  # the usual case, checked without filtering millions of rows by date
        known = events.loc[known_at(events, as_of, date)]
        unseen = unseen_values(
            known[column],
            card.vocabulary[key],
            column=key,
            ids=known["customer_id"].astype("string").reset_index(drop=True),
        )
        if unseen is not None:
            found.append(unseen)
    return found


def _beyond_vocabulary(card: ModelCard, found: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the data hold any category value (at any date) that the model's lists lack."""
    return any(
        set(found.get(key, ())) - set(values)
        for key, values in card.vocabulary.items()
        if OTHER not in values  # a capped list takes every other value as "(other)"
    )


def scoring_frame(
    model: ChurnModel,
    tables: Tables | str | Path,
    *,
    as_of: DateLike | None = None,
    config: DataConfig | str | Path | None = None,
    engine: EngineLike = None,
) -> FeatureFrame:
    """The features ``model`` scores at ``as_of`` (default: the data's extract date): built
    with the model's label definition, category lists and feature families, by ``engine``
    (see :func:`~churnlab.features.build_scoring_frame`)."""
    card = model.card_
    return build_scoring_frame(
        tables,
        as_of=None if as_of is None else parse_date(as_of, "as_of"),
        spec=card.label_spec,
        vocabulary=card.vocabulary,
        config=config,
        families=load_families(card.feature_families),
        engine=engine,
        leave_out=card.left_out,
    )


def score_rows(
    model: ChurnModel, frame: pd.DataFrame, stamp: pd.Timestamp
) -> tuple[pd.DataFrame, list[Unseen]]:
    """The score columns (:data:`SCORE_COLUMNS`) of a scoring frame's rows, and the category
    values in them the model never saw (scored as missing).

    :func:`score` calls it on the whole frame; Spark calls it on each batch of rows
    (:func:`churnlab.explanations.spark.score_on_spark`).

    Raises
    ------
    ModelError
        The frame's features differ from the model's (the message shows the difference).
    """
    check_frame(model.card_, frame)
    matrix, unseen = align(model.card_, frame)
    probability = model.calibrator_.apply(model.booster_.predict(matrix))
    del matrix
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "as_of": np.repeat(stamp.to_datetime64(), len(frame)).astype("datetime64[us]"),
            "churn_probability": probability,
            "risk_band": model.risk_band(probability),
        },
        columns=list(SCORE_COLUMNS),
    )
    return out, unseen


def _warn_if_in_sample(model: ChurnModel, frame: pd.DataFrame, stamp: pd.Timestamp) -> None:
    """Scores at one of the model's training cutoffs are in-sample: say so, with the count
    (the training rows known: the hold-out's, every row of a snapshot extract)."""
    day = str(pd.Timestamp(stamp).date())
    if day not in model.card_.training_cutoffs:
        return
    held = model.holdout_
    at = held.loc[pd.to_datetime(held["cutoff"]).dt.date.astype(str) == day, "customer_id"]
    trained = int(frame["customer_id"].astype(str).isin(set(at.astype(str))).sum())
    warn_in_sample(day, trained or len(frame), len(frame), stacklevel=4)


def score(
    model: ChurnModel | str | Path,
    tables: Tables | str | Path,
    *,
    as_of: DateLike | None = None,
    config: DataConfig | str | Path | None = None,
    features: FeatureFrame | None = None,
    engine: EngineLike = None,
) -> Scores:
    """Score every customer in scope at ``as_of`` with a calibrated churn probability.

    The scoring frame is built with the model's label definition (which customers are in
    scope) and category lists, and checked against the model card: missing, extra or changed
    features raise :class:`~churnlab.errors.ModelError` showing the difference. Category values
    the model never saw are scored as missing and reported in one
    :class:`~churnlab.model.UnseenCategoryWarning` (and in ``Scores.unseen``).

    Parameters
    ----------
    model:
        A trained :class:`ChurnModel`, or a model directory to load.
    tables:
        Loaded :class:`~churnlab.tables.Tables`, or a data directory to load.
    as_of:
        The scoring date: what was known at the end of this day, written ``YYYY-MM-DD`` (or a
        date). Default: the data's extract date (``Scores.as_of_source`` says so).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    features:
        The scoring frame, when built already (:func:`scoring_frame`): ``as_of`` is then its
        cutoff.
    engine:
        Where the features are built: an engine, ``"duckdb"`` or ``"spark"`` (default: as
        ``[engine]`` in churnlab.toml says, else DuckDB).
    """
    from churnlab.model.persist import load_model

    given = None if as_of is None else parse_date(as_of, "as_of")
    if not isinstance(model, ChurnModel):
        model = load_model(model)
    card = model.card_
    built = features is None
    if features is None:
        features = scoring_frame(model, tables, as_of=given, config=config, engine=engine)
    else:
        given = features.cutoffs[0]
    stamp = features.cutoffs[0]
    frame = features.frame
    changed = []
    if built or features.data_vocabulary:
        # A text attribute turned into numbers would be cast to the model's categories as
        # all missing: refused, as a changed type (the vocabulary holds the data's texts).
        changed = text_columns_changed(card, features.data_vocabulary)
    refuse_changed(frame_differences(card, frame) + changed, card)
    out, unseen_in_frame = score_rows(model, frame, stamp)
    unseen = unseen_in_frame
    if _beyond_vocabulary(card, features.data_vocabulary):
        # Count and show them as of the scoring date: needs the rows (rare, so load them).
        loaded = tables if isinstance(tables, Tables) else load_tables(tables, config=config)
        unseen = unseen_in_tables(card, loaded, frame, stamp) + unseen_in_frame
    warn_unseen(unseen, stacklevel=2)
    _warn_if_in_sample(model, frame, stamp)
    spec = card.model_spec
    return Scores(
        frame=out,
        as_of=stamp,
        as_of_source="argument" if given is not None else "extract date",
        thresholds=spec.risk_bands,
        bands=spec.band_names,
        unseen=tuple(unseen),
        model=repr(model),
    )
