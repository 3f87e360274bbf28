"""Features straight from Parquet: a data directory opened in the engine and checked there.

The engine reads the files where they lie, derives the prepared relations once and checks the
data contract's row rules with one aggregate per table. Data that break any rule (or need a
repair) are handed back to :func:`churnlab.load_tables`, which names every problem; so this
path is only ever taken for data the full check would pass unchanged, and gives the same
features as loading the tables into pandas first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from churnlab.features.engine import Engine
from churnlab.features.prepare import Prepared, derive, kept_customer_columns
from churnlab.tables.config import DataConfig
from churnlab.tables.direct import DirectPlan, plan_direct_read

# Whitespace around an id: load_tables would trim it (a repair), so the shortcut is not taken.
# RE2's \s is ASCII only; \p{Z}, \x0b and \x85 complete Unicode's White_Space.
_SPACED = r"^[\s\p{Z}\x0b\x{85}]|[\s\p{Z}\x0b\x{85}]$"
_MAY_BE_AFTER_EXTRACT = {"due_day"}  # a bill issued before the extract may fall due after it
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True, kw_only=True, eq=False)
class DirectData:
    """A Parquet data directory opened in an engine: what the feature builder needs of it.

    Attributes
    ----------
    prepared:
        The prepared relations (materialised in the engine).
    vocabulary:
        Fixed category lists, as :func:`churnlab.features.prepare.vocabulary_of` gives them.
    extract_date, first_date:
        The extract date (settings, else the latest date in the data) and the earliest date.
    value_counts:
        Rows per value of every category column (``"complaints.category"``, ...), for reports
        of values a model has not seen.
    """

    source: str
    prepared: Prepared
    vocabulary: Mapping[str, tuple[str, ...]]
    extract_date: pd.Timestamp
    first_date: pd.Timestamp | None
    customer_columns: tuple[str, ...]
    attribute_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    value_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    is_snapshot: bool = False

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


def _customer_checks(c: ir.Table) -> dict[str, ir.Scalar]:
    """Rule breaks and date range of the customers table."""
    return {
        "rows": c.count(),
        "broken:empty id": _count(c.customer_id.isnull()),
        "broken:duplicate id": c.count() - c.customer_id.nunique(),
        "broken:spaces around id": _count(c.customer_id.re_search(_SPACED)),
        "broken:empty signup_date": _count(c.signup_date.isnull()),
        "broken:end before signup": _count(c.end_date < c.signup_date),
        **_dates(c, ["signup_date", "end_date"]),
    }


_DAYS = ("day", "due_day", "paid_day", "rec_day", "resolved_day")


def _event_checks(p: ir.Table, value: str, *, coded: bool) -> dict[str, ir.Scalar]:
    """Rule breaks and day range of one prepared event relation.

    With integer keys (``coded``) a missing key is an empty or unknown customer id; with text
    keys it is an empty one (unknown ids: :func:`_unknown_customers`).
    """
    out: dict[str, ir.Scalar] = {
        "rows": p.count(),
        "broken:unknown or empty customer_id" if coded else "broken:empty customer_id": _count(
            p.key.isnull()
        ),
        "broken:empty date": _count(p.day.isnull()),
        f"broken:empty {value}": _count(p[value].isnull()),
    }
    if "amount" in p.columns:
        out["broken:negative amount"] = _count(p.amount < 0)
    if "duration" in p.columns:
        out["broken:negative duration"] = _count(p.duration < 0)
    if "resolved_s" in p.columns:
        out["broken:resolved before opened"] = _count(p.resolved_s < p.opened_s)
    return {**out, **_dates(p, [d for d in _DAYS if d in p.columns])}


def _unknown_customers(p: ir.Table, customers: ir.Table) -> ir.Table:
    """How many distinct text keys of an event relation ``customers`` lacks (one row)."""
    ids = p.filter(p.key.notnull()).select("key").distinct()
    unknown = ids.filter(~ids.key.isin(customers.customer_id))
    return unknown.aggregate(**{"broken:unknown customer": unknown.count()})


def _run_checks(engine: Engine, rel: ir.Table, checks: dict[str, ir.Scalar]) -> dict[str, Any]:
    """Run the checks as one aggregate; dates (and day numbers) come back as timestamps."""
    row = engine.to_arrow(rel.aggregate(**checks)).to_pylist()[0]
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value is None:
            continue
        if name.startswith(("min:", "max:")):
            value = _EPOCH + pd.Timedelta(days=value) if isinstance(value, int) else value
            value = pd.Timestamp(value)
        out[name] = value
    return out


def _distinct(engine: Engine, rel: ir.Table, column: str) -> dict[str, int]:
    counts = rel.filter(rel[column].notnull()).group_by(column).aggregate(rows=ibis._.count())
    table = engine.to_arrow(counts)
    return dict(zip(table[column].to_pylist(), table["rows"].to_pylist(), strict=True))


def open_direct(
    engine: Engine,
    data_dir: str | Path,
    config: DataConfig | str | Path | None = None,
    *,
    many_cutoffs: bool = False,
    rejoin_key: str | None = None,
) -> DirectData | None:
    """Open a Parquet data directory in ``engine`` and check it there.

    For one cutoff the prepared relations stay views over the files (each is scanned once by
    the feature query); for many they are materialised once with integer keys.

    Returns ``None`` when the directory needs :func:`churnlab.load_tables` instead: CSV files,
    a snapshot extract, columns that need converting, or any row that breaks a rule of the
    data contract or would be repaired (the full check then reports or repairs it).
    """
    plan = plan_direct_read(data_dir, config)
    if plan is None or (rejoin_key and rejoin_key not in plan.columns["customers"]):
        return None
    raw: dict[str, ir.Table] = {}
    for table, path in plan.files.items():
        rel = engine.read_parquet(table, path)
        raw[table] = rel.select(**{name: rel[src] for name, src in plan.columns[table].items()})
    customers = raw.pop("customers")
    found = {"customers": _run_checks(engine, customers, _customer_checks(customers))}
    if found["customers"]["rows"] == 0 or _broken(found["customers"]):
        return None
    # For many cutoffs the relations are materialised with integer keys first and checked
    # there (cheap); for one they stay views over the files, checked as they are read.
    coded = many_cutoffs
    prepared = derive(
        engine,
        customers,
        raw,
        keep=kept_customer_columns(plan.attribute_columns, rejoin_key),
        keys="compact" if coded else "text",
        materialize=coded,
        attributes=plan.attribute_columns,
    )
    relations = {
        "bills": (prepared.bills, "amount"),
        "complaints": (prepared.complaints, "category"),
        "service_events": (prepared.events, "kind"),
    }
    for table, (rel, value) in relations.items():
        if rel is None:
            continue
        found[table] = _run_checks(engine, rel, _event_checks(rel, value, coded=coded))
        if not coded:
            found[table].update(engine.to_arrow(_unknown_customers(rel, customers)).to_pylist()[0])
        if found[table]["rows"] == 0 or _broken(found[table]):
            return None
    return _opened(engine, plan, prepared, found, customers)


def _broken(found: Mapping[str, Any]) -> bool:
    return any(value for name, value in found.items() if name.startswith("broken:"))


def _opened(
    engine: Engine,
    plan: DirectPlan,
    prepared: Prepared,
    found: Mapping[str, Mapping[str, Any]],
    customers: ir.Table,
) -> DirectData | None:
    """The checked data, or ``None`` when a date lies after the extract date."""
    latest = [v for t in found.values() for n, v in t.items() if n.startswith("max:")]
    earliest = [v for t in found.values() for n, v in t.items() if n.startswith("min:")]
    if plan.extract_date is not None:
        extract = plan.extract_date
    else:
        extract = max(latest).normalize() if latest else _EPOCH
    end_of_extract = extract.normalize() + pd.Timedelta(days=1)
    after = [
        when
        for table in found.values()
        for name, when in table.items()
        if name.startswith("max:")
        and name[4:] not in _MAY_BE_AFTER_EXTRACT
        and when >= end_of_extract
    ]
    if after:
        return None
    counts: dict[str, dict[str, int]] = {}
    if prepared.complaints is not None:
        counts["complaints.category"] = _distinct(engine, prepared.complaints, "category")
    if prepared.events is not None:
        counts["service_events.kind"] = _distinct(engine, prepared.events, "kind")
    for column in plan.attribute_columns:
        if customers[column].type().is_string():
            counts[f"customers.{column}"] = _distinct(engine, customers, column)
    return DirectData(
        source=plan.source,
        prepared=prepared,
        vocabulary={key: tuple(sorted(values)) for key, values in counts.items()},
        extract_date=extract,
        first_date=min(earliest).normalize() if earliest else None,
        customer_columns=tuple(plan.columns["customers"]),
        attribute_columns=plan.attribute_columns,
        personal_columns=plan.personal_columns,
        value_counts=counts,
    )
