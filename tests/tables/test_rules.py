"""The contract's row rules are written once (``churnlab.tables.rules``) and drive both backends.

Every rule in the list is broken in turn, in a tiny Parquet data directory: ``check_data``
(pandera over loaded tables) reports it with the rule's code and words, and the direct read (Ibis
in DuckDB over the files) declines the shortcut. A rule added to the list is tested here without
a new line; a new kind of rule needs its breaking edit in ``BREAK``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import churnlab.tables.rules as rules_module
from churnlab.errors import SpecError
from churnlab.features import DuckDBEngine
from churnlab.features.direct import RowsBreakRules, check_deferred, open_direct
from churnlab.tables import check_data
from churnlab.tables.contract import CONTRACTS
from churnlab.tables.direct import plan_direct_read
from churnlab.tables.engine_checks import ColumnStatistics, engine_checks
from churnlab.tables.problems import ProblemCode
from churnlab.tables.rules import RULES, Rule, RuleKind

EXTRACT = pd.Timestamp("2024-06-30")
ROOT = Path(__file__).resolve().parents[2]


def _ts(*values: str | None) -> pd.Series:
    return pd.Series([pd.Timestamp(v) if v else pd.NaT for v in values], dtype="datetime64[us]")


def clean_tables() -> dict[str, pd.DataFrame]:
    """Every table with every contract column; the first row of each has all its values."""
    return {
        "customers": pd.DataFrame(
            {
                "customer_id": ["C1", "C2", "C3"],
                "signup_date": _ts("2023-01-10", "2023-05-01", "2024-01-01"),
                "end_date": _ts("2024-03-31", None, None),
            }
        ),
        "bills": pd.DataFrame(
            {
                "customer_id": ["C1", "C2"],
                "bill_date": _ts("2024-01-01", "2024-02-01"),
                "amount": [10.0, 20.0],
                "due_date": _ts("2024-01-15", "2024-02-15"),
                "paid_date": _ts("2024-01-10", "2024-02-14"),
                "recorded_at": _ts("2024-01-01", "2024-02-02"),
            }
        ),
        "complaints": pd.DataFrame(
            {
                "customer_id": ["C1", "C2"],
                "opened_at": _ts("2024-01-05 10:00", "2024-03-01"),
                "category": ["billing", "network"],
                "resolved_at": _ts("2024-01-06", None),
                "channel": ["phone", "web"],
                "recorded_at": _ts("2024-01-05 10:00", None),
            }
        ),
        "service_events": pd.DataFrame(
            {
                "customer_id": ["C1", "C2"],
                "occurred_at": _ts("2024-02-01", "2024-03-01"),
                "kind": ["outage", "slow data"],
                "duration_minutes": [30.0, None],
                "recorded_at": _ts("2024-02-01", None),
            }
        ),
    }


def _set(frame: pd.DataFrame, column: str, row: int, value: object) -> None:
    frame.loc[row, column] = value


# How to break a rule of each kind in the first row (or the second, for a duplicate).
BREAK: dict[RuleKind, Callable[[pd.DataFrame, Rule], None]] = {
    RuleKind.NOT_EMPTY: lambda d, r: _set(d, r.column, 0, None),
    RuleKind.UNIQUE: lambda d, r: _set(d, r.column, 1, d.loc[0, r.column]),
    RuleKind.NON_NEGATIVE: lambda d, r: _set(d, r.column, 0, -1.0),
    RuleKind.NOT_BEFORE: lambda d, r: _set(
        d, r.column, 0, d.loc[0, str(r.partner)] - pd.Timedelta(microseconds=1)
    ),
    RuleKind.NOT_AFTER_EXTRACT: lambda d, r: _set(
        d, r.column, 0, EXTRACT + pd.Timedelta(days=1, hours=8)
    ),
    RuleKind.KNOWN_CUSTOMER: lambda d, r: _set(d, r.column, 0, "C9"),
    RuleKind.NOT_BEFORE_EARLIEST: lambda d, r: _set(d, r.column, 0, pd.Timestamp("1900-01-01")),
    RuleKind.WITHIN_BOUND: lambda d, r: _set(d, r.column, 0, float("inf")),
}


def write_data(folder: Path, tables: dict[str, pd.DataFrame], *, statistics: bool) -> Path:
    """A data directory of Parquet files (with or without column statistics in the footers)."""
    folder.mkdir()
    for name, frame in tables.items():
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(arrow, folder / f"{name}.parquet", write_statistics=statistics)
    (folder / "churnlab.toml").write_text(f'[data]\nextract_date = "{EXTRACT.date()}"\n')
    return folder


def broken(folder: Path, rule: Rule, *, statistics: bool = True) -> Path:
    tables = clean_tables()
    if rule.table == "orders":  # order lines: only where an orders rule is broken
        tables["orders"] = pd.DataFrame(
            {
                "customer_id": ["C1", "C2"],
                "ordered_at": _ts("2024-01-03", "2024-02-03"),
                "amount": [12.0, -3.0],
                "order_id": ["o1", "o2"],
                "quantity": [2.0, 1.0],
                "kind": ["sale", "return"],
                "recorded_at": _ts("2024-01-03", "2024-02-04"),
            }
        )
    BREAK[rule.kind](tables[rule.table], rule)
    return write_data(folder, tables, statistics=statistics)


def declined_in_place(folder: Path, *, many_cutoffs: bool) -> bool:
    """Whether the direct read declines: ``open_direct`` gives ``None``, or (one cutoff) the
    checks it deferred to the feature query find a broken row."""
    engine = DuckDBEngine()
    try:
        data = open_direct(engine, folder, many_cutoffs=many_cutoffs)
        if data is None:
            return True
        try:
            check_deferred(engine, data)
        except RowsBreakRules:
            return True
        return False
    finally:
        engine.close()


EVERY_RULE = [pytest.param(rule, id=rule.name.replace(" ", "-")) for rule in RULES]
# Order lines are made bills by load_tables: the direct read leaves them to it.
READ_IN_PLACE = [p for p in EVERY_RULE if p.values[0].table != "orders"]  # type: ignore[union-attr]


def test_every_kind_of_rule_has_a_breaking_edit_here() -> None:
    assert set(BREAK) == set(RuleKind)


def test_rule_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("statistics", [True, False], ids=["statistics", "no-statistics"])
def test_clean_data_pass_both_backends(tmp_path: Path, statistics: bool) -> None:
    """The starting point of every case below breaks no rule."""
    folder = write_data(tmp_path / "clean", clean_tables(), statistics=statistics)
    assert check_data(folder).ok
    assert not declined_in_place(folder, many_cutoffs=False)
    assert not declined_in_place(folder, many_cutoffs=True)


@pytest.mark.parametrize("rule", EVERY_RULE)
def test_every_rule_is_reported_by_check_data_with_its_code(tmp_path: Path, rule: Rule) -> None:
    if (rule.table, rule.column, rule.kind) == ("bills", "amount", RuleKind.NON_NEGATIVE):
        # load_tables reads a negative amount as a refund (checked in test_real_data_tables);
        # the rule stays for the in-place read, which then falls back to load_tables.
        report = check_data(broken(tmp_path / "data", rule))
        assert report.ok and report.tables is not None and report.tables.bills["refund"].any()
        return
    report = check_data(broken(tmp_path / "data", rule))
    found = [(p.code, p.where, p.check) for p in report.problems]
    expected = (rule.code, f"{rule.table}.{rule.column}", rule.message(extract=EXTRACT))
    assert expected in found
    assert all(p.code is not None for p in report.problems)


@pytest.mark.parametrize("statistics", [True, False], ids=["statistics", "no-statistics"])
@pytest.mark.parametrize("rule", READ_IN_PLACE)
def test_every_rule_makes_the_direct_read_decline(
    tmp_path: Path, rule: Rule, statistics: bool
) -> None:
    """From the footers' statistics or computed by the engine, for one cutoff (checks deferred
    to the feature query) and for several (checked on opening)."""
    folder = broken(tmp_path / "data", rule, statistics=statistics)
    assert plan_direct_read(folder) is not None  # the rows decline it, not the files
    assert declined_in_place(folder, many_cutoffs=False)
    assert declined_in_place(folder, many_cutoffs=True)


def test_a_rule_added_to_the_list_is_checked_by_both_backends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid_late = Rule(
        kind=RuleKind.NOT_BEFORE,
        table="bills",
        column="paid_date",
        partner="bill_date",
        words="paid_date before bill_date",
    )
    tables = clean_tables()
    _set(tables["bills"], "paid_date", 1, pd.Timestamp("2024-01-20"))  # billed 2024-02-01
    folder = write_data(tmp_path / "data", tables, statistics=True)
    assert check_data(folder).ok and not declined_in_place(folder, many_cutoffs=True)

    monkeypatch.setattr(rules_module, "RULES", (*RULES, paid_late))

    (problem,) = check_data(folder).problems
    assert (problem.code, problem.where, problem.check, problem.examples) == (
        ProblemCode.ORDER,
        "bills.paid_date",
        "paid_date before bill_date",
        ("row 2",),
    )
    assert declined_in_place(folder, many_cutoffs=False)
    assert declined_in_place(folder, many_cutoffs=True)


@pytest.mark.parametrize(
    ("statistics", "answered", "in_rows"),
    [
        pytest.param({}, [], ["not_empty", "non_negative", "within_bound"], id="none"),
        pytest.param(
            {"amount": ColumnStatistics(0, 2.5, 9.0)},
            [("not_empty", 0), ("non_negative", 0), ("within_bound", 0)],
            [],
            id="nulls-and-range",
        ),
        pytest.param(
            {"amount": ColumnStatistics(3, -1.0, 9e19)},
            [("not_empty", 3), ("non_negative", 1), ("within_bound", 1)],
            [],
            id="breaks-answered",
        ),
        pytest.param(
            {"amount": ColumnStatistics(0)},
            [("not_empty", 0)],
            ["non_negative", "within_bound"],
            id="no-range",
        ),
    ],
)
def test_statistics_answer_the_rules_they_can(
    statistics: dict[str, ColumnStatistics],
    answered: list[tuple[str, int]],
    in_rows: list[str],
) -> None:
    import ibis

    bills = ibis.table({"customer_id": "string", "bill_date": "timestamp", "amount": "float64"})
    checks = engine_checks("bills", bills, statistics)
    on_amount = {str(r.kind): n for r, n in checks.answered.items() if r.column == "amount"}
    assert on_amount == dict(answered)
    assert [str(r.kind) for r in checks.rows if r.column == "amount"] == in_rows
    assert [r.name for r in checks.keyed] == ["bills.customer_id known_customer"]
    assert [r.column for r in checks.latest] == ["bill_date"]  # not due_date: may be later


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"table": "invoices", "column": "amount"},
            r"The 'table' parameter of Rule must be one of \['bills', .*\]. Got 'invoices'",
        ),
        ({"table": "bills", "column": "total"}, "must be a column of bills. Got 'total'"),
        (
            {"table": "bills", "column": "amount", "partner": "bill_date"},
            "The 'partner' parameter of Rule must be None for a non_negative rule",
        ),
        ({"table": "bills", "column": "amount", "words": ""}, "'words' parameter of Rule"),
    ],
)
def test_a_rule_is_checked_when_built(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        Rule(**{"kind": RuleKind.NON_NEGATIVE, "words": "negative amount", **kwargs})  # type: ignore[arg-type]


# --- problem codes -------------------------------------------------------------------------


def _calls_to(name: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted((ROOT / "churnlab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_every_problem_churnlab_builds_has_a_code() -> None:
    calls = _calls_to("Problem")
    assert len(calls) >= 15
    assert [where for where, call in calls if "code" not in {k.arg for k in call.keywords}] == []


def test_nothing_branches_on_the_words_of_a_problem() -> None:
    """Code acts on ``Problem.code``; ``Problem.check`` is for people."""
    on_words = []
    for path in sorted((ROOT / "churnlab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                parts = [node.left, *node.comparators]
                if any(isinstance(p, ast.Attribute) and p.attr == "check" for p in parts):
                    on_words.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert on_words == []


@pytest.mark.parametrize(
    ("files", "code"),
    [
        pytest.param(
            {"customers.csv": "customer_id,signup_date,end_date\nC1,2024-13-45,\nC2,,\n"},
            ProblemCode.UNPARSEABLE_DATE,
            id="unparseable-date",
        ),
        pytest.param(
            {
                "customers.csv": "customer_id,signup_date,end_date\nC1,2024-01-01,\n",
                "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,ten\nC1,2024-03-01,\n",
            },
            ProblemCode.NOT_A_NUMBER,
            id="not-a-number",
        ),
    ],
)
def test_values_that_cannot_be_read_are_not_reported_empty_again(
    make_data: Callable[..., Path], files: dict[str, str], code: ProblemCode
) -> None:
    """load_tables leaves such values empty: its 'empty value' check skips the column, by the
    problem's code. A value empty in the file is then not reported either (as before)."""
    (problem,) = check_data(make_data(files)).problems
    assert problem.code is code
    assert problem.rows == 1


def test_every_table_has_at_least_one_rule() -> None:
    assert {rule.table for rule in RULES} == set(CONTRACTS)
