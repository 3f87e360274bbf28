"""The reason-quality measure of benchmarks/bench_reasons.py, on tiny hand-made frames."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import churnlab
from churnlab.features import get_feature
from churnlab.features.families.attributes import attribute_feature

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_reasons", ROOT / "benchmarks" / "bench_reasons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _load()
NONE = bench.NONE


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(bench, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8
    assert result.failed == 0


def test_top_share_takes_the_ceiling_and_breaks_ties_by_id() -> None:
    p = pd.Series([0.5, 0.9, 0.5, 0.1, 0.5], index=["e", "a", "c", "b", "d"])
    assert bench.top_share(p, 0.1).tolist() == ["a"]  # ceil(0.5) = 1
    assert bench.top_share(p, 0.5).tolist() == ["a", "c", "d"]  # ties: c, d before e
    assert bench.top_share(p.iloc[::-1], 0.5).tolist() == ["a", "c", "d"]


def test_named_cause_is_the_first_reason_of_a_cause_category() -> None:
    reasons = pd.DataFrame(
        {
            "customer_id": ["01", "02", "03", "04"],
            "reason_1": ["contract", "x", "x", None],
            # columns out of order, and a tenth reason: reason_10 comes after reason_2
            "reason_10_category": ["payment", None, "price", None],
            "reason_2_category": [None, "service", None, None],
            "reason_1_category": ["tenure", "product", np.nan, None],
            "reason_1_impact": [0.1, 0.2, 0.3, None],
        }
    )
    named = bench.reasons_named_cause(reasons)
    assert named.to_dict() == {"01": "payment", "02": "product", "03": "price", "04": NONE}
    top = bench.top_category(reasons.set_index("customer_id"))
    assert top.to_dict() == {"01": "tenure", "02": "product", "03": NONE, "04": NONE}


def test_category_sums_drop_the_base_value_and_name_the_largest_positive_cause() -> None:
    contributions = np.array(
        [
            [0.3, 0.2, -0.1, 0.9, 5.0],  # service 0.5, price -0.1, tenure 0.9
            [-0.3, 0.1, 0.1, 0.0, 5.0],  # service -0.2, price 0.1
            [-0.3, 0.0, -0.1, 0.4, 5.0],  # no cause above zero
        ]
    )
    sums = bench.category_sums(contributions, ["service", "service", "price", "tenure"])
    assert list(sums.columns) == ["price", "service", "tenure"]
    np.testing.assert_allclose(
        sums.to_numpy(), [[-0.1, 0.5, 0.9], [0.1, -0.2, 0], [-0.1, -0.3, 0.4]]
    )
    assert bench.largest_positive(sums, bench.CAUSES).tolist() == ["service", "price", NONE]
    assert bench.largest_positive(sums).tolist() == ["tenure", "price", "tenure"]


def test_fix_efficiency_hand_worked() -> None:
    drops = pd.DataFrame(
        {
            "service": [0.04, 0.00, 0.01],
            "price": [0.01, 0.02, 0.00],
            "product": [0.00, 0.00, 0.03],
            "payment": [0.00, 0.00, 0.00],
        },
        index=["a", "b", "c"],
    )
    fix = pd.Series(["service", "price", "product"], index=["a", "b", "c"])
    assert bench.fix_efficiency(drops, fix, fix) == 1.0
    # a names price (0.01 of 0.04), b names nothing, c names service (0.01 of 0.03)
    named = pd.Series([NONE, "service", "price"], index=["b", "c", "a"])
    assert bench.fix_efficiency(drops, fix, named) == pytest.approx(0.02 / 0.09)
    assert np.isnan(bench.fix_efficiency(drops * 0, fix, named))


def test_recall_counts_causes_with_enough_customers_and_misses_when_none_is_named() -> None:
    fix = pd.Series(["price"] * 4 + ["service"] * 2 + ["payment"], index=list("abcdefg"))
    named = pd.Series(["price", NONE, "price", "service", "service", "service", "payment"])
    named.index = list("abcdefg")
    recall = bench.recall_by_cause(fix, named, min_customers=2)
    assert recall.to_dict() == {"service": 1.0, "price": 0.5}


def test_confusion_shows_every_cause_and_none() -> None:
    fix = pd.Series(["price", "price", "service"], index=["a", "b", "c"])
    named = pd.Series(["price", NONE, "payment"], index=["a", "b", "c"])
    table = bench.confusion(fix, named)
    assert list(table.index) == list(bench.CAUSES)
    assert list(table.columns) == [*bench.CAUSES, NONE]
    assert table.loc["price", "price"] == 1 and table.loc["price", NONE] == 1
    assert table.loc["service", "payment"] == 1 and int(table.to_numpy().sum()) == 3


def test_stability_looks_at_customers_in_both_deciles_only() -> None:
    before = pd.Series({"a": "price", "b": "service", "c": "tenure", "d": NONE})
    after = pd.Series({"a": "price", "b": "payment", "d": NONE, "e": "service"})
    share, count = bench.same_top_share(before, after)
    assert (share, count) == (pytest.approx(2 / 3), 3)
    assert np.isnan(bench.same_top_share(before, pd.Series(dtype=object))[0])


def test_oracle_names_the_cause_its_features_reveal() -> None:
    rng = np.random.default_rng(0)
    features = pd.DataFrame({"x": rng.normal(size=400), "y": rng.normal(size=400)})
    drops = pd.DataFrame(
        {
            "service": np.maximum(features["x"], 0),
            "price": np.maximum(features["y"], 0),
            "product": np.zeros(400),
            "payment": np.zeros(400),
        }
    )
    named = bench.oracle_named(features, drops, folds=2, seed=1)
    fix = drops.idxmax(axis=1)
    assert bench.fix_efficiency(drops, fix, named) > 0.9
    assert set(named) <= {"service", "price", NONE}


def test_feature_categories_from_card_registry_or_attribute_fallback() -> None:
    model = SimpleNamespace(
        card_=SimpleNamespace(
            features=(get_feature("complaints_30d"), attribute_feature("plan", categorical=True))
        ),
        booster_=SimpleNamespace(
            feature_name=lambda: ["complaints_30d", "plan", "tenure_days", "shoe_size"]
        ),
    )
    assert bench.feature_categories(model) == ["service", "profile", "tenure", "profile"]
    apart = bench.feature_categories(model, attributes="attribute")
    assert apart == ["service", "attribute", "tenure", "profile"]


def test_shap_reasons_are_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        churnlab, "_LAZY", {k: v for k, v in churnlab._LAZY.items() if k != "explain"}
    )
    monkeypatch.delattr(churnlab, "explain", raising=False)
    assert bench.shap_reasons(object(), object()) is None

    table = pd.DataFrame({"customer_id": ["01"], "reason_1_category": ["price"]})
    calls = []

    def explain(model: object, frame: object) -> SimpleNamespace:
        def reasons(*, k: int, language: str) -> pd.DataFrame:
            calls.append((model, frame, k, language))
            return table

        return SimpleNamespace(reasons=reasons)

    monkeypatch.setattr(churnlab, "explain", explain, raising=False)
    assert bench.shap_reasons("model", "frame") is table
    assert calls == [("model", "frame", 5, "en")]


def test_one_cutoffs_figures_hold_efficiency_and_the_recall_of_each_cause_with_enough_customers() -> (
    None
):
    fix = pd.Series(["price"] * 30 + ["service"] * 2)
    named = pd.Series(["price"] * 15 + ["product"] * 15 + ["service"] * 2)
    drops = pd.DataFrame(
        {"service": [0.0] * 30 + [0.1] * 2, "price": [0.1] * 30 + [0.0] * 2, "product": 0.05}
    )
    figures = bench.cutoff_figures(drops, fix, named)
    assert figures["customers"] == 32
    assert figures["fix eff."] == pytest.approx((1.5 + 0.75 + 0.2) / 3.2)
    assert figures["R price"] == pytest.approx(0.5)
    assert "R service" not in figures  # 2 customers: too few for a recall
