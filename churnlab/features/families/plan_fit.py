"""Plan fit: each of the last three months' bills against the plan's fee.

Bills above the plan's fee mean two different things, with two different fixes:

- **every** bill above the fee (the lowest of the three months included) is a plan too small
  for the usage: a *product* reason, fixed by a bigger plan or a bundle (it shows as throttled
  slow data too, in the service family);
- **one** bill far above the others is a bill shock: a *price* reason, fixed by a plan review
  or a credit.

A single "spend over the fee" figure mixes the two, and its reason cannot say which fix to
offer: on the demo operator, the reasons built on it named the product for none of the
customers whose plan was too small, and with these two figures for 59% of them, at the cost
of 0.001 AUC (``benchmarks/bench_reasons.py``). The family needs the
plan's fee as a customer attribute called ``monthly_fee`` (map yours in
``[columns.customers]`` of churnlab.toml), and a customer with us for all three months.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from churnlab.features.family import Feature, FeatureFamily, Scans, say
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

FEE = "monthly_fee"
MONTHS = 3


class PlanFit(FeatureFamily):
    """The lowest monthly bill of the last three months over the plan's fee, and the highest
    over the lowest."""

    name = "plan_fit"
    table = "bills"
    entries = (
        Feature(
            name="spend_over_fee_min_3m",
            family="plan_fit",
            description="the lowest monthly spend of the last 3 months over the plan's fee",
            reason_category="product",
            template="lowest bill of the last 3 months {value} on the plan's fee",
            table="bills",
            requires=(FEE,),
            unit="ratio",
            reason_group="plan_fit",  # with slow data: a plan too small, however it shows
            missing_category="tenure",
            texts=say(
                "lowest bill of the last 3 months {value} on the plan's fee",
                "近3个月最低账单比套餐月费{direction}{pct_change}",
                missing=("joined less than 3 months ago", "入网不足3个月"),
            ),
        ),
        Feature(
            name="spend_peak_3m",
            family="plan_fit",
            description="the highest monthly spend of the last 3 months over the lowest",
            reason_category="price",
            template="highest bill of the last 3 months {value} on the lowest",
            table="bills",
            requires=(FEE,),
            unit="ratio",
            reason_group="bill_shock",
            missing_category="tenure",
            texts=say(
                "highest bill of the last 3 months {value} on the lowest",
                "近3个月最高账单比最低账单{direction}{pct_change}",
                missing=("joined less than 3 months ago", "入网不足3个月"),
            ),
        ),
    )

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        if prep.bills is None or FEE not in prep.attributes or f"customers.{FEE}" in vocab:
            return []  # no bills, or no numeric fee
        return list(self.entries)

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        bills = scans["bills"]
        b = bills.rows
        bills.add(
            **{
                f"fee_month_{k}": bills.only(
                    b.amount, (b.day > c.month_bounds[k]) & (b.day <= c.month_bounds[k - 1])
                ).sum()
                for k in range(1, MONTHS + 1)
            }
        )

    def settles(self, table: str, c: CutoffBounds) -> int | None:
        return c.month_bounds[MONTHS] if table == "bills" else None

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        """Missing without a fee or before three whole months with us; the peak is missing
        when a month had no bill (nothing to compare with)."""
        fee = t[FEE].cast("float64")
        whole = t.signup_day.isnull() | (t.signup_day <= c.month_bounds[MONTHS])
        months = [t[f"fee_month_{k}"].fill_null(0) for k in range(1, MONTHS + 1)]
        lowest, highest = ibis.least(*months), ibis.greatest(*months)
        known = whole & (fee > 0)
        nothing = ibis.null("float64")
        return {
            "spend_over_fee_min_3m": known.ifelse(lowest / fee, nothing),
            "spend_peak_3m": (known & (lowest > 0)).ifelse(highest / lowest, nothing),
        }
