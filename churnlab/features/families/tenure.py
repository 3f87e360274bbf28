"""Tenure: how long the customer has been with us."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from churnlab.features.family import Feature, FeatureFamily, say
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared


class Tenure(FeatureFamily):
    """Days since signup (needs signup dates: snapshot extracts may lack them)."""

    name = "tenure"
    table = "customers"
    entries = (
        Feature(
            name="tenure_days",
            family="tenure",
            description="days since signup",
            reason_category="tenure",
            template="customer for {value:.0f} days",
            table="customers",
            requires=("signup_date",),
            kind="count",
            unit="days",
            texts=say(
                "customer for {value} days", "在网{value}天", en_one="customer for {value} day"
            ),
        ),
    )

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        return super().features(prep, vocab) if prep.has_signup else []

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        return {"tenure_days": ibis.literal(c.day) - t.signup_day}
