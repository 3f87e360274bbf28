"""The feature registry: every built-in feature's name, family, meaning and plain-language
reason, gathered from the families (:mod:`churnlab.features.families`) that define them."""

from __future__ import annotations

import pandas as pd

from churnlab.errors import SpecError, did_you_mean
from churnlab.features.families import BUILT_IN, attribute_feature
from churnlab.features.families.complaints import category_feature
from churnlab.features.families.service import kind_feature
from churnlab.features.family import Feature, category_slugs, slug

CORE_FEATURES: tuple[Feature, ...] = tuple(f for family in BUILT_IN for f in family.entries)
"""The fixed features of the built-in families, in column order."""

_REGISTRY = {f.name: f for f in CORE_FEATURES}


def category_count_feature(table: str, value: str, part: str | None = None) -> Feature:
    """The per-category count feature of a complaint category or a failure kind.

    ``part`` is the value's column-name part (see :func:`category_slugs`).

    >>> category_count_feature("complaints", "Billing").name
    'complaints_365d_billing'
    """
    part = part or slug(value)
    if table == "complaints":
        return category_feature(value, part)
    return kind_feature(value, part)


def get_feature(name: str) -> Feature:
    """The registered core feature called ``name``.

    >>> get_feature("tenure_days").family
    'tenure'
    >>> get_feature("tenure_day")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: Unknown feature 'tenure_day'. Did you mean 'tenure_days'?
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SpecError(f"Unknown feature {name!r}.{did_you_mean(name, _REGISTRY)}") from None


def list_features() -> pd.DataFrame:
    """The core features: name, family, description, reason category and group, table, kind.

    >>> list_features().loc[lambda f: f["name"] == "tenure_days", "family"].item()
    'tenure'
    """
    return pd.DataFrame(
        [
            {
                "name": f.name,
                "family": f.family,
                "description": f.description,
                "reason_category": f.reason_category,
                "reason_group": f.reason_group,
                "table": f.table,
                "kind": f.kind,
            }
            for f in CORE_FEATURES
        ]
    )


__all__ = [
    "CORE_FEATURES",
    "Feature",
    "attribute_feature",
    "category_count_feature",
    "category_slugs",
    "get_feature",
    "list_features",
    "slug",
]
