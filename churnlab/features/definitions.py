"""Shared pieces of the point-in-time feature definitions (Ibis expressions, written once for
every engine): which rows a cutoff knows, windows, and the rows set apart for many cutoffs.

Each family of features (:mod:`churnlab.features.families`) defines its own aggregates and
values with these. Every function takes *prepared* relations (see
:mod:`churnlab.features.prepare`: a customer ``key``, whole ``day`` numbers since 1970-01-01,
typed values) and a :class:`CutoffBounds`. All date arithmetic is done in Python by
:mod:`churnlab.labels.window`, so engines only compare integers (and, for relations read
straight from files, dates: see :func:`known_at`). No ``asof_join``, no ``regr_slope``: they
are missing on some engines.

For several cutoffs, rows every cutoff counts alike are set apart once
(:func:`churnlab.features.prepare.settle`) and :func:`with_settled` folds their totals back in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from churnlab.labels.window import CutoffBounds

DAYS_PER_MONTH = 30.4375


def known_at(rel: ir.Table, c: CutoffBounds) -> ir.BooleanValue:
    """Rows known at the cutoff: dated on or before it, and recorded on or before it.

    Relations read straight from files also carry their dates as dates (``date``,
    ``rec_date``): compared as such, the condition reaches the file reader, which skips
    what it excludes (a day number computed from a date does not).
    """
    if "date" in rel.columns:
        cutoff = ibis.literal(c.known_until)
        known = rel.date <= cutoff
        if "rec_date" in rel.columns:
            known = known & (rel.rec_date.isnull() | (rel.rec_date <= cutoff))
        return known
    known = rel.day <= c.day
    if "rec_day" in rel.columns:
        known = known & (rel.rec_day.isnull() | (rel.rec_day <= c.day))
    return known


def in_last_days(day: ir.IntegerValue, c: CutoffBounds, days: int) -> ir.BooleanValue:
    """``day`` lies in the ``days``-day window that ends with the cutoff day."""
    return (day > c.days_back(days)) & (day <= c.day)


def rows_at(
    rel: ir.Table, c: CutoffBounds, flags: Sequence[str] | None
) -> tuple[ir.Table, ir.BooleanValue | None]:
    """The rows a cutoff's pass groups, and the condition its aggregates keep to.

    Normally the rows known at the cutoff, as they are (no condition). With ``flags`` (row
    checks folded into the scan, see :mod:`churnlab.features.direct`) every row is grouped and
    each aggregate keeps to the known rows itself: one pass over a table then gives the
    features and, per customer, the rows that break a rule, and its groups show every customer
    id the table holds.
    """
    if flags is None:
        return rel.filter(known_at(rel, c)), None
    # A column, not an expression repeated in every aggregate: DuckDB would compute each.
    rel = rel.mutate(known_at_cutoff=known_at(rel, c))
    return rel, rel.known_at_cutoff


def flag_counts(rel: ir.Table, flags: Sequence[str] | None) -> dict[str, ir.Value]:
    """Per group, the rows each flag column marks (every row, known or not)."""
    return {name: ibis.ifelse(rel[name], 1, None).count() for name in flags or ()}


def after_first_late(bills: ir.Table, late: ir.Table) -> ir.Table:
    """The bills that a wipe can precede: those dated after the due day of their customer's
    first bill paid late or not at all (``late``). Every wipe any cutoff sees is due on or
    after that day, so the loyalty pass finds all it needs among these."""
    first = late.group_by("key").aggregate(first_late_due_day=late.due_day.min())
    joined = bills.inner_join(first, "key")
    return joined.filter(joined.day > joined.first_late_due_day).drop("first_late_due_day")


def settled_totals(settled: ir.Table, totals: Mapping[str, tuple[str, str]]) -> ir.Table:
    """Per customer, what the rows set apart add to every cutoff: for each total ``name ->
    (column, how)``, ``settled_<name>``."""
    return settled.group_by("key").aggregate(
        **{
            f"settled_{name}": getattr(settled[column], how)()
            for name, (column, how) in totals.items()
        }
    )


def with_settled(t: ir.Table, totals: Mapping[str, str]) -> ir.Table:
    """Fold the settled totals (where joined in) into the cutoff's own: ``totals`` maps each
    total's name to how it adds up (``sum`` or ``max``)."""
    changes: dict[str, ir.Value] = {}
    for name, how in totals.items():
        if f"settled_{name}" not in t.columns:
            continue
        mine, settled = t[name], t[f"settled_{name}"]
        if how == "max":
            changes[name] = _latest(mine, settled)
        else:
            changes[name] = mine.fill_null(0) + settled.fill_null(0)
    return t.mutate(**changes) if changes else t


def _latest(a: ir.IntegerValue, b: ir.IntegerValue) -> ir.IntegerValue:
    # Spelled out: engines differ on whether GREATEST skips missing values.
    return ibis.cases((a.isnull(), b), (b.isnull(), a), else_=ibis.greatest(a, b))


def days_since(c: CutoffBounds, day: ir.IntegerValue) -> ir.FloatingValue:
    """Whole days from ``day`` to the cutoff day (missing when there is no such day)."""
    return (ibis.literal(c.day) - day).cast("float64")
