"""Plan fit: bills against the plan's fee.

Bills running above the plan's fee (out-of-plan charges) are a price reason: the customer
pays more than the plan promised (a plan too small for the usage shows as throttled or
slow data too, a product reason of the service family). The family needs the plan's fee as a customer attribute called ``monthly_fee``
(map yours in ``[columns.customers]`` of churnlab.toml).
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
    """Spend over the last three months against the plan's fee."""

    name = "plan_fit"
    table = "bills"
    entries = (
        Feature(
            name="spend_over_fee_3m",
            family="plan_fit",
            description="spend in the last 3 months over 3 times the plan's monthly fee",
            reason_category="price",
            template="spend {direction} {pct_change:.0%} on the plan's fee",
            table="bills",
            requires=(FEE,),
            unit="ratio",
            reason_group="spend_over_fee",
            texts=say(
                "bills {value} on the plan's fee over the last 3 months",
                "近3个月账单比套餐月费{direction}{pct_change}",
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
        recent = (bills.rows.day > c.month_bounds[MONTHS]) & (bills.rows.day <= c.day)
        bills.add(spend_fee_months=bills.only(bills.rows.amount, recent).sum())

    def settles(self, table: str, c: CutoffBounds) -> int | None:
        return c.month_bounds[MONTHS] if table == "bills" else None

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        fee = t[FEE].cast("float64")
        whole = t.signup_day.isnull() | (t.signup_day <= c.month_bounds[MONTHS])
        ratio = t.spend_fee_months.fill_null(0) / (fee * float(MONTHS))
        return {"spend_over_fee_3m": (whole & (fee > 0)).ifelse(ratio, ibis.null("float64"))}
