"""SHAP values: they add up to the raw score, agree with shap and with a brute-force reference,
do not depend on chunking, and bad input gets a message that names what to fix."""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import replace

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

import churnlab
import churnlab.explanations.compute as compute
from churnlab.errors import ModelError, SpecError
from churnlab.explanations import ExplainMethodWarning, explain
from churnlab.explanations.entries import feature_entries
from churnlab.explanations.treeshap import design_matrix, tables_contributions, tree_tables

ADDS_UP = 1e-6


def _raw(model, frame):
    return model.booster_.predict(model.features_matrix(frame), raw_score=True)


@pytest.mark.parametrize("method", ["tables", "lightgbm"])
def test_values_and_base_value_add_up_to_the_raw_score_on_every_row(model, frame, method):
    explanation = explain(model, frame, method=method, progress=False)

    gap = explanation.values.to_numpy().sum(axis=1) + explanation.base_value - _raw(model, frame)
    assert explanation.method == method
    assert np.abs(gap).max() < ADDS_UP
    assert len(explanation) == len(frame.frame)


def test_the_tables_give_lightgbms_own_treeshap_values(model, frame):
    fast = explain(model, frame, method="tables", progress=False)
    own = explain(model, frame, method="lightgbm", progress=False)

    np.testing.assert_allclose(fast.values.to_numpy(), own.values.to_numpy(), rtol=0, atol=1e-9)
    assert fast.base_value == pytest.approx(own.base_value, abs=1e-12)


def test_auto_uses_the_tables_and_the_default_explanation_adds_up(explanation, model, frame):
    assert explanation.method == "tables"
    np.testing.assert_allclose(explanation.raw_score, _raw(model, frame), rtol=0, atol=ADDS_UP)


def test_categorical_columns_keep_one_value_each(explanation, model):
    assert list(explanation.values.columns) == list(model.card_.feature_names)
    assert isinstance(explanation.data["contract"].dtype, pd.CategoricalDtype)
    assert explanation.values["contract"].abs().sum() > 0


def test_values_match_shap_tree_explainer_on_a_sample(explanation, model, shap):
    sample = explanation.data.sample(300, random_state=0)
    # For a LightGBM booster, TreeExplainer (path-dependent, no background data) runs
    # LightGBM's TreeSHAP on the model's own inputs, categorical columns included.
    shap_explanation = shap.TreeExplainer(model.booster_)(sample)

    ours = explanation.values.loc[sample.index].to_numpy()
    np.testing.assert_allclose(shap_explanation.values, ours, rtol=0, atol=1e-6)
    np.testing.assert_allclose(shap_explanation.base_values, explanation.base_value, atol=1e-6)


def test_values_match_shaps_own_treeshap_algorithm_on_numeric_features(frame, shap):
    """shap's C++ TreeSHAP, an independent implementation, on a booster of numeric features
    with missing values. (It mis-reads LightGBM splits that send category 0 left, shap issue
    1644, so categorical splits are checked against the brute-force reference below.)"""
    data = frame.frame.select_dtypes("number").iloc[:4000]
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 15, "verbose": -1, "seed": 1},
        lgb.Dataset(data, frame.frame["churned"].iloc[:4000].astype(int)),
        num_boost_round=30,
    )
    explainer = shap.TreeExplainer(booster)
    explainer.model.model_type = "internal"  # shap's own algorithm, not LightGBM's
    x = data.to_numpy(dtype=float)[:500]
    reference = explainer.shap_values(x)

    ours = tables_contributions(tree_tables(booster), design_matrix(booster, data.iloc[:500]))
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)


# --- a brute-force reference: Shapley values of TreeSHAP's value function, subset by subset


def _goes_left(node, value):
    """LightGBM's decision at a split (checked against pred_leaf below)."""
    if node["decision_type"] == "==":
        if math.isnan(value) or value < 0:
            return False
        return int(value) in {int(c) for c in str(node["threshold"]).split("||")}
    missing = node["missing_type"]
    if math.isnan(value) and missing != "NaN":
        value = 0.0
    if (missing == "Zero" and abs(value) <= 1e-35) or (missing == "NaN" and math.isnan(value)):
        return bool(node["default_left"])
    return value <= node["threshold"]


def _count(node):
    return node["internal_count"] if "split_index" in node else node["leaf_count"]


def _expected(node, x, known):
    """E[tree | x_S] with TreeSHAP's path-dependent weighting (training counts)."""
    if "split_index" not in node:
        return node["leaf_value"]
    left, right = node["left_child"], node["right_child"]
    if node["split_feature"] in known:
        return _expected(left if _goes_left(node, x[node["split_feature"]]) else right, x, known)
    return (
        _count(left) * _expected(left, x, known) + _count(right) * _expected(right, x, known)
    ) / _count(node)


def _leaf(node, x):
    while "split_index" in node:
        node = (
            node["left_child"]
            if _goes_left(node, x[node["split_feature"]])
            else node["right_child"]
        )
    return node["leaf_index"]


def _brute_force(booster, x):
    trees = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]
    m = len(x)
    value = {
        s: sum(_expected(t, x, set(s)) for t in trees)
        for k in range(m + 1)
        for s in itertools.combinations(range(m), k)
    }
    phi = np.zeros(m)
    for i in range(m):
        for s, v in value.items():
            if i in s:
                continue
            weight = math.factorial(len(s)) * math.factorial(m - len(s) - 1) / math.factorial(m)
            phi[i] += weight * (value[tuple(sorted((*s, i)))] - v)
    return phi, value[()]


@pytest.fixture(scope="module")
def small_booster():
    """Categories (category 0 matters), NaN, and a feature first missing at prediction."""
    rng = np.random.default_rng(3)
    n = 3000
    data = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": np.where(rng.uniform(size=n) < 0.15, np.nan, rng.exponential(size=n)),
            "plan": pd.Categorical(rng.choice(["w", "x", "y", "z"], n), categories=list("wxyz")),
            "count": rng.poisson(1.0, size=n).astype(float),
        }
    )
    logit = data["a"] + np.nan_to_num(data["b"]) - 1.5 * (data["plan"] == "w") + 0.5 * data["count"]
    y = rng.uniform(size=n) < 1 / (1 + np.exp(-(logit - 1)))
    params = {
        "objective": "binary",
        "num_leaves": 6,
        "min_data_per_group": 20,
        "cat_smooth": 1,
        "max_cat_to_onehot": 1,
        "verbose": -1,
        "seed": 2,
    }
    booster = lgb.train(params, lgb.Dataset(data, y.astype(int)), num_boost_round=12)
    rows = data.iloc[:40].copy()
    rows.loc[rows.index[:5], "count"] = np.nan  # never missing in training: LightGBM reads 0
    rows.loc[rows.index[5:10], "plan"] = np.nan
    return booster, rows


def test_the_reference_decides_as_lightgbm_does(small_booster):
    booster, rows = small_booster
    x = design_matrix(booster, rows)
    trees = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]

    leaves = np.array([[_leaf(t, row) for t in trees] for row in x])
    np.testing.assert_array_equal(leaves, booster.predict(rows, pred_leaf=True))
    splits = {s["threshold"] for t in trees for s in _splits(t) if s["decision_type"] == "=="}
    assert any("0" in str(t).split("||") for t in splits)  # category 0 is split on


def _splits(node):
    if "split_index" in node:
        yield node
        yield from _splits(node["left_child"])
        yield from _splits(node["right_child"])


def test_values_equal_brute_force_shapley_values(small_booster):
    booster, rows = small_booster
    x = design_matrix(booster, rows)
    tables = tree_tables(booster)
    ours = tables_contributions(tables, x)
    lightgbm = booster.predict(rows, pred_contrib=True)

    for row, phi_ours, phi_lgb in zip(x, ours, lightgbm, strict=True):
        reference, base = _brute_force(booster, row)
        np.testing.assert_allclose(phi_ours, reference, rtol=0, atol=1e-9)
        np.testing.assert_allclose(phi_lgb[:-1], reference, rtol=0, atol=1e-9)
        assert tables.base_value == pytest.approx(base, abs=1e-9)


@pytest.mark.parametrize("method", ["tables", "lightgbm"])
def test_chunks_give_the_same_values_as_one_chunk(model, frame, method):
    rows = frame.frame.iloc[:500]
    one = explain(model, rows, chunk_size=10_000, method=method, progress=False)
    many = explain(model, rows, chunk_size=37, method=method, progress=False)

    np.testing.assert_array_equal(many.values.to_numpy(), one.values.to_numpy())
    assert many.base_value == one.base_value


def test_a_progress_bar_counts_the_customers(model, frame, capsys):
    explain(model, frame.frame.iloc[:300], chunk_size=100, progress=True)

    assert "SHAP values" in capsys.readouterr().err


def test_probability_and_risk_band_are_the_models(explanation, model, frame):
    np.testing.assert_allclose(explanation.probability, model.predict_proba(frame), atol=1e-12)
    assert list(explanation.risk_band) == list(model.risk_band(model.predict_proba(frame)))
    assert list(explanation.customers.columns) == [
        "customer_id",
        "cutoff",
        "churn_probability",
        "risk_band",
    ]


def test_a_model_directory_and_a_dataframe_are_explained_alike(model_dir, frame, explanation):
    again = explain(model_dir, frame.frame, progress=False)

    np.testing.assert_array_equal(again.values.to_numpy(), explanation.values.to_numpy())


def test_auto_falls_back_to_lightgbm_when_the_tables_would_not_fit(model, frame, monkeypatch):
    monkeypatch.setattr(compute, "MAX_TABLE_ENTRIES", 10)

    explanation = explain(model, frame.frame.iloc[:50], progress=False)

    assert explanation.method == "lightgbm"
    with pytest.raises(SpecError, match=r"cannot explain this model: tables over 10 entries"):
        tree_tables(model.booster_, budget=10)


def test_tables_that_do_not_add_up_are_never_used_silently(model, frame, monkeypatch):
    monkeypatch.setattr(compute, "tables_contributions", lambda tables, x: np.zeros(x.shape))
    rows = frame.frame.iloc[:50]

    with pytest.warns(ExplainMethodWarning, match=r"do not add up .* LightGBM's own TreeSHAP"):
        explanation = explain(model, rows, progress=False)
    assert explanation.method == "lightgbm"
    with pytest.raises(ModelError, match=r"do not add up to its raw scores; use method='lightgbm'"):
        explain(model, rows, method="tables", progress=False)


# --- bad input


def test_a_frame_whose_features_differ_shows_the_difference(model, frame):
    bad = frame.frame.drop(columns=["tenure_days"]).assign(shoe_size=1.0)

    with pytest.raises(
        ModelError, match=r"missing \(1\): 'tenure_days'[\s\S]*extra \(1\): 'shoe_size'"
    ):
        explain(model, bad)


def test_changed_categories_are_shown(model, frame):
    bad = frame.frame.copy()
    bad["contract"] = bad["contract"].cat.add_categories(["lifetime"])

    with pytest.raises(ModelError, match=r"changed categories of contract: \+\['lifetime'\]"):
        explain(model, bad)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["customer_id"]), r"has no customer_id column"),
        (lambda f: f.iloc[:0], r"has no rows"),
    ],
)
def test_frames_without_customers_are_refused(model, frame, change, message):
    with pytest.raises(SpecError, match=message):
        explain(model, change(frame.frame))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunk_size": 0}, r"The 'chunk_size' parameter of explain must be an int >= 1. Got 0"),
        ({"chunk_size": 2.5}, r"'chunk_size' parameter of explain must be an int >= 1. Got 2.5"),
        ({"method": "fast"}, r"'method' parameter of explain must be one of 'auto', 'tables'"),
    ],
)
def test_bad_parameters_are_named(model, frame, kwargs, message):
    with pytest.raises(SpecError, match=message):
        explain(model, frame, **kwargs)


def test_not_a_model_is_refused(frame):
    with pytest.raises(
        SpecError, match=r"explain needs a ChurnModel or a model directory, got int"
    ):
        explain(3, frame)  # type: ignore[arg-type]


def test_a_card_without_a_features_entry_names_it_and_says_retrain(model, frame):
    card = replace(model.card_, features=model.card_.features[1:])
    broken = replace(model, card_=card)

    with pytest.raises(
        ModelError, match=r"no entry .* for the feature\(s\) 'tenure_days'.*Retrain"
    ):
        explain(broken, frame)


def test_a_card_written_before_entries_were_kept_gets_them_rebuilt(model):
    old = replace(model.card_, features=())

    assert feature_entries(old) == model.card_.features


def test_public_names():
    assert churnlab.explain is explain
    assert churnlab.Explanation.__name__ == "Explanation"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert callable(churnlab.explain)
