"""Training and scoring frames: the public entry points of the feature stage."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import pyarrow as pa

from churnlab.dates import DateLike, parse_date
from churnlab.display import heading
from churnlab.errors import PopulationWarning
from churnlab.features.engine import Engine, EngineLike
from churnlab.features.family import Feature, FeatureFamily
from churnlab.features.plan import (
    Chosen,
    Data,
    FeaturePlan,
    Sample,
    TablesLike,
    many_cutoffs,
    open_and_run,
    scoring_cutoff,
    training_cutoffs,
)
from churnlab.features.query import inactivity_left_out
from churnlab.labels.choose import spec_or_settings
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import CutoffBounds
from churnlab.tables import DataConfig
from churnlab.tables.column_warnings import column_findings, warn_columns


@dataclass(frozen=True, kw_only=True, eq=False)
class FeatureFrame:
    """Features of one or more cutoffs: one row per customer and cutoff.

    Attributes
    ----------
    frame:
        ``customer_id``, ``cutoff``, ``churned`` (training frames only), then the features.
    spec:
        The label definition (used for the population, and for ``churned`` when labelled).
    cutoffs:
        The cutoffs, oldest first.
    features:
        The features in column order, with their registry entries.
    vocabulary:
        Fixed category lists (complaint categories, failure kinds, text attributes); pass them
        back when scoring so that columns and categories match the training frame.
    data_vocabulary:
        The category values found in the data (all rows, any date): the same as
        ``vocabulary`` unless lists were passed in, when values beyond them may show here.
    families:
        Feature families of your own that were added to the built-in ones.
    """

    frame: pd.DataFrame
    spec: LabelSpec
    cutoffs: tuple[pd.Timestamp, ...]
    features: tuple[Feature, ...]
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labelled: bool = False
    data_vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    families: tuple[FeatureFamily, ...] = ()
    """Feature families of your own (beyond the built-in ones) that made some features."""
    sampling: Mapping[str, Any] = field(default_factory=dict)
    """How the rows were sampled where they were built (``negative_sample``): every churner
    and ``negative_fraction`` of the others, drawn per cutoff; empty when not sampled.
    :func:`churnlab.model.train` weights the others by ``1 / negative_fraction`` and records
    this in the model card."""
    left_out: Mapping[str, str] = field(default_factory=dict)
    """Customer attributes left out of the features (id-like, constant, a copy of the label,
    date-like text: :mod:`churnlab.tables.column_warnings`), each with what was found; the
    model card records them and scoring leaves them out too."""

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def churn_rate(self) -> float | None:
        return float(self.frame["churned"].mean()) if self.labelled and len(self.frame) else None

    def _period(self) -> str:
        first, last = self.cutoffs[0].date(), self.cutoffs[-1].date()
        return (
            f"cutoff {first}" if first == last else f"{len(self.cutoffs)} cutoffs {first}..{last}"
        )

    def __repr__(self) -> str:
        rate = f", churn {self.churn_rate:.1%}" if self.churn_rate is not None else ""
        kind = "training" if self.labelled else "scoring"
        return (
            f"<FeatureFrame ({kind}): {len(self.frame):,} rows x {len(self.features)} features, "
            f"{self._period()}{rate}>"
        )

    def by_cutoff(self) -> pd.DataFrame:
        """Rows (and churn rate, when labelled) per cutoff."""
        grouped = self.frame.groupby("cutoff", observed=True)
        out = grouped.size().rename("customers").to_frame()
        if self.labelled:
            out["churned"] = grouped["churned"].sum()
            out["churn_rate"] = out["churned"] / out["customers"]
        return out.reset_index()

    def _repr_html_(self) -> str:
        features = pd.DataFrame(
            [
                {"feature": f.name, "family": f.family, "description": f.description}
                for f in self.features
            ]
        )
        return _HTML.render(
            title=heading(self),
            cutoffs=self.by_cutoff().to_html(index=False, border=0),
            features=features.to_html(index=False, border=0),
        )


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-features"><p><b>{{ title }}</b></p>
{{ cutoffs | safe }}<details><summary>Features</summary>{{ features | safe }}</details></div>"""
)


def _run(
    data: Data,
    spec: LabelSpec,
    cutoffs: Sequence[pd.Timestamp],
    *,
    label: bool,
    vocabulary: Mapping[str, tuple[str, ...]] | None,
    families: Sequence[FeatureFamily] | None,
    engine: Engine,
    owned: bool,
    progress: bool | None,
    sample: Sample | None = None,
) -> FeatureFrame:
    plan = FeaturePlan.of(
        data,
        cutoffs,
        engine=engine,
        vocabulary=vocabulary,
        families=families,
        rejoin_key=spec.rejoin_key,
    )
    if label and spec.definition == "inactivity":
        _warn_left_out(plan, spec, cutoffs[-1], engine)
    parts = list(
        plan.parts(
            spec, cutoffs, label=label, engine=engine, owned=owned, progress=progress, sample=sample
        )
    )
    table = pa.concat_tables(parts)
    parts.clear()  # the only other reference to the buffers: let to_pandas free them as it goes
    return FeatureFrame(
        frame=plan.to_pandas(table),
        spec=spec,
        cutoffs=tuple(cutoffs),
        features=plan.features,
        vocabulary=plan.vocab,
        labelled=label,
        data_vocabulary=plan.found,
        families=plan.own_families,
        sampling=sample.to_dict() if sample is not None else {},
    )


LEFT_OUT_SHARE = 0.5
"""The share of the customers active at a cutoff that the label definition may leave out of
its population before :class:`~churnlab.errors.PopulationWarning` says so."""


def _warn_left_out(
    plan: FeaturePlan, spec: LabelSpec, cutoff: pd.Timestamp, engine: Engine
) -> None:
    """Warn when the inactivity look-back leaves out a large share of the customers signed up
    and not ended at the latest cutoff (the hold-out's population)."""
    row = engine.to_arrow(inactivity_left_out(plan.prep, CutoffBounds.at(cutoff), spec))
    counts = {name: int(row[name][0].as_py() or 0) for name in row.column_names}
    active, left = counts["active"], counts["active"] - counts["in_scope"]
    if not active or left / active <= LEFT_OUT_SHARE:
        return
    longer = 2 * spec.lookback_days
    warnings.warn(
        f"At the latest cutoff {cutoff.date()}, the {spec.lookback_days}-day look-back of the "
        f"inactivity definition leaves out {left:,} of the {active:,} customers signed up by "
        f"then ({left / active:.0%}): they bought nothing in the {spec.lookback_days} days "
        f"before it, so they are neither labelled nor scored, and {counts['came_back']:,} of "
        "them buy again in the label window. If they are still customers, lengthen the "
        f"look-back: --lookback {longer} (LabelSpec(lookback_days={longer})).",
        PopulationWarning,
        stacklevel=4,
    )


def build_scoring_frame(
    tables: TablesLike,
    *,
    as_of: DateLike | None = None,
    spec: LabelSpec | None = None,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
    engine: EngineLike = None,
    config: DataConfig | str | Path | None = None,
    families: Sequence[FeatureFamily] | None = None,
    leave_out: Mapping[str, str] | None = None,
) -> FeatureFrame:
    """Features of every customer in scope at ``as_of``, with no label.

    Parameters
    ----------
    tables:
        Loaded :class:`Tables`, or a data directory to load.
    as_of:
        The cutoff: what was known at the end of this day, written ``YYYY-MM-DD`` (or a
        date). Default: the data's extract date (``FeatureFrame.cutoffs`` records it).
    spec:
        Which customers are in scope (the model's label definition; default: ``[label]`` in
        a data directory's churnlab.toml, else ``contract``).
    vocabulary:
        Category lists of the training frame (``FeatureFrame.vocabulary``) so columns match.
    engine:
        Where the queries run: an engine, ``"duckdb"`` or ``"spark"`` (default: as
        ``[engine]`` in the data's churnlab.toml says, else DuckDB).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    families:
        Feature families of your own, added to the built-in ones (see
        :class:`~churnlab.features.FeatureFamily`); scoring needs the model's.
    leave_out:
        Customer attributes to leave out of the features, with why: the training frame's
        ``left_out`` (a model card's), so that the columns match the model's.
    """
    if as_of is not None:
        as_of = parse_date(as_of, "as_of")  # a bad date is refused before the data are read
    spec = spec_or_settings(tables, config, spec)

    def run(data: Data, chosen: Chosen, eng: Engine, owned: bool) -> FeatureFrame:
        return _run(
            data,
            *chosen,
            label=False,
            vocabulary=vocabulary,
            families=families,
            engine=eng,
            owned=owned,
            progress=False,
        )

    frame = open_and_run(
        tables,
        engine,
        config,
        spec,
        many_cutoffs=False,
        progress=False,
        choose=lambda data: scoring_cutoff(data, spec, as_of),
        run=run,
    )
    return without_columns(frame, leave_out or {})


def build_training_frame(
    tables: TablesLike,
    spec: LabelSpec | None = None,
    *,
    cutoffs: Sequence[DateLike] | None = None,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
    engine: EngineLike = None,
    progress: bool | None = None,
    config: DataConfig | str | Path | None = None,
    families: Sequence[FeatureFamily] | None = None,
    negative_sample: float | None = None,
    sample_seed: int = 0,
    keep_columns: Collection[str] = (),
    leave_out: Mapping[str, str] | None = None,
) -> FeatureFrame:
    """Features and churn labels for several cutoffs, stacked: one row per customer and cutoff.

    Parameters
    ----------
    tables:
        Loaded :class:`Tables`, or a data directory to load.
    spec:
        The churn definition (default: ``[label]`` in a data directory's churnlab.toml, else
        ``LabelSpec()``, or ``snapshot`` for snapshot extracts).
    cutoffs:
        Cutoff dates; default the last 12 month ends whose label window is fully observed.
        Asking for a label the data cannot know is a :class:`SpecError` that gives the dates.
    engine:
        Where the queries run: an engine, ``"duckdb"`` or ``"spark"`` (default: as
        ``[engine]`` in the data's churnlab.toml says, else DuckDB).
    progress:
        Show progress bars while reading a data directory and over cutoffs (default: when
        there is more than one cutoff).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    families:
        Feature families of your own, added to the built-in ones (see
        :class:`~churnlab.features.FeatureFamily`): their features become columns like any
        other, and models record them.
    negative_sample, sample_seed:
        Keep every churner and this fraction of the other customers of each cutoff, drawn
        where the rows are built (on Spark: before anything reaches this machine), by a hash
        of the customer id, the cutoff and ``sample_seed``. ``FeatureFrame.sampling``
        records it; :func:`churnlab.model.train` weights the others by ``1 / fraction`` and
        the model card records the sampling. Default: all rows.
    keep_columns:
        Customer attributes to keep as features although they look id-like, constant, a
        copy of the label or date-like text: the others found so are left out, each with a
        :class:`~churnlab.errors.ColumnWarning` (see :mod:`churnlab.tables.column_warnings`),
        and ``FeatureFrame.left_out`` lists them.
    leave_out:
        Leave out exactly these attributes instead of looking (name: why): a model card's
        ``left_out``, to rebuild the frame its model was trained on.

    A data directory of Parquet files is read in place by the engine and checked there
    (no pandas copy of the tables); anything else is loaded with :func:`churnlab.load_tables`.
    """
    if cutoffs is not None:  # bad dates are refused before the data are read
        cutoffs = [parse_date(c, "cutoffs") for c in cutoffs]
    spec = spec_or_settings(tables, config, spec)
    sample = None if negative_sample is None else Sample(negative_sample, sample_seed)

    def run(data: Data, chosen: Chosen, eng: Engine, owned: bool) -> FeatureFrame:
        return _run(
            data,
            *chosen,
            sample=sample,
            label=True,
            vocabulary=vocabulary,
            families=families,
            engine=eng,
            owned=owned,
            progress=progress,
        )

    frame = open_and_run(
        tables,
        engine,
        config,
        spec,
        many_cutoffs=many_cutoffs(cutoffs),
        progress=progress,
        choose=lambda data: training_cutoffs(data, spec, cutoffs),
        run=run,
    )
    if leave_out is None:
        leave_out = _columns_to_leave_out(frame, keep_columns)
    return without_columns(frame, leave_out)


def _columns_to_leave_out(frame: FeatureFrame, keep: Collection[str]) -> dict[str, str]:
    """The customer attributes of a training frame found useless or dangerous, checked on its
    latest cutoff's rows (one per customer) against their labels; each is warned about."""
    attributes = [f.name for f in frame.features if f.family == "attributes"]
    if not attributes:
        return {}
    rows = frame.frame[frame.frame["cutoff"] == frame.cutoffs[-1]]
    findings = column_findings(rows, attributes, label=rows["churned"], keep=keep)
    warn_columns(findings)
    return {f.column: f"{f.kind}: {f.found}" for f in findings if not f.kept}


def without_columns(frame: FeatureFrame, leave_out: Mapping[str, str]) -> FeatureFrame:
    """``frame`` without the customer attributes in ``leave_out`` (name: why), recorded in
    its ``left_out``; names it does not hold are ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> from churnlab.features.families import attribute_feature
    >>> from churnlab.labels import LabelSpec
    >>> frame = FeatureFrame(
    ...     frame=pd.DataFrame({"customer_id": ["1"], "cutoff": [pd.Timestamp("2024-01-31")],
    ...                         "row": [1], "fee": [9.5]}),
    ...     spec=LabelSpec(), cutoffs=(pd.Timestamp("2024-01-31"),),
    ...     features=(attribute_feature("row", categorical=False),
    ...               attribute_feature("fee", categorical=False)))
    >>> slim = without_columns(frame, {"row": "id_like"})
    >>> slim.feature_names, list(slim.frame.columns), dict(slim.left_out)
    (['fee'], ['customer_id', 'cutoff', 'fee'], {'row': 'id_like'})
    """
    names = {name: why for name, why in leave_out.items() if name in frame.frame.columns}
    if not names:
        return frame
    return dataclasses.replace(
        frame,
        frame=frame.frame.drop(columns=list(names)),
        features=tuple(f for f in frame.features if f.name not in names),
        left_out={**frame.left_out, **names},
    )
