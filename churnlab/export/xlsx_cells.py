"""The cells of an Excel sheet: typed columns, and their rows written in order.

:func:`sheet_column` turns a (neutralised) Series into a :class:`SheetColumn`: how its cells
are written (text, number, boolean, or per cell by type), their values and number format,
and a width. :func:`write_rows` then writes rows ``start:stop`` below a header row.

xlsxwriter spends about 7 microseconds on each cell it is given one at a time (checks, then
its XML): 10 seconds for a list of 100,000 rows and 15 columns. :func:`write_rows` instead
renders the rows' XML itself, 20,000 rows at a time, character for character as xlsxwriter
would, and appends it to the sheet's constant-memory row file: the same list takes about
3 seconds, a third of it compressing the file. It relies on a few of xlsxwriter's internals (the
row file, the pending row, the dimensions, a format's index); where they are missing it
falls back to :func:`write_rows_cellwise`, xlsxwriter's public cell-by-cell methods. The
tests check that both give the same sheet XML byte for byte, and that the installed
xlsxwriter still allows streaming.
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

# xlsxwriter's escapes for inline strings (xmlwriter._escape_control_characters, _escape_data)
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_PRESERVE = re.compile(r"^\s|\s$")  # xlsxwriter.utility's leading / trailing whitespace
# Texts that may need either (a superset, in a form pyarrow's RE2 reads too): Python's \s is
# every character for which str.isspace() holds, all of them below U+3001.
_SPACES = "".join(char for char in map(chr, range(0x3001)) if char.isspace())
_MAY_NEED_WORK = (
    f"^[{_SPACES}]|[{_SPACES}]$|[&<>\\x00-\\x08\\x0b-\\x1f\ufffe\uffff]|_x[0-9a-fA-F]{{4}}_"
)

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
    """Write rows ``start:stop`` of ``columns`` below the header row, in order.

    ``formats`` holds each column's xlsxwriter Format (or ``None``); ``date_format`` is the
    Format of dates found in object columns. The header (row 0) must be written already and
    nothing below it. Streams the rows' XML when the worksheet allows it
    (:func:`can_stream`), else writes cell by cell (:func:`write_rows_cellwise`).
    """
    if can_stream(worksheet):
        _stream_rows(worksheet, columns, formats, start, stop, date_format)
    else:
        write_rows_cellwise(worksheet, columns, formats, start, stop, date_format=date_format)


def can_stream(worksheet: Any) -> bool:
    """Whether ``worksheet`` has the constant-memory internals :func:`write_rows` streams into."""
    from xlsxwriter.format import Format

    needed = ("fh", "table", "previous_row", "_write_single_row", "_check_dimensions")
    return (
        bool(getattr(worksheet, "constant_memory", False))
        and all(hasattr(worksheet, name) for name in needed)
        and hasattr(Format, "_get_xf_index")
    )


def write_rows_cellwise(
    worksheet: Any,
    columns: list[SheetColumn],
    formats: list[Any],
    start: int,
    stop: int,
    *,
    date_format: Any,
) -> None:
    """Write rows ``start:stop`` with xlsxwriter's public ``write_*`` methods, cell by cell."""
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


def _stream_rows(
    worksheet: Any,
    columns: list[SheetColumn],
    formats: list[Any],
    start: int,
    stop: int,
    date_format: Any,
) -> None:
    """Append the rows' ``<row>`` elements to the sheet's constant-memory row file."""
    from xlsxwriter.utility import xl_col_to_name

    if stop <= start or not columns:
        return
    worksheet._write_single_row(1)  # write out the pending header row; row 1 is next
    styles = [_style(fmt) for fmt in formats]
    date_style = _style(date_format)
    builders = [_BUILDERS[column.kind] for column in columns]
    letters = [xl_col_to_name(col) for col in range(len(columns))]
    last = None
    for first in range(start, stop, _CHUNK_ROWS):
        end = min(stop, first + _CHUNK_ROWS)
        rows = [str(row) for row in range(first - start + 2, end - start + 2)]
        cells = [
            build(column.cells(first, end), f'<c r="{letter}', rows, style, date_style)
            for build, column, letter, style in zip(builders, columns, letters, styles, strict=True)
        ]
        parts = []
        for number, row_cells in zip(rows, zip(*cells, strict=True), strict=True):
            body = "".join(row_cells)
            if body:
                parts.append(f'<row r="{number}">{body}</row>')
                last = number
        worksheet.fh.write("".join(parts))
    if last is not None:  # what xlsxwriter would have recorded: the last row written
        worksheet.previous_row = int(last) - 1
        worksheet._check_dimensions(int(last) - 1, len(columns) - 1)


def _style(fmt: Any) -> str:
    return "" if fmt is None else f' s="{fmt._get_xf_index()}"'


def _text_xml(value: str) -> str:
    """The inline string's ``<t>`` element as xlsxwriter writes it."""
    if _NEEDS_ESCAPE.search(value):
        value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
        value = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", value)
        value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        preserve = _PRESERVE.search(value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        preserve = _PRESERVE.search(value)
    return f'<t xml:space="preserve">{value}</t>' if preserve else f"<t>{value}</t>"


def _text_cells(values: list[Any], head: str, rows: list[str], style: str, _: str) -> list[str]:
    tail = f'"{style} t="inlineStr"><is>'
    # One vectorised match finds the few texts that need escaping or xml:space="preserve".
    plain = ~pd.Series(values, dtype="str").str.contains(_MAY_NEED_WORK, na=True).to_numpy(bool)
    return [
        ""
        if value is None
        else f"{head}{row}{tail}<t>{value}</t></is></c>"
        if simple
        else f"{head}{row}{tail}{_text_xml(value)}</is></c>"
        for value, row, simple in zip(values, rows, plain, strict=True)
    ]


def _number_cells(values: list[Any], head: str, rows: list[str], style: str, _: str) -> list[str]:
    tail = f'"{style}><v>'
    return [
        "" if value is None else f"{head}{row}{tail}{value:.16G}</v></c>"
        for value, row in zip(values, rows, strict=True)
    ]


def _bool_cells(values: list[Any], head: str, rows: list[str], style: str, _: str) -> list[str]:
    tail = f'"{style} t="b"><v>'
    return [
        "" if value is None else f"{head}{row}{tail}{1 if value else 0}</v></c>"
        for value, row in zip(values, rows, strict=True)
    ]


def _any_cells(
    values: list[Any], head: str, rows: list[str], style: str, date_style: str
) -> list[str]:
    cells = []
    for value, row in zip(values, rows, strict=True):
        kind, cell = _typed(value, int(row) - 1)
        if kind == "blank":
            cells.append("")
        elif kind == "text":
            cells.append(f'{head}{row}"{style} t="inlineStr"><is>{_text_xml(cell)}</is></c>')
        elif kind == "bool":
            cells.append(f'{head}{row}"{style} t="b"><v>{1 if cell else 0}</v></c>')
        else:
            chosen = style or (date_style if kind == "date" else "")
            cells.append(f'{head}{row}"{chosen}><v>{cell:.16G}</v></c>')
    return cells


_BUILDERS: dict[str, Callable[[list[Any], str, list[str], str, str], list[str]]] = {
    "text": _text_cells,
    "number": _number_cells,
    "bool": _bool_cells,
    "any": _any_cells,
}


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
