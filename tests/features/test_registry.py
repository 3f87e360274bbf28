"""The feature registry: every feature named, described and explained; no personal data as a feature."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from strategies import frame

from churnlab.errors import SpecError
from churnlab.features import Feature, build_scoring_frame, get_feature, list_features
from churnlab.features.registry import CORE_FEATURES, category_count_feature
from churnlab.tables import Tables, load_tables

REQUIRED = [
    "tenure_days", "spend_last_month", "spend_mean_3m", "spend_ratio_3m", "spend_slope_6m",
    "spend_max_increase_6m", "late_payments_12m", "unpaid_bills", "loyalty_points",
    "complaints_30d", "complaints_90d", "complaints_365d", "complaints_open",
    "complaint_resolve_days_mean", "days_since_complaint", "failures_7d", "failures_30d",
    "failures_90d", "outage_minutes_90d", "days_since_failure",
]  # fmt: skip


def test_the_registry_lists_every_required_feature_once() -> None:
    listed = list_features()
    assert set(REQUIRED) <= set(listed["name"]), set(REQUIRED) - set(listed["name"])
    assert listed["name"].is_unique
    assert list(listed.columns) == [
        "name",
        "family",
        "description",
        "reason_category",
        "reason_group",
        "table",
        "kind",
    ]


@pytest.mark.parametrize("feature", CORE_FEATURES, ids=lambda f: f.name)
def test_every_feature_has_a_family_a_description_and_a_reason(feature: Feature) -> None:
    for field in ("family", "description", "reason_category", "template", "table"):
        assert str(getattr(feature, field)).strip(), f"{feature.name} has no {field}"
    assert feature.kind in ("count", "float")
    assert re.fullmatch(r"[a-z0-9_]+", feature.name)
    # Every template renders a typical value, and an unknown value says so.
    assert "{" not in feature.reason(2.0)
    assert feature.reason(float("nan")) == f"{feature.description} unknown"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("complaints_90d", 3, "3 complaints in the last 90 days"),
        ("spend_ratio_3m", 0.65, "spend down 35% on the previous quarter"),
        ("spend_ratio_3m", 1.2, "spend up 20% on the previous quarter"),
        ("late_payments_12m", 2, "2 late payments in the last 12 months"),
        ("days_since_failure", 4.0, "last service failure 4 days ago"),
        ("tenure_days", 400, "customer for 400 days"),
        ("spend_last_month", 1234.5, "spent 1,234.50 in the last month"),
    ],
)
def test_reasons_read_as_plain_language(name: str, value: float, reason: str) -> None:
    assert get_feature(name).reason(value) == reason


def test_category_counts_and_attributes_explain_themselves_too() -> None:
    assert category_count_feature("complaints", "billing").reason(2) == (
        "2 complaints about billing in the last year"
    )
    assert category_count_feature("service_events", "Dropped call").name == (
        "failures_90d_dropped_call"
    )


def test_an_unknown_feature_name_suggests_the_closest() -> None:
    with pytest.raises(
        SpecError,
        match=re.escape("Unknown feature 'complaints_90'. Did you mean 'complaints_90d'?"),
    ):
        get_feature("complaints_90")


# --- personal data --------------------------------------------------------------------------


def test_personal_columns_never_become_features(tmp_path: Path) -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["001", "002"],
            "signup_date": ["2023-01-01", "2023-02-01"],
            "end_date": ["", ""],
            "plan": ["basic", "plus"],
            "email": ["a@example.com", "b@example.com"],
            "phone": ["+1 555 0100", "+1 555 0101"],
            "monthly_fee": [10.0, 20.0],
        }
    )
    customers.to_csv(tmp_path / "customers.csv", index=False)
    pd.DataFrame({"customer_id": ["001"], "bill_date": ["2023-03-01"], "amount": [10.0]}).to_csv(
        tmp_path / "bills.csv", index=False
    )
    t = load_tables(tmp_path)
    assert {"email", "phone"} <= set(t.personal_columns)
    assert "plan" in t.attribute_columns
    built = build_scoring_frame(t, as_of="2023-03-01")
    assert not {"email", "phone"} & set(built.frame.columns)
    assert {"plan", "monthly_fee"} <= set(built.frame.columns)
    assert list(built.frame.columns) == ["customer_id", "cutoff", *built.feature_names]


def test_every_frame_column_is_a_described_feature() -> None:
    day = pd.Timestamp("2023-03-01")
    t = Tables(
        customers=frame("customers", [{"customer_id": "001", "signup_date": day, "plan": "basic"}]),
        complaints=frame(
            "complaints", [{"customer_id": "001", "opened_at": day, "category": "billing"}]
        ),
        service_events=frame(
            "service_events", [{"customer_id": "001", "occurred_at": day, "kind": "outage"}]
        ),
        extract_date=pd.Timestamp("2023-06-30"),
        attribute_columns=("plan",),
        personal_columns=("email",),
    )
    built = build_scoring_frame(t, as_of="2023-04-30")
    assert "email" not in built.frame.columns
    dtypes = {"count": "int32", "float": "float32", "category": "category"}
    for feature in built.features:
        assert str(built.frame[feature.name].dtype) == dtypes[feature.kind], feature.name
        assert feature.family and feature.description and feature.reason_category
        reason = feature.reason(built.frame[feature.name].iloc[0])
        assert reason and "{" not in reason
    names = {f.name for f in built.features}
    assert {"complaints_365d_billing", "failures_90d_outage", "plan"} <= names
    assert not math.isnan(built.frame["failure_rate_trend"].iloc[0])
