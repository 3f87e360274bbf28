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


# Attribute names that say which kind of reason the attribute gives, first match wins. They
# explain churn, but no offer changes who a customer is: none is a cause a retention action
# fixes (see the action table), and one that fits no name is "profile".
_CATEGORIES = (
    ("contract", re.compile(r"contract|commitment|term", re.I)),
    ("region", re.compile(r"region|city|area|province|state|country|zone|district", re.I)),
)


def attribute_category(column: str) -> str:
    """The reason category of a customer attribute, by its name (``profile`` when none fits).

    >>> [attribute_category(c) for c in ("contract", "region", "monthly_fee", "plan")]
    ['contract', 'region', 'profile', 'profile']
    """
    for category, pattern in _CATEGORIES:
        if pattern.search(column):
            return category
    return "profile"


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
