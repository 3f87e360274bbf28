"""Spend: how much the customer spends, its trend, volatility and bill shocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import ibis
import ibis.expr.types as ir

from churnlab.features.definitions import DAYS_PER_MONTH
from churnlab.features.family import Feature, FeatureFamily, Scans, Total, say
from churnlab.features.wording import Unit
from churnlab.labels.window import CutoffBounds

SPEND_MONTHS = 6
"""Monthly spend sums reach this many months back (``spend_m1`` .. ``spend_m6``)."""
SLOPE_WEIGHTS = tuple((5 - k - 2.5) / 17.5 for k in range(6))
"""Least-squares slope over six monthly sums with x = 5 (last month) .. 0: sum(w_k * y_k)."""


_TOO_SHORT = ("too few months since signup to tell", "在网时间太短，无法判断")


def _spend(
    name: str,
    description: str,
    texts: dict[str, dict[str, str]],
    *,
    unit: Unit = "money",
    group: str = "spend_change",
    category: str = "price",
) -> Feature:
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
                missing=_TOO_SHORT,
            ),
            unit="ratio",
        ),
        _spend(
            "spend_slope_6m",
            "least-squares trend of monthly spend over 6 months",
            say(
                "monthly spend changing by {value} a month",
                "月消费每月变化{value}",
                missing=_TOO_SHORT,
            ),
        ),
        _spend(
            "spend_max_increase_6m",
            "largest month-on-month spend increase in 6 months",
            say(
                "a bill jump of {value} in the last 6 months",
                "近6个月账单最大涨幅{value}",
                zero=("no bill jump in the last 6 months", "近6个月账单没有上涨"),
            ),
        ),
        _spend(
            "spend_std_6m",
            "volatility (standard deviation) of monthly spend over 6 months",
            say("monthly spend varies by {value}", "月消费波动{value}", missing=_TOO_SHORT),
        ),
        _spend(
            "months_since_last_bill",
            "months since the last bill",
            say(
                "no bill for {value} months",
                "已{value}个月没有账单",
                en_one="no bill for {value} month",
                missing=("no bill on record", "没有账单记录"),
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
        """The six monthly sums with zero for no bills and their mean (``spend_mean_6m``): a
        stage of their own, which the features refer to (spelled out in each, the mean alone
        came 7 times, each a sum of six zero-filled columns)."""
        m = {f"spend_m{k}": t[f"spend_m{k}"].fill_null(0) for k in range(1, SPEND_MONTHS + 1)}
        return {**m, "spend_mean_6m": sum(m.values(), ibis.literal(0.0)) / float(SPEND_MONTHS)}

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        m = [t[f"spend_m{k}"] for k in range(1, SPEND_MONTHS + 1)]  # spend_m1 is the last month
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
            "months_since_last_bill": (ibis.literal(c.day) - t.last_bill_day) / DAYS_PER_MONTH,
        }
