"""The data contract's row rules, checked by pandera where the data live, as :class:`Problem` rows.

Rules are Ibis predicates, so one definition checks pandas frames (registered in DuckDB without a
copy) and files read by an engine alike: millions of rows are checked in the engine, and only the
failing rows travel back. pandera's Ibis backend runs the checks and collects their failures.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
import pandera.ibis as pa
from ibis.common.deferred import Deferred
from pandera.errors import SchemaErrors

from churnlab.tables.contract import CONTRACTS, DATE
from churnlab.tables.problems import Problem, examples_of, row_examples

ROW = "__row"
"""A 0-based row number column the checked relations carry, so problems can name rows."""

_NON_NEGATIVE = {"amount": "negative amount", "duration_minutes": "negative duration"}
_NULLABLE_REQUIRED = {"end_date"}
_MAY_BE_AFTER_EXTRACT = {"due_date"}  # a bill issued before the extract may fall due after it
_PAIRS = {  # (table, later column): earlier column; an empty start is reported on its own
    ("customers", "end_date"): "signup_date",
    ("complaints", "resolved_at"): "opened_at",
}


@dataclass(frozen=True)
class Rule:
    """One row rule: rows where ``valid`` is false break it; reported on ``column``."""

    column: str
    words: str
    valid: Callable[[ir.Table], ir.BooleanValue]


def table_rules(
    table: str,
    columns: Collection[str],
    *,
    required: Collection[str],
    not_after: pd.Timestamp,
    customers: ir.Table | None,
) -> list[Rule]:
    """The rules one table must satisfy (only for the columns it has)."""
    contract = CONTRACTS[table]
    rules: list[Rule] = []
    if table == "customers":
        rules.append(Rule("customer_id", "duplicate customer_id", _unique_id))
    elif customers is not None:
        rules.append(
            Rule(
                "customer_id",
                "customer not in customers",
                lambda t: t.customer_id.isnull() | t.customer_id.isin(customers.customer_id),
            )
        )
    for name, kind in contract.columns.items():
        if name in columns:
            rules.extend(_column_rules(table, name, kind, columns, required, not_after))
    return rules


def _column_rules(
    table: str,
    name: str,
    kind: str,
    columns: Collection[str],
    required: Collection[str],
    not_after: pd.Timestamp,
) -> list[Rule]:
    col = ibis._[name]  # a deferred column: resolved against whichever table is checked
    rules = []
    if name in required and name not in _NULLABLE_REQUIRED:
        rules.append(Rule(name, "empty value", _predicate(col.notnull())))
    if kind == DATE and name not in _MAY_BE_AFTER_EXTRACT:
        end_of_extract = (not_after + pd.Timedelta(days=1)).to_pydatetime()
        future = col.isnull() | (col < end_of_extract)
        rules.append(
            Rule(name, f"dated after the extract date {not_after.date()}", _predicate(future))
        )
    if name in _NON_NEGATIVE:
        rules.append(Rule(name, _NON_NEGATIVE[name], _predicate(col.isnull() | (col >= 0))))
    earlier = _PAIRS.get((table, name))
    if earlier is not None and earlier in columns:
        start = ibis._[earlier]
        ordered = col.isnull() | start.isnull() | (col >= start)
        rules.append(Rule(name, f"{name} before {earlier}", _predicate(ordered)))
    return rules


def _predicate(deferred: Deferred) -> Callable[[ir.Table], ir.BooleanValue]:
    return lambda t: deferred.resolve(t)


def _unique_id(t: ir.Table) -> ir.BooleanValue:
    counts = t.group_by("customer_id").aggregate(n=t.count())
    repeated = counts.filter(counts.n > 1).customer_id
    return t.customer_id.isnull() | ~t.customer_id.isin(repeated)


def find_problems(
    table: str,
    relation: ir.Table,
    rules: list[Rule],
    *,
    skip: Collection[tuple[str, str]] = (),
) -> list[Problem]:
    """Check ``relation`` (which has a :data:`ROW` column) against ``rules``.

    ``skip`` holds ``(column, words)`` pairs already reported another way (for example the
    empty values left by unparseable dates).
    """
    rules = [r for r in rules if (r.column, r.words) not in skip]
    if not rules:
        return []
    schema = pa.DataFrameSchema(
        checks=[
            pa.Check(lambda data, r=rule: r.valid(data.table), error=str(i), ignore_na=False)
            for i, rule in enumerate(rules)
        ],
        name=table,
    )
    try:
        with warnings.catch_warnings():
            # ibis reads a pandas option that pandas 3 deprecates; harmless, and pandera would
            # otherwise report the warning as a failed check where warnings are errors.
            warnings.filterwarnings("ignore", "The 'future.infer_string' option")
            schema.validate(relation, lazy=True)
    except SchemaErrors as exc:
        return _problems_from(table, rules, exc.failure_cases)
    return []


def _problems_from(table: str, rules: list[Rule], cases: pd.DataFrame) -> list[Problem]:
    problems = []
    for key, group in cases.groupby(cases["check"].astype(str), sort=False):
        rule = rules[int(key)]
        rows = [case for case in group["failure_case"] if isinstance(case, Mapping)]
        if not rows:  # pandera reports a check that crashed as failed: that is a bug, not data
            raise RuntimeError(
                f"Checking {table}.{rule.column} ({rule.words}) failed: "
                f"{group['failure_case'].iloc[0]}"
            )
        rows.sort(key=lambda case: case.get(ROW, 0))
        # Name customers by id, a bad id by itself, and any other row by its number.
        by_id = (
            rule.words != "empty value" if rule.column == "customer_id" else table == "customers"
        )
        if by_id:
            examples = examples_of(case["customer_id"] for case in rows)
        else:
            examples = row_examples([case[ROW] for case in rows])
        problems.append(
            Problem(
                table=table, column=rule.column, check=rule.words, rows=len(rows), examples=examples
            )
        )
    return problems


def check_relations(
    relations: Mapping[str, ir.Table],
    *,
    required: Mapping[str, Collection[str]],
    not_after: pd.Timestamp,
    skip: Collection[tuple[str, str, str]] = (),
) -> list[Problem]:
    """Check every table; ``relations["customers"]`` also supplies the known customer ids."""
    customers = relations.get("customers")
    problems: list[Problem] = []
    for table, relation in relations.items():
        rules = table_rules(
            table,
            relation.columns,
            required=required[table],
            not_after=not_after,
            customers=None if table == "customers" else customers,
        )
        done = {(column, words) for t, column, words in skip if t == table}
        problems.extend(find_problems(table, relation, rules, skip=done))
    return problems
