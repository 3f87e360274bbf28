"""Hypothesis strategies for small, random, contract-valid ``Tables`` and cutoffs inside them.

Everything follows the data contract (:mod:`churnlab.tables.contract`): text ids such as
``"007"``, dates as ``datetime64[us]``, no date after the extract date, ``end_date`` on or after
``signup_date``, ``resolved_at`` on or after ``opened_at``, no negative amount or duration. Within
that, the strategies aim at the edges of the window convention: times of day late in the
evening, rows recorded days after they happened (or with no ``recorded_at``), bills on the 29th
to 31st of a month, bills paid late or never, complaints still open, and cutoffs placed exactly
on, or one day beside, the bound of a window.

Drawn tables come hand-built (text ids) or as loaded (:func:`as_loaded`: categorical ids), the
two ways the engine keys customers. Also here: :func:`future_changes`, edits that touch only
what lies after a cutoff (the no-leakage tests apply them and expect the same features).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from churnlab.labels.spec import LabelSpec
from churnlab.tables import CONTRACTS, Tables
from churnlab.tables.contract import DATE, ID, NUMBER, TEXT

STARTS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-11-30"), pd.Timestamp("2022-01-31"))
"""First possible signup; the second start puts a leap day (2024-02-29) inside the data."""
SPAN_DAYS = 600
"""The extract date is this many days after the start."""

CATEGORIES = ("billing", "network", "Dropped call", "other")
KINDS = ("outage", "slow data", "dropped_call")
PLANS = ("basic", "plus", "premium")
CHANNELS = ("phone", "shop", "web")

DTYPES = {ID: "str", TEXT: "str", DATE: "datetime64[us]", NUMBER: "float64"}
"""The dtype of each kind of contract column."""
ATTRIBUTES = {"plan": "str", "monthly_fee": "float64", "email": "str"}
"""Extra customers columns: two attributes and one personal-data column."""
SCHEMAS: dict[str, dict[str, str]] = {
    name: {column: DTYPES[kind] for column, kind in contract.columns.items()}
    | (ATTRIBUTES if name == "customers" else {})
    for name, contract in CONTRACTS.items()
}
"""Columns and dtypes of every table, from the contract."""
DATE_COLUMNS = {name: str(contract.date_column) for name, contract in CONTRACTS.items()}
"""The column that dates a row of each table."""
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
    data = {
        col: pd.Series([r.get(col) for r in rows], dtype=dtype) for col, dtype in schema.items()
    }
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
        "late": due + draw(st.sampled_from([1, 2, 10, 30, 45])) * DAY,
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
    seconds = [0, 1, 3 * 3600, 86_400, 3 * 86_400 + 7, 12 * 86_400, 45 * 86_400]
    delay = draw(st.one_of(st.none(), st.sampled_from(seconds)))  # None: still open
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
    end = None if stay is None else max(signup, signup.normalize() + stay * DAY + draw(TIMES))
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


def event_tables(t: Tables) -> dict[str, pd.DataFrame]:
    """The bills, complaints and service events the tables have, by name."""
    return {n: d for n, d in t.present().items() if n != "customers"}


def as_loaded(t: Tables) -> Tables:
    """The tables as :func:`churnlab.load_tables` stores them: event tables' ``customer_id`` a
    categorical over the customers' ids, in their order (the engine then keys by the codes)."""
    dtype = pd.CategoricalDtype(pd.Index(t.customers["customer_id"], dtype="str"))
    encoded = {
        n: d.assign(customer_id=d["customer_id"].astype(dtype)) for n, d in event_tables(t).items()
    }
    return dataclasses.replace(t, **encoded)


def as_hand_built(t: Tables) -> Tables:
    """The tables with plain text customer ids everywhere (as a user builds them in memory)."""
    plain = {
        n: d.assign(customer_id=d["customer_id"].astype("str")) for n, d in event_tables(t).items()
    }
    return dataclasses.replace(t, **plain)


def is_loaded(t: Tables) -> bool:
    return any(
        isinstance(d["customer_id"].dtype, pd.CategoricalDtype) for d in event_tables(t).values()
    )


@st.composite
def tables(
    draw: st.DrawFn, *, need_bills: bool = False, max_customers: int = 6, shop: bool = False
) -> Tables:
    """Small contract-valid tables: 1 to ``max_customers`` customers and their events; with
    ``shop``, the bills are at times as loaded from order lines (``refund`` and ``order_lines``
    columns, irregular purchases beside the monthly bills)."""
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
        as_orders = shop and table == "bills" and draw(st.booleans())  # refunds among them
        for customer in customers:
            if table == "bills":
                rows += _bills_of(draw, customer, extract)
                if as_orders:  # irregular purchases, some on one day, beside the monthly ones
                    rows += _events_of(draw, "bills", customer, extract, 6)
            else:
                rows += _events_of(
                    draw, table, customer, extract, 6 if table == "complaints" else 8
                )
        data = frame(table, rows)
        if as_orders:
            data["refund"] = draw(st.lists(st.booleans(), min_size=len(data), max_size=len(data)))
            data["order_lines"] = pd.Series(range(len(data)), dtype="int32") % 3 + 1
        for group in OPTIONAL[table]:
            if not draw(MOSTLY):
                data = data.drop(columns=[c for c in group if c in data.columns])
        present[table] = data
    t = Tables(
        customers=frame("customers", customers),
        bills=present["bills"],
        complaints=present["complaints"],
        service_events=present["service_events"],
        extract_date=extract,
        attribute_columns=("plan", "monthly_fee"),
        personal_columns=("email",),
        source="<hypothesis>",
    )
    # Loaded tables take the engine's coded-key path, hand-built ones the text-key path.
    return as_loaded(t) if draw(st.booleans()) else t


# --- cutoffs --------------------------------------------------------------------------------


def all_dates(t: Tables) -> list[pd.Timestamp]:
    """Every date in the tables (any date column)."""
    out: list[pd.Timestamp] = []
    for name, data in t.present().items():
        for column, dtype in SCHEMAS[name].items():
            if dtype.startswith("datetime") and column in data.columns:
                out += list(data[column].dropna())
    return out


WINDOW_DAYS = (0, 1, 6, 7, 29, 30, 89, 90, 364, 365)
"""Days after an event where a cutoff puts it on the first day of an N-day window, or just out."""
BEFORE_DAYS = (-1, -2, -7, -31)
"""Days after a date where a cutoff has it just in the future (what must not leak)."""


def _label_days(spec: LabelSpec) -> tuple[int, ...]:
    """Days after an end (or a bill) where a cutoff puts it on a bound of the label window."""
    lead, horizon = spec.lead_days, spec.horizon_days
    around = (-lead, -lead - 1, -lead - horizon, -lead - horizon - 1)
    if spec.definition == "inactivity":
        around += (spec.lookback_days, spec.lookback_days - 1)
    return around


def _settlements(t: Tables) -> list[pd.Timestamp]:
    """Payment and resolution dates: a cutoff just before one has the bill or complaint open."""
    out: list[pd.Timestamp] = []
    for data, column in ((t.bills, "paid_date"), (t.complaints, "resolved_at")):
        if data is not None and column in data.columns:
            out += list(data[column].dropna())
    return out


@st.composite
def cutoffs(draw: st.DrawFn, t: Tables, spec: LabelSpec | None = None) -> pd.Timestamp:
    """A cutoff the data can answer (and, with ``spec``, whose label window is observed).

    It lies between the first date in the data and the extract date (minus the label window),
    and is usually placed on the edge of a window around some date in the data: an event on
    the first or last day of an N-day window; an event, an end, a payment or a resolution just
    after the cutoff; an end date (a bill for ``inactivity``) on a bound of the label window.
    """
    dates = sorted(all_dates(t))
    lo = dates[0].normalize()
    hi = t.extract_date - (spec.window_days if spec else 0) * DAY
    ends = sorted(t.customers["end_date"].dropna())
    if spec is not None and spec.definition == "inactivity" and t.bills is not None:
        ends = sorted(t.bills["bill_date"])
    # way: (anchor dates, days from the anchor to the cutoff)
    ways: dict[str, tuple[list[pd.Timestamp], Sequence[int]]] = {
        "window edge": (dates, WINDOW_DAYS),
        "just before a date": (dates, BEFORE_DAYS),
        "just before an end": (ends, BEFORE_DAYS),
        "just before a payment or resolution": (_settlements(t), BEFORE_DAYS),
    }
    if spec is not None:
        ways["label edge"] = (ends, _label_days(spec))
    names = [name for name, (anchors, _) in ways.items() if anchors]
    names += ["months after a date", "month end", "any day"]
    if "label edge" in names:
        names += ["label edge"] * 3  # the label's bounds matter most where a label is asked for
    how = draw(st.sampled_from(names))
    if how in ways:
        anchors, days = ways[how]
        cutoff = draw(st.sampled_from(anchors)).normalize() + draw(st.sampled_from(days)) * DAY
    elif how == "months after a date":
        anchor = draw(st.sampled_from(dates)).normalize()
        cutoff = anchor + pd.DateOffset(months=draw(st.integers(0, 7)))
    elif how == "month end":
        anchor = draw(st.sampled_from(dates)).normalize()
        cutoff = anchor + pd.offsets.MonthEnd(draw(st.integers(0, 7)))
    else:
        cutoff = lo + draw(st.integers(0, max((hi - lo).days, 0))) * DAY
    return pd.Timestamp(min(max(cutoff, lo), hi)).normalize()


@st.composite
def label_specs(
    draw: st.DrawFn, definitions: Sequence[str] = ("contract", "inactivity")
) -> LabelSpec:
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
    new = frame(table, [row]).reindex(columns=data.columns)
    if "refund" in data.columns:  # bills as loaded from order lines: a purchase of one line
        new["refund"] = False
        new["order_lines"] = pd.Series([1], dtype="int32")
    return pd.concat([data, new], ignore_index=True)


def _later(draw: st.DrawFn, day: pd.Timestamp, extract: pd.Timestamp) -> pd.Timestamp | None:
    """A moment on a day after ``day`` (often the very next day), up to the extract date."""
    days = (extract.normalize() - day.normalize()).days
    if days < 1:
        return None
    after = draw(st.one_of(st.just(1), st.integers(1, days)))
    return day.normalize() + after * DAY + draw(TIMES)


Edit = tuple[Tables, str | None]


def _move_ends(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> Edit:
    """Move end dates after the cutoff (or missing) to other dates after it, or remove them."""
    customers = t.customers.copy()
    moved = []
    for i in customers.index[~(customers["end_date"].dt.normalize() <= cutoff)]:
        if draw(st.booleans()):
            later = _later(draw, max(cutoff, customers.at[i, "signup_date"]), t.extract_date)
            end = None if later is None or draw(st.booleans()) else later.normalize()
            customers.loc[i, "end_date"] = end
            moved.append(f"{customers.at[i, 'customer_id']} to {end}")
    return dataclasses.replace(t, customers=customers), f"moved ends: {moved}" if moved else None


def _add_customer(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> Edit:
    """A customer who signs up after the cutoff, with an event."""
    when = _later(draw, cutoff, t.extract_date)
    cid = f"{draw(st.integers(1000, 1999)):04d}"
    if when is None or cid in set(t.customers["customer_id"]):
        return t, None
    row = {
        "customer_id": cid,
        "signup_date": when,
        "plan": draw(st.sampled_from([*PLANS, "gold"])),
        "monthly_fee": 12.5,
        "email": "new@example.com",
    }
    t = dataclasses.replace(t, customers=_append(t.customers, "customers", row))
    present = list(event_tables(t))
    if present:
        table = draw(st.sampled_from(present))
        event = DRAW_ROW[table](draw, cid, when, t.extract_date)
        t = dataclasses.replace(t, **{table: _append(t.table(table), table, event)})
    return t, f"added customer {cid} signing up {when}"


def _add_row(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp, *, recorded_later: bool) -> Edit:
    """A row dated after the cutoff, or dated before it and recorded after it."""
    table = draw(st.sampled_from(list(event_tables(t))))
    data = t.table(table)
    later = _later(draw, cutoff, t.extract_date)
    if later is None or (recorded_later and "recorded_at" not in data.columns):
        return t, None
    customer = t.customers.iloc[draw(st.integers(0, len(t.customers) - 1))]
    if recorded_later:
        first = min(customer["signup_date"].normalize(), cutoff)
        when = first + draw(st.integers(0, (cutoff - first).days)) * DAY + draw(TIMES)
        row = DRAW_ROW[table](draw, customer["customer_id"], when, t.extract_date)
        row["recorded_at"] = later
    else:
        row = DRAW_ROW[table](draw, customer["customer_id"], later, t.extract_date)
    t = dataclasses.replace(t, **{table: _append(data, table, row)})
    return t, f"added to {table}: {row}"


def _drop_unknown(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> Edit:
    """Drop some of the rows not known at the cutoff."""
    table = draw(st.sampled_from(list(event_tables(t))))
    data = t.table(table)
    dropped = [i for i in unknown_rows(data, table, cutoff) if draw(st.booleans())]
    data = data.drop(index=dropped).reset_index(drop=True)
    what = f"dropped {table} rows {dropped}" if dropped else None
    return dataclasses.replace(t, **{table: data}), what


def _rewrite_unknown(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> Edit:
    """Replace a row not known at the cutoff by another (dated after it, or recorded after it)."""
    table = draw(st.sampled_from(list(event_tables(t))))
    data = t.table(table)
    unknown = unknown_rows(data, table, cutoff)
    if len(unknown) == 0:
        return t, None
    i = draw(st.sampled_from(list(unknown)))
    old = data.loc[i].to_dict()
    when = old[DATE_COLUMNS[table]]
    if when.normalize() > cutoff:
        when = _later(draw, cutoff, t.extract_date) or when
    row = DRAW_ROW[table](draw, old["customer_id"], when, t.extract_date)
    if when.normalize() <= cutoff:  # unknown only because it was recorded late: keep that
        row["recorded_at"] = old["recorded_at"]
    data = _append(data.drop(index=i), table, row)
    return dataclasses.replace(t, **{table: data}), f"rewrote {table} row {i} as {row}"


SETTLED = (("bills", "paid_date"), ("bills", "due_date"), ("complaints", "resolved_at"))


def _reschedule_later(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> Edit:
    """Set payments, due dates and resolutions that are after the cutoff, or missing, to other
    dates after it, or remove them."""
    moved = []
    for table, column in SETTLED:
        data = t.table(table)
        if data is None or column not in data.columns:
            continue
        data = data.copy()
        for i in data.index[~(data[column].dt.normalize() <= cutoff)]:
            if draw(st.booleans()):
                # after the cutoff, and a resolution stays on or after its opening
                floor = max(cutoff, data.at[i, DATE_COLUMNS[table]])
                later = _later(draw, floor, t.extract_date)
                if pd.notna(data.at[i, column]) and draw(st.booleans()):
                    later = None
                data.loc[i, column] = later
                moved.append(f"{table}.{column} of row {i} to {later}")
        t = dataclasses.replace(t, **{table: data})
    return t, f"set {moved}" if moved else None


EDITS = {
    "add a row dated after the cutoff": partial(_add_row, recorded_later=False),
    "add a row recorded after the cutoff": partial(_add_row, recorded_later=True),
    "drop rows not known": _drop_unknown,
    "rewrite a row not known": _rewrite_unknown,
    "reschedule payments or resolutions after the cutoff": _reschedule_later,
    "move end dates after the cutoff": _move_ends,
    "add a customer signing up after the cutoff": _add_customer,
}
EVENT_EDITS = {k for k in EDITS if "row" in k}


@st.composite
def future_changes(draw: st.DrawFn, t: Tables, cutoff: pd.Timestamp) -> tuple[Tables, list[str]]:
    """Edits of what lies after ``cutoff``; returns the changed tables and what was done.

    Each kind of edit in :data:`EDITS` is applied three times in four (shrinking switches
    them off one by one). Each touches only what is unknown at the cutoff: rows dated or recorded after it,
    payments, due dates and resolutions after it, end dates after it, customers who sign up
    after it. Tables stored as :func:`as_loaded` stay so.
    """
    loaded = is_loaded(t)
    t = as_hand_built(t)
    done: list[str] = []
    for name, edit in EDITS.items():
        applied = draw(st.sampled_from([False, True, True, True]))  # shrinks to not applied
        if not applied or (name in EVENT_EDITS and not event_tables(t)):
            continue
        t, what = edit(draw, t, cutoff)
        if what:
            done.append(what)
    return (as_loaded(t) if loaded else t), done
