"""A slow, plainly written reference for the feature frame of one cutoff.

It follows the convention of :mod:`churnlab.labels.window` and the feature descriptions of the
registry, one customer and one row at a time, with Python dates and exact sums (``math.fsum``;
decimals where a sum is rounded down to whole points), so that it can be read line by line
against the docstrings. It shares nothing with the Ibis
definitions except the registry (names, order and required columns of the features).

Convention, restated (``c`` is the cutoff day, "the end of day c"):

- a row is known at ``c`` when its date's day is ``<= c`` and its ``recorded_at`` (where the
  table has one) is missing or its day is ``<= c``;
- an N-day window holds the days ``c - N < day <= c``;
- month ``k`` back holds the days ``c - k months < day <= c - (k - 1) months``;
- contract: active when ``signup <= c`` and (no end, or ``end > c``); churned when
  ``c + lead < end <= c + lead + horizon`` and the same person did not sign up again under
  another id within ``grace_days`` of leaving;
- inactivity: active when a known bill lies in the ``lookback_days`` window; churned when no
  bill at all is dated in ``c + lead < day <= c + lead + horizon``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from churnlab.features.registry import CORE_FEATURES, category_slugs
from churnlab.labels.spec import LabelSpec
from churnlab.tables import Tables

DAYS_PER_MONTH = 30.4375
"""The mean Gregorian month, used by ``months_since_last_bill`` and ``loyalty_points``."""

NAN = float("nan")
Row = dict[str, Any]


# --- reading rows ---------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Missing values (NaT, NaN, None, pd.NA) become None; everything else stays."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def _rows(frame: pd.DataFrame | None) -> list[Row]:
    if frame is None:
        return []
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _by_customer(frame: pd.DataFrame | None) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in _rows(frame):
        grouped[row["customer_id"]].append(row)
    return grouped


def _day(stamp: pd.Timestamp | None) -> dt.date | None:
    return None if stamp is None else pd.Timestamp(stamp).date()


def _known(rows: Iterable[Row], date_column: str, c: dt.date) -> list[Row]:
    """Rows dated on or before the cutoff day and recorded (when recorded) on or before it."""
    out = []
    for row in rows:
        recorded = _day(row.get("recorded_at"))
        if _day(row[date_column]) <= c and (recorded is None or recorded <= c):
            out.append(row)
    return out


def _in_last_days(day: dt.date, c: dt.date, days: int) -> bool:
    return c - dt.timedelta(days=days) < day <= c


def _months_back(c: dt.date, k: int) -> dt.date:
    """``c`` minus ``k`` calendar months (the day is clipped to the month's length)."""
    return (pd.Timestamp(c) - pd.DateOffset(months=k)).date()


# --- population and label -------------------------------------------------------------------


def _contract_population(customers: list[Row], c: dt.date) -> list[Row]:
    return [
        cust
        for cust in customers
        if _day(cust["signup_date"]) <= c
        and (cust["end_date"] is None or _day(cust["end_date"]) > c)
    ]


def _contract_churned(customer: Row, customers: list[Row], c: dt.date, spec: LabelSpec) -> bool:
    end = _day(customer["end_date"])
    start = c + dt.timedelta(days=spec.lead_days)
    if end is None or not start < end <= start + dt.timedelta(days=spec.horizon_days):
        return False
    if spec.grace_days and spec.rejoin_key:
        person = customer.get(spec.rejoin_key)
        for other in customers:
            if person is None or other["customer_id"] == customer["customer_id"]:
                continue
            if other.get(spec.rejoin_key) != person:
                continue
            signup = _day(other["signup_date"])
            if end <= signup <= end + dt.timedelta(days=spec.grace_days):
                return False  # the same person came back within the grace period
    return True


def _inactivity_population(
    customers: list[Row], bills: dict[str, list[Row]], c: dt.date, spec: LabelSpec
) -> list[Row]:
    return [
        cust
        for cust in customers
        if any(
            _in_last_days(_day(b["bill_date"]), c, spec.lookback_days)
            for b in _known(bills.get(cust["customer_id"], []), "bill_date", c)
        )
    ]


def _inactivity_churned(bills: list[Row], c: dt.date, spec: LabelSpec) -> bool:
    start = c + dt.timedelta(days=spec.lead_days)
    end = start + dt.timedelta(days=spec.horizon_days)
    return not any(start < _day(b["bill_date"]) <= end for b in bills)


# --- features -------------------------------------------------------------------------------


def _plan_fit(
    bills: list[Row], cust: Row, signup: dt.date, c: dt.date, bounds: Sequence[dt.date]
) -> dict[str, float]:
    """The lowest monthly spend of the last three months over the plan's fee, and the highest
    over the lowest (only for a customer with us for all three months, and a fee; the peak
    also needs a bill in each month)."""
    fee = cust["monthly_fee"]
    if signup > bounds[3] or fee is None or not fee > 0:
        return {"spend_over_fee_min_3m": NAN, "spend_peak_3m": NAN}
    known = _known(bills, "bill_date", c)
    months = [
        math.fsum(b["amount"] for b in known if bounds[k] < _day(b["bill_date"]) <= bounds[k - 1])
        for k in (1, 2, 3)
    ]
    lowest, highest = min(months), max(months)
    return {
        "spend_over_fee_min_3m": lowest / fee,
        "spend_peak_3m": highest / lowest if lowest > 0 else NAN,
    }


def _bill_features(
    bills: list[Row], signup: dt.date, c: dt.date, bounds: Sequence[dt.date]
) -> dict[str, float]:
    """Spend and payment features; ``bounds[k]`` is the cutoff minus ``k`` months."""
    known = _known(bills, "bill_date", c)
    # months[0] is the last month up to the cutoff, months[5] the sixth month back.
    months = [
        math.fsum(b["amount"] for b in known if bounds[k] < _day(b["bill_date"]) <= bounds[k - 1])
        for k in range(1, 7)
    ]
    recent, before = sum(months[:3]), sum(months[3:])
    # Trends use only the months the customer was with us from their first day: the k-th
    # month back counts when the customer signed up on or before the day it starts after.
    seen = months[: sum(1 for k in range(1, 7) if signup <= bounds[k])]
    # A least-squares line through (x, spend) with x = 5 for the last month, 4 the one before...
    xs = [5 - k for k in range(len(seen))]
    slope = statistics.linear_regression(xs, seen).slope if len(seen) >= 3 else NAN
    increases = [seen[k] - seen[k + 1] for k in range(len(seen) - 1)]  # later minus earlier
    last_bill = max((_day(b["bill_date"]) for b in known), default=None)
    out = {
        "spend_last_month": months[0],
        "spend_mean_3m": recent / 3,
        "spend_ratio_3m": recent / before if before > 0 and len(seen) == 6 else NAN,
        "spend_slope_6m": slope,
        "spend_max_increase_6m": max(0.0, *increases) if len(seen) >= 2 else NAN,
        "spend_std_6m": statistics.pstdev(seen) if len(seen) >= 3 else NAN,
        "months_since_last_bill": (
            (c - last_bill).days / DAYS_PER_MONTH
            if last_bill is not None
            else (c - signup).days / DAYS_PER_MONTH  # silent since joining
            if signup <= bounds[1]
            else NAN  # joined less than a month ago: no bill due yet
        ),
    }

    def overdue(b: Row) -> bool:  # due on or before the cutoff day, which counts as past
        due = _day(b.get("due_date"))
        return due is not None and due <= c

    def late(b: Row) -> bool:  # overdue and paid after its due date, or not paid at all
        paid = _day(b.get("paid_date"))
        return overdue(b) and (paid is None or paid > _day(b["due_date"]))

    out["late_payments_12m"] = sum(
        1 for b in known if late(b) and _in_last_days(_day(b["due_date"]), c, 365)
    )
    out["unpaid_bills"] = sum(
        1 for b in known if overdue(b) and (b.get("paid_date") is None or _day(b["paid_date"]) > c)
    )
    # Loyalty: whole months since signup (or since the due date of the last late bill), plus a
    # point for every 10 spent on bills dated after that late bill (all bills when none).
    wiped_on = max((_day(b["due_date"]) for b in known if late(b)), default=None)
    since = signup if wiped_on is None else max(signup, wiped_on)
    # Spend is money: add the amounts as written (decimals), so 25 bills of 1.20 make 30.00.
    spent = sum(
        (
            Decimal(str(b["amount"]))
            for b in known
            if wiped_on is None or _day(b["bill_date"]) > wiped_on
        ),
        Decimal(0),
    )
    out["loyalty_points"] = math.floor((c - since).days / DAYS_PER_MONTH) + math.floor(spent / 10)
    # Lost to late payments: the points without any wipe, less the points.
    spent_ever = sum((Decimal(str(b["amount"])) for b in known), Decimal(0))
    unwiped = math.floor((c - signup).days / DAYS_PER_MONTH) + math.floor(spent_ever / 10)
    out["points_lost"] = unwiped - out["loyalty_points"]
    out["days_since_late_payment"] = (c - wiped_on).days if wiped_on is not None else NAN
    return out


def _purchase_features(bills: list[Row], c: dt.date) -> dict[str, float]:
    """The purchases family (shop-shaped bills): a purchase is a known bill that is not a
    refund; gaps are between distinct purchase days."""
    known = _known(bills, "bill_date", c)
    sales = [b for b in known if not b.get("refund")]
    refunds = len(known) - len(sales)
    days = sorted({_day(b["bill_date"]) for b in sales})
    out: dict[str, float] = {
        f"purchases_{n}d": sum(1 for b in sales if _in_last_days(_day(b["bill_date"]), c, n))
        for n in (30, 90, 365)
    }
    spent = math.fsum(b["amount"] for b in sales)
    out["purchase_spend_365d"] = math.fsum(
        b["amount"] for b in sales if _in_last_days(_day(b["bill_date"]), c, 365)
    )
    out["purchase_spend_lifetime"] = spent
    out["average_order_value"] = spent / len(sales) if sales else NAN
    mean_gap = (days[-1] - days[0]).days / (len(days) - 1) if len(days) >= 2 else NAN
    last_gap = float((days[-1] - days[-2]).days) if len(days) >= 2 else NAN
    out["purchase_gap_mean_days"] = mean_gap
    out["purchase_gap_last_days"] = last_gap
    out["purchase_gap_last_ratio"] = last_gap / mean_gap if len(days) >= 2 else NAN
    out["purchase_overdue_ratio"] = (c - days[-1]).days / mean_gap if len(days) >= 2 else NAN
    out["refund_share"] = refunds / len(sales) if sales else NAN
    out["days_since_first_purchase"] = float((c - days[0]).days) if days else NAN
    return out


def _complaint_features(
    complaints: list[Row], c: dt.date, categories: Sequence[str]
) -> dict[str, float]:
    known = _known(complaints, "opened_at", c)

    def opened_within(days: int) -> list[Row]:
        return [q for q in known if _in_last_days(_day(q["opened_at"]), c, days)]

    last_90, last_365 = opened_within(90), opened_within(365)
    still_open = [q for q in known if q.get("resolved_at") is None or _day(q["resolved_at"]) > c]
    resolve_days = [
        (q["resolved_at"] - q["opened_at"]) / pd.Timedelta(days=1)
        for q in last_365
        if q.get("resolved_at") is not None and _day(q["resolved_at"]) <= c
    ]
    last = max((_day(q["opened_at"]) for q in known), default=None)
    oldest_open = min((_day(q["opened_at"]) for q in still_open), default=None)
    out: dict[str, float] = {
        "complaints_30d": len(opened_within(30)),
        "complaints_90d": len(last_90),
        "complaints_365d": len(last_365),
        "complaints_open": len(still_open),
        "complaint_resolve_days_mean": statistics.fmean(resolve_days) if resolve_days else NAN,
        "open_complaint_age_days_max": (c - oldest_open).days if oldest_open is not None else NAN,
        "repeat_complaints_90d": len(last_90) - len({q["category"] for q in last_90}),
        "days_since_complaint": (c - last).days if last is not None else NAN,
    }
    for value, name in category_slugs(categories).items():
        out[f"complaints_365d_{name}"] = sum(1 for q in last_365 if q["category"] == value)
    return out


def _failure_features(events: list[Row], c: dt.date, kinds: Sequence[str]) -> dict[str, float]:
    known = _known(events, "occurred_at", c)

    def within(days: int) -> list[Row]:
        return [e for e in known if _in_last_days(_day(e["occurred_at"]), c, days)]

    f30, f90 = len(within(30)), len(within(90))
    last = max((_day(e["occurred_at"]) for e in known), default=None)
    out: dict[str, float] = {
        "failures_7d": len(within(7)),
        "failures_30d": f30,
        "failures_90d": f90,
        "outage_minutes_90d": math.fsum(
            e["duration_minutes"] for e in within(90) if e.get("duration_minutes") is not None
        ),
        # failures per 30 days in the last 30 over those in the 60 before, each plus one
        "failure_rate_trend": (f30 + 1) / ((f90 - f30) / 2 + 1),
        "days_since_failure": (c - last).days if last is not None else NAN,
    }
    for value, name in category_slugs(kinds).items():
        out[f"failures_90d_{name}"] = sum(1 for e in within(90) if e["kind"] == value)
    return out


# --- columns --------------------------------------------------------------------------------


def _values(frame: pd.DataFrame | None, column: str) -> list[str]:
    if frame is None:
        return []
    return sorted({str(v) for v in frame[column].dropna()})


def _is_text(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    )


def feature_columns(tables: Tables) -> list[tuple[str, str]]:
    """``(name, kind)`` of the features these tables give, in the engine's column order.

    A registered feature is given when its table is present with the columns it requires;
    then come the per-category counts (categories sorted; every category has its own column,
    "Dropped call" and "dropped_call" get ``dropped_call`` and ``dropped_call_2``), then the
    attributes.
    """
    present = tables.present()
    out = []
    for feature in CORE_FEATURES:
        frame = present.get(feature.table)
        if feature.family == "plan_fit":  # bills against the plan's fee, a numeric attribute
            fee = "monthly_fee" in tables.attribute_columns and not _is_text(
                tables.customers["monthly_fee"]
            )
            if frame is not None and fee:
                out.append((feature.name, feature.kind))
        elif frame is not None and all(col in frame.columns for col in feature.requires):
            out.append((feature.name, feature.kind))
    categories = category_slugs(_values(tables.complaints, "category")).values()
    kinds = category_slugs(_values(tables.service_events, "kind")).values()
    out += [(f"complaints_365d_{name}", "count") for name in categories]
    out += [(f"failures_90d_{name}", "count") for name in kinds]
    for column in tables.attribute_columns:
        kind = "category" if _is_text(tables.customers[column]) else "float"
        out.append((column, kind))
    return out


# --- the frame ------------------------------------------------------------------------------


def reference_frame(
    tables: Tables,
    cutoff: str | pd.Timestamp,
    spec: LabelSpec | None = None,
    *,
    label: bool = False,
) -> pd.DataFrame:
    """The feature frame of one cutoff, computed one customer at a time.

    Columns are ``customer_id``, ``cutoff``, ``churned`` (when ``label``), then the features in
    the engine's order. Counts are ``int64``, other numbers ``float64``, text attributes
    categoricals. Rows are sorted by ``customer_id``.
    """
    spec = spec or LabelSpec()
    stamp = pd.Timestamp(cutoff).normalize()
    c = stamp.date()
    customers = _rows(tables.customers)
    bills = _by_customer(tables.bills)
    # a refund is neither spend nor activity: only the purchases family sees refund bills
    everything, bills = (
        bills,
        {cid: [b for b in rows if not b.get("refund")] for cid, rows in bills.items()},
    )
    complaints = _by_customer(tables.complaints)
    events = _by_customer(tables.service_events)
    categories = _values(tables.complaints, "category")
    kinds = _values(tables.service_events, "kind")
    columns = feature_columns(tables)
    bounds = [_months_back(c, k) for k in range(7)]

    if spec.definition == "contract":
        population = _contract_population(customers, c)
    elif spec.definition == "inactivity":
        population = _inactivity_population(customers, bills, c, spec)
    else:
        raise NotImplementedError(f"no reference for the {spec.definition!r} definition")

    records = []
    for cust in sorted(population, key=lambda r: r["customer_id"]):
        cid = cust["customer_id"]
        signup = _day(cust["signup_date"])
        row: dict[str, Any] = {"customer_id": cid, "cutoff": stamp}
        if label:
            if spec.definition == "contract":
                row["churned"] = _contract_churned(cust, customers, c, spec)
            else:
                row["churned"] = _inactivity_churned(bills.get(cid, []), c, spec)
        values: dict[str, Any] = {"tenure_days": (c - signup).days}
        if tables.bills is not None:
            values |= _bill_features(bills.get(cid, []), signup, c, bounds)
            if "order_lines" in tables.bills.columns:
                values |= _purchase_features(everything.get(cid, []), c)
        if tables.complaints is not None:
            values |= _complaint_features(complaints.get(cid, []), c, categories)
        if tables.service_events is not None:
            values |= _failure_features(events.get(cid, []), c, kinds)
        for column in tables.attribute_columns:
            values[column] = cust[column]
        if tables.bills is not None and "monthly_fee" in tables.attribute_columns:
            values |= _plan_fit(bills.get(cid, []), cust, signup, c, bounds)
        row |= {name: values[name] for name, _ in columns}
        records.append(row)

    head = ["customer_id", "cutoff", *(["churned"] if label else [])]
    frame = pd.DataFrame.from_records(records, columns=[*head, *(n for n, _ in columns)])
    frame["customer_id"] = frame["customer_id"].astype("str")
    frame["cutoff"] = frame["cutoff"].astype("datetime64[us]")
    if label:
        frame["churned"] = frame["churned"].astype(bool)
    for name, kind in columns:
        if kind == "count":
            frame[name] = frame[name].astype("int64")
        elif kind == "float":
            frame[name] = frame[name].astype("float64")
        else:
            categories_of = _values(tables.customers, name)
            frame[name] = pd.Categorical(frame[name], categories=categories_of)
    return frame


def reference_frames(
    tables: Tables,
    cutoffs: Sequence[str | pd.Timestamp],
    spec: LabelSpec | None = None,
    *,
    label: bool = False,
) -> pd.DataFrame:
    """Several cutoffs stacked, oldest first (the shape of a training frame)."""
    ordered = sorted({pd.Timestamp(c).normalize() for c in cutoffs})
    parts = [reference_frame(tables, c, spec, label=label) for c in ordered]
    return pd.concat(parts, ignore_index=True)


# --- comparing ------------------------------------------------------------------------------


def frame_differences(
    engine: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    atol_of: Mapping[str, float] | None = None,
    names: tuple[str, str] = ("engine", "reference"),
) -> list[str]:
    """Every difference between two feature frames, as lines a person can read.

    Columns must be the same, in the same order; ids, flags, counts and categories equal; floats
    equal within ``rtol`` (the engine writes float32), plus a tiny ``atol`` for sums that cancel
    to zero in one order and not in another; NaN exactly where NaN. ``atol_of`` loosens named
    columns (a known engine bug that should not hide every other difference). ``names`` say
    what the two frames are in the message.
    """
    got_name, want_name = names
    problems: list[str] = []
    missing = [c for c in reference.columns if c not in engine.columns]
    extra = [c for c in engine.columns if c not in reference.columns]
    if missing or extra:
        problems.append(f"columns: missing {missing}, extra {extra}")
    elif list(engine.columns) != list(reference.columns):
        problems.append(f"column order: {got_name} {list(engine.columns)}")
    if len(engine) != len(reference):
        only_engine = sorted(set(engine["customer_id"]) - set(reference["customer_id"]))
        only_reference = sorted(set(reference["customer_id"]) - set(engine["customer_id"]))
        problems.append(
            f"rows: {got_name} {len(engine)}, {want_name} {len(reference)}; customers only in "
            f"{got_name} {only_engine}, only in {want_name} {only_reference}"
        )
        return problems
    engine = engine.reset_index(drop=True)
    reference = reference.reset_index(drop=True)
    keys = reference["customer_id"].astype(str) + " @ " + reference["cutoff"].astype(str)
    for column in reference.columns:
        if column not in engine.columns:
            continue
        got, want = engine[column], reference[column]
        for kind in ("bool", "integer", "float"):
            is_kind = getattr(pd.api.types, f"is_{kind}_dtype")
            if is_kind(want.dtype) and not is_kind(got.dtype):
                problems.append(f"{column}: dtype {got.dtype}, expected a {kind} dtype")
        if isinstance(want.dtype, pd.CategoricalDtype):
            categorical = isinstance(got.dtype, pd.CategoricalDtype)
            got_categories = list(got.cat.categories) if categorical else got.dtype
            if got_categories != list(want.cat.categories):
                problems.append(
                    f"{column}: categories {got_categories}, expected {list(want.cat.categories)}"
                )
                continue
            same = (
                (got.astype(object) == want.astype(object)) | (got.isna() & want.isna())
            ).to_numpy()
        elif pd.api.types.is_float_dtype(want.dtype):
            g = got.to_numpy("float64", na_value=np.nan)
            w = want.to_numpy("float64", na_value=np.nan)
            tolerance = (atol_of or {}).get(column, atol)
            same = np.isclose(g, w, rtol=rtol, atol=tolerance, equal_nan=True)
        else:
            same = (got.to_numpy() == want.to_numpy()) | (got.isna() & want.isna()).to_numpy()
        if not same.all():
            bad = np.flatnonzero(~same)
            examples = ", ".join(
                f"{keys[i]}: {got_name} {got[i]!r}, {want_name} {want[i]!r}" for i in bad[:3]
            )
            problems.append(f"{column}: {len(bad)} of {len(same)} rows differ, e.g. {examples}")
    return problems


def assert_same_frame(engine: pd.DataFrame, reference: pd.DataFrame, **kwargs: Any) -> None:
    """Fail with every difference listed, not just the first."""
    problems = frame_differences(engine, reference, **kwargs)
    if problems:
        got_name, want_name = kwargs.get("names", ("engine", "reference"))
        raise AssertionError(f"{got_name} and {want_name} differ:\n  " + "\n  ".join(problems))
