"""Attributes: the customer's own columns (plan, region, contract, ...), used as they are.

Personal data (names, phones, ...) are never among them: see
:func:`churnlab.tables.contract.looks_personal`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from churnlab.features.family import Feature, FeatureFamily, literal, say

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared


class Attributes(FeatureFamily):
    """Every non-personal customer attribute; text ones with fixed category lists."""

    name = "attributes"
    table = "customers"

    def features(self, prep: Prepared, vocab: Mapping[str, tuple[str, ...]]) -> list[Feature]:
        return [
            attribute_feature(column, categorical=f"customers.{column}" in vocab)
            for column in prep.attributes
        ]


# Attribute names that say which kind of reason the attribute gives, first match wins. Contract,
# region and the like explain churn but no offer changes them (see the action table).
_CATEGORIES = (
    ("contract", re.compile(r"contract|commitment|term", re.I)),
    ("region", re.compile(r"region|city|area|province|state|country|zone|district", re.I)),
    ("payment", re.compile(r"payment|pay_method|billing_method", re.I)),
    ("price", re.compile(r"fee|price|tariff_amount|charge|discount", re.I)),
    ("product", re.compile(r"plan|tariff|package|product|bundle|service|device|speed", re.I)),
)


def attribute_category(column: str) -> str:
    """The reason category of a customer attribute, by its name (``other`` when none fits).

    >>> [attribute_category(c) for c in ("contract", "region", "monthly_fee", "plan", "age")]
    ['contract', 'region', 'price', 'product', 'other']
    """
    for category, pattern in _CATEGORIES:
        if pattern.search(column):
            return category
    return "other"


def attribute_feature(column: str, *, categorical: bool) -> Feature:
    """A customer attribute used as a feature as it is.

    >>> attribute_feature("plan", categorical=True).reason("basic")
    'plan: basic'
    >>> attribute_feature("monthly_fee", categorical=False).reason(29, language="zh")
    'monthly fee：29'
    """
    label = literal(column.replace("_", " "))
    return Feature(
        name=column,
        family="attributes",
        description=f"customer attribute {column}",
        reason_category=attribute_category(column),
        template=f"{label} is {{value}}" if categorical else f"{label} is {{value:,.2f}}",
        table="customers",
        requires=(column,),
        kind="category" if categorical else "float",
        per_value=True,
        unit="category" if categorical else "number",
        texts=say(
            f"{label}: {{value}}",
            f"{label}：{{value}}",
            missing=(f"{label} not known", f"{label}未知"),
        ),
    )
