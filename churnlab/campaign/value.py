"""What keeping a customer is worth: ``value``, the margin a saved customer goes on bringing.

The default (``method="margin"``)::

    value = monthly margin x expected remaining months of a retained customer
    monthly margin = mean monthly spend over the last 3 months x margin_rate   (default 0.3)
    remaining months = r / (1 + d - r), at most max_months                     (default 36)

``r`` is the monthly retention that the model's training churn rate implies over its horizon,
``(1 - churn_rate) ** (DAYS_PER_MONTH / horizon_days)``, and ``d`` the monthly discount rate
(default 0.01). ``r / (1 + d - r)`` is the discounted sum of ``r^t / (1 + d)^t`` over the
months ``t = 1, 2, ...`` that follow.

Why not the customer's own risk for ``r``: a saved customer goes on like a retained one. Using
the own risk lowers the value exactly where the risk is high, so the risk is counted twice
(once in the chance to save, once in the value), and an offer worth a month's spend then loses
money on nearly every customer.

A user may instead name a customer attribute that holds the value (``method="column"``), or
set ``r`` per segment (``retention``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from churnlab.campaign.checks import check_number
from churnlab.errors import DataError, SpecError, did_you_mean


def remaining_months(
    retention: float | np.ndarray, *, discount_rate: float = 0.01, max_months: float = 36.0
) -> np.ndarray:
    """Expected discounted months a retained customer stays: ``r / (1 + d - r)``, capped.

    >>> remaining_months([0.9], discount_rate=0.01).round(4)  # 0.9 / 0.11
    array([8.1818])
    >>> remaining_months([0.99, 1.0], discount_rate=0.01)
    array([36., 36.])
    """
    r = np.asarray(retention, dtype="float64")
    with np.errstate(divide="ignore"):
        months = r / (1.0 + discount_rate - r)
    return np.minimum(np.where(np.isfinite(months), months, max_months), max_months)


@dataclass(frozen=True, kw_only=True)
class ValueSpec:
    """How ``value`` is computed (see the module's docstring).

    Parameters
    ----------
    method:
        ``"margin"`` (default) or ``"column"``: a customer attribute holds the value.
    margin_rate:
        The share of spend that is margin (default 0.3).
    discount_rate:
        The monthly discount rate ``d`` (default 0.01).
    max_months:
        The cap on the expected remaining months (default 36).
    column:
        The customer attribute that holds the value, with ``method="column"``.
    retention:
        The monthly retention ``r`` of some segments (segment name -> r), instead of the one the
        model's churn rate implies.

    >>> ValueSpec(margin_rate=0.25).describe(0.98)
    'margin: mean monthly spend over the last 3 months x 0.25 x 32.7 months (monthly retention 0.980, discount 1.0% a month, at most 36 months)'
    """

    method: Literal["margin", "column"] = "margin"
    margin_rate: float = 0.3
    discount_rate: float = 0.01
    max_months: float = 36.0
    column: str | None = None
    retention: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method not in ("margin", "column"):
            raise SpecError(
                "The 'method' parameter of ValueSpec must be 'margin' or 'column'. "
                f"Got {self.method!r} instead.{did_you_mean(self.method, ['margin', 'column'])}"
            )
        check_number(self.margin_rate, "margin_rate", "ValueSpec", low=0.0, high=1.0, low_open=True)
        check_number(self.discount_rate, "discount_rate", "ValueSpec", low=0.0, high=1.0)
        if not isinstance(self.max_months, int | float) or not self.max_months > 0:
            raise SpecError(
                "The 'max_months' parameter of ValueSpec must be a positive number. "
                f"Got {self.max_months!r} instead."
            )
        if self.method == "column" and not self.column:
            raise SpecError(
                "ValueSpec(method='column') needs the name of the customer attribute that holds "
                "the value: ValueSpec(method='column', column='lifetime_value')."
            )
        for segment, r in self.retention.items():
            check_number(
                r, f"retention[{segment!r}]", "ValueSpec", low=0.0, high=1.0, low_open=True
            )
        object.__setattr__(self, "retention", dict(self.retention))

    def months(self, retention: float) -> float:
        """The expected remaining months at a monthly retention ``retention``."""
        return float(
            remaining_months(
                retention, discount_rate=self.discount_rate, max_months=self.max_months
            )
        )

    def describe(self, retention: float) -> str:
        """The method in words, as ``value_method`` records it."""
        if self.method == "column":
            return f"column: the customer attribute {self.column!r}"
        by_segment = (
            "; per segment: "
            + ", ".join(f"{name} {r:.3f}" for name, r in sorted(self.retention.items()))
            if self.retention
            else ""
        )
        return (
            f"margin: mean monthly spend over the last 3 months x {self.margin_rate:g} x "
            f"{self.months(retention):.1f} months (monthly retention {retention:.3f}, discount "
            f"{self.discount_rate:.1%} a month, at most {self.max_months:g} months){by_segment}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["retention"] = dict(self.retention)
        return data


def customer_value(
    monthly_spend: pd.Series | np.ndarray,
    *,
    spec: ValueSpec,
    retention: float,
    segment: pd.Series | np.ndarray | None = None,
) -> np.ndarray:
    """Each customer's value with the ``margin`` method: monthly margin x remaining months.

    Parameters
    ----------
    monthly_spend:
        Mean monthly spend over the last 3 months (missing counts as 0).
    spec:
        The value settings.
    retention:
        The monthly retention the model implies (:func:`monthly_retention`).
    segment:
        Each customer's segment, when ``spec.retention`` sets ``r`` for some segments.

    >>> customer_value([100.0, 0.0], spec=ValueSpec(), retention=0.9)
    array([245.45454545,   0.        ])
    >>> customer_value([100.0, 100.0], spec=ValueSpec(retention={"inactive": 0.5}),
    ...                retention=0.9, segment=["inactive", "other"]).round(2)
    array([ 29.41, 245.45])
    """
    spend = np.nan_to_num(np.asarray(monthly_spend, dtype="float64"), nan=0.0)
    r = np.full(len(spend), retention, dtype="float64")
    if spec.retention and segment is not None:
        names = np.asarray(segment, dtype=object)
        for name, value in spec.retention.items():
            r[names == name] = value
    months = remaining_months(r, discount_rate=spec.discount_rate, max_months=spec.max_months)
    return np.maximum(spend, 0.0) * spec.margin_rate * months


def column_values(customers: pd.DataFrame, column: str, ids: Any) -> np.ndarray:
    """The value the customers ``ids`` have in a column of their own (``method="column"``),
    in the order of ``ids``.

    Refused: a column the customers table lacks (:class:`SpecError`, with a "did you mean"),
    and values that are not numbers, missing or negative for any of ``ids``
    (:class:`DataError`, with how many and a few examples).

    >>> customers = pd.DataFrame({"customer_id": ["a", "b"], "clv": [120.0, 80.0]})
    >>> column_values(customers, "clv", ["b", "a"])
    array([ 80., 120.])
    >>> column_values(customers, "cvl", ["a"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The customers table has no column 'cvl' for the value. Did you mean 'clv'? Columns: customer_id, clv.
    """
    names = [str(c) for c in customers.columns]
    if column not in names:
        raise SpecError(
            f"The customers table has no column {column!r} for the value."
            f"{did_you_mean(column, names)} Columns: {', '.join(names)}."
        )
    wanted = pd.Index(np.asarray(ids, dtype=object).astype(str))
    positions = pd.Index(customers["customer_id"].astype(str)).get_indexer(wanted)
    values = pd.to_numeric(
        customers[column].iloc[np.maximum(positions, 0)].reset_index(drop=True), errors="coerce"
    )
    values[positions < 0] = np.nan
    for bad, what in ((values.isna(), "missing or not a number"), (values < 0, "negative")):
        if bad.any():
            examples = ", ".join(map(str, wanted[bad.to_numpy()][:5]))
            raise DataError(
                f"customers.{column}: the value column is {what} for {int(bad.sum()):,} "
                f"customers (e.g. {examples}). Give every customer a value of 0 or more, or "
                "use the default value (remove method = 'column' from [value])."
            )
    return values.to_numpy(dtype="float64")
