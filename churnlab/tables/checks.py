"""The data contract's rules as pandera schemas, and their failures as :class:`Problem` rows."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from churnlab.tables.contract import DATE, TableContract
from churnlab.tables.problems import Problem, examples_of, row_examples

if TYPE_CHECKING:
    import pandera.pandas as pa


@dataclass(frozen=True)
class _PairRule:
    """A rule between two columns of one row, reported on ``column``."""

    column: str
    partner: str
    message: str
    valid: Callable[[pd.DataFrame], pd.Series]


_PAIR_RULES: dict[str, list[_PairRule]] = {
    "customers": [
        _PairRule(
            "end_date",
            "signup_date",
            "end_date before signup_date",
            lambda d: (
                d["end_date"].isna()
                | d["signup_date"].isna()  # an empty or unparseable start is reported on its own
                | (d["end_date"] >= d["signup_date"])
            ),
        )
    ],
    "complaints": [
        _PairRule(
            "resolved_at",
            "opened_at",
            "resolved_at before opened_at",
            lambda d: (
                d["resolved_at"].isna()
                | d["opened_at"].isna()
                | (d["resolved_at"] >= d["opened_at"])
            ),
        )
    ],
}
_NON_NEGATIVE = {"amount": "negative amount", "duration_minutes": "negative duration"}
_NULLABLE_REQUIRED = {"end_date"}
_MAY_BE_AFTER_EXTRACT = {"due_date"}  # a bill issued before the extract may fall due after it


def build_schema(
    contract: TableContract,
    *,
    columns: Collection[str],
    known_customer: pd.Series | None,
    not_after: pd.Timestamp,
    required: Collection[str],
) -> pa.DataFrameSchema:
    """The pandera schema for one table as loaded (only the columns it has are checked)."""
    import pandera.pandas as pa  # imported when tables are loaded: a direct read needs none

    schema_columns: dict[str, pa.Column] = {}
    future = f"dated after the extract date {not_after.date()}"
    end_of_extract = not_after + pd.Timedelta(days=1)
    for name, kind in contract.columns.items():
        if name not in columns:
            continue
        checks: list[pa.Check] = []
        if kind == DATE and name not in _MAY_BE_AFTER_EXTRACT:
            checks.append(pa.Check.lt(end_of_extract, error=future, ignore_na=True))
        if name in _NON_NEGATIVE:
            checks.append(pa.Check.ge(0, error=_NON_NEGATIVE[name], ignore_na=True))
        if name == "customer_id" and known_customer is not None:
            checks.append(
                pa.Check(
                    lambda s, known=known_customer: known,
                    error="customer not in customers",
                    ignore_na=True,
                )
            )
        schema_columns[name] = pa.Column(
            checks=checks,
            nullable=name not in required or name in _NULLABLE_REQUIRED,
            unique=contract.name == "customers" and name == "customer_id",
            report_duplicates="all",
            required=False,
        )
    frame_checks = [
        pa.Check(rule.valid, name=rule.column, error=rule.message)
        for rule in _PAIR_RULES.get(contract.name, [])
        if {rule.column, rule.partner} <= set(columns)
    ]
    return pa.DataFrameSchema(schema_columns, checks=frame_checks, name=contract.name)


_CHECK_WORDS = {"not_nullable": "empty value", "field_uniqueness": "duplicate customer_id"}


def run_schema(
    schema: pa.DataFrameSchema, frame: pd.DataFrame, *, skip: Collection[str] = ()
) -> list[Problem]:
    """Validate lazily and turn every failure into a problem line.

    ``skip`` names columns whose empty values were already reported (unparseable dates).
    """
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True, inplace=True)  # no copy of millions of rows
    except pa.errors.SchemaErrors as exc:
        return _problems_from(schema, frame, exc.failure_cases, skip)
    return []


def _problems_from(
    schema: pa.DataFrameSchema, frame: pd.DataFrame, cases: pd.DataFrame, skip: Collection[str]
) -> list[Problem]:
    table = str(schema.name)
    rule_column = {str(c.error): str(c.name) for c in schema.checks}
    cases = cases.assign(check=cases["check"].astype(str))
    # A frame-level check reports every column of a failing row: attribute it to its rule's column.
    on_frame = cases["schema_context"] == "DataFrameSchema"
    cases.loc[on_frame, "column"] = cases.loc[on_frame, "check"].map(rule_column)
    problems = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        words = _CHECK_WORDS.get(str(check), str(check))
        if words == "empty value" and column in skip:
            continue
        index = pd.Index(group["index"].dropna().astype("int64").unique())
        if column == "customer_id" and words != "empty value":
            examples = examples_of(group["failure_case"])
        elif table == "customers" and "customer_id" in frame.columns and column != "customer_id":
            examples = examples_of(frame["customer_id"].iloc[index[:5]])
        else:
            examples = row_examples(index)
        problems.append(
            Problem(
                table=table, column=str(column), check=words, rows=len(index), examples=examples
            )
        )
    return problems
