"""``Evaluation``: repr, escaped HTML, JSON round trip, and evaluating a model's hold-out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fakes import FakeModel, make_holdout

from churnlab.errors import SpecError
from churnlab.evaluate import Evaluation, evaluate, evaluate_model, roc_auc


@pytest.fixture
def evaluation() -> Evaluation:
    holdout = make_holdout()
    return evaluate(
        holdout["churned"],
        holdout["probability"],
        baseline=holdout["baseline_probability"],
        cutoffs=holdout["cutoff"],
    )


def test_repr_is_one_line_with_the_numbers_that_matter(evaluation):
    text = repr(evaluation)

    assert "\n" not in text
    assert text.startswith("<Evaluation hold-out: ROC-AUC 0.")
    assert "(baseline 0." in text
    assert ", lift@10% " in text and ", ECE 0.0" in text
    assert text.endswith(f"4,000 rows, churn {evaluation.churn_rate:.1%}>")


def test_repr_without_baseline():
    assert repr(evaluate([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.6], label="test")) == (
        "<Evaluation test: ROC-AUC 1.000, lift@10% 2.0, ECE 0.325, 4 rows, churn 50.0%>"
    )


def test_summary_puts_model_and_baseline_side_by_side(evaluation):
    summary = evaluation.summary()

    assert list(summary.columns) == ["metric", "model", "baseline", "gain"]
    assert summary.loc["roc_auc", "gain"] == pytest.approx(
        summary.loc["roc_auc", "model"] - summary.loc["roc_auc", "baseline"]
    )
    # Lower is better for the ECE, so its gain is baseline minus model.
    assert summary.loc["ece", "gain"] == pytest.approx(
        summary.loc["ece", "baseline"] - summary.loc["ece", "model"]
    )
    assert summary.loc["roc_auc", "gain"] > 0


def test_html_escapes_the_label():
    html = evaluate([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.6], label="<b>x</b>")._repr_html_()

    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "Churn by risk decile" in html


def test_to_text_has_the_summary_and_the_deciles(evaluation):
    text = evaluation.to_text()

    assert text.splitlines()[0] == repr(evaluation)
    assert "ROC-AUC" in text and "Lift at top 10%" in text
    assert "Churn by risk decile (1 = highest risk):" in text


def test_json_round_trip(evaluation, tmp_path):
    path = evaluation.save_json(tmp_path / "out" / "evaluation.json")

    again = Evaluation.read_json(path)

    assert again.to_dict() == evaluation.to_dict()
    assert repr(again) == repr(evaluation)
    pd.testing.assert_frame_equal(again.deciles, evaluation.deciles, check_dtype=False)
    assert json.loads(path.read_text())["cutoffs"] == ["2024-06-30"]
    assert [p.name for p in path.parent.iterdir()] == ["evaluation.json"]  # no temporary left


def test_nan_metrics_are_saved_as_null_and_read_back_as_nan(tmp_path):
    evaluation = evaluate([0, 0, 0], [0.1, 0.2, 0.3])

    path = evaluation.save_json(tmp_path / "e.json")

    assert json.loads(path.read_text())["metrics"]["roc_auc"] is None
    assert np.isnan(Evaluation.read_json(path).roc_auc)


def test_evaluate_model_reads_the_hold_out_and_its_baseline():
    model = FakeModel()

    evaluation = evaluate_model(model)

    holdout = model.holdout_
    assert evaluation.rows == len(holdout)
    assert evaluation.roc_auc == pytest.approx(roc_auc(holdout["churned"], holdout["probability"]))
    assert evaluation.baseline is not None
    assert evaluation.baseline["roc_auc"] == pytest.approx(
        roc_auc(holdout["churned"], holdout["baseline_probability"])
    )
    assert evaluation.metrics["roc_auc"] > evaluation.baseline["roc_auc"]


def test_evaluate_model_without_hold_out_says_how_to_get_one():
    with pytest.raises(
        SpecError, match=r"needs a trained churnlab model .* churnlab\.model\.train"
    ):
        evaluate_model(object())


def test_baseline_must_match_the_rows():
    with pytest.raises(SpecError, match=r"evaluate \(baseline\) must have the same length"):
        evaluate([0, 1], [0.1, 0.9], baseline=[0.5])
