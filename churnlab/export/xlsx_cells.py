"""The cells of an Excel sheet: typed columns, and their rows written in order.

:func:`sheet_column` turns a (neutralised) Series into a :class:`SheetColumn`: how its cells
are written (text, number, boolean, or per cell by type), their values and number format,
and a width. :func:`write_rows` then writes rows ``start:stop`` below a header row.

Cells go through xlsxwriter's public ``write_string``/``write_number``/``write_boolean``, in
order, in its constant-memory mode: about 8 microseconds a cell, 12 seconds for a list of
100,000 rows and 15 columns. Rendering the rows' XML by hand into xlsxwriter's internals was
measured at 3 seconds, and left out: it would tie the files marketing opens to another
library's private code.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from churnlab.errors import DataError
from churnlab.export.safe import neutralise, neutralise_series

EXCEL_MAX_TEXT: Final[int] = 32_767
"""Characters (UTF-16 code units) an Excel cell holds."""
DATE_FORMAT: Final[str] = "yyyy-mm-dd"
DATETIME_FORMAT: Final[str] = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH: Final[int] = 60

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_FIRST_EXCEL_DATE = pd.Timestamp("1900-03-01")  # before it, Excel counts its false 29 Feb 1900
_CHUNK_ROWS = 20_000

# Wide East Asian characters (Hangul Jamo, CJK, Hangul, compatibility and full-width forms),
# written as characters so that Python's re and pyarrow's RE2 read the class alike.
_WIDE = (
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_WIDE_RE = re.compile(_WIDE)

CellKind = Literal["text", "number", "bool", "any"]


@dataclass(frozen=True)
class SheetColumn:
    """One column, ready for a sheet.

    ``kind`` says how every cell is written (``"any"``: each by its own type), ``data``
    holds the values (a float array for numbers and dates, else a Series), ``number_format``
    is an Excel format or ``None``, ``width`` the column's width in characters.
    :meth:`cells` turns a slice of rows into Python values, a chunk at a time, so that a
    long list never sits in memory as Python objects all at once.
    """

    kind: CellKind
    data: Any
    number_format: str | None
    width: float

    def cells(self, start: int, stop: int) -> list[Any]:
        """The values of rows ``start:stop``, ``None`` for a blank cell."""
        if self.kind == "number":
            chunk = self.data[start:stop]
            values = chunk.astype(object)
            values[np.isnan(chunk)] = None
            return values.tolist()
        part = self.data.iloc[start:stop]
        if self.kind == "any":
            return part.tolist()
        if self.kind == "bool":
            return part.astype(object).where(part.notna(), None).tolist()
        return part.to_numpy(dtype=object, na_value=None).tolist()


def sheet_column(values: pd.Series, *, as_text: bool, number_format: str | None) -> SheetColumn:
    """Typed cells for one neutralised column (see :func:`churnlab.export.write_xlsx`).

    Parameters
    ----------
    values : Series
        A column whose text is already neutralised.
    as_text : bool
        Write every non-missing value as text, whatever the dtype (neutralised again, since
        a number such as -5 becomes the text ``"-5"``).
    number_format : str or None
        An Excel number format for the column's cells; dates default to ``yyyy-mm-dd``.

    Raises
    ------
    DataError
        If a value cannot go into an Excel cell: an infinite number, a text longer than
        32,767 characters, a date before 1 March 1900.

    Examples
    --------
    >>> sheet_column(pd.Series([1.5, None]), as_text=False, number_format=None).cells(0, 2)
    [1.5, None]
    >>> sheet_column(pd.Series([7, -5]), as_text=True, number_format=None).cells(0, 2)
    ['7', "'-5"]
    """
    dtype = values.dtype
    if not as_text and dtype == np.dtype(object):
        _check_lengths(values[values.map(lambda value: isinstance(value, str))].astype(str))
        return SheetColumn("any", values, number_format, _sample_width(values))
    if not as_text and pd.api.types.is_bool_dtype(dtype):
        return SheetColumn("bool", values, number_format, 7)
    if not as_text and pd.api.types.is_numeric_dtype(dtype):
        return _numbers(values, number_format)
    if not as_text and pd.api.types.is_datetime64_any_dtype(dtype):
        return _dates(values, number_format)
    # Text: strings and categories of strings, forced columns, and dtypes Excel has no cell for.
    if not _is_text(dtype):
        values = neutralise_series(values.astype(str).where(values.notna()))
    _check_lengths(values)
    return SheetColumn("text", values, number_format, _sample_width(values))


def _is_text(dtype: Any) -> bool:
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        return isinstance(categories.dtype, pd.StringDtype) or all(
            isinstance(category, str) for category in categories
        )
    return isinstance(dtype, pd.StringDtype)


def _check_lengths(values: pd.Series) -> None:
    texts = (
        pd.Series(values.cat.categories)
        if isinstance(values.dtype, pd.CategoricalDtype)
        else values
    )
    if not (texts.str.len() > EXCEL_MAX_TEXT // 2).any():  # UTF-16 is at most twice as long
        return
    utf16 = texts.dropna().map(lambda text: len(text.encode("utf-16-le", "surrogatepass")) // 2)
    if (utf16 > EXCEL_MAX_TEXT).any():
        raise DataError(
            f"Column {values.name!r} holds texts longer than Excel's {EXCEL_MAX_TEXT:,} "
            "characters. Shorten them before writing."
        )


def _numbers(values: pd.Series, number_format: str | None) -> SheetColumn:
    numbers_ = values.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(numbers_)
    if infinite.any():
        raise DataError(
            f"Column {values.name!r} holds {int(infinite.sum()):,} infinite values, which "
            "Excel cannot store. Replace them (or mark them missing) before writing."
        )
    present = numbers_[~np.isnan(numbers_)]
    biggest = float(np.abs(present).max()) if len(present) else 0.0
    integer = pd.api.types.is_integer_dtype(values.dtype)
    digits = len(f"{biggest:,.0f}") + (1 if integer else 5)
    return SheetColumn("number", numbers_, number_format, max(digits, 8) + 2)


def _dates(values: pd.Series, number_format: str | None) -> SheetColumn:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)  # Excel has no time zones: keep the wall time
    present = values.dropna()
    if len(present) and present.min() < _FIRST_EXCEL_DATE:
        raise DataError(
            f"Column {values.name!r} holds dates before 1 March 1900, which Excel cannot "
            "show as dates. Write them as text (name the column in text_columns)."
        )
    with_time = bool((present != present.dt.normalize()).any())
    serial = ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    fmt = number_format or (DATETIME_FORMAT if with_time else DATE_FORMAT)
    return SheetColumn("number", serial, fmt, 21 if with_time else 12)


def display_width(text: str) -> int:
    """Characters on screen, wide East Asian characters counted twice.

    >>> display_width("value"), display_width("客户价值")
    (5, 8)
    """
    return len(text) + len(_WIDE_RE.findall(text))


def _sample_width(values: pd.Series, sample: int = 10_000) -> float:
    """Width of the longest text among the first ``sample`` values, plus a margin."""
    texts = pd.Series(
        [value for value in values.iloc[:sample].tolist() if isinstance(value, str)], dtype="str"
    )
    if texts.empty:
        return 10
    return float((texts.str.len() + texts.str.count(_WIDE)).max()) + 2


def write_rows(
    worksheet: Any,
    columns: list[SheetColumn],
    formats: list[Any],
    start: int,
    stop: int,
    *,
    date_format: Any,
) -> None:
    """Write rows ``start:stop`` of ``columns`` below the header row, in order, with
    xlsxwriter's public ``write_*`` methods.

    ``formats`` holds each column's xlsxwriter Format (or ``None``); ``date_format`` is the
    Format of dates found in object columns. The header (row 0) must be written already and
    nothing below it.
    """
    writers: dict[str, Callable[..., int]] = {
        "text": worksheet.write_string,
        "number": worksheet.write_number,
        "bool": worksheet.write_boolean,
        "date": worksheet.write_number,
    }

    def write_any(row: int, col: int, value: Any, fmt: Any) -> int:
        kind, cell = _typed(value, row)
        if kind == "blank":
            return 0
        return int(writers[kind](row, col, cell, fmt or (date_format if kind == "date" else None)))

    methods = [write_any if column.kind == "any" else writers[column.kind] for column in columns]
    row = 1
    for first in range(start, stop, _CHUNK_ROWS):
        end = min(stop, first + _CHUNK_ROWS)
        for values in zip(*(column.cells(first, end) for column in columns), strict=True):
            for col, value in enumerate(values):
                if value is not None and methods[col](row, col, value, formats[col]):
                    raise RuntimeError(f"xlsxwriter refused the cell at row {row}, column {col}.")
            row += 1


def _typed(value: Any, row: int) -> tuple[str, Any]:
    """An object cell's kind (text, number, bool, date or blank) and the value to write."""
    if isinstance(value, str):
        return "text", value
    if isinstance(value, bool | np.bool_):
        return "bool", bool(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is None or value is pd.NaT or value is pd.NA:
        return "blank", None
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "blank", None
        if math.isinf(number):
            raise DataError(
                f"An object column holds an infinite number (sheet row {row + 1}), which "
                "Excel cannot store. Replace it (or mark it missing) before writing."
            )
        return "number", number
    if isinstance(value, datetime | date):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        if stamp >= _FIRST_EXCEL_DATE:
            return "date", (stamp - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    return "text", neutralise(str(value))
