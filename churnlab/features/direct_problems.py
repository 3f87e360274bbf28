"""The data contract's problems, counted and exemplified by the engine where the data lie.

Data read in place (:mod:`churnlab.features.direct`) that break a rule are normally loaded
into pandas by :func:`churnlab.load_tables`, which names every problem. Data larger than this
machine cannot be: an engine that says so (``Engine.reports_in_place``, Spark) words the
problems itself, from the same rules (:mod:`churnlab.tables.rules`) and in the same form as
the pandas check: the table, the column, the rule's words and code, how many rows break it,
and up to five examples (the customer ids of a customers row, the ids themselves for
duplicate and unknown ids, else the rows' 1-based positions in the table's files).

Only data that need no repair are reported here: ids with spaces around them or control
characters, or ``NaN`` numbers, are repaired or read as empty by :func:`load_tables` before
its checks, and a latest date far beyond the others is not the extract date; such data go to
:func:`load_tables` as before.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from churnlab.features.direct import DATE_COLUMNS, SPACED_ID
from churnlab.features.engine import Engine
from churnlab.tables.config import DataConfig
from churnlab.tables.contract import CONTRACTS, NUMBER
from churnlab.tables.direct import DirectPlan, plan_direct_read
from churnlab.tables.load import FAR_AFTER
from churnlab.tables.problems import MAX_EXAMPLES, Problem, ProblemCode, examples_of, row_examples
from churnlab.tables.rules import MAX_NUMBER, Rule, RuleKind, end_of_extract, rules_of

ROW = "row_number"


def problems_in_place(
    engine: Engine, data_dir: str | Path, config: DataConfig | str | Path | None = None
) -> list[Problem] | None:
    """Every rule of the data contract the data directory's rows break, found by ``engine``.

    Returns ``None`` when the directory is not read in place or needs :func:`load_tables`
    (see the module's docstring), and an empty list when no rule is broken.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from churnlab.features import DuckDBEngine
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"]), dtype="datetime64[us]")
    >>> pd.DataFrame({"customer_id": ["C1", "C1"], "signup_date": dates, "end_date": dates}
    ...              ).to_parquet(folder / "customers.parquet")
    >>> with DuckDBEngine() as engine:
    ...     [(p.where, p.check, p.rows, p.examples) for p in problems_in_place(engine, folder)]
    [('customers.customer_id', 'duplicate customer_id', 2, ('C1',))]
    """
    plan = plan_direct_read(data_dir, config, engine.storage())
    if plan is None:
        return None
    rels = {table: _numbered(engine, table, plan) for table in CONTRACTS if table in plan.files}
    if _needs_repair(engine, rels):
        return None
    extract = _extract_date(engine, plan, rels)
    if extract is None:
        return None
    customers = rels["customers"]
    ids = customers.filter(customers.customer_id.notnull()).customer_id
    problems: list[Problem] = []
    for table, rel in rels.items():
        conditions = _conditions(table, rel, extract, plan.earliest_date, ids)
        words = {r: r.message(extract=extract, earliest=plan.earliest_date) for r in conditions}
        found = _table_problems(engine, table, rel, conditions, words)
        problems += sorted(found, key=lambda p: _pandas_order(table, p))
    return problems


def _pandas_order(table: str, problem: Problem) -> tuple[int, int, int]:
    """The pandas check's order: rules on two columns first, then column by column in the
    contract's order, an empty value and a duplicate before the other rules."""
    columns = list(CONTRACTS[table].columns)
    two_columns = problem.code is ProblemCode.ORDER
    first = {ProblemCode.EMPTY_VALUE: 0, ProblemCode.DUPLICATE_ID: 1}
    rank = first.get(problem.code, 2) if problem.code is not None else 2
    return (0 if two_columns else 1, columns.index(problem.column), rank)


def _numbered(engine: Engine, table: str, plan: DirectPlan) -> ir.Table:
    """A table's files with their contract column names and each row's position."""
    rel = engine.read_parquet_numbered(f"{table}_numbered", plan.files[table])
    columns = {name: rel[source] for name, source in plan.columns[table].items()}
    if table == "bills" and "amount" in columns:
        # A negative amount is a refund, not a problem (churnlab.tables.load.mark_refunds).
        columns["amount"] = columns["amount"].abs()
    return rel.select(**columns, **{ROW: rel[ROW]})


def _needs_repair(engine: Engine, rels: Mapping[str, ir.Table]) -> bool:
    """Whether an id would be trimmed or refused for a control character, or a number is
    ``NaN`` (empty to pandas): one query."""
    checks = []
    for table, rel in rels.items():
        found = [
            rel.customer_id.re_search(SPACED_ID),
            rel.customer_id.re_search(r"[\x00-\x1f\x7f]|^$"),
        ]
        for column, kind in CONTRACTS[table].columns.items():
            if kind == NUMBER and column in rel.columns and rel[column].type().is_floating():
                found.append(rel[column].cast("float64").isnan())
        flag = functools.reduce(operator.or_, found).fill_null(False)
        checks.append(rel.aggregate(n=flag.ifelse(1, 0).sum()))
    counts = engine.to_arrow(ibis.union(*checks, distinct=False)).column("n").to_pylist()
    return any(counts)


def _extract_date(
    engine: Engine, plan: DirectPlan, rels: Mapping[str, ir.Table]
) -> pd.Timestamp | None:
    """The settings' extract date, else the latest date in the data (``None`` when it lies
    far beyond the others: :func:`load_tables` reports that)."""
    if plan.extract_date is not None:
        return plan.extract_date
    latest = [
        rel.aggregate(latest=rel[column].max())
        for table, rel in rels.items()
        for column in DATE_COLUMNS[table]
        if column in rel.columns
    ]
    found = engine.to_arrow(ibis.union(*latest, distinct=False)).column("latest").to_pylist()
    ends = sorted(pd.Timestamp(v) for v in found if v is not None)
    if not ends:
        return pd.Timestamp("1970-01-01")
    if len(ends) > 1 and ends[-1] - ends[-2] > FAR_AFTER:
        return None
    return ends[-1].normalize()


def _conditions(
    table: str, rel: ir.Table, extract: pd.Timestamp, earliest: pd.Timestamp, ids: ir.Column
) -> dict[Rule, ir.BooleanValue]:
    """Each rule of ``table`` as a condition true on the rows that break it (as the pandas
    check counts them: an empty value breaks only the rule that it be there)."""
    out: dict[Rule, ir.BooleanValue] = {}
    for rule in rules_of(table):
        if not rule.applies_to(rel.columns):
            continue
        column = rel[rule.column]
        if rule.kind is RuleKind.NOT_EMPTY:
            out[rule] = column.isnull()
        elif rule.kind is RuleKind.UNIQUE:
            repeated = column.count().over(group_by=column) > 1
            out[rule] = column.notnull() & repeated
        elif rule.kind is RuleKind.NON_NEGATIVE:
            out[rule] = column.cast("float64") < 0
        elif rule.kind is RuleKind.NOT_BEFORE:
            out[rule] = column < rel[str(rule.partner)]
        elif rule.kind is RuleKind.NOT_AFTER_EXTRACT:
            out[rule] = column >= end_of_extract(extract).to_pydatetime()
        elif rule.kind is RuleKind.KNOWN_CUSTOMER:
            out[rule] = column.notnull() & ~column.isin(ids.as_table().distinct().customer_id)
        elif rule.kind is RuleKind.NOT_BEFORE_EARLIEST:
            out[rule] = column < earliest.to_pydatetime()
        elif rule.kind is RuleKind.WITHIN_BOUND:
            number = column.cast("float64")
            out[rule] = number.isinf() | (number.abs() > MAX_NUMBER)
    return {rule: condition.fill_null(False) for rule, condition in out.items()}


def _table_problems(
    engine: Engine,
    table: str,
    rel: ir.Table,
    conditions: Mapping[Rule, ir.BooleanValue],
    words: Mapping[Rule, str],
) -> list[Problem]:
    """One query: per rule, how many rows break it and its first examples."""
    if not conditions:
        return []
    names = {rule: f"r{i}" for i, rule in enumerate(conditions)}
    flagged = rel.select(ROW, "customer_id", **{names[rule]: c for rule, c in conditions.items()})
    broken = flagged.filter(functools.reduce(operator.or_, (flagged[n] for n in names.values())))
    parts = []
    for rule, name in names.items():
        rows = broken.filter(broken[name])
        if _by_id(table, rule) == "ids":  # each id once, at its first row
            rows = rows.group_by("customer_id").aggregate(**{ROW: rows[ROW].min()})
        ranked = rows.mutate(rank=ibis.row_number().over(order_by=rows[ROW]))
        first = ranked.filter(ranked["rank"] < MAX_EXAMPLES)
        count = broken.filter(broken[name]).aggregate(rows=ibis._.count())
        parts.append(
            first.select(rule=ibis.literal(name), row=first[ROW], id=first.customer_id).cross_join(
                count
            )
        )
    found = engine.to_arrow(ibis.union(*parts, distinct=False)).to_pandas()
    problems = []
    for rule, name in names.items():
        mine = found[found["rule"] == name].sort_values("row")
        if mine.empty:
            continue
        problems.append(
            Problem(
                table=table,
                column=rule.column,
                check=words[rule],
                rows=int(mine["rows"].iloc[0]),
                examples=_examples(table, rule, mine),
                code=rule.code,
            )
        )
    return problems


def _by_id(table: str, rule: Rule) -> str:
    """What a rule's examples are, as the pandas check gives them: the ids for duplicate and
    unknown ids, the customers' ids for a customers row, else the rows' positions."""
    if rule.column == "customer_id" and rule.code is not ProblemCode.EMPTY_VALUE:
        return "ids"
    if table == "customers" and rule.column != "customer_id":
        return "row ids"
    return "rows"


def _examples(table: str, rule: Rule, rows: pd.DataFrame) -> tuple[str, ...]:
    if _by_id(table, rule) == "rows":
        return row_examples(pd.Index(rows["row"]))
    return examples_of(rows["id"])
