"""The data contract's row rules, written once, as data.

Each :class:`Rule` names a table and a column, the words a user reads when rows break it, and
its condition in a backend-neutral form (its :class:`RuleKind`). The rules are compiled where
they are checked: to pandera for tables loaded into pandas (:mod:`churnlab.tables.checks`) and
to Ibis expressions for data an engine reads where they lie (:mod:`churnlab.tables.engine_checks`).
To change a rule, change it here: both backends follow.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from churnlab.errors import SpecError
from churnlab.tables.config import EARLIEST_DATE
from churnlab.tables.contract import CONTRACTS, DATE, NUMBER
from churnlab.tables.problems import ProblemCode


class RuleKind(StrEnum):
    """The condition a rule sets on a column, whatever the backend that checks it."""

    NOT_EMPTY = "not_empty"
    """Every row has a value (in the columns the reading requires)."""
    UNIQUE = "unique"
    """No value is in two rows."""
    NON_NEGATIVE = "non_negative"
    """The value, when there is one, is 0 or more."""
    NOT_BEFORE = "not_before"
    """The value is not before ``partner``'s, when both are there."""
    NOT_AFTER_EXTRACT = "not_after_extract"
    """The date, when there is one, is not after the extract date (a time on the extract day
    counts as on it)."""
    KNOWN_CUSTOMER = "known_customer"
    """The id, when there is one, is a customer's."""
    NOT_BEFORE_EARLIEST = "not_before_earliest"
    """The date, when there is one, is not before the earliest plausible date
    (``[checks] earliest_date``, 1950-01-01 by default)."""
    WITHIN_BOUND = "within_bound"
    """The number, when there is one, is finite and at most :data:`MAX_NUMBER` from zero."""


_CODES = {
    RuleKind.NOT_EMPTY: ProblemCode.EMPTY_VALUE,
    RuleKind.UNIQUE: ProblemCode.DUPLICATE_ID,
    RuleKind.NON_NEGATIVE: ProblemCode.NEGATIVE,
    RuleKind.NOT_BEFORE: ProblemCode.ORDER,
    RuleKind.NOT_AFTER_EXTRACT: ProblemCode.AFTER_EXTRACT,
    RuleKind.KNOWN_CUSTOMER: ProblemCode.UNKNOWN_CUSTOMER,
    RuleKind.NOT_BEFORE_EARLIEST: ProblemCode.TOO_EARLY,
    RuleKind.WITHIN_BOUND: ProblemCode.OUT_OF_BOUNDS,
}

EARLIEST = pd.Timestamp(EARLIEST_DATE)
"""The default earliest plausible date, as a timestamp."""

MAX_NUMBER = 1e12
"""The largest plausible amount or duration (a trillion): beyond it, or not finite (``inf``,
``1e400``), a number is an error in the data, and would overflow the features' integer
arithmetic."""


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One row rule of the data contract.

    Attributes
    ----------
    kind:
        The condition (see :class:`RuleKind`).
    table, column:
        Where it applies; it is reported on ``column``.
    words:
        What a user reads when rows break it. ``{extract}`` stands for the extract date,
        ``{earliest}`` for the earliest plausible date.
    partner:
        The other column of a :attr:`RuleKind.NOT_BEFORE` rule.

    Examples
    --------
    >>> rule = Rule(kind=RuleKind.NON_NEGATIVE, table="bills", column="amount",
    ...             words="negative amount")
    >>> rule.code, rule.applies_to(["customer_id", "amount"])
    (<ProblemCode.NEGATIVE: 'negative'>, True)
    >>> Rule(kind=RuleKind.NOT_BEFORE, table="bills", column="paid_date", words="too early")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'partner' parameter of Rule must be a column of bills for a not_before rule. Got None instead.
    """

    kind: RuleKind
    table: str
    column: str
    words: str
    partner: str | None = None

    def __post_init__(self) -> None:
        if self.table not in CONTRACTS:
            raise SpecError(
                f"The 'table' parameter of Rule must be one of {sorted(CONTRACTS)}. "
                f"Got {self.table!r} instead."
            )
        columns = CONTRACTS[self.table].columns
        if self.column not in columns:
            raise SpecError(
                f"The 'column' parameter of Rule must be a column of {self.table}. "
                f"Got {self.column!r} instead."
            )
        needs_partner = self.kind is RuleKind.NOT_BEFORE
        if needs_partner != (self.partner in columns):
            expected = (
                f"a column of {self.table} for a {self.kind} rule"
                if needs_partner
                else f"None for a {self.kind} rule"
            )
            raise SpecError(
                f"The 'partner' parameter of Rule must be {expected}. Got {self.partner!r} instead."
            )
        if not self.words:
            raise SpecError("The 'words' parameter of Rule must be a non-empty text. Got ''.")

    @property
    def code(self) -> ProblemCode:
        """The code of the problems this rule reports."""
        return _CODES[self.kind]

    @property
    def name(self) -> str:
        """A short name, unique among the rules: ``table.column kind [partner]``."""
        name = f"{self.table}.{self.column} {self.kind}"
        return name if self.partner is None else f"{name} {self.partner}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule reads."""
        return (self.column,) if self.partner is None else (self.column, self.partner)

    def applies_to(self, columns: Collection[str]) -> bool:
        """Whether a table with these columns has every column the rule reads."""
        return all(column in columns for column in self.columns)

    def message(self, *, extract: pd.Timestamp, earliest: pd.Timestamp = EARLIEST) -> str:
        """The words a user reads, for data extracted on ``extract`` whose dates may not be
        before ``earliest``.

        >>> rules_of("bills", RuleKind.NOT_AFTER_EXTRACT)[0].message(
        ...     extract=pd.Timestamp("2024-06-30"))
        'dated after the extract date 2024-06-30'
        """
        return self.words.format(extract=extract.date(), earliest=earliest.date())


def end_of_extract(extract: pd.Timestamp) -> pd.Timestamp:
    """The first instant after the extract day: a :attr:`RuleKind.NOT_AFTER_EXTRACT` date must
    be before it.

    >>> end_of_extract(pd.Timestamp("2024-06-30"))
    Timestamp('2024-07-01 00:00:00')
    """
    return extract.normalize() + pd.Timedelta(days=1)


def _not_empty(table: str, *columns: str) -> tuple[Rule, ...]:
    return tuple(
        Rule(kind=RuleKind.NOT_EMPTY, table=table, column=column, words="empty value")
        for column in columns
    )


def _known_customer(table: str) -> Rule:
    return Rule(
        kind=RuleKind.KNOWN_CUSTOMER,
        table=table,
        column="customer_id",
        words="customer not in customers",
    )


MAY_BE_AFTER_EXTRACT = frozenset({"bills.due_date"})
"""Dates that may lie after the extract date: a bill issued before it may fall due after it."""

_NOT_AFTER_EXTRACT = tuple(
    Rule(
        kind=RuleKind.NOT_AFTER_EXTRACT,
        table=table,
        column=column,
        words="dated after the extract date {extract}",
    )
    for table, contract in CONTRACTS.items()
    for column, kind in contract.columns.items()
    if kind == DATE and f"{table}.{column}" not in MAY_BE_AFTER_EXTRACT
)

_NOT_BEFORE_EARLIEST = tuple(
    Rule(
        kind=RuleKind.NOT_BEFORE_EARLIEST,
        table=table,
        column=column,
        words="dated before {earliest} (set [checks] earliest_date if right)",
    )
    for table, contract in CONTRACTS.items()
    for column, kind in contract.columns.items()
    if kind == DATE
)

_WITHIN_BOUND = tuple(
    Rule(
        kind=RuleKind.WITHIN_BOUND,
        table=table,
        column=column,
        words="not finite, or beyond a trillion",
    )
    for table, contract in CONTRACTS.items()
    for column, kind in contract.columns.items()
    if kind == NUMBER
)

RULES: tuple[Rule, ...] = (
    *_not_empty("customers", "customer_id", "signup_date"),  # end_date is empty while active
    Rule(
        kind=RuleKind.UNIQUE, table="customers", column="customer_id", words="duplicate customer_id"
    ),
    Rule(
        kind=RuleKind.NOT_BEFORE,
        table="customers",
        column="end_date",
        partner="signup_date",
        words="end_date before signup_date",
    ),
    *_not_empty("bills", "customer_id", "bill_date", "amount"),
    _known_customer("bills"),
    Rule(kind=RuleKind.NON_NEGATIVE, table="bills", column="amount", words="negative amount"),
    *_not_empty("complaints", "customer_id", "opened_at", "category"),
    _known_customer("complaints"),
    Rule(
        kind=RuleKind.NOT_BEFORE,
        table="complaints",
        column="resolved_at",
        partner="opened_at",
        words="resolved_at before opened_at",
    ),
    *_not_empty("service_events", "customer_id", "occurred_at", "kind"),
    _known_customer("service_events"),
    Rule(
        kind=RuleKind.NON_NEGATIVE,
        table="service_events",
        column="duration_minutes",
        words="negative duration",
    ),
    *_not_empty("orders", "customer_id", "ordered_at", "amount"),
    _known_customer("orders"),
    Rule(kind=RuleKind.NON_NEGATIVE, table="orders", column="quantity", words="negative quantity"),
    *_NOT_AFTER_EXTRACT,
    *_NOT_BEFORE_EARLIEST,
    *_WITHIN_BOUND,
)
"""Every row rule of the data contract."""


def rules_of(table: str, kind: RuleKind | None = None) -> tuple[Rule, ...]:
    """The rules of one table (of one kind), in :data:`RULES`' order.

    >>> [rule.column for rule in rules_of("bills", RuleKind.NOT_EMPTY)]
    ['customer_id', 'bill_date', 'amount']
    """
    return tuple(r for r in RULES if r.table == table and kind in (None, r.kind))
