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
  ``c + lead < end_date <= c + lead + horizon``.

Engines see only whole days counted from 1970-01-01 (``epoch days``): every bound is computed
here, in Python, so all engines compare the same integers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

EPOCH = dt.date(1970, 1, 1)
MONTHS_BACK = 6


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


@dataclass(frozen=True)
class CutoffBounds:
    """A cutoff and the bounds of its windows, as epoch days."""

    cutoff: pd.Timestamp
    day: int
    month_bounds: tuple[int, ...]
    """``month_bounds[k]`` is ``add_months(cutoff, -k)`` for ``k = 0 .. MONTHS_BACK``."""

    @classmethod
    def at(cls, cutoff: dt.date | pd.Timestamp | str) -> CutoffBounds:
        """Bounds for one cutoff (normalised to its day).

        >>> b = CutoffBounds.at("2024-03-31")
        >>> [from_epoch_day(d).strftime("%m-%d") for d in b.month_bounds[:3]]
        ['03-31', '02-29', '01-31']
        """
        stamp = pd.Timestamp(cutoff).normalize()
        bounds = tuple(epoch_day(stamp - pd.DateOffset(months=k)) for k in range(MONTHS_BACK + 1))
        return cls(cutoff=stamp, day=epoch_day(stamp), month_bounds=bounds)

    def days_back(self, days: int) -> int:
        """The exclusive lower bound of an ``N``-day window: ``day - N``."""
        return self.day - days
