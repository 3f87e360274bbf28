"""Service: failures of the service the customer pays for (outages, dropped calls, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import ibis.expr.types as ir

from churnlab.features.definitions import days_since
from churnlab.features.family import Feature, FeatureFamily, Scans, Total, category_slugs
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

FAILURE_DAYS = 90
"""The longest window of the service-failure counts."""
VOCABULARY = "service_events.kind"


def _failure(
    name: str,
    description: str,
    template: str,
    *,
    requires: tuple[str, ...] = (),
    kind: str = "float",
    group: str = "service_failures",
    per_value: bool = False,
) -> Feature:
    return Feature(
        name=name,
        family="service",
        description=description,
        reason_category="service",
        template=template,
        table="service_events",
        requires=requires,
        kind=kind,  # type: ignore[arg-type]
        reason_group=group,
        per_value=per_value,
    )


class Service(FeatureFamily):
    """Failures in the last 7, 30 and 90 days, outage minutes, their trend, and a count per
    kind of failure."""

    name = "service"
    table = "service_events"
    entries = (
        _failure(
            "failures_7d",
            "service failures in the last 7 days",
            "{value:.0f} service failures in the last week",
            kind="count",
        ),
        _failure(
            "failures_30d",
            "service failures in the last 30 days",
            "{value:.0f} service failures in the last 30 days",
            kind="count",
        ),
        _failure(
            "failures_90d",
            "service failures in the last 90 days",
            "{value:.0f} service failures in the last 90 days",
            kind="count",
        ),
        _failure(
            "outage_minutes_90d",
            "minutes of service failure in the last 90 days",
            "{value:,.0f} minutes without service in the last 90 days",
            requires=("duration_minutes",),
            group="outage_minutes",
        ),
        _failure(
            "failure_rate_trend",
            "failure rate of the last 30 days over that of the 60 days before (smoothed)",
            "service failures {direction} {pct_change:.0%} on the previous two months",
            group="failure_trend",
        ),
        _failure(
            "days_since_failure",
            "days since the last service failure",
            "last service failure {value:.0f} days ago",
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


def kind_feature(value: str, part: str) -> Feature:
    """The count of service failures of one kind (``part``: its column-name part).

    >>> kind_feature("Dropped call", "dropped_call").reason(1)
    '1 Dropped call failures in the last 90 days'
    """
    return _failure(
        f"failures_90d_{part}",
        f"service failures of kind {value} in the last 90 days",
        f"{{value:.0f}} {value} failures in the last 90 days",
        requires=("kind",),
        kind="count",
        per_value=True,
    )
