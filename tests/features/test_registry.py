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
from churnlab.features.wording import describe
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
    # Every text renders, in both languages, for one, many, zero and no value.
    row = {name: 3.0 for name in ("open_complaint_age_days_max",)}
    others = {name: get_feature(name) for name in row}
    for language in ("en", "zh"):
        assert set(feature.texts[language]) >= {"other"}
        for value in (1.0, 2.0, 0.0, float("nan")):
            text = describe(feature, value, language=language, row=row, others=others)
            assert text.strip() and "{" not in text and "nan" not in text.lower(), text
    missing = describe(feature, float("nan"))
    assert missing == feature.texts["en"].get("missing", f"{feature.description}: unknown")


@pytest.mark.parametrize(
    ("name", "value", "language", "typical", "reason"),
    [
        ("complaints_30d", 1, "en", None, "1 complaint in the last 30 days"),
        ("complaints_30d", 4, "en", 0, "4 complaints in the last 30 days (typical customer: 0)"),
        ("complaints_30d", 0, "en", None, "no complaint in the last 30 days"),
        ("complaints_30d", 4, "zh", 0, "近30天投诉4次（典型客户：0）"),
        ("complaints_30d", 1, "zh", None, "近30天投诉1次"),
        ("days_since_complaint", float("nan"), "en", 10, "no complaint on record"),
        ("days_since_complaint", float("nan"), "zh", None, "没有投诉记录"),
        ("days_since_complaint", 1, "en", None, "last complaint 1 day ago"),
        (
            "spend_ratio_3m",
            1.4,
            "en",
            1.0,
            "spend up 40% on the previous quarter (typical customer: +0%)",
        ),
        ("spend_ratio_3m", 0.6, "zh", None, "消费较上季度下降40%"),
        (
            "spend_ratio_3m",
            float("nan"),
            "en",
            None,
            "joined less than 6 months ago: no spend trend yet",
        ),
        (
            "spend_over_fee_min_3m",
            1.63,
            "en",
            1.08,
            "lowest bill of the last 3 months +63% on the plan's fee (typical customer: +8%)",
        ),
        ("spend_over_fee_min_3m", 0.9, "zh", None, "近3个月最低账单比套餐月费下降10%"),
        ("spend_peak_3m", 2.2, "en", None, "highest bill of the last 3 months +120% on the lowest"),
        ("spend_last_month", 1234.5, "zh", None, "上月消费1,234.50"),
        ("months_since_last_bill", 1.0, "en", None, "no bill for 1 month"),
        ("months_since_last_bill", 2.5, "en", None, "no bill for 2.5 months"),
        ("loyalty_points", 0, "en", None, "no loyalty points (new, or wiped by a late payment)"),
    ],
)
def test_reason_texts_handle_plurals_zero_missing_and_units_in_both_languages(
    name: str, value: float, language: str, typical: float | None, reason: str
) -> None:
    assert describe(get_feature(name), value, language=language, typical=typical) == reason


def test_an_open_complaint_reason_names_the_oldest_age() -> None:
    row = {"open_complaint_age_days_max": 23.0}
    others = {"open_complaint_age_days_max": get_feature("open_complaint_age_days_max")}
    text = describe(get_feature("complaints_open"), 2, row=row, others=others)
    assert text == "2 complaints still open, the oldest for 23 days"


def test_a_feature_without_a_chinese_text_is_refused_in_chinese_with_the_fix() -> None:
    own = Feature(
        name="x",
        family="mine",
        description="x",
        reason_category="price",
        template="{value:.0f} things",
        table="bills",
    )
    assert describe(own, 3.0) == "3 things"
    with pytest.raises(
        SpecError, match=r"feature 'x' \(family 'mine'\) has no reason text in 'zh'"
    ):
        describe(own, 3.0, language="zh")
    with pytest.raises(SpecError, match=r"The 'language' must be one of en, zh. Got 'fr'"):
        describe(own, 3.0, language="fr")


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("complaints_90d", 3, "3 complaints in the last 90 days"),
        ("spend_ratio_3m", 0.65, "spend down 35% on the previous quarter"),
        ("spend_ratio_3m", 1.2, "spend up 20% on the previous quarter"),
        ("late_payments_12m", 2, "2 late payments in the last 12 months"),
        ("days_since_failure", 4.0, "last service failure 4 days ago"),
        ("tenure_days", 400, "customer for 400 days"),
        ("tenure_days", 1, "customer for 1 day"),
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
