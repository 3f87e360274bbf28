"""The feature plan: what every cutoff's query of a frame needs, built once.

:class:`FeaturePlan` holds the prepared relations (with the multi-cutoff optimisations: rows set
apart, bills paid late kept apart, row checks left to the first pass), the feature families and
their features, and the category lists. :func:`churnlab.features.build_training_frame`,
:func:`~churnlab.features.build_scoring_frame` and :func:`~churnlab.features.write_features`
all run their cutoffs through it; :func:`open_and_run` opens the data for them.
"""

from __future__ import annotations

import dataclasses
import importlib
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm.auto import tqdm

from churnlab.dates import DateLike, parse_date
from churnlab.errors import ChurnlabWarning, DataError, EngineError, ModelError, SpecError
from churnlab.features.direct import (
    DirectData,
    RowsBreakRules,
    check_deferred,
    check_first_pass,
    open_direct,
)
from churnlab.features.direct_problems import problems_in_place
from churnlab.features.engine import Engine, EngineLike, open_engine
from churnlab.features.families import BUILT_IN
from churnlab.features.family import Feature, FeatureFamily
from churnlab.features.prepare import OTHER, Prepared, prepare, settle, vocabulary_of
from churnlab.features.query import cutoff_query, feature_list, first_pass
from churnlab.files import is_remote
from churnlab.labels.cutoffs import check_cutoffs, default_cutoffs
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import CutoffBounds
from churnlab.tables import DataConfig, Tables, load_tables
from churnlab.tables.config import resolve_config
from churnlab.tables.load import ValidationReport

TablesLike = Tables | str | Path
Data = Tables | DirectData
Chosen = tuple[LabelSpec, list[pd.Timestamp]]
"""A frame's label definition and its checked cutoffs."""
T = TypeVar("T")


def with_built_in(families: Sequence[FeatureFamily] | None) -> tuple[FeatureFamily, ...]:
    """The built-in families followed by ``families`` of your own (checked).

    >>> [f.name for f in with_built_in(None)]
    ['tenure', 'spend', 'payment', 'complaints', 'service', 'plan_fit', 'purchases', 'attributes']
    """
    extra = tuple(families or ())
    for family in extra:
        if not isinstance(family, FeatureFamily):
            raise SpecError(
                "The 'families' parameter takes FeatureFamily instances (subclass "
                f"churnlab.features.FeatureFamily). Got {family!r} instead."
            )
    names = [f.name for f in (*BUILT_IN, *extra)]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice or "" in names:
        raise SpecError(
            f"Every feature family needs a name of its own; {', '.join(map(repr, twice or ['']))} "
            "is taken or empty."
        )
    return (*BUILT_IN, *extra)


def load_families(specs: Sequence[str]) -> tuple[FeatureFamily, ...]:
    """Families of your own from their ``module:ClassName`` (as model cards record them).

    >>> load_families(["churnlab.features.families.tenure:Tenure"])
    (<FeatureFamily tenure: 1 feature over customers>,)
    """
    out = []
    for spec in specs:
        module, _, name = spec.partition(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise SpecError(
                f"The model uses the feature family {spec!r}, which cannot be imported "
                f"({exc}). Install or import the module that defines it, then score again."
            ) from None
        out.append(cls())
    return tuple(out)


def _check_text_attributes(
    found: Mapping[str, tuple[str, ...]], vocab: Mapping[str, tuple[str, ...]]
) -> None:
    """Refuse text attributes that the given category lists (a model's) do not know: the model
    read them as numbers (or never saw them), and the engine cannot make numbers of text."""
    lines = [
        f"  changed: {key} holds text (e.g. {', '.join(repr(v) for v in values[:3])}), the "
        "model expects numbers (or has no such feature)"
        for key, values in found.items()
        if key.startswith("customers.") and key not in vocab
    ]
    if lines:
        raise ModelError(
            "The data do not match the model's features:\n"
            + "\n".join(lines)
            + "\nRestore the column's numbers (or drop the new column), or retrain the model on "
            "the new data."
        )


@dataclass(frozen=True)
class Sample:
    """Every churner and ``fraction`` of the other rows of each cutoff, drawn by a hash of the
    customer id, the cutoff and ``seed`` (the same rows on every run of an engine).

    >>> Sample(0.25, seed=3).to_dict()["negative_weight"]
    4.0
    >>> Sample(0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'negative_sample' parameter must be a fraction in (0, 1]. Got 0 instead.
    """

    fraction: float
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise SpecError(
                "The 'negative_sample' parameter must be a fraction in (0, 1]. "
                f"Got {self.fraction!r} instead."
            )

    def keep(self, rows: ir.Table, cutoff: pd.Timestamp) -> ir.Table:
        """The rows kept: churners, and non-churners whose hash falls below the fraction."""
        if self.fraction >= 1:
            return rows
        text = rows.customer_id.cast("string") + f"|{cutoff.date()}|{self.seed}"
        return rows.filter(rows.churned | (_uniform(text) < self.fraction))

    def to_dict(self) -> dict[str, Any]:
        return {
            "negative_fraction": self.fraction,
            "negative_weight": 1 / self.fraction,
            "seed": self.seed,
            "strata": "cutoff and label: every churner, the same fraction of the others of "
            "each cutoff",
        }


_HEX = {digit: value for value, digit in enumerate("0123456789abcdef")}
_DIGITS = 6


def _uniform(text: ir.StringValue) -> ir.FloatingValue:
    """A number in [0, 1) drawn from ``text``: the first hex digits of its MD5.

    Every engine computes the same MD5 (each engine's own ``hash`` differs: DuckDB's and
    Spark's drew different rows for one seed), so the same seed keeps the same rows.
    """
    digest = text.hexdigest("md5")
    number = sum(
        digest.substr(i, 1).substitute(_HEX, else_=0).cast("int64") * 16 ** (_DIGITS - 1 - i)
        for i in range(_DIGITS)
    )
    return number.cast("float64") / 16**_DIGITS


@dataclass(frozen=True, eq=False)
class FeaturePlan:
    """What every cutoff's query needs: prepared relations, families, features, category lists.

    Build it with :meth:`of`; then :meth:`parts` gives each cutoff's rows as Arrow tables and
    :meth:`to_pandas` turns rows into the frame's types.
    """

    prep: Prepared
    families: tuple[FeatureFamily, ...]
    features: tuple[Feature, ...]
    vocab: dict[str, tuple[str, ...]]
    found: dict[str, tuple[str, ...]]
    """The category values found in the data (any date)."""
    direct: DirectData | None = None
    """Data read in place, whose row checks may be left to the first feature pass."""

    @classmethod
    def of(
        cls,
        data: Data,
        cutoffs: Sequence[pd.Timestamp],
        *,
        engine: Engine,
        vocabulary: Mapping[str, tuple[str, ...]] | None = None,
        families: Sequence[FeatureFamily] | None = None,
        rejoin_key: str | None = None,
    ) -> FeaturePlan:
        """Prepare ``data`` in ``engine`` for these cutoffs (several: relations materialised
        with integer keys, and the rows every cutoff counts alike set apart)."""
        every = with_built_in(families)
        direct = None
        many = len(cutoffs) > 1
        if isinstance(data, Tables):
            found = vocabulary_of(data)
            prep: Prepared = prepare(engine, data, many_cutoffs=many, rejoin_key=rejoin_key)
        else:
            found, prep, direct = dict(data.vocabulary), data.prepared, data
        if many:
            first, last = CutoffBounds.at(min(cutoffs)), CutoffBounds.at(max(cutoffs))
            prep = settle(engine, prep, first, last, every)
        vocab = dict(vocabulary) if vocabulary is not None else found
        if vocabulary is not None:
            _check_text_attributes(found, vocab)
        features = feature_list(prep, vocab, every)
        return cls(prep, every, tuple(features), vocab, found, direct)

    @property
    def own_families(self) -> tuple[FeatureFamily, ...]:
        """The families beyond the built-in ones."""
        return self.families[len(BUILT_IN) :]

    def query(self, c: CutoffBounds, spec: LabelSpec, *, label: bool, engine: Engine) -> ir.Table:
        """One cutoff's query; where row checks were left to it, its first pass over each
        table is computed and checked first (raising :class:`RowsBreakRules` when a row
        breaks a rule)."""
        first = None
        if self.direct is not None and self.direct.deferred:
            deferred = self.direct.deferred
            passes = first_pass(self.prep, c, self.vocab, deferred, self.families)
            first = {name: engine.materialize(f"{name}_first", rel) for name, rel in passes.items()}
            check_first_pass(engine, self.direct, first)
            first = {name: rel.drop(*deferred.get(name, ())) for name, rel in first.items()}
        return cutoff_query(
            self.prep,
            c,
            spec,
            self.vocab,
            list(self.features),
            label=label,
            first=first,
            families=self.families,
        )

    def parts(
        self,
        spec: LabelSpec,
        cutoffs: Sequence[pd.Timestamp],
        *,
        label: bool,
        engine: Engine,
        owned: bool,
        progress: bool | None,
        sample: Sample | None = None,
    ) -> Iterator[pa.Table]:
        """Each cutoff's rows, ordered by customer id, as the engine returns them; an engine
        the caller ``owned`` is closed after the last."""
        bar = tqdm(
            cutoffs, desc="features", unit="cutoff", disable=progress is False or len(cutoffs) == 1
        )
        try:
            for cutoff in bar:
                c = CutoffBounds.at(cutoff)
                query = self.query(c, spec, label=label, engine=engine)
                if sample is not None and label:
                    query = sample.keep(query, cutoff)
                part = engine.to_arrow(query)
                if self.prep.key_in_id_order:
                    part = part.drop_columns(["key"])
                if part.num_rows == 0:
                    raise SpecError(
                        f"No customers are in scope at the cutoff {cutoff.date()} (definition "
                        f"{spec.definition!r}): choose a cutoff inside the data's active period."
                    )
                yield part
        finally:
            bar.close()
            if owned:
                engine.close()  # its copies of the tables are no longer needed: free them now

    def to_pandas(self, table: pa.Table) -> pd.DataFrame:
        """Rows as the frame holds them (see :func:`frame_of`)."""
        return frame_of(table, self.features, self.vocab)


def frame_of(
    table: pa.Table, features: Sequence[Feature], vocab: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Rows as a frame holds them: text attributes as categoricals with the fixed lists.

    Rows arrive ordered by cutoff, then customer id: no sort of millions of rows here.
    Text attributes are coded in Arrow (looking up millions of strings in pandas took
    seconds). Values outside a list (unseen at training) become missing; the model stage
    counts and reports them. A capped list (:data:`~churnlab.features.prepare.OTHER` in it)
    takes every value outside it as ``(other)``.
    """
    categorical: dict[str, pd.Categorical] = {}
    for feature in features:
        categories = vocab.get(f"customers.{feature.name}")
        if categories is not None:
            column = table[feature.name]
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())
            lookup = pa.array(categories, type=pa.string())
            codes = pc.index_in(column, value_set=lookup)
            if OTHER in categories:  # a capped list: the rarer values are "(other)"
                other = pc.and_(pc.is_null(codes), pc.is_valid(column))
                codes = pc.if_else(other, categories.index(OTHER), codes)
            codes = pc.fill_null(codes, -1)
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
    return direct if direct is not None else _load(engine, tables, config)


def _load(engine: Engine, data_dir: str | Path, config: DataConfig | str | Path | None) -> Tables:
    """A data directory that cannot be read in place, loaded with :func:`load_tables`; an
    engine that ``reports_in_place`` first words the problems of data it reads in place itself
    (:func:`~churnlab.features.direct_problems.problems_in_place`), so that data that break
    the contract never have to fit in pandas."""
    if engine.reports_in_place:
        problems = problems_in_place(engine, data_dir, config)
        if problems:
            report = ValidationReport(
                source=str(data_dir), tables=None, problems=tuple(problems), repairs=()
            )
            raise DataError(str(report), problems)
    if is_remote(data_dir):
        return _load_copy(engine, str(data_dir), config)
    return load_tables(data_dir, config=config)


def _load_copy(engine: Engine, uri: str, config: DataConfig | str | Path | None) -> Tables:
    """A data directory on a file system only the engine reaches, that cannot be read in
    place (CSV files, refunds, order lines, a snapshot, values to repair): copied to this
    machine and loaded there, with a warning."""
    storage = engine.storage()
    if storage is None:
        raise EngineError(
            f"{uri} is not on this machine, and {engine!r} reads only local files: choose "
            "the Spark engine (--engine spark, or engine='spark'), which reads it through "
            "Spark's own settings, or copy the data here."
        )
    if not storage.is_dir(uri):
        raise EngineError(
            f"{uri} is not a folder {engine!r} can reach. Check the path, and for S3 or HDFS "
            "the spark.hadoop.* settings in [engine.settings]."
        )
    warnings.warn(
        f"{uri} cannot be read in place (CSV files, refunds, order lines, a snapshot extract "
        "or values to repair): it is copied to this machine and loaded there. Write it as "
        "Parquet with the data contract's types to have the engine read it where it lies.",
        ChurnlabWarning,
        stacklevel=4,
    )
    with tempfile.TemporaryDirectory(prefix="churnlab-") as scratch:
        local = Path(scratch) / "data"
        storage.copy_folder(uri, local)
        try:
            tables = load_tables(local, config=config)
        except DataError as exc:
            raise DataError(str(exc).replace(str(local), uri), exc.problems) from None
    return dataclasses.replace(tables, source=uri)


@contextmanager
def _engine(
    engine: EngineLike, tables: TablesLike, config: DataConfig | str | Path | None
) -> Iterator[tuple[Engine, bool]]:
    """The given engine, or a new one (by name, else as the settings say: ``[engine]`` in
    churnlab.toml) that is closed afterwards."""
    if engine is not None and not isinstance(engine, str):
        yield engine, False
        return
    settings = None
    if isinstance(config, DataConfig) or not isinstance(tables, Tables):
        folder = Path(tables) if not isinstance(tables, Tables) else Path()
        settings = resolve_config(folder, config).engine
    with open_engine(engine, settings) as owned:
        yield owned, True


def open_and_run(
    tables: TablesLike,
    engine: EngineLike,
    config: DataConfig | str | Path | None,
    spec: LabelSpec | None,
    *,
    many_cutoffs: bool,
    progress: bool | None,
    choose: Callable[[Data], Chosen],
    run: Callable[[Data, Chosen, Engine, bool], T],
) -> T:
    """Open the data, ``choose`` the label definition and cutoffs, and ``run`` the queries
    (``run(data, chosen, engine, owned)``).

    A data directory read in place whose rows turn out to break a rule (checked with the first
    feature pass) is loaded with :func:`churnlab.load_tables` instead, which reports or repairs
    them, and the run starts again on the loaded tables.
    """
    with _engine(engine, tables, config) as (eng, owned):
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
    with _engine(engine, tables, config) as (eng, owned):
        data = _load(eng, tables, config)
        return run(data, choose(data), eng, owned)


def many_cutoffs(cutoffs: Sequence[DateLike] | None) -> bool:
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


def scoring_cutoff(data: Data, spec: LabelSpec | None, as_of: DateLike | None) -> Chosen:
    """The label definition (for the population) and the checked cutoff of a scoring frame
    (``as_of``, by default the data's extract date)."""
    day = parse_date(data.extract_date if as_of is None else as_of, "as_of")
    return _default_spec(data, spec), check_cutoffs(data, [day], None)


def training_cutoffs(
    data: Data, spec: LabelSpec | None, cutoffs: Sequence[DateLike] | None
) -> Chosen:
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
