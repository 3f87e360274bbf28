"""``Explanation``: importance, attribution, drivers in words, repr, HTML, dict and shap."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from churnlab.errors import SpecError
from churnlab.explanations import Explanation
from churnlab.explanations.drivers import direction, sentence
from churnlab.features import get_feature
from churnlab.features.registry import attribute_feature

BANDS = ["low", "medium", "high"]


def tiny(plan_labels=("basic", "gold")) -> Explanation:
    """Three customers, three features in three reason categories (explicit values)."""
    features = (
        get_feature("complaints_90d"),  # service
        get_feature("tenure_days"),  # tenure
        attribute_feature("plan", categorical=True),  # profile
    )
    values = pd.DataFrame(
        {
            "complaints_90d": [0.6, -0.1, 0.0],
            "tenure_days": [-0.2, -0.3, 0.5],
            "plan": [0.2, -0.1, 0.0],
        }
    )
    data = pd.DataFrame(
        {
            "complaints_90d": [3, 0, 1],
            "tenure_days": [120, 900, 40],
            "plan": pd.Categorical(
                [plan_labels[0], plan_labels[1], plan_labels[0]], categories=list(plan_labels)
            ),
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["A1", "B2", "C3"],
            "cutoff": pd.to_datetime(["2024-06-30"] * 3),
            "churn_probability": [0.4, 0.05, 0.2],
            "risk_band": pd.Categorical(["high", "low", "medium"], categories=BANDS, ordered=True),
        }
    )
    return Explanation(
        customers=customers, values=values, base_value=-2.0, data=data, features=features
    )


def test_repr_is_one_line_with_customers_features_and_top_driver(explanation):
    text = repr(explanation)

    assert "\n" not in text
    assert re.fullmatch(
        r"<Explanation: [\d,]+ customers x \d+ features at 12 cutoffs \S+\.\.\S+, top driver \w+>",
        text,
    )
    assert (
        repr(tiny())
        == "<Explanation: 3 customers x 3 features at 2024-06-30, top driver tenure_days>"
    )


def test_importance_by_feature_is_the_mean_absolute_value():
    table = tiny().importance("feature")

    assert list(table["feature"]) == ["tenure_days", "complaints_90d", "plan"]
    assert table["mean_abs_shap"].tolist() == pytest.approx([1.0 / 3, 0.7 / 3, 0.3 / 3])
    assert table["share"].sum() == pytest.approx(1.0)
    assert list(table.columns) == [
        "feature",
        "family",
        "reason_category",
        "description",
        "mean_abs_shap",
        "share",
        "mean_shap",
    ]


@pytest.mark.parametrize(
    ("by", "key", "first"),
    [("category", "reason_category", "tenure"), ("family", "family", "tenure")],
)
def test_importance_by_group_sums_the_groups_values_first(explanation, by, key, first):
    table = tiny().importance(by)
    assert table[key].iloc[0] == first
    assert table["share"].sum() == pytest.approx(1.0)

    big = explanation.importance(by)
    grouped = explanation.grouped(by)
    expected = grouped.abs().mean().sort_values(ascending=False)
    assert list(big[key]) == list(expected.index)
    np.testing.assert_allclose(big["mean_abs_shap"], expected.to_numpy())
    assert big["features"].sum() == len(explanation.features)


def test_grouped_values_add_up_to_each_customers_values(explanation):
    for by in ("group", "family", "category"):
        np.testing.assert_allclose(
            explanation.grouped(by).sum(axis=1), explanation.values.sum(axis=1), atol=1e-12
        )


def test_attribution_splits_each_probability_over_the_categories_that_raise_it():
    table = tiny().attribution("category").set_index(["risk_band", "reason_category"])

    overall = table.loc["all customers", "expected_churners"]
    # customer A1: p 0.4 split 0.6 : 0.2 over service and product; C3: p 0.2 all to tenure;
    # B2: every category lowers the risk, so its 0.05 is unattributed.
    assert overall.to_dict() == pytest.approx(
        {"service": 0.3, "tenure": 0.2, "profile": 0.1, "unattributed": 0.05}
    )
    assert table.loc["all customers", "share"].sum() == pytest.approx(1.0)
    assert table.loc[("high", "service"), "share"] == pytest.approx(0.75)
    assert table.loc[("low", "unattributed"), "share"] == pytest.approx(1.0)
    assert table.loc[("medium", "tenure"), "customers"] == 1


def test_attribution_shares_sum_to_one_in_every_band(explanation):
    table = explanation.attribution()

    sums = table.groupby("risk_band")["share"].sum()
    churners = table.groupby("risk_band")["expected_churners"].sum()
    for band, total in sums.items():
        customers = explanation.probability[
            np.ones(len(explanation), bool)
            if band == "all customers"
            else np.asarray(explanation.risk_band == band)
        ]
        if customers.sum() > 0:
            assert total == pytest.approx(1.0)
            assert churners[band] == pytest.approx(customers.sum())


@pytest.mark.parametrize("where", ["importance", "attribution", "grouped"])
def test_an_unknown_grouping_is_named(where):
    with pytest.raises(SpecError, match=rf"The 'by' parameter of Explanation.{where} must be one"):
        getattr(tiny(), where)(by="colour")


def test_drivers_say_which_way_each_top_feature_moves_the_risk(explanation):
    drivers = explanation.drivers(5)

    assert len(drivers) == 5
    assert list(drivers["feature"]) == list(explanation.importance()["feature"].head(5))
    assert all(
        s.endswith(f"({f})") for s, f in zip(drivers["sentence"], drivers["feature"], strict=True)
    )
    assert set(drivers["direction"]) <= {"raises", "lowers", "mixed", "by value"}


def test_a_count_that_goes_with_higher_risk_reads_more_raise():
    x = pd.Series(np.arange(12.0))
    way, text = sentence(get_feature("complaints_90d"), x, 0.1 * x)

    assert way == "raises"
    assert (
        text == "More complaints opened in the last 90 days raise the churn risk (complaints_90d)"
    )


def test_a_float_that_goes_with_lower_risk_reads_higher_lowers():
    x = pd.Series(np.arange(12.0))
    _, text = sentence(get_feature("spend_last_month"), x, -x)

    assert text == "Higher spend in the last month lowers the churn risk (spend_last_month)"


def test_a_category_names_its_riskiest_and_safest_values():
    plan = pd.Series(pd.Categorical(["a", "b", "c", "a"]))
    way, text = sentence(
        attribute_feature("plan", categorical=True), plan, pd.Series([1.0, -1, 0, 1])
    )

    assert way == "by value"
    assert text == "Plan: a raises the churn risk most, b lowers it most (plan)"


def test_no_clear_direction_is_said_so():
    x = pd.Series(np.r_[np.arange(-5.0, 6.0), np.nan])  # a U shape: risk at both ends
    shap_values = pd.Series(np.r_[np.arange(-5.0, 6.0) ** 2, 0.0])

    assert direction(x, shap_values) == "mixed"
    assert (
        "raises the churn risk of some customers and lowers"
        in sentence(get_feature("spend_std_6m"), x, shap_values)[1]
    )


def test_drivers_n_must_be_positive():
    with pytest.raises(
        SpecError, match=r"The 'n' parameter of Explanation.drivers must be an int >= 1"
    ):
        tiny().drivers(0)


def test_html_view_escapes_what_it_shows():
    html = tiny(plan_labels=("<b>bold</b>", "gold"))._repr_html_()

    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "What drives churn, by reason category" in html


def test_to_dict_is_json_ready(explanation):
    data = json.loads(json.dumps(explanation.to_dict(), allow_nan=False))

    assert data["customers"] == len(explanation)
    assert data["top_driver"] == explanation.top_driver
    assert data["method"] == "tables"
    assert {r["reason_category"] for r in data["importance"]["category"]} >= {"service", "price"}
    assert data["drivers"][0]["feature"] == explanation.top_driver


def test_to_shap_gives_numbers_to_colour_and_labels_to_show(explanation):
    small = explanation.select(slice(0, 50))
    shap_explanation = small.to_shap()

    j = small.feature_names.index("contract")
    assert shap_explanation.values.shape == (50, len(explanation.features))
    np.testing.assert_allclose(shap_explanation.base_values, small.base_value)
    assert set(shap_explanation.display_data[:, j]) <= set(small.data["contract"].cat.categories)
    codes = small.data["contract"].cat.codes.to_numpy()
    np.testing.assert_array_equal(shap_explanation.data[:, j], codes)
    assert shap_explanation.feature_names == small.feature_names


@pytest.mark.parametrize("plot", ["bar", "beeswarm", "waterfall", "scatter", "heatmap", "violin"])
def test_every_shap_plot_draws_the_explanation(explanation, shap, plot):
    values = explanation.select(slice(0, 200)).to_shap()
    calls = {
        "bar": lambda: shap.plots.bar(values, show=False),
        "beeswarm": lambda: shap.plots.beeswarm(values, show=False),
        "waterfall": lambda: shap.plots.waterfall(values[0], show=False),
        "scatter": lambda: shap.plots.scatter(values[:, "contract"], color=values, show=False),
        "heatmap": lambda: shap.plots.heatmap(values[:100], show=False),
        "violin": lambda: shap.plots.violin(values, show=False),
    }
    calls[plot]()


def test_select_keeps_the_rows_in_line(explanation):
    mask = explanation.probability > np.median(explanation.probability)
    chosen = explanation.select(mask)

    assert len(chosen) == int(mask.sum())
    np.testing.assert_array_equal(chosen.values.to_numpy(), explanation.values.to_numpy()[mask])
    assert list(chosen.customers["customer_id"]) == list(explanation.customers["customer_id"][mask])
    with pytest.raises(SpecError, match=r"must be a boolean mask with one value per customer"):
        explanation.select(mask[:-1])


def test_an_explanation_checks_its_parts_line_up():
    good = tiny()

    with pytest.raises(SpecError, match=r"one column per feature entry"):
        Explanation(
            customers=good.customers,
            values=good.values[["plan", "tenure_days", "complaints_90d"]],
            base_value=0.0,
            data=good.data,
            features=good.features,
        )
    with pytest.raises(SpecError, match=r"as many rows"):
        Explanation(
            customers=good.customers.iloc[:2],
            values=good.values,
            base_value=0.0,
            data=good.data,
            features=good.features,
        )
