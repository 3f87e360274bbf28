"""Attributes: the customer's own columns (plan, region, contract, ...), used as they are.

Personal data (names, phones, ...) are never among them: see
:func:`churnlab.tables.contract.looks_personal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from churnlab.features.family import Feature, FeatureFamily

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


def attribute_feature(column: str, *, categorical: bool) -> Feature:
    """A customer attribute used as a feature as it is.

    >>> attribute_feature("plan", categorical=True).reason("basic")
    'plan is basic'
    """
    return Feature(
        name=column,
        family="attributes",
        description=f"customer attribute {column}",
        reason_category="product",
        template=f"{column} is {{value}}" if categorical else f"{column} is {{value:,.2f}}",
        table="customers",
        requires=(column,),
        kind="category" if categorical else "float",
        per_value=True,
    )
