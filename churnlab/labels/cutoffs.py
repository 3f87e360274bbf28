"""Cutoff grids: parse ``FIRST:LAST:STEP``, pick the default training cutoffs, check them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from churnlab.dates import DateLike, parse_date
from churnlab.errors import SpecError
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import (
    label_known_on,
    latest_labelled_cutoff,
    month_ends_until,
    monthly,
)

_STEP = re.compile(r"^(\d*)\s*([DWM])$", re.IGNORECASE)


def cutoff_grid(first: DateLike, last: DateLike, step: str = "1M") -> list[pd.Timestamp]:
    """Cutoffs from ``first`` to ``last`` every ``step`` (``7D``, ``2W``, ``1M``).

    Monthly steps from a month end stay on month ends.

    >>> [c.strftime("%m-%d") for c in cutoff_grid("2024-01-31", "2024-04-30", "1M")]
    ['01-31', '02-29', '03-31', '04-30']
    """
    start, end = parse_date(first, "first"), parse_date(last, "last")
    match = _STEP.match(step.strip())
    if match is None:
        raise SpecError(f"The cutoff step must look like 7D, 2W or 1M, got {step!r}.")
    count, unit = int(match.group(1) or 1), match.group(2).upper()
    if count < 1:
        raise SpecError(f"The cutoff step must be at least 1, got {step!r}.")
    if end < start:
        raise SpecError(f"The last cutoff {end.date()} is before the first {start.date()}.")
    if unit == "M":
        return monthly(start, end, count)
    days = count * (7 if unit == "W" else 1)
    return list(pd.date_range(start, end, freq=f"{days}D"))


def parse_cutoffs(text: str) -> list[pd.Timestamp]:
    """Parse ``FIRST:LAST:STEP`` (``STEP`` defaults to ``1M``) or a single date.

    >>> [c.date().isoformat() for c in parse_cutoffs("2024-10-31:2024-12-31")]
    ['2024-10-31', '2024-11-30', '2024-12-31']
    """
    parts = [p.strip() for p in text.split(":")]
    if len(parts) == 1:
        return [parse_date(parts[0], "cutoffs")]
    if len(parts) not in (2, 3):
        raise SpecError(
            f"Cutoffs must look like FIRST:LAST:STEP (2024-01-31:2024-12-31:1M), got {text!r}."
        )
    return cutoff_grid(parts[0], parts[1], parts[2] if len(parts) == 3 else "1M")


class DatedData(Protocol):
    """What cutoff checks need to know of the data: pandas :class:`Tables` or data opened in
    an engine (:class:`churnlab.features.DirectData`)."""

    @property
    def extract_date(self) -> pd.Timestamp: ...

    @property
    def first_date(self) -> pd.Timestamp | None: ...


def last_labelled_cutoff(tables: DatedData, spec: LabelSpec) -> pd.Timestamp:
    """The latest cutoff whose whole label window lies on or before the extract date."""
    return latest_labelled_cutoff(tables.extract_date, spec)


def default_cutoffs(tables: DatedData, spec: LabelSpec, *, count: int = 12) -> list[pd.Timestamp]:
    """The last ``count`` month ends whose label windows are fully observed, within the data.

    Raises
    ------
    SpecError
        No month end between the first data and the last observable label has one.
    """
    latest = last_labelled_cutoff(tables, spec)
    grid = month_ends_until(latest, count)
    first = tables.first_date
    usable = [c for c in grid if first is None or c >= first]
    if not usable:
        raise SpecError(
            f"No month end between the first data ({first.date() if first else 'none'}) and "
            f"{latest.date()} has a fully observed label window of {spec.window_days} days: "
            "the data are too short for this label. Use a shorter horizon or more data."
        )
    return usable


def check_cutoffs(
    tables: DatedData, cutoffs: Sequence[pd.Timestamp], spec: LabelSpec | None
) -> list[pd.Timestamp]:
    """Refuse cutoffs the data cannot answer, with the dates that explain why.

    ``spec`` is ``None`` for scoring (no label is asked for).
    """
    if not cutoffs:
        raise SpecError("No cutoffs were given: pass at least one date.")
    cutoffs = sorted({parse_date(c, "cutoffs") for c in cutoffs})
    first = tables.first_date
    if first is not None and cutoffs[0] < first:
        raise SpecError(
            f"The cutoff {cutoffs[0].date()} is before the first data ({first.date()}): "
            "nothing is known then. Choose a later cutoff."
        )
    if cutoffs[-1] > tables.extract_date:
        raise SpecError(
            f"The cutoff {cutoffs[-1].date()} is after the extract date "
            f"{tables.extract_date.date()}: the data do not reach it."
        )
    if spec is not None:
        latest = last_labelled_cutoff(tables, spec)
        if cutoffs[-1] > latest:
            raise SpecError(
                f"The label of cutoff {cutoffs[-1].date()} needs data until "
                f"{label_known_on(cutoffs[-1], spec).date()} "
                f"(lead {spec.lead_days} + horizon {spec.horizon_days} + grace {spec.grace_days} "
                f"days), but the data end on {tables.extract_date.date()}. The latest cutoff with "
                f"a known label is {latest.date()}."
            )
    return cutoffs
