"""What drives churn, in words: one sentence per top driver.

The direction of a numeric feature is the sign of the rank (Spearman) correlation between its
value and its SHAP value over the customers that have a value: positive means that higher
values go with a higher churn risk. Below :data:`CLEAR` in absolute value the feature has no
single direction. A categorical feature names its categories with the highest and lowest mean
SHAP value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.features import Feature

if TYPE_CHECKING:
    from churnlab.explanations.explanation import Explanation

CLEAR = 0.1
"""Smallest absolute rank correlation that gives a feature a direction."""
MIN_ROWS = 10
PLURAL_UNITS = ("days", "months", "minutes", "complaints", "bills", "loyalty", "service")
DRIVER_COLUMNS = (
    "feature",
    "description",
    "reason_category",
    "mean_abs_shap",
    "share",
    "direction",
    "sentence",
)


def _subject(feature: Feature) -> tuple[str, bool]:
    """What the sentence talks about, and whether it is a plural count ("more ...")."""
    if feature.family == "attributes":
        return feature.name.replace("_", " "), False
    text = feature.description.split(":", 1)[0].strip()
    first = text.split(" ", 1)[0].lower()
    return text, feature.kind == "count" or first in PLURAL_UNITS


def direction(values: pd.Series, shap_values: pd.Series) -> str:
    """``"raises"``, ``"lowers"`` or ``"mixed"``: how higher values move the churn risk.

    >>> x = pd.Series([0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> direction(x, x * 0.1), direction(x, -x), direction(x, x * 0)
    ('raises', 'lowers', 'mixed')
    """
    known = values.notna().to_numpy()
    x = values.to_numpy(dtype=float, na_value=np.nan)[known]
    s = shap_values.to_numpy(dtype=float)[known]
    if len(x) < MIN_ROWS or np.ptp(x) == 0 or np.ptp(s) == 0:
        return "mixed"
    rank_x = pd.Series(x).rank().to_numpy()
    rank_s = pd.Series(s).rank().to_numpy()
    correlation = float(np.corrcoef(rank_x, rank_s)[0, 1])
    if not np.isfinite(correlation) or abs(correlation) < CLEAR:
        return "mixed"
    return "raises" if correlation > 0 else "lowers"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(feature: Feature, values: pd.Series, shap_values: pd.Series) -> tuple[str, str]:
    """The direction and the sentence that says how ``feature`` moves the churn risk."""
    subject, plural = _subject(feature)
    if isinstance(values.dtype, pd.CategoricalDtype):
        means = shap_values.groupby(values.to_numpy(), observed=True).mean()
        if len(means) < 2:
            return "mixed", f"{_capital(subject)} barely moves the churn risk ({feature.name})"
        high, low = str(means.idxmax()), str(means.idxmin())
        return "by value", (
            f"{_capital(subject)}: {high} raises the churn risk most, {low} lowers it most "
            f"({feature.name})"
        )
    way = direction(values, shap_values)
    if way == "mixed":
        return way, (
            f"{_capital(subject)} raises the churn risk of some customers and lowers that of "
            f"others ({feature.name})"
        )
    verb = {"raises": "raise" if plural else "raises", "lowers": "lower" if plural else "lowers"}
    return (
        way,
        f"{'More' if plural else 'Higher'} {subject} {verb[way]} the churn risk ({feature.name})",
    )


def driver_table(explanation: Explanation, n: int = 5) -> pd.DataFrame:
    """The ``n`` top features by mean absolute SHAP value, with a sentence each."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise SpecError(
            f"The 'n' parameter of Explanation.drivers must be an int >= 1. Got {n!r} instead."
        )
    top = explanation.importance("feature").head(n)
    rows = []
    for name, importance, share in zip(
        top["feature"], top["mean_abs_shap"], top["share"], strict=True
    ):
        feature = explanation.entry(str(name))
        way, text = sentence(
            feature, explanation.data[feature.name], explanation.values[feature.name]
        )
        rows.append(
            {
                "feature": feature.name,
                "description": feature.description,
                "reason_category": feature.reason_category,
                "mean_abs_shap": float(importance),
                "share": float(share),
                "direction": way,
                "sentence": text,
            }
        )
    return pd.DataFrame(rows, columns=list(DRIVER_COLUMNS))
