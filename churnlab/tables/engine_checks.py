"""The data contract's row rules compiled to Ibis expressions, for any engine.

An engine that reads data where they lie (:mod:`churnlab.features.direct`) checks the rules of
:mod:`churnlab.tables.rules` without a pandas copy. Each rule is answered in the cheapest way
its kind allows: from the file's column statistics when they answer it (no scan), else as a
condition on each row (counted in a pass the engine makes anyway), a count over the whole table,
a comparison of the latest date with the extract date, or a lookup of the customers' keys.
Nothing here imports Ibis: the expressions are built from the relation handed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from churnlab.tables.rules import EARLIEST, MAX_NUMBER, Rule, RuleKind, end_of_extract, rules_of

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class ColumnStatistics:
    """What a file stores about one column (a Parquet footer, say): how many values are
    empty, and the lowest and highest value when known."""

    nulls: int
    low: Any = None
    high: Any = None


@dataclass(frozen=True, kw_only=True, eq=False)
class EngineChecks:
    """One table's rules, each in the form an engine checks it.

    Attributes
    ----------
    answered:
        Rule -> rows breaking it (or 1 when some do), answered by column statistics.
    rows:
        Rule -> a condition true on each row that breaks it.
    totals:
        Rule -> how many rows break it, counted over the whole table (duplicate ids).
    latest:
        Rules the latest date of their column answers (:func:`after_extract`).
    keyed:
        Rules an engine answers when it looks each id up among the customers' (the direct
        read does so for every event table as it gives the rows their keys).
    """

    answered: dict[Rule, int] = field(default_factory=dict)
    rows: dict[Rule, ir.BooleanValue] = field(default_factory=dict)
    totals: dict[Rule, ir.IntegerScalar] = field(default_factory=dict)
    latest: list[Rule] = field(default_factory=list)
    keyed: list[Rule] = field(default_factory=list)


def engine_checks(
    table: str,
    rel: ir.Table,
    statistics: Mapping[str, ColumnStatistics] | None = None,
    *,
    earliest: pd.Timestamp = EARLIEST,
) -> EngineChecks:
    """Compile the rules of ``table`` over ``rel`` (columns by their contract names).

    Rules on columns ``rel`` lacks are left out. ``statistics`` (by column) answers
    :attr:`~RuleKind.NOT_EMPTY` rules from the empty values and :attr:`~RuleKind.NON_NEGATIVE`
    rules from a numeric lowest value, :attr:`~RuleKind.WITHIN_BOUND` rules from a numeric
    lowest and highest value and :attr:`~RuleKind.NOT_BEFORE_EARLIEST` rules (dates not before
    ``earliest``) from a lowest date; the others are never answered from statistics.

    Examples
    --------
    >>> import ibis
    >>> bills = ibis.table({"customer_id": "string", "bill_date": "timestamp",
    ...                     "amount": "float64"}, name="bills")
    >>> checks = engine_checks("bills", bills, {"amount": ColumnStatistics(0, 3.5, 9.0)})
    >>> sorted(rule.name for rule in checks.answered)
    ['bills.amount non_negative', 'bills.amount not_empty', 'bills.amount within_bound']
    >>> sorted(rule.name for rule in checks.rows)
    ['bills.bill_date not_before_earliest', 'bills.bill_date not_empty', 'bills.customer_id not_empty']
    """
    stored = statistics or {}
    checks = EngineChecks()
    for rule in rules_of(table):
        if not rule.applies_to(rel.columns):
            continue
        column = rel[rule.column]
        known = stored.get(rule.column)
        if rule.kind is RuleKind.NOT_EMPTY:
            if known is not None:
                checks.answered[rule] = known.nulls
            else:
                checks.rows[rule] = column.isnull()
        elif rule.kind is RuleKind.NON_NEGATIVE:
            low = known.low if known is not None else None
            if isinstance(low, int | float):
                checks.answered[rule] = int(low < 0)
            else:
                checks.rows[rule] = column.cast("float64") < 0
        elif rule.kind is RuleKind.NOT_BEFORE:
            checks.rows[rule] = column < rel[str(rule.partner)]
        elif rule.kind is RuleKind.UNIQUE:
            checks.totals[rule] = rel.count() - column.nunique()
        elif rule.kind is RuleKind.NOT_AFTER_EXTRACT:
            checks.latest.append(rule)
        elif rule.kind is RuleKind.KNOWN_CUSTOMER:
            checks.keyed.append(rule)
        elif rule.kind is RuleKind.NOT_BEFORE_EARLIEST:
            low = known.low if known is not None else None
            if isinstance(low, dt.datetime):
                checks.answered[rule] = int(pd.Timestamp(low) < earliest)
            else:
                checks.rows[rule] = column < earliest.to_pydatetime()
        elif rule.kind is RuleKind.WITHIN_BOUND:
            low, high = (known.low, known.high) if known is not None else (None, None)
            if isinstance(low, int | float) and isinstance(high, int | float):
                checks.answered[rule] = int(not max(abs(low), abs(high)) <= MAX_NUMBER)
            else:
                number = column.cast("float64")
                checks.rows[rule] = number.isinf() | (number.abs() > MAX_NUMBER)
    return checks


def after_extract(latest: pd.Timestamp | None, extract: pd.Timestamp) -> bool:
    """Whether a column whose latest date is ``latest`` breaks its
    :attr:`~RuleKind.NOT_AFTER_EXTRACT` rule.

    >>> after_extract(pd.Timestamp("2024-06-30 23:59"), pd.Timestamp("2024-06-30"))
    False
    >>> after_extract(pd.Timestamp("2024-07-01"), pd.Timestamp("2024-06-30"))
    True
    """
    return latest is not None and latest >= end_of_extract(extract)
