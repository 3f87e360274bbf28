"""Complaints: how many, how recent, how long they took, what they were about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from churnlab.features.definitions import days_since
from churnlab.features.family import Feature, FeatureFamily, Scans, category_slugs
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

VOCABULARY = "complaints.category"


def _complaint(
    name: str,
    description: str,
    template: str,
    *,
    requires: tuple[str, ...] = (),
    kind: str = "float",
    group: str = "complaints",
    per_value: bool = False,
) -> Feature:
    return Feature(
        name=name,
        family="complaints",
        description=description,
        reason_category="service",
        template=template,
        table="complaints",
        requires=requires,
        kind=kind,  # type: ignore[arg-type]
        reason_group=group,
        per_value=per_value,
    )


class Complaints(FeatureFamily):
    """Complaint counts over 30, 90 and 365 days, open complaints, resolution times, repeats,
    and a count per complaint category."""

    name = "complaints"
    table = "complaints"
    entries = (
        _complaint(
            "complaints_30d",
            "complaints opened in the last 30 days",
            "{value:.0f} complaints in the last 30 days",
            kind="count",
        ),
        _complaint(
            "complaints_90d",
            "complaints opened in the last 90 days",
            "{value:.0f} complaints in the last 90 days",
            kind="count",
        ),
        _complaint(
            "complaints_365d",
            "complaints opened in the last 365 days",
            "{value:.0f} complaints in the last year",
            kind="count",
        ),
        _complaint(
            "complaints_open",
            "complaints still open at the cutoff",
            "{value:.0f} complaints still unresolved",
            requires=("resolved_at",),
            kind="count",
            group="open_complaints",
        ),
        _complaint(
            "complaint_resolve_days_mean",
            "mean days to resolve complaints opened in the last 365 days",
            "complaints took {value:.1f} days to resolve on average",
            requires=("resolved_at",),
            group="complaint_handling",
        ),
        _complaint(
            "open_complaint_age_days_max",
            "age in days of the oldest open complaint",
            "a complaint open for {value:.0f} days",
            requires=("resolved_at",),
            group="open_complaints",
        ),
        _complaint(
            "repeat_complaints_90d",
            "complaints in the last 90 days about a category already raised in those 90 days",
            "{value:.0f} repeated complaints in the last 90 days",
            kind="count",
            group="complaint_handling",
        ),
        _complaint(
            "days_since_complaint",
            "days since the last complaint",
            "last complaint {value:.0f} days ago",
        ),
    )

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        if prep.complaints is None:
            return []
        per_category = [
            category_feature(value, part)
            for value, part in category_slugs(vocab.get(VOCABULARY, ())).items()
        ]
        return [*super().features(prep, vocab), *per_category]

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        scan = scans["complaints"]
        q = scan.rows
        last_90, last_365 = scan.in_last_days(90), scan.in_last_days(365)
        scan.add(
            complaints_30d=scan.count(scan.in_last_days(30)),
            complaints_90d=scan.count(last_90),
            complaints_365d=scan.count(last_365),
            # A distinct count keeps its filter: as a conditional value it is slower (0.29 s
            # against 0.21 s for the complaints at 1M customers).
            categories_90d=q.category.nunique(where=scan.when(last_90)),
            last_complaint_day=scan.only(q.day).max(),
        )
        if "resolved_day" in q.columns:
            open_ = q.resolved_day.isnull() | (q.resolved_day > c.day)
            resolved_in_year = last_365 & q.resolved_day.notnull() & (q.resolved_day <= c.day)
            resolve_days = (q.resolved_s - q.opened_s) / 86400.0
            scan.add(
                complaints_open=scan.count(open_),
                oldest_open_day=scan.only(q.day, open_).min(),
                complaint_resolve_days_mean=scan.only(resolve_days, resolved_in_year).mean(),
            )
        for value, part in category_slugs(scans.vocabulary.get(VOCABULARY, ())).items():
            scan.add(**{f"complaints_365d_{part}": scan.count(last_365 & (q.category == value))})

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        values = {
            "days_since_complaint": days_since(c, t.last_complaint_day),
            "repeat_complaints_90d": t.complaints_90d.fill_null(0) - t.categories_90d.fill_null(0),
        }
        if "oldest_open_day" in t.columns:
            values["open_complaint_age_days_max"] = days_since(c, t.oldest_open_day)
        return values


def category_feature(value: str, part: str) -> Feature:
    """The count of complaints about one category (``part``: its column-name part).

    >>> category_feature("Billing error", "billing_error").reason(2)
    '2 complaints about Billing error in the last year'
    """
    return _complaint(
        f"complaints_365d_{part}",
        f"complaints about {value} in the last 365 days",
        f"{{value:.0f}} complaints about {value} in the last year",
        requires=("category",),
        kind="count",
        per_value=True,
    )
