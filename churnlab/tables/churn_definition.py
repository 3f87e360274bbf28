"""Which churn definition fits the data, and why: the numbers ``churnlab validate`` prints.

- a snapshot extract (``[snapshot]`` in churnlab.toml) has its own churn flag: ``snapshot``;
- customers with end dates left on a known day: ``contract``;
- no end dates, but customers who buy or are billed again and again: ``inactivity`` (churned =
  no bill in the horizon after a cutoff; active = a bill in the look-back before it), with the
  usual gap between purchases to choose the look-back from;
- neither: no definition can see churn in these data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from churnlab.tables.tables import Tables

DEFAULT_LOOKBACK_DAYS = 365
"""LabelSpec's default look-back (the labels stage comes after this one)."""


@dataclass(frozen=True, kw_only=True)
class DefinitionFit:
    """The churn definition that fits the data, the reason with its numbers, and what to do.

    Attributes
    ----------
    definition:
        ``"snapshot"``, ``"contract"``, ``"inactivity"``, or ``None`` when none fits.
    reason:
        Why, with the counts behind it.
    advice:
        The option to give (or the data to add); empty when the default fits.
    """

    definition: str | None
    reason: str
    advice: str = ""

    def __str__(self) -> str:
        chosen = self.definition or "none fits"
        advice = f" {self.advice}" if self.advice else ""
        return f"Churn definition: {chosen}, because {self.reason}{advice}"

    def __repr__(self) -> str:
        return f"<DefinitionFit {self.definition}>"


def fitting_definition(tables: Tables) -> DefinitionFit:
    """The churn definition that fits loaded tables, and why.

    Examples
    --------
    >>> import pandas as pd
    >>> from churnlab.tables.tables import Tables
    >>> customers = pd.DataFrame({
    ...     "customer_id": ["1", "2", "3"],
    ...     "signup_date": pd.to_datetime(["2023-01-01"] * 3),
    ...     "end_date": pd.to_datetime([None, None, None]),
    ... })
    >>> bills = pd.DataFrame({
    ...     "customer_id": ["1", "1", "1", "2", "2", "3"],
    ...     "bill_date": pd.to_datetime(["2023-01-05", "2023-02-04", "2023-03-06",
    ...                                  "2023-01-10", "2023-04-10", "2023-02-01"]),
    ...     "amount": [10.0] * 6,
    ... })
    >>> fit = fitting_definition(Tables(customers=customers, bills=bills,
    ...                                 extract_date=pd.Timestamp("2023-06-30")))
    >>> fit.definition
    'inactivity'
    >>> print(fit.reason)
    no customer has an end date, and 2 of 3 customers (67%) bought or were billed more than once (6 bills; median gap between purchases 30 days, 90th percentile 78 days): a customer churns by no longer buying.
    """
    customers = tables.customers
    total = len(customers)
    if tables.is_snapshot:
        flagged = int(customers["churned"].sum()) if "churned" in customers else 0
        column = tables.snapshot.label_column if tables.snapshot is not None else "its flag"
        return DefinitionFit(
            definition="snapshot",
            reason=f"the extract flags its churners itself ({column}): {flagged:,} of "
            f"{total:,} customers ({_share(flagged, total)}).",
        )
    ended = int(customers["end_date"].notna().sum()) if "end_date" in customers else 0
    if ended:
        return DefinitionFit(
            definition="contract",
            reason=f"{ended:,} of {total:,} customers ({_share(ended, total)}) have an end "
            "date: a customer churns on the day the contract ends.",
        )
    return _by_purchases(tables.bills, total)


def _by_purchases(bills: pd.DataFrame | None, total: int) -> DefinitionFit:
    """Inactivity when customers buy repeatedly, else none."""
    if bills is None or bills.empty:
        return DefinitionFit(
            definition=None,
            reason="no customer has an end date and there are no bills: these data cannot "
            "show who left.",
            advice="Add end_date to customers, a bills (purchases) table, or a churn flag "
            "([snapshot] in churnlab.toml).",
        )
    days = bills[["customer_id", "bill_date"]].dropna().sort_values(["customer_id", "bill_date"])
    counts = days.groupby("customer_id", observed=True).size()
    repeat = int((counts > 1).sum())
    if not repeat:
        return DefinitionFit(
            definition=None,
            reason=f"no customer has an end date, and no customer bought more than once "
            f"({len(days):,} bills): stopping cannot be told from never coming back.",
            advice="Add end_date to customers, or more history of purchases.",
        )
    gaps = days.groupby("customer_id", observed=True)["bill_date"].diff().dt.days.dropna()
    median, p90 = float(np.median(gaps)), float(np.quantile(gaps, 0.9))
    advice = (
        'Use --churn-definition inactivity, or write [label] definition = "inactivity" in '
        "churnlab.toml (LabelSpec(definition='inactivity'))"
    )
    if p90 > DEFAULT_LOOKBACK_DAYS / 2:
        advice += (
            f", with a look-back well above the usual gap, e.g. --lookback "
            f"{int(max(DEFAULT_LOOKBACK_DAYS, 2 * p90))}"
        )
    return DefinitionFit(
        definition="inactivity",
        reason=f"no customer has an end date, and {repeat:,} of {total:,} customers "
        f"({_share(repeat, total)}) bought or were billed more than once ({len(days):,} bills; "
        f"median gap between purchases {median:.0f} days, 90th percentile {p90:.0f} days): a "
        "customer churns by no longer buying.",
        advice=advice + "; the default contract definition would find no churner.",
    )


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"
