"""The feature registry: every feature's name, family, meaning and plain-language reason."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from churnlab.errors import SpecError


@dataclass(frozen=True, kw_only=True)
class Feature:
    """One point-in-time feature.

    ``template`` renders a reason with the fields ``value``, ``direction`` ("up"/"down") and
    ``pct_change`` (``abs(value - 1)`` for ratios), e.g. ``"{value:.0f} complaints in the last 90
    days"``. ``requires`` names the table and columns it needs; a feature whose columns are
    missing is left out rather than filled with zeros.
    """

    name: str
    family: str
    description: str
    reason_category: str
    template: str
    table: str
    requires: tuple[str, ...] = ()
    kind: str = "float"
    """``count`` (whole number, 0 without events), ``float``, or ``category``."""

    def reason(self, value: object) -> str:
        """The reason this feature's value gives, in words for marketing.

        >>> get_feature("complaints_90d").reason(3)
        '3 complaints in the last 90 days'
        >>> get_feature("spend_ratio_3m").reason(0.65)
        'spend down 35% on the previous quarter'
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"{self.description} unknown"
        if self.kind == "category":
            return self.template.format(value=value)
        number = float(value)  # type: ignore[arg-type]
        return self.template.format(
            value=number,
            direction="up" if number >= 1 else "down",
            pct_change=abs(number - 1),
        )


def _f(
    name: str,
    family: str,
    description: str,
    reason: str,
    template: str,
    table: str,
    requires: tuple[str, ...] = (),
    kind: str = "float",
) -> Feature:
    return Feature(
        name=name,
        family=family,
        description=description,
        reason_category=reason,
        template=template,
        table=table,
        requires=requires,
        kind=kind,
    )


# fmt: off
CORE_FEATURES: tuple[Feature, ...] = (
    _f("tenure_days", "tenure", "days since signup", "tenure",
       "customer for {value:.0f} days", "customers", ("signup_date",), "count"),
    _f("spend_last_month", "spend", "spend in the last month", "price",
       "spent {value:,.2f} in the last month", "bills"),
    _f("spend_mean_3m", "spend", "mean monthly spend over the last 3 months", "price",
       "spends {value:,.2f} a month on average", "bills"),
    _f("spend_ratio_3m", "spend", "spend in the last 3 months over the 3 months before", "price",
       "spend {direction} {pct_change:.0%} on the previous quarter", "bills"),
    _f("spend_slope_6m", "spend", "least-squares trend of monthly spend over 6 months", "price",
       "monthly spend changing by {value:+,.2f} a month", "bills"),
    _f("spend_max_increase_6m", "spend", "largest month-on-month spend increase in 6 months",
       "price", "a bill jump of {value:,.2f} in the last 6 months", "bills"),
    _f("spend_std_6m", "spend", "volatility (standard deviation) of monthly spend over 6 months",
       "price", "monthly spend varies by {value:,.2f}", "bills"),
    _f("months_since_last_bill", "spend", "months since the last bill", "engagement",
       "no bill for {value:.1f} months", "bills"),
    _f("late_payments_12m", "payment", "bills due in the last 12 months paid late or not yet",
       "payment", "{value:.0f} late payments in the last 12 months", "bills",
       ("due_date", "paid_date"), "count"),
    _f("unpaid_bills", "payment", "overdue bills not paid by the cutoff", "payment",
       "{value:.0f} overdue unpaid bills", "bills", ("due_date", "paid_date"), "count"),
    _f("loyalty_points", "payment",
       "loyalty points: months of tenure plus a point per 10 of spend, wiped by a late payment",
       "payment", "{value:,.0f} loyalty points", "bills", ("due_date", "paid_date")),
    _f("complaints_30d", "complaints", "complaints opened in the last 30 days", "service",
       "{value:.0f} complaints in the last 30 days", "complaints", (), "count"),
    _f("complaints_90d", "complaints", "complaints opened in the last 90 days", "service",
       "{value:.0f} complaints in the last 90 days", "complaints", (), "count"),
    _f("complaints_365d", "complaints", "complaints opened in the last 365 days", "service",
       "{value:.0f} complaints in the last year", "complaints", (), "count"),
    _f("complaints_open", "complaints", "complaints still open at the cutoff", "service",
       "{value:.0f} complaints still unresolved", "complaints", ("resolved_at",), "count"),
    _f("complaint_resolve_days_mean", "complaints",
       "mean days to resolve complaints opened in the last 365 days", "service",
       "complaints took {value:.1f} days to resolve on average", "complaints", ("resolved_at",)),
    _f("open_complaint_age_days_max", "complaints", "age in days of the oldest open complaint",
       "service", "a complaint open for {value:.0f} days", "complaints", ("resolved_at",)),
    _f("repeat_complaints_90d", "complaints",
       "complaints in the last 90 days about a category already raised in those 90 days",
       "service", "{value:.0f} repeated complaints in the last 90 days", "complaints", (), "count"),
    _f("days_since_complaint", "complaints", "days since the last complaint", "service",
       "last complaint {value:.0f} days ago", "complaints"),
    _f("failures_7d", "service", "service failures in the last 7 days", "service",
       "{value:.0f} service failures in the last week", "service_events", (), "count"),
    _f("failures_30d", "service", "service failures in the last 30 days", "service",
       "{value:.0f} service failures in the last 30 days", "service_events", (), "count"),
    _f("failures_90d", "service", "service failures in the last 90 days", "service",
       "{value:.0f} service failures in the last 90 days", "service_events", (), "count"),
    _f("outage_minutes_90d", "service", "minutes of service failure in the last 90 days",
       "service", "{value:,.0f} minutes without service in the last 90 days", "service_events",
       ("duration_minutes",)),
    _f("failure_rate_trend", "service",
       "failure rate of the last 30 days over that of the 60 days before (smoothed)", "service",
       "service failures {direction} {pct_change:.0%} on the previous two months",
       "service_events"),
    _f("days_since_failure", "service", "days since the last service failure", "service",
       "last service failure {value:.0f} days ago", "service_events"),
)
# fmt: on

_REGISTRY = {f.name: f for f in CORE_FEATURES}
_SLUG = re.compile(r"[^\w]+", re.UNICODE)


def slug(value: str) -> str:
    """A column-name-safe form of a category value (letters of any language are kept).

    >>> slug("Dropped call"), slug("网络 问题")
    ('dropped_call', '网络_问题')
    """
    return _SLUG.sub("_", str(value).strip().lower()).strip("_") or "blank"


def category_slugs(values: Sequence[str]) -> dict[str, str]:
    """Distinct column-name parts for category values, in their order.

    Values that share a slug ("Dropped call", "dropped_call") get ``_2``, ``_3`` ... so that
    every value keeps a column of its own.

    >>> category_slugs(["Dropped call", "dropped_call", "outage"])
    {'Dropped call': 'dropped_call', 'dropped_call': 'dropped_call_2', 'outage': 'outage'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for value in values:
        base = candidate = slug(value)
        n = 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        out[value] = candidate
    return out


def category_count_feature(table: str, value: str, part: str | None = None) -> Feature:
    """The per-category count feature of a complaint category or a failure kind.

    ``part`` is the value's column-name part (see :func:`category_slugs`).
    """
    part = part or slug(value)
    if table == "complaints":
        return _f(
            f"complaints_365d_{part}",
            "complaints",
            f"complaints about {value} in the last 365 days",
            "service",
            f"{{value:.0f}} complaints about {value} in the last year",
            table,
            ("category",),
            "count",
        )
    return _f(
        f"failures_90d_{part}",
        "service",
        f"service failures of kind {value} in the last 90 days",
        "service",
        f"{{value:.0f}} {value} failures in the last 90 days",
        table,
        ("kind",),
        "count",
    )


def attribute_feature(column: str, *, categorical: bool) -> Feature:
    """A customer attribute used as a feature as it is."""
    return _f(
        column,
        "attributes",
        f"customer attribute {column}",
        "product",
        f"{column} is {{value}}" if categorical else f"{column} is {{value:,.2f}}",
        "customers",
        (column,),
        "category" if categorical else "float",
    )


def get_feature(name: str) -> Feature:
    """The registered core feature called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise SpecError(f"Unknown feature {name!r}.{hint}") from None


def list_features() -> pd.DataFrame:
    """The core features: name, family, description, reason category, table and kind.

    >>> list_features().loc[lambda f: f["name"] == "tenure_days", "family"].item()
    'tenure'
    """
    return pd.DataFrame(
        [
            {
                "name": f.name,
                "family": f.family,
                "description": f.description,
                "reason_category": f.reason_category,
                "table": f.table,
                "kind": f.kind,
            }
            for f in CORE_FEATURES
        ]
    )
