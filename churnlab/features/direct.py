"""Features straight from Parquet: a data directory opened in the engine and checked there.

The engine reads the files where they lie, derives the prepared relations once and checks the
data contract's row rules (:mod:`churnlab.tables.rules`, compiled to Ibis by
:func:`churnlab.tables.engine_checks.engine_checks`): from the Parquet footers where they
answer, else with one aggregate per table, or, for one cutoff, counted in the feature query's own first pass over each table
(so each file is read once). Data that break any rule (or need a repair) are handed back to
:func:`churnlab.load_tables`, which names every problem; so this path is only ever taken for
data the full check would pass unchanged, and gives the same features as loading the tables
into pandas first.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from churnlab.errors import EngineError
from churnlab.features.engine import Engine
from churnlab.features.prepare import Prepared, capped_categories, derive, kept_customer_columns
from churnlab.tables.config import DataConfig
from churnlab.tables.contract import CONTRACTS, DATE, NUMBER
from churnlab.tables.direct import DirectPlan, plan_direct_read
from churnlab.tables.engine_checks import (
    ColumnStatistics,
    EngineChecks,
    after_extract,
    engine_checks,
)
from churnlab.tables.load import FAR_AFTER
from churnlab.tables.rules import Rule

# Whitespace around an id: load_tables would trim it (a repair), so the shortcut is not taken.
# RE2's \s is ASCII only; \p{Z}, \x0b, \x1c-\x1f and \x85 complete what Arrow trims.
SPACED_ID = r"^[\s\p{Z}\x0b\x1c-\x1f\x{85}]|[\s\p{Z}\x0b\x1c-\x1f\x{85}]$"
# Every date column's range is read: the latest is the extract date unless the settings give it.
DATE_COLUMNS = {
    table: [column for column, kind in contract.columns.items() if kind == DATE]
    for table, contract in CONTRACTS.items()
}
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True, kw_only=True, eq=False)
class DirectData:
    """A Parquet data directory opened in an engine: what the feature builder needs of it.

    Attributes
    ----------
    prepared:
        The prepared relations: views over the files for one cutoff, materialised with
        integer keys for many.
    vocabulary:
        Fixed category lists, as :func:`churnlab.features.prepare.vocabulary_of` gives them.
    extract_date, first_date:
        The extract date (settings, else the latest date in the data) and the earliest date.
    """

    source: str
    prepared: Prepared
    vocabulary: Mapping[str, tuple[str, ...]]
    extract_date: pd.Timestamp
    first_date: pd.Timestamp | None
    customer_columns: tuple[str, ...]
    attribute_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    is_snapshot: bool = False
    deferred: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """One cutoff: per event table, the row checks still to do (besides unknown customer ids)
    as the prepared relation's flag columns; see :func:`check_first_pass`."""

    def __repr__(self) -> str:
        return f"<DirectData {self.source}: extract {self.extract_date.date()}>"


def _count(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return condition.ifelse(1, 0).sum()


def _dates(rel: ir.Table, columns: list[str]) -> dict[str, ir.Scalar]:
    out: dict[str, ir.Scalar] = {}
    for column in columns:
        if column in rel.columns:
            out[f"min:{column}"] = rel[column].min()
            out[f"max:{column}"] = rel[column].max()
    return out


def _broken_by(rules: Mapping[Rule, Any]) -> dict[str, Any]:
    return {f"broken:{rule.name}": value for rule, value in rules.items()}


def _customer_checks(c: ir.Table, rules: EngineChecks) -> dict[str, ir.Scalar]:
    """Rule breaks (one aggregate: the customers are in the engine) and date range of the
    customers table; ids to trim (a repair) break the shortcut too."""
    return {
        "rows": c.count(),
        **_broken_by({rule: _count(condition) for rule, condition in rules.rows.items()}),
        **_broken_by(rules.totals),
        "broken:spaces around id": _count(c.customer_id.re_search(SPACED_ID)),
        # An id load_tables reports: a control character in it, or nothing at all.
        "broken:control character or blank id": _count(
            c.customer_id.re_search(r"[\x00-\x1f\x7f]|^$")
        ),
        **_dates(c, DATE_COLUMNS["customers"]),
    }


def _unkeyed(p: ir.Table) -> ir.Table:
    """How many rows of a materialised relation found no customer (an empty id, or one the
    customers lack), and how many break another rule (one row)."""
    checks = {"broken:unknown customer": _count(p.key.isnull())}
    if BROKEN_ROW in p.columns:
        checks["broken:row"] = _count(p[BROKEN_ROW])
    return p.aggregate(**checks)


def _stored_statistics(plan: DirectPlan, table: str) -> tuple[int, dict[str, ColumnStatistics]]:
    """Rows, and per contract column the statistics every row group of the table's files
    stores (their footers, read once by the plan).

    A column is left out when a row group lacks its null count; its range is left out
    (``None``) when a row group with values lacks one. Writers differ in what they store.
    """
    metas = [plan.footers[path] for path in plan.files[table]]
    columns = plan.columns[table]
    out: dict[str, ColumnStatistics] = {}
    for name, source in columns.items():
        groups = []
        for meta in metas:
            position = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
            if source not in position:
                break
            groups += [
                meta.row_group(g).column(position[source]) for g in range(meta.num_row_groups)
            ]
        else:
            stats = [g.statistics for g in groups]
            if any(s is None or not s.has_null_count for s in stats):
                continue
            nulls = sum(s.null_count for s in stats)
            filled = [s for s, g in zip(stats, groups, strict=True) if s.null_count < g.num_values]
            if all(s.has_min_max for s in filled) and filled:
                low, high = min(s.min for s in filled), max(s.max for s in filled)
                out[name] = ColumnStatistics(nulls, low, high)
            else:
                out[name] = ColumnStatistics(nulls)
    return sum(meta.num_rows for meta in metas), out


@dataclass(frozen=True)
class _EventChecks:
    """One event table's checks: answered by the file's statistics, row conditions that mark
    a broken row (counted with a pass the features make anyway), and aggregates (date ranges,
    table-wide counts) the engine must compute now."""

    known: dict[str, Any]
    rows: dict[str, ir.BooleanValue]
    aggregates: dict[str, ir.Scalar]
    latest: Sequence[Rule]


def _event_checks(
    table: str, e: ir.Table, stored: Mapping[str, ColumnStatistics], earliest: pd.Timestamp
) -> _EventChecks:
    """Rule checks and date range of one event table (contract column names)."""
    rules = engine_checks(table, e, stored, earliest=earliest)
    checks = _EventChecks(
        known=_broken_by(rules.answered),
        rows=_broken_by(rules.rows),
        aggregates=_broken_by(rules.totals),
        latest=rules.latest,
    )
    for column, kind in CONTRACTS[table].columns.items():
        if kind == NUMBER and column in e.columns and e[column].type().is_floating():
            # Not a rule: pandas reads NaN as empty, so load_tables reports it (amount) or it
            # counts as missing (duration), and it must not be read in place as a number.
            # Statistics leave NaN out.
            checks.rows[f"broken:NaN {column}"] = e[column].cast("float64").isnan()
    for column in DATE_COLUMNS[table]:
        if column not in e.columns:
            continue
        low, high = (stored[column].low, stored[column].high) if column in stored else (None,) * 2
        if isinstance(low, dt.datetime) and isinstance(high, dt.datetime):
            checks.known[f"min:{column}"] = pd.Timestamp(low)
            checks.known[f"max:{column}"] = pd.Timestamp(high)
        else:
            checks.aggregates.update(_dates(e, [column]))
    return checks


def _run_checks(engine: Engine, rel: ir.Table, checks: dict[str, ir.Scalar]) -> dict[str, Any]:
    """Run the checks as one aggregate; dates come back as timestamps."""
    if not checks:
        return {}
    try:
        row = engine.to_arrow(rel.aggregate(**checks)).to_pylist()[0]
    except EngineError as exc:
        rules = sorted(n.removeprefix("broken:") for n in checks if n.startswith("broken:"))
        raise EngineError(
            f"The engine could not check the data contract's rules {', '.join(rules)}. {exc} "
            "To see the data's problems meanwhile, run `churnlab validate` (checked in pandas)."
        ) from None
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value is None:
            continue
        if name.startswith(("min:", "max:")):
            value = pd.Timestamp(value)
        out[name] = value
    return out


def _sorted_values(engine: Engine, columns: Mapping[str, ir.Column]) -> dict[str, tuple[str, ...]]:
    """The values found in each text column (keyed by name), sorted: one query. Customer
    attributes are capped (:func:`~churnlab.features.prepare.capped_categories`)."""
    found = ibis.union(
        *(
            column.as_table()
            .select(name=ibis.literal(name), value=column)
            .group_by(["name", "value"])
            .aggregate(n=ibis._.count())
            for name, column in columns.items()
        ),
        distinct=False,
    )
    rows = engine.to_arrow(found.filter(found.value.notnull())).to_pylist()
    out: dict[str, dict[str, int]] = {name: {} for name in columns}
    for row in rows:
        out[row["name"]][str(row["value"])] = int(row["n"])
    return {
        name: capped_categories(counts) if name.startswith("customers.") else tuple(sorted(counts))
        for name, counts in out.items()
    }


def open_direct(
    engine: Engine,
    data_dir: str | Path,
    config: DataConfig | str | Path | None = None,
    *,
    many_cutoffs: bool = False,
    rejoin_key: str | None = None,
) -> DirectData | None:
    """Open a Parquet data directory in ``engine`` and check it there.

    The customers (the columns the features use) are read into the engine first. For one
    cutoff the other prepared relations stay views over the files (each is scanned once by
    the feature query, which also makes the row checks left in ``DirectData.deferred``: see
    :func:`check_first_pass`); for many they are materialised once with integer keys.

    Returns ``None`` when the directory needs :func:`churnlab.load_tables` instead: CSV files,
    a snapshot extract, columns that need converting, or any row that breaks a rule of the
    data contract or would be repaired (the full check then reports or repairs it).
    """
    plan = plan_direct_read(data_dir, config, engine.storage())
    if plan is None or (rejoin_key and rejoin_key not in plan.columns["customers"]):
        return None
    raw: dict[str, ir.Table] = {}
    for table, paths in plan.files.items():
        rel = engine.read_parquet(f"{table}_file", paths)  # the fallback loads under `table`
        raw[table] = rel.select(**{name: rel[src] for name, src in plan.columns[table].items()})
    # The customers are read into the engine once: their checks, category lists and feature
    # queries each scan them (1M customers, one cutoff: 0.35-0.4 s less in all, 100 MB more;
    # a file written as one row group, as the demo's, is read by one thread).
    kept = kept_customer_columns(plan.attribute_columns, rejoin_key)
    read = [
        c
        for c in ("customer_id", "signup_date", "end_date", *kept)
        if c in plan.columns["customers"]
    ]
    customers = engine.materialize("customers_read", raw.pop("customers").select(*read))
    customer_rules = engine_checks("customers", customers, earliest=plan.earliest_date)
    checked = _customer_checks(customers, customer_rules)
    found = {"customers": _run_checks(engine, customers, checked)}
    dated = list(customer_rules.latest)
    flags: dict[str, dict[str, ir.BooleanValue]] = {}
    for table, rel in raw.items():
        rows, stored = _stored_statistics(plan, table)
        checks = _event_checks(table, rel, stored, plan.earliest_date)
        found[table] = {
            "rows": rows,
            **checks.known,
            **_run_checks(engine, rel, checks.aggregates),
        }
        dated.extend(checks.latest)
        # The row checks ride along with a pass the features make anyway: a flag column,
        # counted by the first feature query (one cutoff, see check_first_pass) or when the
        # relations are materialised (many).
        if checks.rows:
            flags[table] = {BROKEN_ROW: functools.reduce(operator.or_, checks.rows.values())}
    if any(f["rows"] == 0 or _broken(f) for f in found.values()):
        return None
    # For many cutoffs the relations are materialised once with integer keys (an id the
    # customers lack gets none); for one they stay views over the files.
    prepared = derive(
        engine,
        customers,
        raw,
        keep=kept,
        keys="compact" if many_cutoffs else "text",
        materialize=many_cutoffs,
        attributes=plan.attribute_columns,
        flags=flags,
    )
    if many_cutoffs:
        keyed = (prepared.bills, prepared.complaints, prepared.events)
        lookups = [_unkeyed(rel) for rel in keyed if rel is not None]
        if any(_broken(engine.to_arrow(lookup).to_pylist()[0]) for lookup in lookups):
            return None
    deferred = {} if many_cutoffs else {table: tuple(flags.get(table, ())) for table in raw}
    return _opened(engine, plan, prepared, found, customers, deferred, dated)


BROKEN_ROW = "broken_row"
"""The flag column of rows that break a deferred check (which one, load_tables will say)."""


class RowsBreakRules(Exception):
    """Rows checked with the first feature pass break a rule of the data contract: the data
    must be loaded with :func:`churnlab.load_tables`, which reports or repairs them."""


_PREPARED = {"bills": "bills", "complaints": "complaints", "service_events": "events"}


def check_first_pass(engine: Engine, data: DirectData, first: Mapping[str, ir.Table]) -> None:
    """Check the rows whose checks were deferred (one cutoff) from the feature query's first
    pass (:func:`churnlab.features.query.first_pass`, computed by the engine): its groups hold
    every customer id of each table and, per id, the rows that break a rule.

    Raises
    ------
    RowsBreakRules
        When a row breaks a rule or an id is not a customer's.
    """
    _check_deferred(engine, data, first, grouped=True)


def check_deferred(engine: Engine, data: DirectData) -> None:
    """The deferred checks over the rows themselves, for when no feature pass runs (a request
    is refused first: broken data must still be reported before a bad request)."""
    rels = {table: getattr(data.prepared, _PREPARED[table]) for table in data.deferred}
    _check_deferred(engine, data, rels, grouped=False)


def _check_deferred(
    engine: Engine, data: DirectData, rels: Mapping[str, ir.Table], *, grouped: bool
) -> None:
    """One query over every table: rows flagged, and ids the customers lack."""
    if not data.deferred:
        return
    customers = data.prepared.customers
    parts = []
    for table, columns in data.deferred.items():
        rel = rels[table]
        counts = {name: rel[name].sum() if grouped else _count(rel[name]) for name in columns}
        if counts:
            parts.append(rel.aggregate(**{f"broken:{table} {n}": v for n, v in counts.items()}))
    ids = ibis.union(*(rels[table].select("key") for table in data.deferred), distinct=False)
    # An anti join, not NOT IN: Spark plans NOT IN over a subquery as a null-aware join that
    # compares every id with every customer (50,000 customers: 200 s against 2 s).
    unknown = ids.filter(ids.key.notnull()).anti_join(customers.select("key"), "key")
    checks = unknown.aggregate(**{"broken:unknown customer": unknown.count()})
    for part in parts:
        checks = checks.cross_join(part)
    if _broken(engine.to_arrow(checks).to_pylist()[0]):
        raise RowsBreakRules("a row breaks a rule of the data contract")


def _broken(found: Mapping[str, Any]) -> bool:
    return any(value for name, value in found.items() if name.startswith("broken:"))


def _opened(
    engine: Engine,
    plan: DirectPlan,
    prepared: Prepared,
    found: Mapping[str, Mapping[str, Any]],
    customers: ir.Table,
    deferred: Mapping[str, tuple[str, ...]],
    dated: Sequence[Rule],
) -> DirectData | None:
    """The checked data, or ``None`` when a column breaks one of the ``dated`` rules (a date
    after the extract date: answered by the column's latest date)."""
    latest = [v for t in found.values() for n, v in t.items() if n.startswith("max:")]
    earliest = [v for t in found.values() for n, v in t.items() if n.startswith("min:")]
    if plan.extract_date is not None:
        extract = plan.extract_date
    else:
        extract = max(latest).normalize() if latest else _EPOCH
        ends = sorted(v for v in latest if not pd.isna(v))
        if len(ends) > 1 and ends[-1] - ends[-2] > FAR_AFTER:
            return None  # a latest date far from the rest: load_tables says which

    if any(after_extract(found[r.table].get(f"max:{r.column}"), extract) for r in dated):
        return None
    text: dict[str, ir.Column] = {}
    if prepared.complaints is not None:
        text["complaints.category"] = prepared.complaints.category
    if prepared.events is not None:
        text["service_events.kind"] = prepared.events.kind
    for column in plan.attribute_columns:
        if customers[column].type().is_string():
            text[f"customers.{column}"] = customers[column]
    vocabulary = _sorted_values(engine, text) if text else {}
    return DirectData(
        source=plan.source,
        prepared=prepared,
        vocabulary=vocabulary,
        extract_date=extract,
        first_date=min(earliest).normalize() if earliest else None,
        customer_columns=tuple(plan.columns["customers"]),
        attribute_columns=plan.attribute_columns,
        personal_columns=plan.personal_columns,
        deferred=deferred,
    )
