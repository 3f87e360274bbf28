"""Service: failures of the service the customer pays for (outages, dropped calls, ...)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import ibis.expr.types as ir

from churnlab.features.definitions import days_since
from churnlab.features.family import (
    Feature,
    FeatureFamily,
    Scans,
    Total,
    category_slugs,
    counted,
    entry,
    literal,
    say,
)
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

FAILURE_DAYS = 90
"""The longest window of the service-failure counts."""
VOCABULARY = "service_events.kind"


def _failure(
    name: str, description: str, texts: dict[str, dict[str, str]], **options: Any
) -> Feature:
    """An entry of this family (reason group 'service_failures' unless another is given)."""
    options.setdefault("group", "service_failures")
    return entry(
        "service",
        "service_events",
        options.pop("category", "service"),
        name,
        description,
        texts,
        **options,
    )


_counted = functools.partial(counted, "service failure", "service failures", "服务故障")


class Service(FeatureFamily):
    """Failures in the last 7, 30 and 90 days, outage minutes, their trend, and a count per
    kind of failure."""

    name = "service"
    table = "service_events"
    entries = (
        _failure(
            "failures_7d",
            "service failures in the last 7 days",
            _counted("in the last week", "近7天"),
            kind="count",
        ),
        _failure(
            "failures_30d",
            "service failures in the last 30 days",
            _counted("in the last 30 days", "近30天"),
            kind="count",
        ),
        _failure(
            "failures_90d",
            "service failures in the last 90 days",
            _counted("in the last 90 days", "近90天"),
            kind="count",
        ),
        _failure(
            "outage_minutes_90d",
            "minutes of service failure in the last 90 days",
            say(
                "{value} minutes without service in the last 90 days",
                "近90天服务中断{value}分钟",
                en_one="{value} minute without service in the last 90 days",
                zero=("no time without service in the last 90 days", "近90天没有服务中断"),
            ),
            requires=("duration_minutes",),
            unit="minutes",
            group="outage_minutes",
        ),
        _failure(
            "failure_rate_trend",
            "failure rate of the last 30 days over that of the 60 days before (smoothed)",
            say(
                "service failures {direction} {pct_change} on the previous two months",
                "服务故障较前两个月{direction}{pct_change}",
            ),
            unit="ratio",
            group="failure_trend",
        ),
        _failure(
            "days_since_failure",
            "days since the last service failure",
            say(
                "last service failure {value} days ago",
                "最近一次服务故障在{value}天前",
                en_one="last service failure {value} day ago",
                missing=("no service failure on record", "没有服务故障记录"),
            ),
            unit="days",
            missing_is_none=True,
        ),
    )
    totals: ClassVar[Mapping[str, Total]] = {
        "last_failure_day": Total("service_events", "day", "max")
    }

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        if prep.events is None:
            return []
        per_kind = [
            kind_feature(value, part)
            for value, part in category_slugs(vocab.get(VOCABULARY, ())).items()
        ]
        return [*super().features(prep, vocab), *per_kind]

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        scan = scans["service_events"]
        e = scan.rows
        last_90 = scan.in_last_days(FAILURE_DAYS)
        scan.add(
            failures_7d=scan.count(scan.in_last_days(7)),
            failures_30d=scan.count(scan.in_last_days(30)),
            failures_90d=scan.count(last_90),
        )
        if "duration" in e.columns:
            scan.add(outage_minutes_90d=scan.only(e.duration, last_90).sum())
        for value, part in category_slugs(scans.vocabulary.get(VOCABULARY, ())).items():
            scan.add(**{f"failures_90d_{part}": scan.count(last_90 & (e.kind == value))})

    def settles(self, table: str, c: CutoffBounds) -> int | None:
        return c.days_back(FAILURE_DAYS) if table == "service_events" else None

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        f30, f90 = t.failures_30d.fill_null(0), t.failures_90d.fill_null(0)
        values = {
            "days_since_failure": days_since(c, t.last_failure_day),
            "failure_rate_trend": (f30 + 1.0) / ((f90 - f30) / 2.0 + 1.0),
        }
        if "outage_minutes_90d" in t.columns:
            values["outage_minutes_90d"] = t.outage_minutes_90d.fill_null(0.0)
        return values


_PLAN_TOO_SMALL = re.compile(r"slow|throttl|speed|quota|data.?cap|data.?limit", re.IGNORECASE)


def kind_category(kind: str) -> str:
    """The reason category of a kind of failure: ``product`` for those that a plan too small
    for the usage causes (throttled or slow data), else ``service``.

    >>> kind_category("slow_data"), kind_category("outage")
    ('product', 'service')
    """
    return "product" if _PLAN_TOO_SMALL.search(kind) else "service"


def kind_feature(value: str, part: str) -> Feature:
    """The count of service failures of one kind (``part``: its column-name part).

    >>> kind_feature("dropped call", "dropped_call").reason(1)
    '1 dropped call failure in the last 90 days'
    """
    kind = literal(value)
    return _failure(
        f"failures_90d_{part}",
        f"service failures of kind {value} in the last 90 days",
        say(
            f"{{value}} {kind} failures in the last 90 days",
            f"近90天“{kind}”故障{{value}}次",
            en_one=f"{{value}} {kind} failure in the last 90 days",
            zero=(f"no {kind} failure in the last 90 days", f"近90天没有“{kind}”故障"),
        ),
        requires=("kind",),
        kind="count",
        per_value=True,
        category=kind_category(value),
        # A plan too small is one fact, however it shows (slow data, bills above the fee).
        group="plan_fit" if kind_category(value) == "product" else "service_failures",
    )
