"""The data contract's row rules compiled to pandera schemas, and their failures as problems.

The rules themselves are data (:mod:`churnlab.tables.rules`); this module only turns them into
pandera checks for a table loaded into pandas, and each failure back into a :class:`Problem`
with its rule's code and words.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from churnlab.tables.contract import TableContract
from churnlab.tables.problems import Problem, ProblemCode, examples_of, row_examples
from churnlab.tables.rules import EARLIEST, MAX_NUMBER, Rule, RuleKind, end_of_extract, rules_of

if TYPE_CHECKING:
    import pandera.pandas as pa

# What pandera calls the failures of the rules it checks itself (not with a Check).
_BUILT_IN = {RuleKind.NOT_EMPTY: "not_nullable", RuleKind.UNIQUE: "field_uniqueness"}


@dataclass(frozen=True, kw_only=True, eq=False)
class RuleSchema:
    """One table's rules as a pandera schema, and the rule behind each failure it can report.

    Attributes
    ----------
    schema:
        The pandera schema (only the columns the table has are checked).
    rules:
        ``(column, check)`` as pandera names a failure -> the rule that failed, and its words.
    """

    schema: pa.DataFrameSchema
    rules: Mapping[tuple[str, str], tuple[Rule, str]]


def _not_before(rule: Rule) -> Callable[[pd.DataFrame], pd.Series]:
    """A frame check: rows where either date is empty pass (an empty or unparseable date is
    reported on its own)."""
    column, partner = rule.column, str(rule.partner)
    return lambda d: d[column].isna() | d[partner].isna() | (d[column] >= d[partner])


def _within_bound(values: pd.Series) -> pd.Series:
    """Finite and at most :data:`MAX_NUMBER` from zero (``inf`` is neither)."""
    return values.abs() <= MAX_NUMBER


def build_schema(
    contract: TableContract,
    *,
    columns: Collection[str],
    known_customer: pd.Series | None,
    not_after: pd.Timestamp,
    required: Collection[str],
    earliest: pd.Timestamp = EARLIEST,
) -> RuleSchema:
    """Compile one table's rules to a pandera schema (only the columns it has are checked).

    A :attr:`~RuleKind.NOT_EMPTY` rule holds only for the columns the reading ``required``
    (a snapshot extract requires no dates); ``known_customer`` is each row's answer to the
    :attr:`~RuleKind.KNOWN_CUSTOMER` rule (``None``: not checked); ``earliest`` is the
    earliest plausible date of :attr:`~RuleKind.NOT_BEFORE_EARLIEST` rules.
    """
    import pandera.pandas as pa  # imported when tables are loaded: a direct read needs none

    rules = [rule for rule in rules_of(contract.name) if rule.applies_to(columns)]
    by_check: dict[tuple[str, str], tuple[Rule, str]] = {}
    schema_columns: dict[str, pa.Column] = {}
    for name in contract.columns:
        if name not in columns:
            continue
        checks: list[pa.Check] = []
        nullable, unique = True, False
        for rule in (r for r in rules if r.column == name):
            words = rule.message(extract=not_after, earliest=earliest)
            if rule.kind is RuleKind.NOT_EMPTY:
                nullable = name not in required
            elif rule.kind is RuleKind.UNIQUE:
                unique = True
            elif rule.kind is RuleKind.NOT_AFTER_EXTRACT:
                checks.append(pa.Check.lt(end_of_extract(not_after), error=words, ignore_na=True))
            elif rule.kind is RuleKind.NON_NEGATIVE:
                checks.append(pa.Check.ge(0, error=words, ignore_na=True))
            elif rule.kind is RuleKind.NOT_BEFORE_EARLIEST:
                checks.append(pa.Check.ge(earliest, error=words, ignore_na=True))
            elif rule.kind is RuleKind.WITHIN_BOUND:
                checks.append(pa.Check(_within_bound, error=words, ignore_na=True))
            elif rule.kind is RuleKind.KNOWN_CUSTOMER and known_customer is not None:
                known = known_customer
                # Aligned on the values checked: ignore_na leaves the empty ids out.
                checks.append(
                    pa.Check(lambda s, known=known: known.loc[s.index], error=words, ignore_na=True)
                )
            by_check[name, _BUILT_IN.get(rule.kind, words)] = (rule, words)
        schema_columns[name] = pa.Column(
            checks=checks,
            nullable=nullable,
            unique=unique,
            report_duplicates="all",
            required=False,
        )
    frame_checks = []
    for rule in rules:
        if rule.kind is RuleKind.NOT_BEFORE:
            words = rule.message(extract=not_after)
            frame_checks.append(pa.Check(_not_before(rule), name=rule.column, error=words))
            by_check[rule.column, words] = (rule, words)
    schema = pa.DataFrameSchema(schema_columns, checks=frame_checks, name=contract.name)
    return RuleSchema(schema=schema, rules=by_check)


def run_schema(
    compiled: RuleSchema, frame: pd.DataFrame, *, skip: Collection[str] = ()
) -> list[Problem]:
    """Validate lazily and turn every failure into a problem line.

    ``skip`` names columns whose empty values were already reported (values that could not be
    read).
    """
    import pandera.pandas as pa

    try:
        compiled.schema.validate(frame, lazy=True, inplace=True)  # no copy of millions of rows
    except pa.errors.SchemaErrors as exc:
        return _problems_from(compiled, frame, exc.failure_cases, skip)
    return []


def _problems_from(
    compiled: RuleSchema, frame: pd.DataFrame, cases: pd.DataFrame, skip: Collection[str]
) -> list[Problem]:
    table = str(compiled.schema.name)
    rule_column = {str(c.error): str(c.name) for c in compiled.schema.checks}
    cases = cases.assign(check=cases["check"].astype(str))
    # A frame-level check reports every column of a failing row: attribute it to its rule's column.
    on_frame = cases["schema_context"] == "DataFrameSchema"
    cases.loc[on_frame, "column"] = cases.loc[on_frame, "check"].map(rule_column)
    problems = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        rule, words = compiled.rules[str(column), str(check)]
        if rule.code is ProblemCode.EMPTY_VALUE and column in skip:
            continue
        group = group.sort_values("index", kind="stable")  # examples in the file's order
        index = pd.Index(group["index"].dropna().astype("int64").unique())
        if column == "customer_id" and rule.code is not ProblemCode.EMPTY_VALUE:
            examples = examples_of(group["failure_case"])
        elif table == "customers" and "customer_id" in frame.columns and column != "customer_id":
            examples = examples_of(frame["customer_id"].iloc[index[:5]])
        else:
            examples = row_examples(index)
        problems.append(
            Problem(
                table=table,
                column=str(column),
                check=words,
                rows=len(index),
                examples=examples,
                code=rule.code,
            )
        )
    return problems
