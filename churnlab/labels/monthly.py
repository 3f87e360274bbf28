"""Churn by month under the inactivity definition, for the data summary ``validate`` prints.

The summary's own table (:func:`churnlab.tables.churn_by_month`) counts end dates: a shop has
none, so it shows 0% every month. Under ``inactivity`` a month's row is the label of the cutoff
at its start (the last day of the month before), as a training frame would have it: the
customers with a purchase in the look-back are active, and those of them with none in the label
window churned. The windows come from :mod:`churnlab.labels.window`; only cutoffs whose label
window the extract has observed are shown.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from churnlab.labels.choose import label_spec_for
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import (
    CutoffBounds,
    known_at,
    label_window,
    latest_labelled_cutoff,
    month_ends_until,
)
from churnlab.tables.churn_definition import DefinitionFit, fitting_definition
from churnlab.tables.config import DataConfig, resolve_config
from churnlab.tables.tables import Tables, TableSummary

MONTHS_SHOWN = 12
"""How many months the summary shows (its contract table shows the last 12 too)."""


def inactivity_by_month(
    bills: pd.DataFrame, extract_date: pd.Timestamp, spec: LabelSpec, *, months: int = MONTHS_SHOWN
) -> pd.DataFrame:
    """Churn by month under ``inactivity``: each month's cutoff is the last day before it.

    Parameters
    ----------
    bills:
        The loaded bills (``customer_id``, ``bill_date``; ``refund`` and ``recorded_at`` where
        present): refunds are neither purchases nor activity, as in the labels.
    extract_date:
        The data's extract date: a month is shown once its label window is observed.
    spec:
        An inactivity :class:`LabelSpec` (look-back, lead, horizon).
    months:
        The latest months to count.

    Returns
    -------
    pandas.DataFrame
        ``month`` (its first day), ``active_at_start`` (a purchase in the look-back before
        it), ``churned`` (of them, no purchase in the label window) and ``churn_rate``; months
        with no active customer are left out.

    Examples
    --------
    >>> bills = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "b"],
    ...     "bill_date": pd.to_datetime(["2023-01-10", "2023-02-10", "2023-01-20",
    ...                                  "2023-02-20", "2023-05-20"])})
    >>> spec = LabelSpec(definition="inactivity", horizon_days=60)
    >>> inactivity_by_month(bills, pd.Timestamp("2023-06-30"), spec)
           month  active_at_start  churned  churn_rate
    0 2023-02-01                2        0         0.0
    1 2023-03-01                2        2         1.0
    2 2023-04-01                2        1         0.5
    3 2023-05-01                2        1         0.5
    """
    if "refund" in bills.columns:
        bills = bills[~bills["refund"].astype(bool)]
    bills = bills.dropna(subset=["bill_date"])
    days = bills["bill_date"].to_numpy("datetime64[D]").astype(np.int64)
    keys = bills["customer_id"].to_numpy()
    rows = []
    latest = latest_labelled_cutoff(extract_date, spec)
    for cutoff in month_ends_until(latest, months):
        c = CutoffBounds.at(cutoff)
        known = known_at(bills, cutoff, "bill_date").to_numpy(bool)
        recent = known & (days > c.days_back(spec.lookback_days)) & (days <= c.day)
        start, end = label_window(c, spec)
        active = np.unique(keys[recent])
        bought = np.unique(keys[(days > start) & (days <= end)])
        churned = len(np.setdiff1d(active, bought, assume_unique=True))
        rows.append((cutoff + pd.Timedelta(days=1), len(active), churned))
    frame = pd.DataFrame(rows, columns=["month", "active_at_start", "churned"])
    frame = frame[frame["active_at_start"] > 0].reset_index(drop=True)
    frame["month"] = frame["month"].astype("datetime64[us]")
    frame["churn_rate"] = frame["churned"] / frame["active_at_start"]
    return frame


def inactivity_heading(spec: LabelSpec, why: str) -> str:
    """The heading of :func:`inactivity_by_month`'s table: the definition, its windows and
    why it is shown.

    >>> inactivity_heading(LabelSpec(definition="inactivity"), "as [label] says")
    'Churn by month under the inactivity definition, as [label] says (active: a purchase in the 365 days before the month starts; churned: none in the 90 days from its start; last 12 months whose 90 days are observed)'
    """
    after = f"after a lead of {spec.lead_days} days" if spec.lead_days else "from its start"
    return (
        f"Churn by month under the inactivity definition, {why} (active: a purchase in the "
        f"{spec.lookback_days} days before the month starts; churned: none in the "
        f"{spec.horizon_days} days {after}; last {MONTHS_SHOWN} months whose "
        f"{spec.horizon_days} days are observed)"
    )


def validation_summary(
    tables: Tables, data_dir: Path, config: DataConfig | str | Path | None = None
) -> tuple[TableSummary, DefinitionFit]:
    """What ``churnlab validate`` prints about loaded tables: their summary, with churn by
    month under the definition that applies, and which definition fits and why.

    Churn by month counts end dates (the contract definition) unless ``[label]`` in
    churnlab.toml says ``inactivity``, or no customer has an end date and validate recommends
    ``inactivity`` (the contract table would show 0% every month): then it is
    :func:`inactivity_by_month`, with the ``[label]`` windows, and its heading says so.

    Examples
    --------
    >>> import tempfile
    >>> bills = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
    ...     "bill_date": pd.to_datetime(["2023-01-10", "2023-02-10", "2023-01-20", "2023-05-20"]),
    ...     "amount": 5.0})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "signup_date": pd.to_datetime(["2023-01-01"] * 2), "end_date": pd.NaT})
    >>> tables = Tables(customers=customers, bills=bills, extract_date=pd.Timestamp("2023-06-30"))
    >>> summary, fit = validation_summary(tables, Path(tempfile.mkdtemp()))
    >>> fit.definition, summary.by_month_heading[:55]
    ('inactivity', 'Churn by month under the inactivity definition, which v')
    """
    fit = fitting_definition(tables)
    summary = tables.summary()
    if tables.is_snapshot or tables.bills is None or tables.bills.empty:
        return summary, fit
    asked = resolve_config(data_dir, config).label.definition
    if asked == "inactivity":
        why = "as [label] in churnlab.toml says"
        if fit.definition == "inactivity":  # nothing left to advise
            fit = dataclasses.replace(fit, advice="[label] in churnlab.toml says so already.")
    elif fit.definition == "inactivity":
        why = "which validate recommends: by end dates (contract) none churned"
    else:
        return summary, fit
    spec = label_spec_for(data_dir, config, definition="inactivity")
    table = inactivity_by_month(tables.bills, tables.extract_date, spec)
    heading = inactivity_heading(spec, why)
    return dataclasses.replace(summary, by_month=table, by_month_heading=heading), fit
