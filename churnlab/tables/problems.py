"""Data problems: collected while loading, then reported once, as a table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

MAX_EXAMPLES = 5
WHAT_TO_DO = (
    "Fix the source files, or map your column names, delimiter, decimal mark and date format in "
    "churnlab.toml next to the data (see `churnlab validate --help`)."
)


class ProblemCode(StrEnum):
    """What kind of problem a :class:`Problem` is, for code to act on (its words are for people).

    Examples
    --------
    >>> ProblemCode.NEGATIVE, str(ProblemCode.NEGATIVE)
    (<ProblemCode.NEGATIVE: 'negative'>, 'negative')
    """

    # Finding and reading the files.
    NO_FOLDER = "no_folder"
    MISSING_FILE = "missing_file"
    TWO_FILES = "two_files"
    EMPTY_FILE = "empty_file"
    UNREADABLE_FILE = "unreadable_file"
    NO_ROWS = "no_rows"
    NOT_A_TABLE = "not_a_table"
    FILES_DISAGREE = "files_disagree"
    # Columns and their values as read.
    DUPLICATE_COLUMN = "duplicate_column"
    MISSING_COLUMN = "missing_column"
    NOT_A_NUMBER = "not_a_number"
    UNPARSEABLE_DATE = "unparseable_date"
    MIXED_TIME_ZONES = "mixed_time_zones"
    UNKNOWN_CHURN_FLAG = "unknown_churn_flag"
    CONTROL_CHARACTER = "control_character"
    MAPPED_COLUMN_MISSING = "mapped_column_missing"
    DECIMAL_MISMATCH = "decimal_mismatch"
    FAR_LATEST_DATE = "far_latest_date"
    # The contract's row rules (:mod:`churnlab.tables.rules`).
    EMPTY_VALUE = "empty_value"
    DUPLICATE_ID = "duplicate_id"
    NEGATIVE = "negative"
    ORDER = "order"
    AFTER_EXTRACT = "after_extract"
    UNKNOWN_CUSTOMER = "unknown_customer"
    TOO_EARLY = "too_early"
    OUT_OF_BOUNDS = "out_of_bounds"


UNREADABLE_VALUES = frozenset(
    {ProblemCode.NOT_A_NUMBER, ProblemCode.UNPARSEABLE_DATE, ProblemCode.DECIMAL_MISMATCH}
)
"""Problems with values that could not be read: they are left empty, and their empty values
are not reported a second time."""


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One broken rule of the data contract.

    Attributes
    ----------
    table, column:
        Where the problem is (``column`` is ``""`` for a problem with the whole table).
    check:
        What is wrong, in words a user reads ("negative amount").
    rows:
        How many rows break the rule (0 when it concerns the table or a column as a whole).
    examples:
        Up to five examples: customer ids, bad values or row numbers.
    code:
        What kind of problem it is (every problem churnlab reports has one). Left out of
        equality: an expected problem can be written by its words alone.

    Examples
    --------
    >>> problem = Problem(table="bills", column="amount", check="negative amount", rows=2,
    ...                   examples=("row 2", "row 3"), code=ProblemCode.NEGATIVE)
    >>> problem.where, problem.code
    ('bills.amount', <ProblemCode.NEGATIVE: 'negative'>)
    """

    table: str
    column: str
    check: str
    rows: int = 0
    examples: tuple[str, ...] = ()
    code: ProblemCode | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table

    def __str__(self) -> str:
        rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}" if self.rows else ""
        examples = f"e.g. {', '.join(self.examples)}" if self.examples else ""
        return f"{self.where:<28} {self.check:<44} {rows:>12}  {examples}".rstrip()


def examples_of(values: Iterable[object], limit: int = MAX_EXAMPLES) -> tuple[str, ...]:
    """Format up to ``limit`` distinct example values for a problem line.

    >>> examples_of(["00017", "00017", "00342"])
    ('00017', '00342')
    """
    seen: list[str] = []
    for value in values:
        text = "<empty>" if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)  # type: ignore[call-overload]
        if text not in seen:
            seen.append(text)
        if len(seen) == limit:
            break
    return tuple(seen)


def row_examples(index: Sequence[int] | pd.Index) -> tuple[str, ...]:
    """Name rows by their 1-based position in the file, as a spreadsheet user counts them.

    >>> row_examples([17, 1092])
    ('row 18', 'row 1093')
    """
    return tuple(f"row {int(i) + 1}" for i in list(index)[:MAX_EXAMPLES])


def format_report(problems: Sequence[Problem], source: str) -> str:
    """Render problems as the table users read, ending with what to do."""
    tables = sorted({p.table for p in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    head = (
        f"churnlab found {len(problems)} {noun} in {source} "
        f"({len(tables)} table{'s' if len(tables) != 1 else ''}):"
    )
    return "\n".join([head, *(f"  {p}" for p in problems), WHAT_TO_DO])
