"""The strategies make what the data contract allows, and nothing else (tests of the tests)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import cutoffs, event_tables, future_changes, label_specs, tables, unknown_rows

from churnlab.tables import CONTRACTS, Tables
from churnlab.tables.contract import DATE, NUMBER

DTYPES = {DATE: "datetime64[us]", NUMBER: "float64"}
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def contract_problems(t: Tables) -> list[str]:
    """What breaks the contract, as short lines (empty when the tables are valid)."""
    problems = []
    ids = set(t.customers["customer_id"])
    if not t.customers["customer_id"].is_unique:
        problems.append("customers.customer_id not unique")
    for name, data in t.present().items():
        contract = CONTRACTS[name]
        extra = set(data.columns) - set(contract.columns)
        if name == "customers":
            extra -= {*t.attribute_columns, *t.personal_columns}
        problems += [f"{name}: unexpected column {c}" for c in sorted(extra)]
        for column, kind in contract.columns.items():
            if column not in data.columns:
                if column in contract.required:
                    problems.append(f"{name}.{column} missing")
                continue
            dtype = str(data[column].dtype)
            allowed = {DTYPES.get(kind, "str")}
            if name != "customers" and column == "customer_id":
                allowed.add("category")  # as load_tables stores them
            if dtype not in allowed:
                problems.append(f"{name}.{column} has dtype {dtype}")
            if kind == DATE and (data[column] >= t.extract_date + pd.Timedelta(days=1)).any():
                problems.append(f"{name}.{column} after the extract date")
            if kind == NUMBER and (data[column] < 0).any():
                problems.append(f"{name}.{column} negative")
            if column in contract.required and column != "end_date" and data[column].isna().any():
                problems.append(f"{name}.{column} empty")
        if name != "customers" and not set(data["customer_id"]) <= ids:
            problems.append(f"{name}: customer not in customers")
    if (t.customers["end_date"] < t.customers["signup_date"]).any():
        problems.append("customers.end_date before signup_date")
    complaints = t.complaints if t.complaints is not None else pd.DataFrame()
    if "resolved_at" in complaints and (complaints["resolved_at"] < complaints["opened_at"]).any():
        problems.append("complaints.resolved_at before opened_at")
    return problems


@FAST
@given(data=st.data())
def test_drawn_tables_and_cutoffs_keep_the_contract(data: st.DataObject) -> None:
    spec = data.draw(st.one_of(st.none(), label_specs()))
    t = data.draw(tables())
    assert contract_problems(t) == []
    cutoff = data.draw(cutoffs(t, spec))
    assert cutoff == cutoff.normalize() and cutoff <= t.extract_date
    if spec is not None:
        assert cutoff + pd.Timedelta(days=spec.window_days) <= t.extract_date


@FAST
@given(data=st.data())
def test_changes_after_a_cutoff_keep_the_contract_and_the_known_rows(data: st.DataObject) -> None:
    t = data.draw(tables())
    cutoff = data.draw(cutoffs(t))
    changed, _ = data.draw(future_changes(t, cutoff))
    assert contract_problems(changed) == []
    for name, before in event_tables(t).items():
        after = changed.table(name)
        known_before = before.drop(index=unknown_rows(before, name, cutoff))
        known_after = after.drop(index=unknown_rows(after, name, cutoff))
        assert len(known_before) == len(known_after), name
