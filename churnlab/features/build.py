"""Training and scoring frames: the public entry points of the feature stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import ibis.expr.types as ir
import jinja2
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm.auto import tqdm

from churnlab.dates import DateLike, parse_date
from churnlab.errors import SpecError
from churnlab.features.direct import (
    DirectData,
    RowsBreakRules,
    check_deferred,
    check_first_pass,
    open_direct,
)
from churnlab.features.engine import DuckDBEngine, Engine
from churnlab.features.prepare import Prepared, prepare, settle, vocabulary_of
from churnlab.features.query import cutoff_query, feature_list, first_pass
from churnlab.features.registry import Feature
from churnlab.labels.cutoffs import check_cutoffs, default_cutoffs
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import CutoffBounds
from churnlab.tables import DataConfig, Tables, load_tables

TablesLike = Tables | str | Path


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
    """

    frame: pd.DataFrame
    spec: LabelSpec
    cutoffs: tuple[pd.Timestamp, ...]
    features: tuple[Feature, ...]
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labelled: bool = False
    data_vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
            title=repr(self),
            cutoffs=self.by_cutoff().to_html(index=False, border=0),
            features=features.to_html(index=False, border=0),
        )


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-features"><p><b>{{ title }}</b></p>
{{ cutoffs | safe }}<details><summary>Features</summary>{{ features | safe }}</details></div>"""
)


Data = Tables | DirectData


def _open(
    tables: TablesLike,
    engine: Engine,
    config: DataConfig | str | Path | None,
    spec: LabelSpec | None,
    *,
    many_cutoffs: bool,
    progress: bool | None = False,
) -> Data:
    """Loaded tables as they are; a data directory read in place when it can be, else loaded."""
    if isinstance(tables, Tables):
        return tables
    rejoin_key = spec.rejoin_key if spec is not None else None
    with tqdm(total=1, desc="reading and checking", unit="step", disable=progress is False) as bar:
        direct = open_direct(
            engine, tables, config, many_cutoffs=many_cutoffs, rejoin_key=rejoin_key
        )
        bar.update()
    return direct if direct is not None else load_tables(tables, config=config)


@contextmanager
def _engine(engine: Engine | None) -> Iterator[tuple[Engine, bool]]:
    """The given engine, or a new DuckDB engine that is closed afterwards."""
    if engine is not None:
        yield engine, False
        return
    owned = DuckDBEngine()
    try:
        yield owned, True
    finally:
        owned.close()


T = TypeVar("T")
Chosen = tuple[LabelSpec, list[pd.Timestamp]]


def _opened_and_run(
    tables: TablesLike,
    engine: Engine | None,
    config: DataConfig | str | Path | None,
    spec: LabelSpec | None,
    *,
    many_cutoffs: bool,
    progress: bool | None,
    choose: Callable[[Data], Chosen],
    run: Callable[[Data, Chosen, Engine, bool], T],
) -> T:
    """Open the data, ``choose`` the label definition and cutoffs, and ``run`` the queries.

    A data directory read in place whose rows turn out to break a rule (checked with the first
    feature pass) is loaded with :func:`churnlab.load_tables` instead, which reports or repairs
    them, and the run starts again on the loaded tables.
    """
    with _engine(engine) as (eng, owned):
        data = _open(tables, eng, config, spec, many_cutoffs=many_cutoffs, progress=progress)
        try:
            try:
                chosen = choose(data)
            except SpecError:
                if isinstance(data, DirectData):
                    check_deferred(eng, data)  # broken data are reported before bad requests
                raise
            return run(data, chosen, eng, owned)
        except RowsBreakRules:
            if isinstance(tables, Tables):  # only data read in place are checked late
                raise
    with _engine(engine) as (eng, owned):
        data = load_tables(tables, config=config)
        return run(data, choose(data), eng, owned)


def _many_cutoffs(cutoffs: Sequence[DateLike] | None) -> bool:
    """Whether a training frame asks for several cutoffs (the default cutoffs are several)."""
    return cutoffs is None or len({parse_date(c, "cutoffs") for c in cutoffs}) > 1


def _default_spec(data: Data, spec: LabelSpec | None) -> LabelSpec:
    if spec is None:
        return LabelSpec(definition="snapshot") if data.is_snapshot else LabelSpec()
    if data.is_snapshot != (spec.definition == "snapshot"):
        if data.is_snapshot:
            raise SpecError(
                f"{data.source} is a snapshot extract: use LabelSpec(definition='snapshot'), "
                f"not {spec.definition!r}."
            )
        raise SpecError(
            "LabelSpec(definition='snapshot') needs a snapshot extract; configure [snapshot] in "
            "churnlab.toml, or use 'contract' or 'inactivity'."
        )
    if spec.rejoin_key and spec.rejoin_key not in data.customer_columns:
        raise SpecError(f"LabelSpec.rejoin_key {spec.rejoin_key!r} is not a customers column.")
    return spec


@dataclass(frozen=True)
class _Plan:
    """What every cutoff's query needs: prepared relations, features, category lists."""

    prep: Prepared
    features: list[Feature]
    vocab: dict[str, tuple[str, ...]]
    found: dict[str, tuple[str, ...]]
    direct: DirectData | None = None
    """Data read in place, whose row checks may be left to the first feature pass."""


def _plan(
    data: Data,
    spec: LabelSpec,
    cutoffs: Sequence[pd.Timestamp],
    vocabulary: Mapping[str, tuple[str, ...]] | None,
    engine: Engine,
) -> _Plan:
    direct = None
    many = len(cutoffs) > 1
    if isinstance(data, Tables):
        found = vocabulary_of(data)
        prep: Prepared = prepare(engine, data, many_cutoffs=many, rejoin_key=spec.rejoin_key)
    else:
        found, prep, direct = dict(data.vocabulary), data.prepared, data
    if many:
        prep = settle(engine, prep, CutoffBounds.at(min(cutoffs)), CutoffBounds.at(max(cutoffs)))
    vocab = dict(vocabulary) if vocabulary is not None else found
    features = feature_list(prep, vocab)
    return _Plan(prep=prep, features=features, vocab=vocab, found=found, direct=direct)


def _cutoff_query(
    plan: _Plan, c: CutoffBounds, spec: LabelSpec, label: bool, engine: Engine
) -> ir.Table:
    """One cutoff's query; where row checks were left to it, its first pass over each table
    is computed and checked first (raising :class:`RowsBreakRules` when a row breaks a rule)."""
    first = None
    if plan.direct is not None and plan.direct.deferred:
        passes = first_pass(plan.prep, c, plan.vocab, plan.direct.deferred)
        first = {name: engine.materialize(f"{name}_first", rel) for name, rel in passes.items()}
        check_first_pass(engine, plan.direct, first)
        first = {name: rel.drop(*plan.direct.deferred.get(name, ())) for name, rel in first.items()}
    return cutoff_query(plan.prep, c, spec, plan.vocab, plan.features, label=label, first=first)


def _parts(
    plan: _Plan,
    spec: LabelSpec,
    cutoffs: Sequence[pd.Timestamp],
    *,
    label: bool,
    engine: Engine,
    owned: bool,
    progress: bool | None,
) -> Iterator[pa.Table]:
    """Each cutoff's rows, ordered by customer id, as the engine returns them."""
    bar = tqdm(
        cutoffs, desc="features", unit="cutoff", disable=progress is False or len(cutoffs) == 1
    )
    try:
        for cutoff in bar:
            c = CutoffBounds.at(cutoff)
            query = _cutoff_query(plan, c, spec, label, engine)
            part = engine.to_arrow(query)
            if plan.prep.key_in_id_order:
                part = part.drop_columns(["key"])
            if part.num_rows == 0:
                raise SpecError(
                    f"No customers are in scope at the cutoff {cutoff.date()} (definition "
                    f"{spec.definition!r}): choose a cutoff inside the data's active period."
                )
            yield part
    finally:
        bar.close()
        if owned and isinstance(engine, DuckDBEngine):
            engine.close()  # its copies of the tables are no longer needed: free them now


def _run(
    data: Data,
    spec: LabelSpec,
    cutoffs: Sequence[pd.Timestamp],
    *,
    label: bool,
    vocabulary: Mapping[str, tuple[str, ...]] | None,
    engine: Engine,
    owned: bool,
    progress: bool | None,
) -> FeatureFrame:
    plan = _plan(data, spec, cutoffs, vocabulary, engine)
    parts = list(
        _parts(plan, spec, cutoffs, label=label, engine=engine, owned=owned, progress=progress)
    )
    table = pa.concat_tables(parts)
    parts.clear()  # the only other reference to the buffers: let to_pandas free them as it goes
    frame = _to_pandas(table, plan.features, plan.vocab)
    return FeatureFrame(
        frame=frame,
        spec=spec,
        cutoffs=tuple(cutoffs),
        features=tuple(plan.features),
        vocabulary=plan.vocab,
        labelled=label,
        data_vocabulary=plan.found,
    )


def _to_pandas(
    table: pa.Table, features: Sequence[Feature], vocab: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    # Rows arrive ordered by cutoff, then customer id: no sort of millions of rows here.
    # Text attributes become categoricals with the fixed lists, coded in Arrow (looking up
    # millions of strings in pandas took seconds). Values outside a list (unseen at training)
    # become missing; the model stage counts and reports them.
    categorical: dict[str, pd.Categorical] = {}
    for feature in features:
        categories = vocab.get(f"customers.{feature.name}")
        if categories is not None:
            column = table[feature.name]
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())
            lookup = pa.array(categories, type=pa.string())
            codes = pc.fill_null(pc.index_in(column, value_set=lookup), -1)
            dtype = pd.CategoricalDtype(list(categories))
            categorical[feature.name] = pd.Categorical.from_codes(
                codes.to_numpy().astype("int32"), dtype=dtype
            )
    order = table.column_names
    table = table.drop_columns(list(categorical))
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    frame["cutoff"] = frame["cutoff"].astype("datetime64[us]")
    for name, values in categorical.items():
        frame[name] = values
    return frame[order] if list(frame.columns) != order else frame


def _scoring_cutoff(
    data: Data, spec: LabelSpec | None, as_of: DateLike | None
) -> tuple[LabelSpec, list[pd.Timestamp]]:
    """The label definition (for the population) and the checked cutoff of a scoring frame
    (``as_of``, by default the data's extract date)."""
    day = parse_date(data.extract_date if as_of is None else as_of, "as_of")
    return _default_spec(data, spec), check_cutoffs(data, [day], None)


def _training_cutoffs(
    data: Data, spec: LabelSpec | None, cutoffs: Sequence[DateLike] | None
) -> tuple[LabelSpec, list[pd.Timestamp]]:
    """The label definition and the checked cutoffs of a training frame."""
    spec = _default_spec(data, spec)
    if spec.definition == "snapshot":
        if cutoffs is not None and [parse_date(c, "cutoffs") for c in cutoffs] != [
            data.extract_date
        ]:
            raise SpecError(
                f"A snapshot extract has one cutoff, its as-of date {data.extract_date.date()}."
            )
        return spec, [data.extract_date]
    wanted = (
        [parse_date(c, "cutoffs") for c in cutoffs]
        if cutoffs is not None
        else default_cutoffs(data, spec)
    )
    return spec, check_cutoffs(data, wanted, spec)


def build_scoring_frame(
    tables: TablesLike,
    *,
    as_of: DateLike | None = None,
    spec: LabelSpec | None = None,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
    engine: Engine | None = None,
    config: DataConfig | str | Path | None = None,
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
        Which customers are in scope (the model's label definition; default ``contract``).
    vocabulary:
        Category lists of the training frame (``FeatureFrame.vocabulary``) so columns match.
    engine:
        Where the queries run (default: a new :class:`DuckDBEngine`).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    """
    if as_of is not None:
        as_of = parse_date(as_of, "as_of")  # a bad date is refused before the data are read

    def run(data: Data, chosen: Chosen, eng: Engine, owned: bool) -> FeatureFrame:
        return _run(
            data,
            *chosen,
            label=False,
            vocabulary=vocabulary,
            engine=eng,
            owned=owned,
            progress=False,
        )

    return _opened_and_run(
        tables,
        engine,
        config,
        spec,
        many_cutoffs=False,
        progress=False,
        choose=lambda data: _scoring_cutoff(data, spec, as_of),
        run=run,
    )


def build_training_frame(
    tables: TablesLike,
    spec: LabelSpec | None = None,
    *,
    cutoffs: Sequence[DateLike] | None = None,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
    engine: Engine | None = None,
    progress: bool | None = None,
    config: DataConfig | str | Path | None = None,
) -> FeatureFrame:
    """Features and churn labels for several cutoffs, stacked: one row per customer and cutoff.

    Parameters
    ----------
    tables:
        Loaded :class:`Tables`, or a data directory to load.
    spec:
        The churn definition (default: ``LabelSpec()``, or ``snapshot`` for snapshot extracts).
    cutoffs:
        Cutoff dates; default the last 12 month ends whose label window is fully observed.
        Asking for a label the data cannot know is a :class:`SpecError` that gives the dates.
    progress:
        Show progress bars while reading a data directory and over cutoffs (default: when
        there is more than one cutoff).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).

    A data directory of Parquet files is read in place by the engine and checked there
    (no pandas copy of the tables); anything else is loaded with :func:`churnlab.load_tables`.
    """
    if cutoffs is not None:  # bad dates are refused before the data are read
        cutoffs = [parse_date(c, "cutoffs") for c in cutoffs]

    def run(data: Data, chosen: Chosen, eng: Engine, owned: bool) -> FeatureFrame:
        return _run(
            data,
            *chosen,
            label=True,
            vocabulary=vocabulary,
            engine=eng,
            owned=owned,
            progress=progress,
        )

    return _opened_and_run(
        tables,
        engine,
        config,
        spec,
        many_cutoffs=_many_cutoffs(cutoffs),
        progress=progress,
        choose=lambda data: _training_cutoffs(data, spec, cutoffs),
        run=run,
    )
