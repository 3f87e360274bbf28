"""Per-customer reasons: grouped, risk-raising only, actionable first, in two languages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from churnlab.errors import ConfigError, SpecError
from churnlab.explanations.actions import default_actions, read_actions
from churnlab.explanations.reasons import nothing_happened, reason_columns, reason_table
from churnlab.features import Feature, get_feature
from churnlab.features.families import attribute_feature

FEATURES = [
    get_feature("complaints_30d"),
    get_feature("complaints_90d"),
    get_feature("failures_30d"),
    get_feature("late_payments_12m"),
    get_feature("spend_ratio_3m"),
    attribute_feature("contract", categorical=True),
]
NAMES = [f.name for f in FEATURES]


def table(shap_rows, data_rows, **kwargs):
    values = pd.DataFrame(shap_rows, columns=NAMES, dtype="float64")
    data = pd.DataFrame(data_rows, columns=NAMES)
    data["contract"] = pd.Categorical(data["contract"])
    raw = -2.0 + values.sum(axis=1).to_numpy()
    ids = [f"{i:05d}" for i in range(len(values))]
    return reason_table(values, data, FEATURES, customer_id=ids, raw_score=raw, **kwargs)


ROWS = [  # complaints 30d/90d, failures_30d, late payments, spend ratio, contract
    [0.3, 0.5, 1.2, -0.4, 0.05, 0.9],
    [0.0, 0.0, -0.1, 0.0, 0.0, -0.2],
    [0.0, 0.0, 0.02, 0.0, 0.0, 2.0],
]
DATA = [
    [1, 2, 4, 0, 1.4, "month-to-month"],
    [0, 0, 0, 0, 1.0, "two-year"],
    [0, 0, 1, 0, 1.0, "month-to-month"],
]


def test_features_of_one_fact_form_one_reason_and_risk_lowering_ones_are_never_cited():
    out = table(ROWS, DATA, k=3)
    assert list(out.columns) == reason_columns(3)
    first = out.iloc[0]
    # complaints 30d + 90d: 0.8 together; failures 1.2; contract 0.9; spend ratio 0.05 is
    # under 10% of the positive total; late payments lower the risk. Service (1.2 + 0.8)
    # outranks contract (0.9): reasons come by their category's total, then their own.
    assert first["reason_1"] == "4 service failures in the last 30 days (typical customer: 1)"
    assert first["reason_2"] == "2 complaints in the last 90 days (typical customer: 0)"
    assert first["reason_3"] == "contract: month-to-month (typical customer: month-to-month)"
    assert [first[f"reason_{i}_category"] for i in (1, 2, 3)] == ["service", "service", "contract"]
    assert first["top_actionable_category"] == "service"
    assert first["recommended_action"].startswith("Priority fault fix")
    assert (
        out.filter(like="reason_").astype(str).apply(lambda c: c.str.contains("late")).sum().sum()
    ) == 0


def test_a_customer_whose_risk_nothing_raises_gets_no_reason_and_the_fallback_action():
    second = table(ROWS, DATA, k=3).iloc[1]
    assert second[["reason_1", "reason_2", "reason_3"]].isna().all()
    assert pd.isna(second["top_actionable_category"])
    assert second["recommended_action"].startswith("Satisfaction call")


def test_the_strongest_actionable_reason_is_listed_even_when_others_fill_the_list():
    # Contract alone is over 10% of the total; failures (0.02) are under it but actionable.
    third = table(ROWS, DATA, k=1).iloc[2]
    assert third["reason_1_category"] == "service"
    assert third["top_actionable_category"] == "service"
    both = table(ROWS, DATA, k=2).iloc[2]
    assert [both["reason_1_category"], both["reason_2_category"]] == ["contract", "service"]


def test_impacts_are_probability_points_of_removing_the_reason():
    out = table(ROWS, DATA, k=3)
    raw = -2.0 + sum(ROWS[0])
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    assert out.loc[0, "reason_1_impact"] == pytest.approx(
        100 * (sig(raw) - sig(raw - 1.2)), abs=0.01
    )
    assert (out[["reason_1_impact", "reason_2_impact", "reason_3_impact"]].iloc[0] > 0).all()


def test_reasons_read_in_chinese():
    first = table(ROWS, DATA, k=2, language="zh").iloc[0]
    assert first["reason_1"] == "近30天服务故障4次（典型客户：1）"
    assert first["recommended_action"] == "优先修复故障，并由问题负责人致电客户"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, r"The 'k' parameter of reasons must be an int in \[1, 5\]. Got 0 instead."),
        ({"k": 6}, r"Got 6 instead"),
        ({"language": "de"}, r"The 'language' must be one of en, zh. Got 'de' instead."),
        ({"min_share": 1.5}, r"'min_share' parameter of reasons must be a number in \[0, 1\)"),
    ],
)
def test_bad_requests_are_refused_with_the_expected_form(kwargs, message):
    with pytest.raises(SpecError, match=message):
        table(ROWS, DATA, **kwargs)


def test_a_feature_without_an_entry_or_a_text_is_refused_before_any_reason():
    values = pd.DataFrame([[1.0]], columns=["mystery"])
    with pytest.raises(
        SpecError, match=r"no entry \(reason category and text\) for the feature 'mystery': retrain"
    ):
        reason_table(values, values, FEATURES, customer_id=["1"], raw_score=np.zeros(1))
    own = Feature(
        name="mine",
        family="own",
        description="mine",
        reason_category="price",
        template="{value:.0f} of mine",
        table="bills",
    )
    values = pd.DataFrame([[1.0]], columns=["mine"])
    english = reason_table(values, values, [own], customer_id=["1"], raw_score=np.ones(1), k=1)
    assert english.loc[0, "reason_1"] == "1 of mine (typical customer: 1)"
    with pytest.raises(SpecError, match=r"has no reason text in 'zh'"):
        reason_table(values, values, [own], customer_id=["1"], raw_score=np.ones(1), language="zh")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "no_reason = {en='x', zh='y'}\n[categories.servise]\nactionable = true",
            r"unknown reason category 'servise'. Did you mean 'service'\?",
        ),
        (
            "no_reason = {en='x', zh='y'}\n[categories.price]\nactionable = true",
            r"\[categories.price\] .* is actionable but has no action",
        ),
        (
            "no_reason = {en='x', zh='y'}\n[categories.price]\nactionable = true\naction = {en='x'}",
            r"lacks the zh text",
        ),
        (
            "no_reason = {en='x', zh='y'}\n[categories.price]\nactionabel = true",
            r"Unknown key 'actionabel' .* Did you mean 'actionable'\?",
        ),
        ("[categories.price\nactionable = true", r"is not valid TOML"),
        ("[categories.price]\nactionable = false", r"needs no_reason"),
    ],
)
def test_a_broken_action_table_says_what_to_fix(tmp_path, text, message):
    path = tmp_path / "actions.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_actions(path)


def test_an_action_table_must_cover_the_model_categories(tmp_path):
    path = tmp_path / "actions.toml"
    path.write_text(
        "no_reason = {en='call', zh='回访'}\n[categories.service]\nactionable = false\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"no entry for the reason categories 'contract', 'payment', 'price'"
    ):
        table(ROWS, DATA, actions=str(path))


def test_the_default_action_table_says_which_categories_are_actionable():
    actions = default_actions()
    assert {c for c, a in actions.categories.items() if a.actionable} == {
        "service",
        "price",
        "payment",
        "product",
        "engagement",
    }
    assert not any(actions.is_actionable(c) for c in ("tenure", "contract", "region", "profile"))


# --- on a trained model -------------------------------------------------------------------


def test_reasons_of_a_real_explanation_never_cite_a_risk_lowering_feature(explanation):
    out = explanation.reasons(k=3)
    assert list(out.columns) == reason_columns(3)
    assert len(out) == len(explanation)
    impacts = out[["reason_1_impact", "reason_2_impact", "reason_3_impact"]]
    assert (impacts.fillna(1.0) >= 0).all().all()  # every listed reason raises the risk
    listed = out["reason_1"].notna()
    assert listed.mean() > 0.9
    assert out.loc[listed, "reason_1"].str.contains(r"\{|nan", regex=True).sum() == 0
    # Reasons come by their category's total (strongest first), then by their own impact,
    # apart from the actionable reason moved in last (or into the first empty place).
    top = out["top_actionable_category"]
    moved = out["reason_3_category"].eq(top) | (
        out["reason_2_category"].eq(top) & out["reason_3"].isna()
    )
    first_two = out.loc[~moved & out["reason_2"].notna()]
    same = first_two["reason_1_category"] == first_two["reason_2_category"]
    assert (
        first_two.loc[same, "reason_1_impact"] >= first_two.loc[same, "reason_2_impact"] - 1e-9
    ).all()
    # (a category whose groups cancel out, total <= 0, comes after those that raise the risk)
    # and a count of zero states nothing, so it counts for no category
    silent = nothing_happened(explanation.data, explanation.features)
    cited = dataclasses.replace(explanation, values=explanation.values.mask(silent, 0.0))
    totals = cited.grouped("category").loc[first_two.index].clip(lower=0)
    apart = first_two.loc[~same]
    assert len(apart) > 0
    first_total = totals.to_numpy()[
        np.arange(len(totals)), totals.columns.get_indexer(first_two["reason_1_category"])
    ][~same.to_numpy()]
    second_total = totals.to_numpy()[
        np.arange(len(totals)), totals.columns.get_indexer(first_two["reason_2_category"])
    ][~same.to_numpy()]
    bad = np.flatnonzero(first_total < second_total - 1e-9)
    assert not len(bad), apart.iloc[bad[:2]].T
    personal = {"phone", "email", "name"}
    assert not personal & {f.name for f in explanation.features}


def test_score_with_reasons_on_the_command_line_in_chinese(demo_dir, model_dir, tmp_path):
    from typer.testing import CliRunner

    from churnlab.cli import app

    out = tmp_path / "scores.csv"
    args = ["score", str(demo_dir), "--model", str(model_dir), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--reasons", "2", "--language", "zh"])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"customer_id": str})
    assert list(scores.columns)[:4] == ["customer_id", "as_of", "churn_probability", "risk_band"]
    assert list(scores.columns)[4:] == reason_columns(2)[1:]
    assert scores["recommended_action"].notna().all()
    assert scores["reason_1"].dropna().str.contains(r"[\u4e00-\u9fff]").all()
    for bad, message in [
        (["--reasons", "6"], "The 'k' parameter of reasons must be an int in [1, 5]"),
        (["--reasons", "2", "--language", "fr"], "The 'language' must be one of en, zh"),
    ]:
        refused = CliRunner().invoke(app, [*args, *bad])
        assert refused.exit_code == 2 and message in refused.stderr
        assert "Traceback" not in refused.output


def test_a_trend_missing_because_the_customer_just_joined_is_a_tenure_reason_not_a_price_one():
    # spend_ratio_3m is missing (joined less than 6 months ago): its SHAP value states tenure.
    shap = [[0.0, 0.0, 0.3, 0.0, 0.9, 0.0], [0.0, 0.0, 0.3, 0.0, 0.9, 0.0]]
    data = [[0, 0, 2, 0, None, "two-year"], [0, 0, 2, 0, 1.6, "two-year"]]
    out = table(shap, data, k=2)
    new, old = out.iloc[0], out.iloc[1]
    assert new["reason_1"] == "joined less than 6 months ago: no spend trend yet"
    assert new["reason_1_category"] == "tenure"
    assert new["top_actionable_category"] == "service"  # the trend names no price fix
    assert old["reason_1"].startswith("spend up 60% on the previous quarter")
    assert old["reason_1_category"] == "price"
    assert old["top_actionable_category"] == "price"


def test_missing_values_that_state_another_category_count_there_in_the_category_view():
    from churnlab.explanations.reasons import missing_elsewhere

    data = pd.DataFrame([[1, 2, 4, 0, None, "a"], [1, 2, 4, 0, 1.2, "a"]], columns=NAMES)
    moved = missing_elsewhere(data, FEATURES)
    assert moved.sum() == 1 and moved[0, NAMES.index("spend_ratio_3m")]


def test_the_category_view_moves_a_new_customers_missing_trends_to_tenure(explanation):
    from churnlab.explanations.reasons import missing_elsewhere

    by_category = explanation.grouped("category")
    by_feature = explanation.values
    np.testing.assert_allclose(by_category.sum(axis=1), by_feature.sum(axis=1), atol=1e-9)
    moved = missing_elsewhere(explanation.data, explanation.features)
    assert moved.any(), "the tiny demo has customers who joined less than 6 months ago"
    static = by_feature.T.groupby([f.reason_category for f in explanation.features]).sum().T
    shift = (by_feature.to_numpy() * moved).sum(axis=1)
    np.testing.assert_allclose(by_category["tenure"], static["tenure"] + shift, atol=1e-9)


def test_a_count_of_zero_is_never_a_reason_whatever_its_shap_value():
    # late payments 0 with a positive SHAP value: "no late payment" cannot be what a payment
    # reminder fixes, so payment is neither listed nor recommended.
    out = table([[0.0, 0.0, 0.0, 0.3, 0.0, 0.9]], [[0, 0, 0, 0, 1.0, "month-to-month"]], k=3)
    first = out.iloc[0]
    assert first["reason_1_category"] == "contract"
    assert pd.isna(first["reason_2"])
    assert pd.isna(first["top_actionable_category"])
    # the same SHAP value on one late payment is a reason, and the actionable one
    out = table([[0.0, 0.0, 0.0, 0.3, 0.0, 0.9]], [[0, 0, 0, 1, 1.0, "month-to-month"]], k=3)
    assert out.iloc[0]["top_actionable_category"] == "payment"


def test_a_missing_value_that_means_no_event_is_never_a_reason():
    # No complaint was ever resolved: the mean days to resolve is missing. A positive SHAP value
    # on it must not send a new customer a "priority fault fix".
    features = [get_feature("complaint_resolve_days_mean"), get_feature("days_since_failure")]
    names = [f.name for f in features]
    values = pd.DataFrame([[0.4, 0.3], [0.4, 0.3]], columns=names)
    data = pd.DataFrame([[None, None], [12.0, 5.0]], columns=names)
    out = reason_table(
        values, data, features, customer_id=["new", "seen"], raw_score=np.zeros(2), k=3
    )
    new, seen = out.iloc[0], out.iloc[1]
    assert pd.isna(new["reason_1"]) and pd.isna(new["top_actionable_category"])
    assert seen["reason_1"].startswith("complaints took 12 days to resolve on average")
    assert seen["top_actionable_category"] == "service"
