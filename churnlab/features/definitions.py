"""Point-in-time feature definitions as Ibis expressions, written once for every engine.

Every function here takes *prepared* relations (see :mod:`churnlab.features.prepare`: a customer
``key``, whole ``day`` numbers since 1970-01-01, typed values) and a :class:`CutoffBounds`, and
returns an Ibis table keyed by ``key``. All date arithmetic is done in Python by
:mod:`churnlab.labels.window`, so engines only compare integers (and, for relations read
straight from files, dates: see :func:`known_at`). No ``asof_join``, no ``regr_slope``: they
are missing on some engines.

For several cutoffs, rows every cutoff counts alike are set apart once (``settled_*``,
:func:`churnlab.features.prepare.settle`) and :func:`with_settled` adds their totals back.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from churnlab.features.registry import category_slugs
from churnlab.labels.window import CutoffBounds

DAYS_PER_MONTH = 30.4375
SPEND_MONTHS = 6
"""Monthly spend sums reach this many months back (``spend_m1`` .. ``spend_m6``)."""
FAILURE_DAYS = 90
"""The longest window of the service-failure counts."""
SLOPE_WEIGHTS = tuple((5 - k - 2.5) / 17.5 for k in range(6))
"""Least-squares slope over six monthly sums with x = 5 (last month) .. 0: sum(w_k * y_k)."""


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


def _only(value: ir.Value, condition: ir.BooleanValue | None) -> ir.Value:
    """``value`` where ``condition`` holds, else missing: what an aggregate of it skips.

    Spelled as a conditional value rather than an aggregate's ``where``: DuckDB runs a group-by
    of conditional values 14-16% faster than one of filtered aggregates (1M customers, one
    cutoff: bills 2.05 s against 2.42 s, service events 0.64 s against 0.74 s), and every
    engine reads it alike.
    """
    return value if condition is None else ibis.ifelse(condition, value, None)


def _count(rel: ir.Table, condition: ir.BooleanValue) -> ir.IntegerScalar:
    return _only(ibis.literal(1), condition).count()


def _rows(
    rel: ir.Table, c: CutoffBounds, flags: Sequence[str] | None
) -> tuple[ir.Table, ir.BooleanValue | None]:
    """The rows to group, and how each aggregate's condition is completed.

    Normally the rows known at the cutoff, as they are. With ``flags`` (row checks folded into
    the scan, see :mod:`churnlab.features.direct`) every row is grouped and each aggregate keeps
    to the known rows itself: one pass over a table then gives the features and, per customer,
    the rows that break a rule, and its groups show every customer id the table holds.
    Returns the rows and the condition to add (``None`` when the rows are filtered already).
    """
    if flags is None:
        return rel.filter(known_at(rel, c)), None
    # A column, not an expression repeated in every aggregate: DuckDB would compute each.
    rel = rel.mutate(known_at_cutoff=known_at(rel, c))
    return rel, rel.known_at_cutoff


def _when(known: ir.BooleanValue | None, condition: ir.BooleanValue) -> ir.BooleanValue:
    return condition if known is None else known & condition


def _flag_counts(rel: ir.Table, flags: Sequence[str] | None) -> dict[str, ir.Value]:
    return {name: _count(rel, rel[name]) for name in flags or ()}


def _late(b: ir.Table, c: CutoffBounds) -> ir.BooleanValue:
    """Due on or before the cutoff day (which counts as past) and not paid by the due day."""
    return (b.due_day <= c.day) & (b.paid_day.isnull() | (b.paid_day > b.due_day))


def bill_totals(
    bills: ir.Table,
    c: CutoffBounds,
    flags: Sequence[str] | None = None,
    *,
    payments: bool = True,
) -> ir.Table:
    """Per-customer sums behind the spend and payment features: one pass over the bills.

    ``flags``: row-check columns to count per customer (see :func:`_rows`).
    ``payments``: with the payment aggregates (else :func:`late_payments` gives them).
    """
    b, known = _rows(bills, c, flags)
    aggs: dict[str, ir.Value] = {}
    for k in range(1, SPEND_MONTHS + 1):
        in_month = (b.day > c.month_bounds[k]) & (b.day <= c.month_bounds[k - 1])
        aggs[f"spend_m{k}"] = _only(b.amount, _when(known, in_month)).sum()
    aggs["last_bill_day"] = _only(b.day, known).max()
    aggs.update(_flag_counts(b, flags))
    if not {"due_day", "paid_day"} <= set(b.columns):
        return b.group_by("key").aggregate(**aggs)
    aggs["spend_total"] = _only(b.amount, known).sum()
    if payments:
        aggs.update(_payment_aggregates(b, c, known))
    return b.group_by("key").aggregate(**aggs)


def late_payments(late: ir.Table, c: CutoffBounds) -> ir.Table:
    """Payment aggregates from the bills paid late or not at all (``Prepared.late_bills``, many
    cutoffs): late and unpaid bills are all among them, so these few rows are read instead of
    every bill."""
    lb = late.filter(known_at(late, c))
    return lb.group_by("key").aggregate(**_payment_aggregates(lb, c, None))


def spend_after_wipe(bills: ir.Table, c: CutoffBounds, wipes: ir.Table) -> ir.Table:
    """Per customer, the spend since the last late payment wiped the loyalty points
    (``wipes.last_wipe_day``): a second pass over the bills of customers with a wipe.

    The pass filters the bills itself: one filtered relation read twice becomes a CTE that
    DuckDB materialises (21M rows at 1M customers: +1.3 s).
    """
    wiped = wipes.filter(wipes.last_wipe_day.notnull()).select("key", "last_wipe_day")
    joined = bills.inner_join(wiped, "key")
    after = joined.filter(known_at(joined, c) & (joined.day > joined.last_wipe_day))
    return after.group_by("key").aggregate(spend_after_wipe=after.amount.sum())


def after_first_late(bills: ir.Table, late: ir.Table) -> ir.Table:
    """The bills that a wipe can precede: those dated after the due day of their customer's
    first bill paid late or not at all (``late``). Every wipe any cutoff sees is due on or
    after that day, so :func:`spend_after_wipe` finds all it needs among these."""
    first = late.group_by("key").aggregate(first_late_due_day=late.due_day.min())
    joined = bills.inner_join(first, "key")
    return joined.filter(joined.day > joined.first_late_due_day).drop("first_late_due_day")


def _payment_aggregates(
    b: ir.Table, c: CutoffBounds, known: ir.BooleanValue | None
) -> dict[str, ir.Value]:
    """Late payments in the last year, bills unpaid at the cutoff, the last late due day."""
    unpaid = (b.due_day <= c.day) & (b.paid_day.isnull() | (b.paid_day > c.day))
    return {
        "late_payments_12m": _count(b, _when(known, _late(b, c) & (b.due_day > c.days_back(365)))),
        "unpaid_bills": _count(b, _when(known, unpaid)),
        "last_wipe_day": _only(b.due_day, _when(known, _late(b, c))).max(),
    }


def complaint_aggregates(
    complaints: ir.Table,
    c: CutoffBounds,
    categories: Sequence[str],
    flags: Sequence[str] | None = None,
) -> ir.Table:
    """Per-customer counts and timings of complaints known at the cutoff."""
    q, known = _rows(complaints, c, flags)
    last_90 = in_last_days(q.day, c, 90)
    last_365 = in_last_days(q.day, c, 365)
    aggs: dict[str, ir.Value] = {
        "complaints_30d": _count(q, _when(known, in_last_days(q.day, c, 30))),
        "complaints_90d": _count(q, _when(known, last_90)),
        "complaints_365d": _count(q, _when(known, last_365)),
        # A distinct count keeps its filter: as a conditional value it is slower (0.29 s
        # against 0.21 s for the complaints at 1M customers).
        "categories_90d": q.category.nunique(where=_when(known, last_90)),
        "last_complaint_day": _only(q.day, known).max(),
    }
    if "resolved_day" in q.columns:
        open_ = q.resolved_day.isnull() | (q.resolved_day > c.day)
        resolved_in_year = last_365 & q.resolved_day.notnull() & (q.resolved_day <= c.day)
        aggs["complaints_open"] = _count(q, _when(known, open_))
        aggs["oldest_open_day"] = _only(q.day, _when(known, open_)).min()
        resolve_days = (q.resolved_s - q.opened_s) / 86400.0
        aggs["complaint_resolve_days_mean"] = _only(
            resolve_days, _when(known, resolved_in_year)
        ).mean()
    for value, part in category_slugs(categories).items():
        aggs[f"complaints_365d_{part}"] = _count(q, _when(known, last_365 & (q.category == value)))
    return q.group_by("key").aggregate(**aggs, **_flag_counts(q, flags))


def failure_aggregates(
    events: ir.Table, c: CutoffBounds, kinds: Sequence[str], flags: Sequence[str] | None = None
) -> ir.Table:
    """Per-customer counts of service failures known at the cutoff."""
    e, known = _rows(events, c, flags)
    last_90 = in_last_days(e.day, c, FAILURE_DAYS)
    aggs: dict[str, ir.Value] = {
        "failures_7d": _count(e, _when(known, in_last_days(e.day, c, 7))),
        "failures_30d": _count(e, _when(known, in_last_days(e.day, c, 30))),
        "failures_90d": _count(e, _when(known, last_90)),
        "last_failure_day": _only(e.day, known).max(),
    }
    if "duration" in e.columns:
        aggs["outage_minutes_90d"] = _only(e.duration, _when(known, last_90)).sum()
    for value, part in category_slugs(kinds).items():
        aggs[f"failures_90d_{part}"] = _count(e, _when(known, last_90 & (e.kind == value)))
    return e.group_by("key").aggregate(**aggs, **_flag_counts(e, flags))


def settled_bills(bills: ir.Table, first: CutoffBounds) -> ir.BooleanValue:
    """Bills every cutoff from ``first`` on counts alike: known at ``first`` and older than
    its spend months, so they only add to the total spend and the last bill day."""
    return (bills.day <= first.month_bounds[SPEND_MONTHS]) & known_at(bills, first)


def settled_events(events: ir.Table, first: CutoffBounds) -> ir.BooleanValue:
    """Service events every cutoff from ``first`` on counts alike: known at ``first`` and
    older than its longest window, so they only give the last failure day."""
    return (events.day <= first.days_back(FAILURE_DAYS)) & known_at(events, first)


def settled_bill_totals(settled: ir.Table) -> ir.Table:
    """Per customer, what the settled bills add to every cutoff."""
    return settled.group_by("key").aggregate(
        settled_spend=settled.amount.sum(), settled_last_bill_day=settled.day.max()
    )


def settled_event_totals(settled: ir.Table) -> ir.Table:
    """Per customer, the last failure among the settled service events."""
    return settled.group_by("key").aggregate(settled_last_failure_day=settled.day.max())


def with_settled(t: ir.Table) -> ir.Table:
    """Fold the settled totals (when joined in) into the cutoff's own aggregates."""
    cols = set(t.columns)
    changes: dict[str, ir.Value] = {}
    if "settled_last_bill_day" in cols:
        changes["last_bill_day"] = _latest(t.last_bill_day, t.settled_last_bill_day)
        if "spend_total" in cols:
            changes["spend_total"] = t.spend_total.fill_null(0) + t.settled_spend.fill_null(0)
    if "settled_last_failure_day" in cols:
        changes["last_failure_day"] = _latest(t.last_failure_day, t.settled_last_failure_day)
    return t.mutate(**changes) if changes else t


def _latest(a: ir.IntegerValue, b: ir.IntegerValue) -> ir.IntegerValue:
    # Spelled out: engines differ on whether GREATEST skips missing values.
    return ibis.cases((a.isnull(), b), (b.isnull(), a), else_=ibis.greatest(a, b))


def _zero(value: ir.NumericValue) -> ir.NumericValue:
    return value.fill_null(0)


def days_since(c: CutoffBounds, day: ir.IntegerValue) -> ir.FloatingValue:
    """Whole days from ``day`` to the cutoff day (missing when there is no such day)."""
    return (ibis.literal(c.day) - day).cast("float64")


def spend_months(t: ir.Table) -> dict[str, ir.Value]:
    """The six monthly sums with zero for no bills (``spend_m1`` .. ``spend_m6``) and their mean
    (``spend_mean_6m``): a stage of their own, which the features below refer to (spelled
    out in each, the mean alone came 7 times, each a sum of six zero-filled columns)."""
    m = {f"spend_m{k}": _zero(t[f"spend_m{k}"]) for k in range(1, SPEND_MONTHS + 1)}
    return {**m, "spend_mean_6m": sum(m.values(), ibis.literal(0.0)) / float(SPEND_MONTHS)}


def spend_features(t: ir.Table) -> dict[str, ir.Value]:
    """Derived spend features from the zero-filled monthly sums and their mean
    (:func:`spend_months`): ``spend_m1`` is the last month."""
    m = [t[f"spend_m{k}"] for k in range(1, SPEND_MONTHS + 1)]
    mean6 = t.spend_mean_6m
    recent, before = m[0] + m[1] + m[2], m[3] + m[4] + m[5]
    var6 = sum((x - mean6) * (x - mean6) for x in m[1:]) + (m[0] - mean6) * (m[0] - mean6)
    increases = [m[k] - m[k + 1] for k in range(5)]
    return {
        "spend_last_month": m[0],
        "spend_mean_3m": recent / 3.0,
        "spend_ratio_3m": (before > 0).ifelse(recent / before, ibis.null("float64")),
        "spend_slope_6m": sum(w * x for w, x in zip(SLOPE_WEIGHTS[1:], m[1:], strict=True))
        + SLOPE_WEIGHTS[0] * m[0],
        "spend_max_increase_6m": ibis.greatest(0.0, *increases),
        "spend_std_6m": (var6 / 6.0).sqrt(),
    }
