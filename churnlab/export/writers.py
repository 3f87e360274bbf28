"""Write a table as CSV (for any tool), XLSX (for spreadsheets) or Parquet (for the data team).

CSV and XLSX are opened by people in spreadsheets, so their text is neutralised
(:func:`churnlab.export.safe.neutralise_frame`): no cell can start a formula. Parquet is read by
programs, so it keeps every value exactly as given. Each writer writes atomically (a temporary
file beside ``path``, renamed at the end): a failed write leaves no file, and an earlier file
at ``path`` whole.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow as pa

from churnlab.errors import DataError, SpecError
from churnlab.export.safe import neutralise, neutralise_frame
from churnlab.export.xlsx_cells import (
    DATE_FORMAT,
    MAX_WIDTH,
    SheetColumn,
    display_width,
    sheet_column,
    write_rows,
)
from churnlab.files import atomic_path

EXCEL_MAX_DATA_ROWS: Final[int] = 1_048_575
"""Rows of data an Excel sheet holds below its header row (1,048,576 rows in all)."""
EXCEL_MAX_COLUMNS: Final[int] = 16_384

WORKBOOK_OPTIONS: Final[Mapping[str, bool]] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
}
"""xlsxwriter options: rows stream to disk, and no text is ever turned into a formula, a link
or a number."""

_SHEET_FORBIDDEN = set("[]:*?/\\")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a CSV file that spreadsheets open safely, Chinese text included.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    path : str or Path
        The file to write; its folder is created if needed.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    - UTF-8 with a byte-order mark (``utf-8-sig``): Excel then reads the file as UTF-8, so
      Chinese text opens as written.
    - Text cells and column names are neutralised (:func:`~churnlab.export.safe.neutralise`);
      numbers, booleans and dates never are.
    - Dates as ``YYYY-MM-DD`` (a time of day is dropped), floats exactly as given (round them
      before, if the reader wants fewer digits), missing values as empty fields.
    - Rows end in ``\\r\\n`` and fields are quoted where RFC 4180 requires it (a comma, a
      quote, a carriage return or a line feed in the text), with quotes doubled. (Python's
      csv writer quotes only the characters of the row ending: with ``\\n`` alone, a bare
      carriage return inside a text would go out unquoted and split the row for a reader,
      starting a new line with whatever follows it.) Quoting every text would not stop a formula:
      LibreOffice evaluates ``"=1+1"`` quoted or not; the leading ``'`` does.
    - A spreadsheet may still read an id such as ``00123`` as the number 123 when it opens a
      CSV file; the XLSX file keeps ids as text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
    >>> frame = pd.DataFrame({"customer_id": ["00123", "=1+1"], "gain": [-2.5, 10.0]})
    >>> write_csv(frame, out).read_bytes()
    b"\\xef\\xbb\\xbfcustomer_id,gain\\r\\n00123,-2.5\\r\\n'=1+1,10.0\\r\\n"
    """
    path = Path(path)
    safe = neutralise_frame(frame)
    with atomic_path(path) as tmp:
        safe.to_csv(
            tmp,
            index=False,
            encoding="utf-8-sig",
            date_format="%Y-%m-%d",
            na_rep="",
            lineterminator="\r\n",
        )
    return path


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as Parquet with every value as given, for programs rather than people.

    Nothing is rounded or neutralised: a reader gets the full float precision and the text
    exactly as it was (a hostile text is only dangerous once a spreadsheet opens it, and
    Parquet is not opened by spreadsheets). String ids stay strings (Parquet ``string``);
    the index is not written.

    Raises
    ------
    DataError
        If a column cannot be stored as one Parquet type (an object column that mixes
        numbers and text, for example).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "list.parquet"
    >>> _ = write_parquet(pd.DataFrame({"customer_id": ["00123"], "p": [1 / 3]}), out)
    >>> back = pd.read_parquet(out)
    >>> back["customer_id"].tolist(), back["p"].tolist() == [1 / 3]
    (['00123'], True)
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        try:
            frame.to_parquet(tmp, index=False, engine="pyarrow")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise DataError(
                f"{path.name} cannot be written as Parquet: {error}. Give each column a "
                "single type (for example .astype(str) for an id column)."
            ) from error
    return path


def write_xlsx(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    sheet: str = "list",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
    text_columns: Iterable[Any] = (),
    column_formats: Mapping[Any, str] | None = None,
    max_rows: int = EXCEL_MAX_DATA_ROWS,
) -> Path:
    """Write ``frame`` as an Excel workbook whose cells are typed and safe to open.

    Parameters
    ----------
    frame : DataFrame
        The list; its index is not written.
    path : str or Path
        The ``.xlsx`` file to write; its folder is created if needed.
    sheet : str, default "list"
        The name of the list's sheet. Above ``max_rows`` rows the list continues on sheets
        ``"list (2)"``, ``"list (3)"``..., in order, each with the header row.
    extra_sheets : mapping of str to DataFrame, optional
        More sheets, written after the list's sheets in the mapping's order (for example a
        ``"summary"`` of parameters as two columns, key and value, and a ``"columns"`` guide).
    text_columns : iterable of column names, default ()
        Columns written as text whatever their dtype (an id column read as integers, say).
        String, categorical and object columns are text anyway.
    column_formats : mapping of column name to str, optional
        Excel number formats by column name, on every sheet that has the column, for example
        ``{"churn_probability": "0.0%", "value": "#,##0.00"}``.
    max_rows : int, default 1,048,575
        Data rows per sheet (Excel's limit); smaller values are for tests.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SpecError
        For a bad sheet name (Excel's rules: 1 to 31 characters, none of ``[]:*?/\\``, unique
        regardless of case), an unknown column in ``text_columns`` or ``column_formats``, a
        bad ``max_rows``, or more than 16,384 columns.
    DataError
        For values Excel cannot hold: an infinite number, a text longer than 32,767
        characters, a date before 1 March 1900.

    Notes
    -----
    - Cells are typed: text with ``write_string`` (so ``"00123"`` keeps its zeros and no text
      becomes a formula, a link or a number), numbers with ``write_number``, booleans as
      booleans, dates as dates (``yyyy-mm-dd``, with the time when any value has one). In
      object columns each cell is written by its own type. Missing values are blank cells.
    - Text cells and column names are neutralised (:func:`~churnlab.export.safe.neutralise`):
      the cells are text already, but a user who edits one, or saves the sheet as CSV, would
      otherwise bring a formula to life.
    - The header row is bold, frozen and has filter buttons; column widths follow the
      header and the values (wide East Asian characters count twice), at most 60.
    - xlsxwriter runs in constant-memory mode: rows go to a scratch folder beside ``path``
      in order, 20,000 at a time (:mod:`churnlab.export.xlsx_cells`), so memory stays flat
      however long the list. 100,000 rows of 15 columns take about 3 seconds.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "list.xlsx"
    >>> frame = pd.DataFrame({"customer_id": ["00123", "=1+1"], "gain": [-2.5, None]})
    >>> _ = write_xlsx(frame, out, extra_sheets={"summary": pd.DataFrame({"key": ["top"], "value": [10]})})
    >>> book = openpyxl.load_workbook(out)
    >>> book.sheetnames, [[c.value for c in row] for row in book["list"].iter_rows()]
    (['list', 'summary'], [['customer_id', 'gain'], ['00123', -2.5], ["'=1+1", None]])
    """
    import xlsxwriter

    path = Path(path)
    extra = dict(extra_sheets or {})
    formats = dict(column_formats or {})
    text = list(text_columns)
    _check_max_rows(max_rows)
    parts = _sheet_parts(frame, sheet, extra, max_rows)
    _check_known_columns([frame, *extra.values()], text, formats)

    prepared = {
        id(table): _prepare(table, set(text), formats) for table in [frame, *extra.values()]
    }
    with (
        atomic_path(path) as tmp,
        tempfile.TemporaryDirectory(dir=tmp.parent, prefix=f".{path.name}.") as scratch,
    ):
        workbook = xlsxwriter.Workbook(str(tmp), {**WORKBOOK_OPTIONS, "tmpdir": scratch})
        try:
            styles: dict[tuple[tuple[str, Any], ...], Any] = {}
            for name, table, start, stop in parts:
                header, columns = prepared[id(table)]
                worksheet = workbook.add_worksheet(name)
                _write_sheet(workbook, worksheet, header, columns, start, stop, styles)
        except BaseException:
            for worksheet in workbook.worksheets():
                worksheet._opt_close()  # the constant-memory row files; close() would write
            raise
        workbook.close()
    return path


def _check_max_rows(max_rows: int) -> None:
    if (
        not isinstance(max_rows, numbers.Integral)
        or isinstance(max_rows, bool)
        or not 1 <= max_rows <= EXCEL_MAX_DATA_ROWS
    ):
        raise SpecError(
            "The 'max_rows' parameter of write_xlsx must be an int in [1, "
            f"{EXCEL_MAX_DATA_ROWS}]. Got {max_rows!r} instead."
        )


def _sheet_parts(
    frame: pd.DataFrame, sheet: str, extra: Mapping[str, pd.DataFrame], max_rows: int
) -> list[tuple[str, pd.DataFrame, int, int]]:
    """(sheet name, table, first row, end row) for every sheet, in order, names checked."""
    parts = []
    pieces = max(1, math.ceil(len(frame) / max_rows))
    for piece in range(pieces):
        name = sheet if piece == 0 else f"{sheet} ({piece + 1})"
        parts.append((name, frame, piece * max_rows, min(len(frame), (piece + 1) * max_rows)))
    for name, table in extra.items():
        if not isinstance(table, pd.DataFrame):
            raise SpecError(
                f"The 'extra_sheets' parameter of write_xlsx must map sheet names to "
                f"DataFrames. Got {type(table).__name__} for {name!r} instead."
            )
        if len(table) > max_rows:
            raise SpecError(
                f"The extra sheet {name!r} has {len(table):,} rows; a sheet holds {max_rows:,}."
            )
        parts.append((name, table, 0, len(table)))
    seen: dict[str, str] = {}
    for name, table, _, _ in parts:
        _check_sheet_name(name)
        if name.casefold() in seen:
            raise SpecError(
                f"Two sheets would be named {seen[name.casefold()]!r} and {name!r}; Excel "
                "needs sheet names that differ regardless of case. Rename one."
            )
        seen[name.casefold()] = name
        if table.shape[1] > EXCEL_MAX_COLUMNS:
            raise SpecError(
                f"The sheet {name!r} would have {table.shape[1]:,} columns; Excel holds "
                f"{EXCEL_MAX_COLUMNS:,}."
            )
    return parts


def _check_sheet_name(name: object) -> None:
    problem = None
    if not isinstance(name, str) or not name:
        problem = "must be a non-empty str"
    elif len(name) > 31:
        problem = "must have at most 31 characters"
    elif set(name) & _SHEET_FORBIDDEN:
        problem = "must not contain any of []:*?/\\"
    elif name.startswith("'") or name.endswith("'"):
        problem = "must not start or end with an apostrophe"
    elif name.casefold() == "history":
        problem = "must not be 'History' (Excel reserves it)"
    if problem:
        raise SpecError(f"An Excel sheet name {problem}. Got {name!r} instead.")


def _check_known_columns(
    tables: list[pd.DataFrame], text: list[Any], formats: Mapping[Any, str]
) -> None:
    known = {name for table in tables for name in table.columns}
    for parameter, names in (("text_columns", text), ("column_formats", list(formats))):
        unknown = [name for name in names if name not in known]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), [str(k) for k in known], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SpecError(
                f"The '{parameter}' parameter of write_xlsx names columns that no sheet has: "
                f"{', '.join(map(repr, unknown))}.{hint}"
            )
    bad = {name: fmt for name, fmt in formats.items() if not isinstance(fmt, str) or not fmt}
    if bad:
        raise SpecError(
            "The 'column_formats' parameter of write_xlsx must map column names to Excel "
            f"number formats such as '0.00'. Got {bad!r} instead."
        )


def _prepare(
    table: pd.DataFrame, text: set[Any], formats: Mapping[Any, str]
) -> tuple[list[str], list[SheetColumn]]:
    """Neutralised header texts and one :class:`SheetColumn` per column of ``table``."""
    safe = neutralise_frame(table)
    header = [neutralise(str(name)) for name in table.columns]
    columns = []
    for position, name in enumerate(table.columns):
        column = sheet_column(
            safe.iloc[:, position], as_text=name in text, number_format=formats.get(name)
        )
        width = min(max(column.width, display_width(header[position]) + 2), MAX_WIDTH)
        columns.append(dataclasses.replace(column, width=width))
    return header, columns


def _write_sheet(
    workbook: Any,
    worksheet: Any,
    header: list[str],
    columns: list[SheetColumn],
    start: int,
    stop: int,
    styles: dict[tuple[tuple[str, Any], ...], Any],
) -> None:
    """Header (bold, frozen, with filters), column widths, then rows ``start:stop`` in order.

    ``styles`` caches the workbook's Formats by their options, shared by all sheets.
    """

    def style(**options: Any) -> Any:
        key = tuple(sorted(options.items()))
        if key not in styles:
            styles[key] = workbook.add_format(options)
        return styles[key]

    for position, column in enumerate(columns):
        worksheet.set_column(position, position, column.width)
    bold = style(bold=True)
    for position, name in enumerate(header):
        worksheet.write_string(0, position, name, bold)
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, max(stop - start, 1), len(columns) - 1)
    formats = [
        None if c.number_format is None else style(num_format=c.number_format) for c in columns
    ]
    write_rows(worksheet, columns, formats, start, stop, date_format=style(num_format=DATE_FORMAT))
