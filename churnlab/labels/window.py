"""The one place that says how a cutoff splits the past from the future.

Convention: **the cutoff day counts as the past.** A cutoff ``c`` means "at the end of day c":

- a row is *known* at ``c`` when its day (the date part of its timestamp) is on or before ``c``
  and, where the table has ``recorded_at``, it was recorded on or before ``c``;
- a window of ``N`` days at ``c`` holds the days ``c - N + 1 .. c`` (``c - N < day <= c``);
- the ``k``-th month back at ``c`` holds the days after ``c`` minus ``k`` calendar months up to
  ``c`` minus ``k - 1`` months (``add_months(c, -k) < day <= add_months(c, -(k-1))``), so a
  monthly bill falls into exactly one such month;
- a customer is *active* at ``c`` when they signed up on or before ``c`` and had not ended by it
  (``end_date > c``); they *churned* within the label window when
  ``c + lead < end_date <= c + lead + horizon``;
- a customer who left *came back* when another record of the same person signed up on or
  after the day they left, up to a last day (:func:`came_back`);
- the label of ``c`` is *known* once its whole window, and any grace period after it, has been
  observed: on day ``c + lead + horizon + grace`` (``LabelSpec.window_days``).

The convention itself is one number, :data:`LAST_PAST_DAY`; every bound below, the label
window, the latest labelled cutoff, the month-end grids and the pandas :func:`known_at` are
computed from it. Engines see only whole days counted from 1970-01-01 (``epoch days``): every
bound is computed here, in Python, so all engines compare the same integers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from churnlab.dates import DateLike, parse_date

if TYPE_CHECKING:
    from churnlab.labels.spec import LabelSpec

EPOCH = dt.date(1970, 1, 1)
MONTHS_BACK = 6
LAST_PAST_DAY = 0
"""The last day that counts as the past at a cutoff, in days after the cutoff day (0: the
cutoff day itself; -1 would make the cutoff day the first day of the future)."""


def epoch_day(value: dt.date | pd.Timestamp | str) -> int:
    """Whole days since 1970-01-01 of a date (the time of day is dropped).

    >>> epoch_day("1970-01-02"), epoch_day(pd.Timestamp("2024-03-31 23:59"))
    (1, 19813)
    """
    return (pd.Timestamp(value).date() - EPOCH).days


def from_epoch_day(day: int) -> pd.Timestamp:
    """The date ``day`` days after 1970-01-01.

    >>> from_epoch_day(19813).date()
    datetime.date(2024, 3, 31)
    """
    return pd.Timestamp(EPOCH) + pd.Timedelta(days=int(day))


def _days(n: int) -> pd.Timedelta:
    return pd.Timedelta(days=n)


def last_past_day(cutoff: DateLike) -> pd.Timestamp:
    """The last day whose events are known at ``cutoff``.

    >>> last_past_day("2024-06-30").date()
    datetime.date(2024, 6, 30)
    """
    return parse_date(cutoff, "cutoff") + _days(LAST_PAST_DAY)


def known_at(frame: pd.DataFrame, cutoff: DateLike, date: str) -> pd.Series:
    """Which rows of ``frame`` are known at ``cutoff``: dated (column ``date``) on or before its
    last past day and, where the frame has ``recorded_at``, recorded by then too (a missing
    ``recorded_at`` means recorded when it happened). The pandas twin of
    :func:`churnlab.features.definitions.known_at`.

    >>> rows = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2024-06-30 23:00", "2024-07-01 00:00", "2024-06-01 08:00"]),
    ...     "recorded_at": pd.to_datetime([None, None, "2024-07-02"]),
    ... })
    >>> known_at(rows, "2024-06-30", "opened_at").tolist()
    [True, False, False]
    """
    end = last_past_day(cutoff) + _days(1)  # timestamps before the next day's midnight
    known = frame[date] < end
    if "recorded_at" in frame.columns:
        known &= frame["recorded_at"].isna() | (frame["recorded_at"] < end)
    return known


def label_window(c: CutoffBounds, spec: LabelSpec) -> tuple[int, int]:
    """The label window at ``c`` as epoch days ``(start, end)``: a customer churned when the
    day they left (or, for ``inactivity``, their next bill) satisfies ``start < day <= end``.

    >>> from churnlab.labels.spec import LabelSpec
    >>> start, end = label_window(CutoffBounds.at("2023-06-30"), LabelSpec(horizon_days=30,
    ...                                                                    lead_days=10))
    >>> from_epoch_day(start + 1).date(), from_epoch_day(end).date()
    (datetime.date(2023, 7, 11), datetime.date(2023, 8, 9))
    """
    start = c.day + spec.lead_days
    return start, start + spec.horizon_days


def came_back(left_day: Any, signup_day: Any, last_day: Any) -> Any:
    """Whether another customer record of the same person (the same ``LabelSpec.rejoin_key``)
    is a return: it signed up on or after the day the first record ended (``left_day``) and
    on or before ``last_day``. The label's grace period asks this with ``last_day = left_day +
    grace_days``; a win-back list with ``last_day`` = its as-of date.

    Comparisons only, so it takes numbers, NumPy arrays, pandas Series and Ibis columns alike:
    every engine applies the one rule.

    >>> came_back(100, pd.Series([99, 100, 130, 131]), 130).tolist()
    [False, True, True, False]
    """
    return (signup_day >= left_day) & (signup_day <= last_day)


def label_known_on(cutoff: DateLike, spec: LabelSpec) -> pd.Timestamp:
    """The day from which the label of ``cutoff`` is known: the last day of its label window
    and grace period.

    >>> from churnlab.labels.spec import LabelSpec
    >>> label_known_on("2023-11-30", LabelSpec(horizon_days=90, lead_days=10)).date()
    datetime.date(2024, 3, 9)
    """
    return last_past_day(cutoff) + _days(spec.window_days)


def latest_labelled_cutoff(observed_until: DateLike, spec: LabelSpec) -> pd.Timestamp:
    """The latest cutoff whose label is known when the days up to ``observed_until`` (an
    extract date) have been observed.

    >>> from churnlab.labels.spec import LabelSpec
    >>> latest_labelled_cutoff("2023-12-31", LabelSpec(horizon_days=90, lead_days=10)).date()
    datetime.date(2023, 9, 22)
    """
    return parse_date(observed_until, "extract date") - _days(spec.window_days + LAST_PAST_DAY)


def latest_training_cutoff(test_cutoff: DateLike, spec: LabelSpec) -> pd.Timestamp:
    """The latest cutoff whose label is known at ``test_cutoff``: training on it cannot leak
    anything of what happens after ``test_cutoff``.

    >>> from churnlab.labels.spec import LabelSpec
    >>> latest_training_cutoff("2024-06-30", LabelSpec()).date()
    datetime.date(2024, 4, 1)
    """
    return latest_labelled_cutoff(last_past_day(test_cutoff), spec)


def month_ends_until(latest: DateLike, count: int) -> list[pd.Timestamp]:
    """The ``count`` latest month ends on or before ``latest``, oldest first.

    >>> [c.date().isoformat() for c in month_ends_until("2024-03-30", 3)]
    ['2023-12-31', '2024-01-31', '2024-02-29']
    """
    day = parse_date(latest, "latest cutoff")
    last = day if day.is_month_end else day - pd.offsets.MonthEnd(1)
    return [
        pd.Timestamp(last - pd.offsets.MonthEnd(k)).normalize() for k in range(count - 1, -1, -1)
    ]


def add_months(day: pd.Timestamp, months: int) -> pd.Timestamp:
    """``day`` moved by whole calendar months; a day past the target month's end becomes its
    last day.

    >>> add_months(pd.Timestamp("2024-03-31"), -1).date()
    datetime.date(2024, 2, 29)
    """
    return pd.Timestamp(day + pd.DateOffset(months=months))


def monthly(first: DateLike, last: DateLike, months: int = 1) -> list[pd.Timestamp]:
    """Cutoffs from ``first`` to ``last`` every ``months`` months; a month end stays on month
    ends, any other day keeps its day of the month where the month has it.

    >>> [c.strftime("%m-%d") for c in monthly("2024-01-31", "2024-04-30")]
    ['01-31', '02-29', '03-31', '04-30']
    >>> [c.strftime("%m-%d") for c in monthly("2024-01-30", "2024-03-30")]
    ['01-30', '02-29', '03-30']
    """
    start, end = parse_date(first, "first"), parse_date(last, "last")
    if start.is_month_end:
        return list(pd.date_range(start, end, freq=f"{months}ME"))
    grid, k = [], 0
    while (c := add_months(start, k * months)) <= end:
        grid.append(c)
        k += 1
    return grid


@dataclass(frozen=True)
class CutoffBounds:
    """A cutoff and the bounds of its windows, as epoch days."""

    cutoff: pd.Timestamp
    day: int
    """The last day that counts as the past (:func:`last_past_day`)."""
    month_bounds: tuple[int, ...]
    """``month_bounds[k]`` is ``add_months(day, -k)`` for ``k = 0 .. MONTHS_BACK``."""

    @classmethod
    def at(cls, cutoff: DateLike) -> CutoffBounds:
        """Bounds for one cutoff (normalised to its day).

        >>> b = CutoffBounds.at("2024-03-31")
        >>> [from_epoch_day(d).strftime("%m-%d") for d in b.month_bounds[:3]]
        ['03-31', '02-29', '01-31']
        """
        stamp = parse_date(cutoff, "cutoff")
        last = last_past_day(stamp)
        bounds = tuple(epoch_day(add_months(last, -k)) for k in range(MONTHS_BACK + 1))
        return cls(cutoff=stamp, day=epoch_day(last), month_bounds=bounds)

    @property
    def known_until(self) -> dt.date:
        """The last day that counts as the past, as a date (for engines comparing dates)."""
        return from_epoch_day(self.day).date()

    def days_back(self, days: int) -> int:
        """The exclusive lower bound of an ``N``-day window: ``day - N``."""
        return self.day - days
