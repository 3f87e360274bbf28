"""Hypothesis strategies for small, random, contract-valid ``Tables`` and cutoffs inside them.

Everything follows the data contract (:mod:`churnlab.tables.contract`): text ids such as
``"007"``, dates as ``datetime64[us]``, no date after the extract date, ``end_date`` on or after
``signup_date``, ``resolved_at`` on or after ``opened_at``, no negative amount or duration. Within
that, the strategies aim at the edges of the window convention: times of day late in the
evening, rows recorded days after they happened (or with no ``recorded_at``), bills on the 29th
to 31st of a month, bills paid late or never, complaints still open, and cutoffs placed exactly
on, or one day beside, the bound of a window.

Also here: :func:`future_changes`, edits that touch only what lies after a cutoff (the no-leakage
tests apply them and expect the same features).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from churnlab.labels.spec import LabelSpec
from churnlab.tables import Tables

STARTS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-11-30"), pd.Timestamp("2022-01-31"))
"""First possible signup; the second start puts a leap day (2024-02-29) inside the data."""
SPAN_DAYS = 600
"""The extract date is this many days after the start."""

CATEGORIES = ("billing", "network", "Dropped call", "other")
KINDS = ("outage", "slow data", "dropped_call")
PLANS = ("basic", "plus", "premium")
CHANNELS = ("phone", "shop", "web")

SCHEMAS: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "str",
        "signup_date": "datetime64[us]",
        "end_date": "datetime64[us]",
        "plan": "str",
        "monthly_fee": "float64",
        "email": "str",
    },
    "bills": {
        "customer_id": "str",
        "bill_date": "datetime64[us]",
        "amount": "float64",
        "due_date": "datetime64[us]",
        "paid_date": "datetime64[us]",
        "recorded_at": "datetime64[us]",
    },
    "complaints": {
        "customer_id": "str",
        "opened_at": "datetime64[us]",
        "category": "str",
        "resolved_at": "datetime64[us]",
        "channel": "str",
        "recorded_at": "datetime64[us]",
    },
    "service_events": {
        "customer_id": "str",
        "occurred_at": "datetime64[us]",
        "kind": "str",
        "duration_minutes": "float64",
        "recorded_at": "datetime64[us]",
    },
}
DATE_COLUMNS = {
    "customers": "signup_date",
    "bills": "bill_date",
    "complaints": "opened_at",
    "service_events": "occurred_at",
}
OPTIONAL = {
    "bills": (("due_date", "paid_date"), ("paid_date",), ("recorded_at",)),
    "complaints": (("resolved_at",), ("recorded_at",), ("channel",)),
    "service_events": (("duration_minutes",), ("recorded_at",)),
}
"""Optional column groups a drawn table may lack (each group is dropped together)."""

DAY = pd.Timedelta(days=1)
# Seconds into the day: midnight, just after, mid-morning, the last second; with microseconds.
TIMES = st.sampled_from([0, 1, 34_200, 86_399]).map(lambda s: pd.Timedelta(seconds=s))
MICROS = st.sampled_from([0, 250_000, 999_999]).map(lambda u: pd.Timedelta(microseconds=u))
MOSTLY = st.sampled_from([True, True, True, False])
"""True three times in four (shrinks to True): keep an optional table or column."""


def frame(table: str, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with the contract's dtypes (also when there are no rows)."""
    schema = SCHEMAS[table]
    data = {col: pd.Series([r.get(col) for r in rows], dtype=dtype) for col, dtype in schema.items()}
    return pd.DataFrame(data)


# --- single rows ----------------------------------------------------------------------------


def _recorded(draw: st.DrawFn, when: pd.Timestamp, extract: pd.Timestamp) -> pd.Timestamp | None:
    """When a row was recorded: at once, later that day, days later, or not known."""
    how = draw(st.sampled_from(["at_once", "same_day", "late", "missing"]))
    if how == "missing":
        return None
    if how == "at_once":
        return when
    if how == "same_day":
        return when.normalize() + pd.Timedelta(hours=23, minutes=59)
    return min(when + draw(st.integers(1, 60)) * DAY, extract)


def draw_bill(
    draw: st.DrawFn, customer_id: str, bill_date: pd.Timestamp, extract: pd.Timestamp
) -> dict[str, Any]:
    """One bill: due 14 days later; paid on time, late, or not (yet)."""
    due = bill_date.normalize() + 14 * DAY
    payment = draw(st.sampled_from(["on_time", "on_due_day", "late", "unpaid", "no_due_date"]))
    paid = {
        "on_time": bill_date.normalize() + draw(st.integers(0, 13)) * DAY,
        "on_due_day": due,
        "late": due + draw(st.integers(1, 45)) * DAY,
        "unpaid": None,
        "no_due_date": None,
    }[payment]
    if payment == "no_due_date" or due > extract:
        due = None
    return {
        "customer_id": customer_id,
        "bill_date": bill_date,
        "amount": draw(st.integers(0, 800)) * 0.25,  # quarters add up exactly
        "due_date": due,
        "paid_date": paid if paid is not None and paid <= extract else None,
        "recorded_at": _recorded(draw, bill_date, extract),
    }


def draw_complaint(
    draw: st.DrawFn, customer_id: str, opened: pd.Timestamp, extract: pd.Timestamp
) -> dict[str, Any]:
    """One complaint, resolved after seconds to weeks, or still open."""
    delay = draw(st.one_of(st.none(), st.integers(0, 50 * 86_400)))
    resolved = None if delay is None else opened + pd.Timedelta(seconds=delay) + draw(MICROS)
    return {
        "customer_id": customer_id,
        "opened_at": opened,
        "category": draw(st.sampled_from(CATEGORIES)),
        "resolved_at": resolved if resolved is not None and resolved <= extract else None,
        "channel": draw(st.sampled_from(CHANNELS)),
        "recorded_at": _recorded(draw, opened, extract),
    }


def draw_event(
    draw: st.DrawFn, customer_id: str, occurred: pd.Timestamp, extract: pd.Timestamp
) -> dict[str, Any]:
    """One service failure of some kind, with a duration in half minutes or none."""
    duration = draw(st.one_of(st.none(), st.integers(0, 1200).map(lambda m: m * 0.5)))
    return {
        "customer_id": customer_id,
        "occurred_at": occurred,
        "kind": draw(st.sampled_from(KINDS)),
        "duration_minutes": duration,
        "recorded_at": _recorded(draw, occurred, extract),
    }


DRAW_ROW = {"bills": draw_bill, "complaints": draw_complaint, "service_events": draw_event}


def _customer(draw: st.DrawFn, number: int, start: pd.Timestamp, extract: pd.Timestamp) -> dict:
    signup = start + draw(st.integers(0, 420)) * DAY + draw(TIMES)
    stay = draw(st.one_of(st.none(), st.integers(0, 500)))
    end = None if stay is None else signup.normalize() + stay * DAY
    return {
        "customer_id": f"{number:03d}",
        "signup_date": signup,
        "end_date": end if end is not None and end <= extract else None,
        "plan": draw(st.sampled_from([*PLANS, None])),
        "monthly_fee": draw(st.one_of(st.none(), st.integers(10, 200).map(lambda x: x / 2))),
        "email": f"c{number}@example.com",
    }


def _bills_of(draw: st.DrawFn, customer: dict, extract: pd.Timestamp) -> list[dict]:
    """Monthly bills from signup to a little after the end, some months missing."""
    anchor = customer["signup_date"].normalize() + draw(st.integers(0, 3)) * DAY
    stop = min(extract, (customer["end_date"] or extract) + 20 * DAY)
    rows, k = [], 0
    while (bill_date := anchor + pd.DateOffset(months=k)) <= stop:
        if draw(st.integers(0, 9)) > 0:  # one month in ten has no bill
            rows.append(draw_bill(draw, customer["customer_id"], bill_date, extract))
        k += 1
    return rows


def _events_of(
    draw: st.DrawFn, table: str, customer: dict, extract: pd.Timestamp, most: int
) -> list[dict]:
    offsets = draw(st.lists(st.integers(0, 450), max_size=most))
    rows = []
    for offset in offsets:
        when = customer["signup_date"].normalize() + offset * DAY + draw(TIMES)
        if when <= extract:
            rows.append(DRAW_ROW[table](draw, customer["customer_id"], when, extract))
    return rows


@st.composite
def tables(draw: st.DrawFn, *, need_bills: bool = False, max_customers: int = 6) -> Tables:
    """Small contract-valid tables: 1 to ``max_customers`` customers and their events."""
    start = draw(st.sampled_from(STARTS))
    extract = start + SPAN_DAYS * DAY
    numbers = draw(st.lists(st.integers(0, 999), min_size=1, max_size=max_customers, unique=True))
    customers = [_customer(draw, n, start, extract) for n in numbers]
    present: dict[str, pd.DataFrame | None] = {}
    for table in ("bills", "complaints", "service_events"):
        if not (draw(MOSTLY) or (need_bills and table == "bills")):
            present[table] = None
            continue
        rows = []
        for customer in customers:
            if table == "bills":
                rows += _bills_of(draw, customer, extract)
            else:
                rows += _events_of(draw, table, customer, extract, 6 if table == "complaints" else 8)
        data = frame(table, rows)
        for group in OPTIONAL[table]:
            if not draw(MOSTLY):
                data = data.drop(columns=[c for c in group if c in data.columns])
        present[table] = data
    return Tables(
        customers=frame("customers", customers),
        bills=present["bills"],
        complaints=present["complaints"],
        service_events=present["service_events"],
        extract_date=extract,
        attribute_columns=("plan", "monthly_fee"),
        personal_columns=("email",),
        source="<hypothesis>",
    )


# --- cutoffs --------------------------------------------------------------------------------


def all_dates(t: Tables) -> list[pd.Timestamp]:
    """Every date in the tables (any date column)."""
    out: list[pd.Timestamp] = []
    for name, data in {"customers": t.customers, **t.present()}.items():
        for column, dtype in SCHEMAS[name].items():
            if dtype.startswith("datetime") and column in data.columns:
                out += list(data[column].dropna())
    return out


WINDOW_DAYS = (0, 1, 6, 7, 29, 30, 89, 90, 364, 365)
"""Days after an event where a cutoff puts it on the first or just outside an N-day window."""


def _label_days(spec: LabelSpec) -> tuple[int, ...]:
    """Days after an end (or a bill) where a cutoff puts it on a bound of the label window."""
    lead, horizon = spec.lead_days, spec.horizon_days
    around = (-lead, -lead - 1, -lead - horizon, -lead - horizon - 1)
    if spec.definition == "inactivity":
        around += (spec.lookback_days, spec.lookback_days - 1)
    return around


@st.composite
def cutoffs(draw: st.DrawFn, t: Tables, spec: LabelSpec | None = None) -> pd.Timestamp:
    """A cutoff the data can answer (and, with ``spec``, whose label window is observed).

    It lies between the first date in the data and the extract date (minus the label window),
    and is usually placed a window's length from some date in the data.
    """
    dates = all_dates(t)
    lo = min(dates).normalize()
    hi = t.extract_date - (spec.window_days if spec else 0) * DAY
    how = draw(st.sampled_from(["near_a_date", "months_after_a_date", "any_day", "month_end"]))
    anchor = draw(st.sampled_from(sorted(dates))).normalize()
    if how == "near_a_date":
        days = WINDOW_DAYS + (_label_days(spec) if spec else ())
        cutoff = anchor + draw(st.sampled_from(days)) * DAY
    elif how == "months_after_a_date":
        cutoff = anchor + pd.DateOffset(months=draw(st.integers(0, 7)))
    elif how == "month_end":
        cutoff = anchor + pd.offsets.MonthEnd(draw(st.integers(0, 7)))
    else:
        cutoff = lo + draw(st.integers(0, max((hi - lo).days, 0))) * DAY
    return pd.Timestamp(min(max(cutoff, lo), hi)).normalize()


@st.composite
def label_specs(draw: st.DrawFn, definitions: Sequence[str] = ("contract", "inactivity")) -> LabelSpec:
    definition = draw(st.sampled_from(definitions))
    return LabelSpec(
        definition=definition,  # type: ignore[arg-type]
        horizon_days=draw(st.sampled_from([1, 30, 60, 90, 120])),
        lead_days=draw(st.sampled_from([0, 0, 1, 7, 30])),
        lookback_days=draw(st.sampled_from([30, 90, 365])) if definition == "inactivity" else 365,
    )


# --- edits after a cutoff -------------------------------------------------------------------


def unknown_rows(data: pd.DataFrame, table: str, cutoff: pd.Timestamp) -> pd.Index:
    """Rows not known at the cutoff: dated after its day, or recorded after it."""
    later = data[DATE_COLUMNS[table]].dt.normalize() > cutoff
    if "recorded_at" in data.columns:
        later |= data["recorded_at"].dt.normalize() > cutoff
    return data.index[later]


def _append(data: pd.DataFrame, table: str, row: dict[str, Any]) -> pd.DataFrame:
    new = frame(table, [row])[list(data.columns)]
    return pd.concat([data, new], ignore_index=True)


def _day_after(
    draw: st.DrawFn, day: pd.Timestamp, extract: pd.Timestamp
) -> pd.Timestamp | None:
    """A moment on a day after ``day``, on or before the extract date (None when none is)."""
    days = (extract - day.normalize()).days
    if days < 1:
        return None
    return day.normalize() + draw(st.integers(1, days)) * DAY + draw(TIMES)


@st.composite
def future_changes(
    draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp
) -> tuple[Tables, list[str]]:
    """One to three edits of what lies after ``cutoff``; returns the tables and what was done.

    Edits: add a row dated after the cutoff; add a row dated before it but recorded after it;
    drop or rewrite a row not known at the cutoff; move a payment or resolution dated after the
    cutoff to another date after it (or remove it); move an end date after the cutoff to
    another date after it (or remove it); add a customer who signs up after the cutoff.
    """
    extract = t.extract_date
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        tables_now = {"customers": t.customers, **t.present()}
        events = [n for n in ("bills", "complaints", "service_events") if n in tables_now]
        how = draw(
            st.sampled_from(
                ["add_later", "add_recorded_later", "drop_unknown", "rewrite_unknown",
                 "move_payment_or_resolution", "move_end", "add_customer"]
            )
        )
        ids = list(t.customers["customer_id"])
        if how == "move_end":
            later = t.customers.index[
                t.customers["end_date"].isna() | (t.customers["end_date"].dt.normalize() > cutoff)
            ]
            if len(later) == 0:
                continue
            i = draw(st.sampled_from(list(later)))
            later_day = _day_after(draw, max(cutoff, t.customers.at[i, "signup_date"]), extract)
            end = None if later_day is None or draw(st.booleans()) else later_day.normalize()
            customers = t.customers.copy()
            customers.loc[i, "end_date"] = end
            t = dataclasses.replace(t, customers=customers)
            done.append(f"moved end of {ids[i]} to {end}")
        elif how == "add_customer":
            number = draw(st.integers(1000, 1999))
            when = _day_after(draw, cutoff, extract)
            if when is None:
                continue
            row = {
                "customer_id": f"{number:04d}",
                "signup_date": when,
                "end_date": None,
                "plan": draw(st.sampled_from([*PLANS, "gold"])),
                "monthly_fee": 12.5,
                "email": "new@example.com",
            }
            if row["customer_id"] in ids:
                continue
            t = dataclasses.replace(t, customers=_append(t.customers, "customers", row))
            if events:
                table = draw(st.sampled_from(events))
                event = DRAW_ROW[table](draw, row["customer_id"], when, extract)
                t = dataclasses.replace(t, **{table: _append(tables_now[table], table, event)})
            done.append(f"added customer {row['customer_id']} signing up {when}")
        elif events:
            table = draw(st.sampled_from(events))
            data = tables_now[table]
            column = DATE_COLUMNS[table]
            if how in ("add_later", "add_recorded_later"):
                cid = draw(st.sampled_from(ids))
                later = _day_after(draw, cutoff, extract)
                if later is None:
                    continue
                if how == "add_later":
                    row = DRAW_ROW[table](draw, cid, later, extract)
                else:
                    if "recorded_at" not in data.columns:
                        continue
                    signup = t.customers.set_index("customer_id").at[cid, "signup_date"]
                    base = min(signup.normalize(), cutoff)
                    when = base + draw(st.integers(0, (cutoff - base).days)) * DAY + draw(TIMES)
                    row = DRAW_ROW[table](draw, cid, when, extract)
                    row["recorded_at"] = later
                data = _append(data, table, row)
                done.append(f"{how} {table} {row}")
            elif how == "move_payment_or_resolution":
                targets = [c for c in ("paid_date", "resolved_at", "due_date") if c in data.columns]
                if not targets:
                    continue
                target = draw(st.sampled_from(targets))
                later = data.index[data[target].dt.normalize() > cutoff]
                if len(later) == 0:
                    continue
                i = draw(st.sampled_from(list(later)))
                # resolved_at stays on or after opened_at
                floor = max(cutoff, data.at[i, DATE_COLUMNS[table]])
                value = None if draw(st.booleans()) else _day_after(draw, floor, extract)
                data = data.copy()
                data.loc[i, target] = value
                done.append(f"set {table}.{target} of row {i} to {value}")
            else:
                unknown = unknown_rows(data, table, cutoff)
                if len(unknown) == 0:
                    continue
                i = draw(st.sampled_from(list(unknown)))
                if how == "drop_unknown":
                    data = data.drop(index=i).reset_index(drop=True)
                    done.append(f"dropped {table} row {i}")
                else:
                    old = data.loc[i].to_dict()
                    when = old[column]
                    if when.normalize() > cutoff:
                        when = _day_after(draw, cutoff, extract) or when
                    row = DRAW_ROW[table](draw, old["customer_id"], when, extract)
                    if when.normalize() <= cutoff:  # not known only because recorded late
                        row["recorded_at"] = old["recorded_at"]
                    data = _append(data.drop(index=i), table, row)
                    done.append(f"rewrote {table} row {i} as {row}")
            t = dataclasses.replace(t, **{table: data})
    return t, done
