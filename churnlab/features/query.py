"""One cutoff's feature query: the population, its label, and every feature, as one Ibis table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from churnlab.errors import SpecError
from churnlab.features import definitions as d
from churnlab.features.prepare import Prepared
from churnlab.features.registry import (
    CORE_FEATURES,
    Feature,
    attribute_feature,
    category_count_feature,
    category_slugs,
)
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import CutoffBounds, label_window


def feature_list(prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
    """The features these prepared relations can give, in output order."""
    available = {
        "customers": prep.customers.columns if prep.has_signup else (),
        "bills": prep.bills.columns if prep.bills is not None else None,
        "complaints": prep.complaints.columns if prep.complaints is not None else None,
        "service_events": prep.events.columns if prep.events is not None else None,
    }
    renamed = {
        "signup_date": "signup_day",
        "due_date": "due_day",
        "paid_date": "paid_day",
        "resolved_at": "resolved_day",
        "duration_minutes": "duration",
    }
    out = []
    for feature in CORE_FEATURES:
        columns = available[feature.table]
        if columns is None or (feature.table == "customers" and not prep.has_signup):
            continue
        if feature.name == "loyalty_points" and not prep.has_signup:
            continue
        if all(renamed.get(r, r) in columns for r in feature.requires):
            out.append(feature)
    if prep.complaints is not None:
        for value, part in category_slugs(vocab.get("complaints.category", ())).items():
            out.append(category_count_feature("complaints", value, part))
    if prep.events is not None:
        for value, part in category_slugs(vocab.get("service_events.kind", ())).items():
            out.append(category_count_feature("service_events", value, part))
    for column in prep.attributes:
        out.append(attribute_feature(column, categorical=f"customers.{column}" in vocab))
    return out


def population(prep: Prepared, c: CutoffBounds, spec: LabelSpec, *, label: bool) -> ir.Table:
    """Customers in scope at the cutoff, with ``churned`` when ``label`` is asked for."""
    cust = prep.customers
    if spec.definition == "snapshot":  # the extract's own population and flag
        return cust if label else cust.drop("churned")
    if spec.definition == "inactivity":
        return _inactivity_population(prep, c, spec, label=label)
    pop = cust.filter((cust.signup_day <= c.day) & (cust.end_day.isnull() | (cust.end_day > c.day)))
    if not label:
        return pop
    start, end = label_window(c, spec)
    churned = pop.end_day.notnull() & (pop.end_day > start) & (pop.end_day <= end)
    if spec.grace_days and spec.rejoin_key:
        churned = churned & ~pop.key.isin(_rejoined(prep, pop, spec).key)
    return pop.mutate(churned=churned)


def _rejoined(prep: Prepared, pop: ir.Table, spec: LabelSpec) -> ir.Table:
    """Customers whose person signed up again (another customer id) within the grace period."""
    key = spec.rejoin_key
    other = prep.customers.select(
        o_key=prep.customers.key, o_person=prep.customers[key], o_signup=prep.customers.signup_day
    )
    pairs = pop.inner_join(
        other,
        [
            pop[key] == other.o_person,
            pop.key != other.o_key,
            other.o_signup >= pop.end_day,
            other.o_signup <= pop.end_day + spec.grace_days,
        ],
    )
    return pairs.select("key").distinct()


def _inactivity_population(
    prep: Prepared, c: CutoffBounds, spec: LabelSpec, *, label: bool
) -> ir.Table:
    """Active = a known bill in the look-back; churned = no bill in the label window."""
    if prep.bills is None:
        raise SpecError("The inactivity definition needs a bills table (bills or purchases).")
    bills = prep.bills
    recent = bills.filter(d.known_at(bills, c) & d.in_last_days(bills.day, c, spec.lookback_days))
    pop = prep.customers.filter(prep.customers.key.isin(recent.key))
    if not label:
        return pop
    start, end = label_window(c, spec)
    future = bills.filter((bills.day > start) & (bills.day <= end))
    return pop.mutate(churned=~pop.key.isin(future.key))


def first_pass(
    prep: Prepared,
    c: CutoffBounds,
    vocab: Mapping[str, tuple[str, ...]],
    flags: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, ir.Table]:
    """Each event table's per-customer aggregates at the cutoff, by table name (and
    ``payments`` where the late bills are kept apart); bills and events set apart by
    :func:`churnlab.features.prepare.settle` are left out, :func:`cutoff_query` adds them.

    With ``flags`` (row-check columns, by table name) every row is grouped and the flags are
    counted beside the features (see :func:`churnlab.features.definitions.bill_totals`): the
    caller computes these first, checks them, and passes them to :func:`cutoff_query`, so one
    pass over each table does both.
    """

    def flagged(table: str) -> Sequence[str] | None:
        return None if flags is None else flags.get(table, ())

    out: dict[str, ir.Table] = {}
    if prep.bills is not None:
        bills = prep.recent_bills if prep.recent_bills is not None else prep.bills
        late = prep.late_bills
        out["bills"] = d.bill_totals(bills, c, flagged("bills"), payments=late is None)
        if late is not None:
            out["payments"] = d.late_payments(late, c)
    if prep.complaints is not None:
        cats = vocab.get("complaints.category", ())
        out["complaints"] = d.complaint_aggregates(prep.complaints, c, cats, flagged("complaints"))
    if prep.events is not None:
        kinds = vocab.get("service_events.kind", ())
        out["service_events"] = d.failure_aggregates(
            prep.events, c, kinds, flagged("service_events")
        )
    return out


def cutoff_query(
    prep: Prepared,
    c: CutoffBounds,
    spec: LabelSpec,
    vocab: Mapping[str, tuple[str, ...]],
    features: list[Feature],
    *,
    label: bool,
    first: Mapping[str, ir.Table] | None = None,
) -> ir.Table:
    """The feature table of one cutoff: ``customer_id``, ``cutoff``, [``churned``], features.

    ``first``: the tables' aggregates from :func:`first_pass`, when computed already.

    Rows are ordered by ``customer_id``. When integer keys follow the id order
    (``prep.key_in_id_order``) the rows are sorted by key instead (about 0.15 s less per cutoff
    at 1M customers than sorting text) and ``key`` comes first, for the caller to drop.
    """
    t = population(prep, c, spec, label=label)
    aggregates = dict(first) if first is not None else first_pass(prep, c, vocab)
    wipes = aggregates.get("payments", aggregates.get("bills"))
    if prep.bills is not None and wipes is not None and "last_wipe_day" in wipes.columns:
        bills = prep.wipe_bills if prep.wipe_bills is not None else prep.bills
        aggregates["loyalty"] = d.spend_after_wipe(bills, c, wipes)
    settled = [prep.settled_bills, prep.settled_events]
    # One chain of joins, their keys renamed apart and dropped at the end: dropping each
    # right key as it comes nests a query per join, which Ibis compiles slowly.
    tables = [*aggregates.values(), *(s for s in settled if s is not None)]
    right_keys = [f"key_{i}" for i in range(len(tables))]
    for table, right_key in zip(tables, right_keys, strict=True):
        right = table.rename({right_key: "key"})
        t = t.left_join(right, t.key == right[right_key])
    t = t.drop(*right_keys)
    t = d.with_settled(t)
    if "spend_m1" in t.columns:
        t = t.mutate(**d.spend_months(t))
    values = _feature_values(t, c, prep)
    out: dict[str, ir.Value] = {
        "customer_id": t.customer_id,
        "cutoff": ibis.literal(c.cutoff.to_pydatetime()).cast("timestamp"),
    }
    if label:
        out["churned"] = t.churned.cast("boolean")
    for feature in features:
        value = values[feature.name] if feature.name in values else t[feature.name]
        if feature.kind == "count":
            out[feature.name] = value.fill_null(0).cast("int32")
        elif feature.kind == "float":
            out[feature.name] = value.cast("float32")
        else:
            out[feature.name] = value
    if prep.key_in_id_order:
        return t.select(key=t.key, **out).order_by("key")
    return t.select(**out).order_by("customer_id")


def _feature_values(t: ir.Table, c: CutoffBounds, prep: Prepared) -> dict[str, ir.Value]:
    """Features derived from aggregates (the rest are aggregate columns as they are)."""
    v: dict[str, ir.Value] = {}
    cols = set(t.columns)
    if prep.has_signup:
        v["tenure_days"] = ibis.literal(c.day) - t.signup_day
    if "spend_m1" in cols:
        v.update(d.spend_features(t))
        v["months_since_last_bill"] = (ibis.literal(c.day) - t.last_bill_day) / d.DAYS_PER_MONTH
    if "last_wipe_day" in cols and prep.has_signup:
        # Points restart at the last late payment: months since then plus a point per 10 spent.
        start = ibis.greatest(t.signup_day, t.last_wipe_day.fill_null(t.signup_day))
        months = ((ibis.literal(c.day) - start) / d.DAYS_PER_MONTH).floor()
        spend = t.last_wipe_day.isnull().ifelse(
            t.spend_total.fill_null(0), t.spend_after_wipe.fill_null(0)
        )
        # Whole cents first: a float sum of 30.00 can come out as 29.999999999999996.
        cents = (spend * 100.0).round(0)
        v["loyalty_points"] = months + (cents / 1000.0).floor()
    if "last_complaint_day" in cols:
        v["days_since_complaint"] = d.days_since(c, t.last_complaint_day)
        v["repeat_complaints_90d"] = t.complaints_90d.fill_null(0) - t.categories_90d.fill_null(0)
    if "oldest_open_day" in cols:
        v["open_complaint_age_days_max"] = d.days_since(c, t.oldest_open_day)
    if "last_failure_day" in cols:
        v["days_since_failure"] = d.days_since(c, t.last_failure_day)
        f30, f90 = t.failures_30d.fill_null(0), t.failures_90d.fill_null(0)
        v["failure_rate_trend"] = (f30 + 1.0) / ((f90 - f30) / 2.0 + 1.0)
    if "outage_minutes_90d" in cols:
        v["outage_minutes_90d"] = t.outage_minutes_90d.fill_null(0.0)
    return v
