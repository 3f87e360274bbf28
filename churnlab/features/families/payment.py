"""Payment: late and unpaid bills, and the loyalty points a late payment wipes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import ibis
import ibis.expr.types as ir

from churnlab.features.definitions import DAYS_PER_MONTH, known_at
from churnlab.features.family import Feature, FeatureFamily, Scans, Total, say
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

_NEEDS = ("due_date", "paid_date")


class Payment(FeatureFamily):
    """Bills paid late or not at all; loyalty points (a point per month of tenure and per 10
    of spend, restarted by a late payment), from the domain primer."""

    name = "payment"
    table = "bills"
    entries = (
        Feature(
            name="late_payments_12m",
            family="payment",
            description="bills due in the last 12 months paid late or not yet",
            reason_category="payment",
            template="{value:.0f} late payments in the last 12 months",
            table="bills",
            requires=_NEEDS,
            kind="count",
            reason_group="late_payment",
            unit="count",
            texts=say(
                "{value} late payments in the last 12 months",
                "近12个月逾期缴费{value}次",
                en_one="{value} late payment in the last 12 months",
                zero=("no late payment in the last 12 months", "近12个月没有逾期缴费"),
            ),
        ),
        Feature(
            name="unpaid_bills",
            family="payment",
            description="overdue bills not paid by the cutoff",
            reason_category="payment",
            template="{value:.0f} overdue unpaid bills",
            table="bills",
            requires=_NEEDS,
            kind="count",
            reason_group="late_payment",
            unit="count",
            texts=say(
                "{value} overdue bills unpaid",
                "{value}张逾期账单未付",
                en_one="{value} overdue bill unpaid",
                zero=("no overdue bill unpaid", "没有逾期未付的账单"),
            ),
        ),
        Feature(
            name="loyalty_points",
            family="payment",
            description=(
                "loyalty points: months of tenure plus a point per 10 of spend, wiped by a "
                "late payment"
            ),
            # A tenure fact: the points count months and spend. What a late payment took is
            # the payment reason `points_lost`.
            reason_category="tenure",
            template="{value:,.0f} loyalty points",
            table="bills",
            requires=_NEEDS,
            unit="count",
            texts=say(
                "only {value} loyalty points",
                "积分仅{value}分",
                en_one="only {value} loyalty point",
                zero=(
                    "no loyalty points (new, or wiped by a late payment)",
                    "积分为零（新客户或因逾期清零）",
                ),
            ),
        ),
        Feature(
            name="points_lost",
            family="payment",
            description="loyalty points lost to late payments (the points a customer would "
            "have without them, less the points they have)",
            reason_category="payment",
            template="{value:,.0f} loyalty points lost to late payments",
            table="bills",
            requires=_NEEDS,
            unit="count",
            reason_group="lost_points",
            texts=say(
                "{value} loyalty points lost to late payments",
                "因逾期缴费损失积分{value}分",
                en_one="{value} loyalty point lost to a late payment",
                zero=("no loyalty points lost to a late payment", "没有因逾期损失积分"),
            ),
        ),
        Feature(
            name="days_since_late_payment",
            family="payment",
            description="days since the due date of the last bill paid late or not at all",
            reason_category="payment",
            template="last late payment {value:.0f} days ago",
            table="bills",
            requires=_NEEDS,
            unit="days",
            reason_group="lost_points",
            missing_is_none=True,
            texts=say(
                "last late payment {value} days ago",
                "上次逾期缴费在{value}天前",
                en_one="last late payment {value} day ago",
                missing=("no late payment on record", "没有逾期缴费记录"),
            ),
        ),
    )
    totals: ClassVar[Mapping[str, Total]] = {"spend_total": Total("bills", "amount", "sum")}

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        found = super().features(prep, vocab)
        needs_signup = ("loyalty_points", "points_lost")
        return [f for f in found if f.name not in needs_signup or prep.has_signup]

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        """Late payments in the last year, bills unpaid at the cutoff, the last late due day:
        from the bills paid late or never when kept apart (many cutoffs: 3% of the bills, and
        every late or unpaid bill is among them), else in the pass over every bill."""
        scan = scans.get("late_bills") or scans["bills"]
        b = scan.rows
        late = (b.due_day <= c.day) & (b.paid_day.isnull() | (b.paid_day > b.due_day))
        unpaid = (b.due_day <= c.day) & (b.paid_day.isnull() | (b.paid_day > c.day))
        scan.add(
            late_payments_12m=scan.count(late & (b.due_day > c.days_back(365))),
            unpaid_bills=scan.count(unpaid),
            last_wipe_day=scan.only(b.due_day, late).max(),
        )

    def settles(self, table: str, c: CutoffBounds) -> int | None:
        # Its windows read the late bills, which are never set apart: of the other bills it
        # needs only the total spend.
        return c.day if table == "bills" else None

    def second_pass(
        self, prep: Prepared, c: CutoffBounds, first: Mapping[str, ir.Table]
    ) -> ir.Table | None:
        """Per customer, the spend since the last late payment wiped the points: a second
        pass over the bills of customers with a wipe (those a wipe can precede, when kept
        apart for many cutoffs).

        The pass filters the bills itself: one filtered relation read twice becomes a CTE that
        DuckDB materialises (21M rows at 1M customers: +1.3 s).
        """
        wipes = first.get("late_bills", first.get("bills"))
        if prep.bills is None or wipes is None or "last_wipe_day" not in wipes.columns:
            return None
        bills = prep.wipe_bills if prep.wipe_bills is not None else prep.bills
        wiped = wipes.filter(wipes.last_wipe_day.notnull()).select("key", "last_wipe_day")
        joined = bills.inner_join(wiped, "key")
        after = joined.filter(known_at(joined, c) & (joined.day > joined.last_wipe_day))
        return after.group_by("key").aggregate(spend_after_wipe=after.amount.sum())

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        if "last_wipe_day" not in t.columns:
            return {}
        since = {"days_since_late_payment": ibis.literal(c.day) - t.last_wipe_day}
        if "signup_day" not in t.columns:
            return since
        # Points restart at the last late payment: months since then plus a point per 10 spent.
        start = ibis.greatest(t.signup_day, t.last_wipe_day.fill_null(t.signup_day))
        spend = t.last_wipe_day.isnull().ifelse(
            t.spend_total.fill_null(0), t.spend_after_wipe.fill_null(0)
        )
        points = _points(start, spend, c)
        # Without any wipe, the points they would have are the points they have.
        unwiped = _points(t.signup_day, t.spend_total.fill_null(0), c)
        return {**since, "loyalty_points": points, "points_lost": unwiped - points}


def _points(start: ir.IntegerValue, spend: ir.FloatingValue, c: CutoffBounds) -> ir.FloatingValue:
    """A point per whole month since ``start`` plus a point per whole 10 of ``spend``."""
    months = ((ibis.literal(c.day) - start) / DAYS_PER_MONTH).floor()
    # Whole cents first: a float sum of 30.00 can come out as 29.999999999999996.
    cents = (spend * 100.0).round(0)
    return months + (cents / 1000.0).floor()
