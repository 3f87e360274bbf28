"""Spend: how much the customer spends, its trend, volatility and bill shocks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import ibis
import ibis.expr.types as ir

from churnlab.features.definitions import DAYS_PER_MONTH
from churnlab.features.family import Feature, FeatureFamily, Scans, Total, say
from churnlab.features.wording import Unit
from churnlab.labels.window import CutoffBounds

SPEND_MONTHS = 6
"""Monthly spend sums reach this many months back (``spend_m1`` .. ``spend_m6``)."""


_SIX_MONTHS = ("joined less than 6 months ago: no spend trend yet", "入网不足6个月，尚无消费趋势")
_THREE_MONTHS = ("joined less than 3 months ago: no spend trend yet", "入网不足3个月，尚无消费趋势")
_TWO_MONTHS = ("joined less than 2 months ago: no spend trend yet", "入网不足2个月，尚无消费趋势")


def _spend(
    name: str,
    description: str,
    texts: dict[str, dict[str, str]],
    *,
    unit: Unit = "money",
    group: str = "spend_change",
    category: str = "price",
) -> Feature:
    joined = texts["en"].get("missing", "").startswith("joined")
    return Feature(
        name=name,
        family="spend",
        description=description,
        reason_category=category,
        template=texts["en"]["other"],
        table="bills",
        reason_group=group,
        unit=unit,
        texts=texts,
        missing_category="tenure" if joined else "",
    )


class Spend(FeatureFamily):
    """Monthly spend sums over six months and what they show."""

    name = "spend"
    table = "bills"
    entries = (
        _spend(
            "spend_last_month",
            "spend in the last month",
            say(
                "spent {value} in the last month",
                "上月消费{value}",
                zero=("no spend in the last month", "上月无消费"),
            ),
            group="spend_level",
        ),
        _spend(
            "spend_mean_3m",
            "mean monthly spend over the last 3 months",
            say(
                "spends {value} a month on average",
                "近3个月月均消费{value}",
                missing=("no full month of spend yet", "尚无完整月份的消费"),
            ),
            group="spend_level",
        ),
        _spend(
            "spend_ratio_3m",
            "spend in the last 3 months over the 3 months before",
            say(
                "spend {direction} {pct_change} on the previous quarter",
                "消费较上季度{direction}{pct_change}",
                missing=_SIX_MONTHS,
            ),
            unit="ratio",
        ),
        _spend(
            "spend_slope_6m",
            "least-squares trend of monthly spend over 6 months",
            say(
                "monthly spend changing by {value} a month",
                "月消费每月变化{value}",
                missing=_THREE_MONTHS,
            ),
        ),
        _spend(
            "spend_max_increase_6m",
            "largest month-on-month spend increase in 6 months",
            say(
                "a bill jump of {value} in the last 6 months",
                "近6个月账单最大涨幅{value}",
                zero=("no bill jump in the last 6 months", "近6个月账单没有上涨"),
                missing=_TWO_MONTHS,
            ),
        ),
        _spend(
            "spend_std_6m",
            "volatility (standard deviation) of monthly spend over 6 months",
            say("monthly spend varies by {value}", "月消费波动{value}", missing=_THREE_MONTHS),
        ),
        _spend(
            "months_since_last_bill",
            "months since the last bill",
            say(
                "no bill for {value} months",
                "已{value}个月没有账单",
                en_one="no bill for {value} month",
                missing=("joined less than a month ago: no bill yet", "入网不足1个月，尚无账单"),
            ),
            unit="months",
            group="months_since_last_bill",
            category="engagement",
        ),
    )
    totals: ClassVar[Mapping[str, Total]] = {"last_bill_day": Total("bills", "day", "max")}

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        bills = scans["bills"]
        b = bills.rows
        bills.add(
            **{
                f"spend_m{k}": bills.only(
                    b.amount, (b.day > c.month_bounds[k]) & (b.day <= c.month_bounds[k - 1])
                ).sum()
                for k in range(1, SPEND_MONTHS + 1)
            }
        )

    def settles(self, table: str, c: CutoffBounds) -> int | None:
        return c.month_bounds[SPEND_MONTHS] if table == "bills" else None

    def stage(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        """The six monthly sums with zero for no bills, and ``spend_months_seen``: how many of
        them (the latest first) the customer was with us from their first day (a stage of
        their own, which the features refer to)."""
        m = {f"spend_m{k}": t[f"spend_m{k}"].fill_null(0) for k in range(1, SPEND_MONTHS + 1)}
        unknown = t.signup_day.isnull()  # no signup dates (some snapshot extracts): all seen
        seen = sum(
            (unknown | (t.signup_day <= c.month_bounds[k])).ifelse(1, 0)
            for k in range(1, SPEND_MONTHS + 1)
        )
        return {**m, "spend_months_seen": seen}

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        """Levels from the last months; trends only from the months since signup (a month
        before it would show as no spend: "spend up 200%" for a customer who just joined),
        missing when too few such months exist (ratio: all six; slope and volatility: 3;
        largest increase: 2)."""
        m = [t[f"spend_m{k}"] for k in range(1, SPEND_MONTHS + 1)]  # spend_m1 is the last month
        n = t.spend_months_seen
        recent, before = m[0] + m[1] + m[2], m[3] + m[4] + m[5]
        nothing = ibis.null("float64")
        increases = [(n >= k + 2).ifelse(m[k] - m[k + 1], 0.0) for k in range(SPEND_MONTHS - 1)]
        return {
            "spend_last_month": m[0],
            "spend_mean_3m": recent / 3.0,
            "spend_ratio_3m": ((before > 0) & (n >= SPEND_MONTHS)).ifelse(recent / before, nothing),
            "spend_slope_6m": _by_months_seen(n, m, _slope, nothing),
            "spend_max_increase_6m": (n >= 2).ifelse(ibis.greatest(0.0, *increases), nothing),
            "spend_std_6m": _by_months_seen(n, m, _std, nothing),
            "months_since_last_bill": _months_since_last_bill(t, c),
        }


def _months_since_last_bill(t: ir.Table, c: CutoffBounds) -> ir.NumericValue:
    """Months since the last bill; a customer never billed counts from signup once a month
    has passed (a fact about engagement: silent since joining), and is missing before that
    (a fact about tenure: no bill is due yet)."""
    since_bill = (ibis.literal(c.day) - t.last_bill_day) / DAYS_PER_MONTH
    since_signup = (ibis.literal(c.day) - t.signup_day) / DAYS_PER_MONTH
    silent = t.last_bill_day.isnull() & (t.signup_day <= c.month_bounds[1])
    return silent.ifelse(since_signup, since_bill)


def _slope(months: list[ir.NumericValue]) -> ir.NumericValue:
    """Least-squares slope of monthly spend over these months, the latest first."""
    xs = [len(months) - 1 - k for k in range(len(months))]
    mean = sum(xs) / len(xs)
    weights = [(x - mean) / sum((v - mean) ** 2 for v in xs) for x in xs]
    return sum((w * y for w, y in zip(weights, months, strict=True)), ibis.literal(0.0))


def _std(months: list[ir.NumericValue]) -> ir.NumericValue:
    """Population standard deviation of monthly spend over these months."""
    mean = sum(months, ibis.literal(0.0)) / float(len(months))
    return (sum(((y - mean) * (y - mean) for y in months), ibis.literal(0.0)) / len(months)).sqrt()


def _by_months_seen(
    n: ir.IntegerValue,
    months: list[ir.NumericValue],
    trend: Callable[[list[ir.NumericValue]], ir.NumericValue],
    nothing: ir.Value,
) -> ir.Value:
    """``trend`` over the months seen (3 to 6 of them), missing with fewer."""
    cases = [(n == size, trend(months[:size])) for size in range(SPEND_MONTHS, 2, -1)]
    return ibis.cases(*cases, else_=nothing)
