"""Descriptions of the data alone (no model, no cutoff): churn by month with the months an
extract cannot show marked, retention curves, and how concentrated value is.

An extract usually holds only the customers who were still customers when it starts: those who
left earlier are not in it. Before the first month with a leaver the data shows no churn at all,
which is not the truth but *left truncation*. :func:`observed_from` finds where the observed
period starts; :func:`monthly_churn` marks the months before it, and :func:`retention_curves`
counts each customer at risk only from then on (delayed entry).

>>> import pandas as pd
>>> customers = pd.DataFrame({
...     "signup_date": pd.to_datetime(["2020-01-05", "2020-03-01", "2023-02-10", "2023-04-01"]),
...     "end_date": pd.to_datetime([None, "2023-03-15", "2023-06-20", None]),
...     "plan": ["basic", "basic", "premium", "premium"],
... })
>>> observed_from(customers)
Timestamp('2023-03-01 00:00:00')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.tables.tables import churn_by_month

#: Days in an average month: tenure months are whole multiples of it.
MONTH_DAYS = 30.4375


def observed_from(customers: pd.DataFrame) -> pd.Timestamp | None:
    """The first day of the first month with a leaver: where observed churn starts.

    Parameters
    ----------
    customers:
        The customers table (``signup_date``, ``end_date``).

    Returns
    -------
    pandas.Timestamp or None
        ``None`` when no one has left.

    Examples
    --------
    >>> import pandas as pd
    >>> observed_from(pd.DataFrame({"signup_date": pd.to_datetime(["2020-01-01"]),
    ...                             "end_date": pd.to_datetime([None])})) is None
    True
    """
    ends = customers["end_date"].dropna()
    if ends.empty:
        return None
    return pd.Timestamp(ends.min()).to_period("M").start_time


def monthly_churn(customers: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Churn by calendar month (:func:`~churnlab.tables.churn_by_month`), with the months before
    :func:`observed_from` marked ``left_truncated``: their 0% churn is the extract's blind spot.

    Parameters
    ----------
    customers:
        The customers table (``signup_date``, ``end_date``).
    extract_date:
        The extract's date; months not complete by then are left out.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``active_at_start``, ``churned``, ``churn_rate``, ``left_truncated``.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({
    ...     "signup_date": pd.to_datetime(["2023-01-05", "2023-01-06", "2023-01-07"]),
    ...     "end_date": pd.to_datetime([None, "2023-04-10", None]),
    ... })
    >>> monthly_churn(customers, pd.Timestamp("2023-04-30"))[["month", "churned", "left_truncated"]]
           month  churned  left_truncated
    0 2023-02-01        0            True
    1 2023-03-01        0            True
    2 2023-04-01        1           False
    """
    frame = churn_by_month(customers, extract_date)
    start = observed_from(customers)
    frame["left_truncated"] = (
        frame["month"] < start if start is not None else np.ones(len(frame), dtype=bool)
    )
    return frame


def _tenure_months(start: pd.Series, end: pd.Series) -> np.ndarray:
    days = (end - start).dt.days.to_numpy(dtype="float64")
    return np.floor(np.maximum(days, 0.0) / MONTH_DAYS).astype("int64")


def retention_curves(
    customers: pd.DataFrame,
    extract_date: pd.Timestamp,
    *,
    by: str = "cohort",
    min_at_risk: int = 30,
) -> pd.DataFrame:
    """Share of customers still with us after each month of tenure, by group.

    A Kaplan-Meier estimate by month of tenure with delayed entry: a customer who signed up
    before :func:`observed_from` counts at risk only from the tenure they had then, so the
    leavers the extract cannot hold do not make early months look churn-free. A group whose
    customers all signed up before then starts at the tenure they had: its curve is the
    retention *of those still customers at that tenure*.

    Parameters
    ----------
    customers:
        The customers table (``signup_date``, ``end_date`` and the ``by`` column).
    extract_date:
        The extract's date: customers still active are censored there.
    by:
        ``"cohort"`` (the signup year) or a customers column such as ``"plan"``.
    min_at_risk:
        A curve stops at the first month with fewer customers at risk than this.

    Returns
    -------
    pandas.DataFrame
        One row per group and month of tenure: ``group``, ``month``, ``at_risk``,
        ``churned``, ``retention`` (the share still with us at the month's end).

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({
    ...     "signup_date": pd.to_datetime(["2023-01-01"] * 4),
    ...     "end_date": pd.to_datetime(["2023-01-20", "2023-02-15", None, None]),
    ...     "plan": ["basic"] * 4,
    ... })
    >>> curves = retention_curves(customers, pd.Timestamp("2023-04-30"), by="plan", min_at_risk=1)
    >>> curves
       group  month  at_risk  churned  retention
    0  basic      0        4        1       0.75
    1  basic      1        3        1       0.50
    2  basic      2        2        0       0.50
    """
    if by != "cohort" and by not in customers:
        raise SpecError(
            f"The 'by' parameter of retention_curves must be 'cohort' or a customers column. "
            f"Got {by!r} instead."
        )
    if isinstance(min_at_risk, bool) or not isinstance(min_at_risk, int) or min_at_risk < 1:
        raise SpecError(
            f"The 'min_at_risk' parameter of retention_curves must be an int >= 1. "
            f"Got {min_at_risk!r} instead."
        )
    signup = customers["signup_date"]
    left = customers["end_date"].notna().to_numpy()
    until = customers["end_date"].fillna(extract_date + pd.Timedelta(days=1))
    exit_month = _tenure_months(signup, until)
    start = observed_from(customers)
    entry = (
        _tenure_months(signup, signup.where(signup > start, start))
        if start is not None
        else np.zeros(len(customers), dtype="int64")
    )
    # The last month a customer is at risk: the month they left in, or the last complete one.
    last = np.where(left, exit_month, exit_month - 1)
    groups = (
        signup.dt.year.astype("Int64").astype(str)
        if by == "cohort"
        else customers[by].astype("string").fillna("missing")
    )
    rows = []
    for name in sorted(pd.unique(groups.to_numpy())):
        mask = (groups == name).to_numpy() & (last >= entry)
        if not mask.any():
            continue
        size = int(last[mask].max()) + 1
        entered = np.cumsum(np.bincount(entry[mask], minlength=size))
        gone = np.concatenate([[0], np.cumsum(np.bincount(last[mask], minlength=size))[:-1]])
        at_risk = entered - gone
        churned = np.bincount(last[mask & left], minlength=size)[:size]
        keep = at_risk >= min_at_risk
        if not keep.any():
            continue
        first = int(np.argmax(keep))
        after = keep[first:]
        stop = first + (int(np.argmin(after)) if not after.all() else len(after))
        hazard = churned[first:stop] / at_risk[first:stop]
        rows.append(
            pd.DataFrame(
                {
                    "group": str(name),
                    "month": np.arange(first, stop),
                    "at_risk": at_risk[first:stop],
                    "churned": churned[first:stop],
                    "retention": np.cumprod(1.0 - hazard),
                }
            )
        )
    columns = ["group", "month", "at_risk", "churned", "retention"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def value_concentration(values: pd.Series | np.ndarray, *, points: int = 100) -> pd.DataFrame:
    """How much of the total value the most valuable customers hold (a Lorenz curve, best
    customers first).

    Parameters
    ----------
    values:
        One value per customer (for example the mean monthly bill); missing values count as 0.
    points:
        Number of customer shares to give, evenly spaced (plus 0).

    Returns
    -------
    pandas.DataFrame
        ``customer_share`` (the top share of customers) and ``value_share`` (the share of
        the total value they hold).

    Examples
    --------
    >>> curve = value_concentration([1, 1, 1, 7], points=4)
    >>> curve
       customer_share  value_share
    0            0.00          0.0
    1            0.25          0.7
    2            0.50          0.8
    3            0.75          0.9
    4            1.00          1.0
    >>> top_share_of_value(curve, 0.25)
    0.7
    """
    array = np.nan_to_num(np.asarray(values, dtype="float64"), nan=0.0)
    if array.size == 0 or (array < 0).any() or array.sum() <= 0:
        raise SpecError(
            "The 'values' parameter of value_concentration must hold non-negative values with a "
            f"positive total. Got {array.size} values summing to {array.sum():g} instead."
        )
    ordered = np.sort(array)[::-1]
    cumulative = np.concatenate([[0.0], np.cumsum(ordered)]) / ordered.sum()
    shares = np.linspace(0.0, 1.0, points + 1)
    # Interpolated between whole customers, so few customers still give a smooth curve.
    held = np.interp(shares * array.size, np.arange(array.size + 1), cumulative)
    return pd.DataFrame({"customer_share": shares, "value_share": held})


def top_share_of_value(curve: pd.DataFrame, share: float) -> float:
    """The share of the value held by the top ``share`` of customers, read off a
    :func:`value_concentration` curve (interpolated)."""
    return float(np.interp(share, curve["customer_share"], curve["value_share"]))
