"""The one parser of calendar dates: cutoffs, ``as_of``, and the dates in ``churnlab.toml``.

Every entry point (the CLI's options, the Python functions, notebook parameters and the
settings file) reads its dates with :func:`parse_date`, so they all accept the same forms and
refuse the same ones with the same message. It lives at the top of the package, beside
``errors``, because the settings loader (``tables``) needs it as much as the cutoff logic
(``labels``, which re-exports it); the stages import it, it imports none of them.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from churnlab.errors import SpecError

DateLike = str | dt.date | pd.Timestamp | np.datetime64
"""What :func:`parse_date` accepts: ISO text, or a date or timestamp from Python."""

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EXAMPLE = "2025-06-30"


def parse_date(value: DateLike, name: str = "date") -> pd.Timestamp:
    """Read a calendar day written ``YYYY-MM-DD``, or take a date or timestamp as its day.

    Text must be an ISO day (surrounding spaces are ignored): "today", "now", other orders
    (``01.06.2025``, ``06/01/2025``), missing zeros (``2025-6-1``), times and days that are not
    in the calendar (``2024-13-01``, ``2023-02-29``) are refused, never guessed: a run's dates
    are its arguments. Dates and timestamps passed from Python are normalised to their day
    (a time of day is dropped; a time zone is dropped after taking the local day).

    Parameters
    ----------
    value:
        ``"YYYY-MM-DD"`` text, a :class:`datetime.date` or :class:`datetime.datetime`, a
        :class:`pandas.Timestamp` or a :class:`numpy.datetime64`.
    name:
        The parameter being read, for the message (``"as_of"``, ``"cutoffs"``).

    Returns
    -------
    pandas.Timestamp
        Midnight of the day.

    Raises
    ------
    SpecError
        The value is not a day written ``YYYY-MM-DD`` (or a date object); the one-line message
        names the parameter, shows the expected form and what was given.

    Examples
    --------
    >>> parse_date("2024-02-29")
    Timestamp('2024-02-29 00:00:00')
    >>> parse_date(pd.Timestamp("2024-06-30 17:45"), "as_of")
    Timestamp('2024-06-30 00:00:00')
    >>> parse_date("01.06.2025", "as_of")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'as_of' date must be written YYYY-MM-DD, like 2025-06-30. Got '01.06.2025' instead.
    >>> parse_date("2023-02-29", "as_of")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'as_of' date must be written YYYY-MM-DD, like 2025-06-30. Got '2023-02-29' instead, which is not a day of the calendar (day is out of range for month).
    """
    if isinstance(value, str):
        return _from_text(value, name)
    if isinstance(value, dt.date | np.datetime64) and not pd.isna(value):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, OverflowError) as exc:
            raise SpecError(f"{_expected(name)} Got {value!r} instead ({exc}).") from None
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.normalize()
    raise SpecError(f"{_expected(name)} Got {value!r} instead.")


def _expected(name: str) -> str:
    return f"The {name!r} date must be written YYYY-MM-DD, like {_EXAMPLE}."


def _from_text(text: str, name: str) -> pd.Timestamp:
    day = text.strip()
    if not _ISO_DAY.fullmatch(day):
        raise SpecError(f"{_expected(name)} Got {text!r} instead.")
    try:
        dt.date.fromisoformat(day)
        return pd.Timestamp(day)
    except (ValueError, OverflowError) as exc:
        raise SpecError(
            f"{_expected(name)} Got {text!r} instead, which is not a day of the calendar ({exc})."
        ) from None
