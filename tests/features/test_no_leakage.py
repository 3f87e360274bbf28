"""Nothing after the cutoff reaches a feature of that cutoff.

The property: take random tables and a cutoff, change only what lies after the cutoff (rows
dated after it, rows recorded after it, payments and resolutions after it, end dates after it,
customers who sign up after it), and every feature of every customer stays the same. The label
may change; the features may not.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from reference import assert_same_frame
from strategies import cutoffs, frame, future_changes, label_specs, tables

from churnlab.errors import SpecError
from churnlab.features import build_scoring_frame, build_training_frame
from churnlab.features.definitions import DAYS_PER_MONTH
from churnlab.features.prepare import vocabulary_of
from churnlab.labels import LabelSpec
from churnlab.tables import Tables

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _union(*vocabularies: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    keys = {k for v in vocabularies for k in v}
    return {k: tuple(sorted({x for v in vocabularies for x in v.get(k, ())})) for k in keys}


def _features(
    t: Tables,
    cutoff: pd.Timestamp,
    spec: LabelSpec,
    vocabulary: dict[str, tuple[str, ...]],
    *,
    training: bool,
) -> pd.DataFrame | None:
    """The feature columns at the cutoff (no label), or None when nobody is in scope."""
    try:
        if training:
            built = build_training_frame(
                t, spec, cutoffs=[cutoff], vocabulary=vocabulary, progress=False
            )
        else:
            built = build_scoring_frame(t, as_of=cutoff, spec=spec, vocabulary=vocabulary)
    except SpecError as error:
        assert "No customers are in scope" in str(error)
        return None
    return built.frame.drop(columns=["churned"], errors="ignore")


@PROPERTY
@given(data=st.data())
def test_changes_after_the_cutoff_never_change_a_feature(data: st.DataObject) -> None:
    spec = data.draw(label_specs(), label="spec")
    t = data.draw(tables(need_bills=spec.definition == "inactivity", shop=True), label="tables")
    training = data.draw(st.booleans(), label="as a training frame")
    cutoff = data.draw(cutoffs(t, spec if training else None), label="cutoff")
    assume(cutoff < t.extract_date)
    changed, edits = data.draw(future_changes(t, cutoff), label="changed tables")
    assume(edits)
    note("\n".join(edits))
    # The column list comes from the whole data (a category first seen after the cutoff adds a
    # column of zeros): give both builds the same vocabulary, as scoring does with a model's.
    vocabulary = _union(vocabulary_of(t), vocabulary_of(changed))
    before = _features(t, cutoff, spec, vocabulary, training=training)
    after = _features(changed, cutoff, spec, vocabulary, training=training)
    if before is None or after is None:
        assert before is None and after is None, "the population changed"
        return
    # Same inputs, same sums: equal up to the order in which the engine adds floats.
    assert_same_frame(after, before, rtol=1e-6, atol=1e-9, names=("after", "before"))


# --- explicit examples ----------------------------------------------------------------------

CUTOFF = pd.Timestamp("2023-06-30")
T = pd.Timestamp


def _one_customer(**events: list[dict]) -> Tables:
    return Tables(
        customers=frame(
            "customers", [{"customer_id": "007", "signup_date": T("2023-01-01"), "plan": "basic"}]
        ),
        **{name: frame(name, rows) for name, rows in events.items()},
        extract_date=T("2023-12-31"),
        attribute_columns=("plan",),
    )


def _row(t: Tables) -> pd.Series:
    return build_scoring_frame(t, as_of=CUTOFF).frame.iloc[0]


def test_a_row_dated_before_the_cutoff_but_recorded_after_it_is_not_known() -> None:
    complaint = {"customer_id": "007", "opened_at": T("2023-06-20 10:00"), "category": "billing"}
    on_time = _one_customer(complaints=[{**complaint, "recorded_at": T("2023-06-30 23:59")}])
    too_late = _one_customer(complaints=[{**complaint, "recorded_at": T("2023-07-01 00:00")}])
    assert _row(on_time)["complaints_30d"] == 1
    assert _row(too_late)["complaints_30d"] == 0
    assert np.isnan(_row(too_late)["days_since_complaint"])


def test_a_payment_after_the_cutoff_counts_as_not_paid_yet() -> None:
    bill = {
        "customer_id": "007",
        "bill_date": T("2023-06-01"),
        "amount": 40.0,
        "due_date": T("2023-06-15"),
    }
    paid_after = _one_customer(bills=[{**bill, "paid_date": T("2023-07-02")}])
    never_paid = _one_customer(bills=[{**bill, "paid_date": None}])
    paid_before = _one_customer(bills=[{**bill, "paid_date": T("2023-06-30")}])
    for t in (paid_after, never_paid):
        assert _row(t)[["late_payments_12m", "unpaid_bills"]].tolist() == [1, 1]
    assert _row(paid_before)[["late_payments_12m", "unpaid_bills"]].tolist() == [1, 0]


def test_a_resolution_after_the_cutoff_leaves_the_complaint_open() -> None:
    complaint = {"customer_id": "007", "opened_at": T("2023-06-20 12:00"), "category": "billing"}
    for resolved_at in (T("2023-07-01 00:00"), None):
        row = _row(_one_customer(complaints=[{**complaint, "resolved_at": resolved_at}]))
        assert row["complaints_open"] == 1
        assert row["open_complaint_age_days_max"] == 10
        assert np.isnan(row["complaint_resolve_days_mean"])
    resolved_at = T("2023-06-30 18:00")  # 10 days and 6 hours after opening
    row = _row(_one_customer(complaints=[{**complaint, "resolved_at": resolved_at}]))
    assert row["complaints_open"] == 0
    assert np.isnan(row["open_complaint_age_days_max"])
    assert row["complaint_resolve_days_mean"] == 10.25


# --- customers without events ---------------------------------------------------------------


def _customers_one_without_events(**tables_present: bool) -> Tables:
    """'001' has a bill, a complaint and a failure before the cutoff; '002' has nothing."""
    rows = {
        "bills": [
            {
                "customer_id": "001",
                "bill_date": T("2023-06-01"),
                "amount": 30.0,
                "due_date": T("2023-06-15"),
                "paid_date": T("2023-06-10"),
            }
        ],
        "complaints": [{"customer_id": "001", "opened_at": T("2023-06-02"), "category": "billing"}],
        "service_events": [
            {
                "customer_id": "001",
                "occurred_at": T("2023-06-03"),
                "kind": "outage",
                "duration_minutes": 30.0,
            }
        ],
    }
    customers = [
        {"customer_id": cid, "signup_date": T("2023-01-01"), "plan": "basic"}
        for cid in ("001", "002")
    ]
    return Tables(
        customers=frame("customers", customers),
        **{n: frame(n, r) if tables_present[n] else None for n, r in rows.items()},
        extract_date=T("2023-12-31"),
        attribute_columns=("plan",),
    )


ZERO_WITHOUT_EVENTS = {
    "spend_last_month",
    "spend_mean_3m",
    "spend_slope_6m",
    "spend_max_increase_6m",
    "spend_std_6m",
    "outage_minutes_90d",
}
UNKNOWN_WITHOUT_EVENTS = {
    "spend_ratio_3m",
    "complaint_resolve_days_mean",
    "open_complaint_age_days_max",
    "days_since_complaint",
    "days_since_failure",
}


@pytest.mark.parametrize(
    "present",
    [
        {"bills": True, "complaints": True, "service_events": True},
        {"bills": True, "complaints": False, "service_events": True},
        {"bills": False, "complaints": False, "service_events": False},
    ],
    ids=["all tables", "no complaints table", "customers only"],
)
def test_a_customer_without_events_gets_zero_counts_and_unknown_days_since(
    present: dict[str, bool],
) -> None:
    built = build_scoring_frame(_customers_one_without_events(**present), as_of=CUTOFF)
    row = built.frame.set_index("customer_id").loc["002"]
    assert row["tenure_days"] == 180
    for feature in built.features:
        value = row[feature.name]
        if feature.name in ("tenure_days", "months_since_last_bill") or feature.kind == "category":
            continue
        if feature.kind == "count":
            assert value == 0, feature.name
        elif feature.name in UNKNOWN_WITHOUT_EVENTS:
            assert np.isnan(value), feature.name
        elif feature.name in ZERO_WITHOUT_EVENTS:
            assert value == 0, feature.name
    if present["service_events"]:
        assert row["failure_rate_trend"] == 1  # (0 + 1) / (0 / 2 + 1)
    if present["bills"]:
        assert row["loyalty_points"] == 5  # 180 days = 5 whole months, nothing spent
        # never billed in 180 days: silent since joining (missing only in the first month)
        assert row["months_since_last_bill"] == pytest.approx(180 / DAYS_PER_MONTH)
    names = {f.name for f in built.features}
    assert ("days_since_complaint" in names) == present["complaints"]


def test_a_changed_future_edit_is_visible_to_the_label_only() -> None:
    """The other side of the property: an end date after the cutoff does change the label."""
    customers = frame(
        "customers",
        [{"customer_id": "001", "signup_date": T("2023-01-01"), "end_date": T("2023-08-15")}],
    )
    t = Tables(customers=customers, extract_date=T("2023-12-31"))
    moved = dataclasses.replace(
        t, customers=customers.assign(end_date=pd.Series([T("2023-11-15")], dtype="datetime64[us]"))
    )
    spec = LabelSpec(horizon_days=90)
    a = build_training_frame(t, spec, cutoffs=[CUTOFF], progress=False).frame
    b = build_training_frame(moved, spec, cutoffs=[CUTOFF], progress=False).frame
    assert a["churned"].tolist() == [True] and b["churned"].tolist() == [False]
    assert_same_frame(a.drop(columns="churned"), b.drop(columns="churned"))
