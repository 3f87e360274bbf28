"""Metric functions against hand-computed tiny examples and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from churnlab.errors import SpecError
from churnlab.evaluate import (
    brier_score,
    calibration_table,
    capture_rate,
    churn_metrics,
    decile_table,
    expected_calibration_error,
    gains_curve,
    lift,
    log_loss,
    pr_auc,
    roc_auc,
)

# Ten customers sorted by risk; the churners are the 1st, 2nd and 5th riskiest.
Y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
P = np.linspace(0.9, 0.0, 10)


def test_hand_computed_tiny_example():
    y, p = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]

    # Pairs (churner, stayer) ranked right: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4): 3 of 4.
    assert roc_auc(y, p) == 0.75
    # Precision at recall 1/2 is 1/1, at recall 2/2 it is 2/3: AP = (1 + 2/3) / 2.
    assert pr_auc(y, p) == pytest.approx(5 / 6)
    assert brier_score(y, p) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    expected = -(np.log(0.9) + np.log(0.6) + np.log(0.35) + np.log(0.8)) / 4
    assert log_loss(y, p) == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_metrics_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=500).round(2)  # ties on purpose
    y = rng.uniform(size=500) < p

    assert roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p))
    assert pr_auc(y, p) == pytest.approx(skm.average_precision_score(y, p))
    assert brier_score(y, p) == pytest.approx(skm.brier_score_loss(y, p))
    assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p))


def test_inputs_may_be_bool_series_lists_or_arrays():
    y = pd.Series([True, False, True, False])
    p = pd.Series([0.9, 0.2, 0.6, 0.3], index=[7, 3, 5, 1])  # the index plays no role

    assert roc_auc(y, p) == roc_auc([1, 0, 1, 0], np.array([0.9, 0.2, 0.6, 0.3])) == 1.0


@pytest.mark.parametrize(
    ("fraction", "captured"),
    [(0.1, 1), (0.2, 2), (0.3, 2), (0.5, 3), (1.0, 3)],
)
def test_capture_and_lift_on_a_constructed_ranking(fraction, captured):
    assert capture_rate(Y, P, fraction) == pytest.approx(captured / 3)
    assert lift(Y, P, fraction) == pytest.approx(captured / 3 / fraction)


def test_lift_at_10_percent_of_the_perfect_model_is_one_over_the_churn_rate():
    y = np.r_[np.ones(10), np.zeros(90)]
    p = np.r_[np.full(10, 0.9), np.full(90, 0.1)]

    assert lift(y, p, 0.1) == pytest.approx(10.0)
    assert capture_rate(y, p, 0.1) == pytest.approx(1.0)


def test_ties_across_the_cut_are_shared_not_decided_by_row_order():
    # Four customers tie at the top, two of them churners. The top 25% is two of those four
    # places, holding 2 x 2/4 = 1 churner on average: half of the two churners.
    y = [1, 0, 1, 0, 0, 0, 0, 0]
    p = [0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1]

    assert capture_rate(y, p, 0.25) == pytest.approx(0.5)
    assert capture_rate(y[::-1], p[::-1], 0.25) == capture_rate(y, p, 0.25)


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5, True, "10%"])
def test_a_bad_fraction_names_the_parameter(fraction):
    with pytest.raises(SpecError, match=r"The 'fraction' parameter of lift must be a number in"):
        lift(Y, P, fraction)


def test_expected_calibration_error_is_near_zero_for_calibrated_probabilities():
    rng = np.random.default_rng(42)
    p = rng.beta(0.6, 6, size=200_000)
    y = rng.uniform(size=p.size) < p

    assert expected_calibration_error(y, p) < 0.005


def test_expected_calibration_error_is_large_for_miscalibrated_probabilities():
    rng = np.random.default_rng(42)
    p = rng.beta(0.6, 6, size=200_000)
    y = rng.uniform(size=p.size) < p

    assert expected_calibration_error(y, np.sqrt(p)) > 0.15
    assert expected_calibration_error(y, p / 2) == pytest.approx(p.mean() / 2, rel=0.05)


def test_calibration_table_uses_equal_frequency_bins():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=1_500)
    y = rng.uniform(size=1_500) < p

    table = calibration_table(y, p)

    assert table["customers"].tolist() == [100] * 15
    assert table["mean_probability"].is_monotonic_increasing
    weights = table["customers"] / 1_500
    gap = ((table["mean_probability"] - table["churn_rate"]).abs() * weights).sum()
    assert expected_calibration_error(y, p) == pytest.approx(gap)


def test_decile_one_is_the_highest_risk():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=1_000)
    y = rng.uniform(size=1_000) < p

    table = decile_table(y, p)

    assert table["decile"].tolist() == list(range(1, 11))
    assert table["customers"].tolist() == [100] * 10
    assert table["min_probability"].is_monotonic_decreasing
    assert table["churners"].sum() == pytest.approx(y.sum())
    assert table["churn_rate"].iloc[0] > 0.8 > 0.2 > table["churn_rate"].iloc[-1]
    assert table["cumulative_capture"].iloc[-1] == pytest.approx(1.0)
    assert table["lift"].iloc[0] == pytest.approx(lift(y, p, 0.1))


def test_gains_curve_runs_from_origin_to_one():
    x, g = gains_curve(Y, P)

    assert (x[0], g[0], x[-1], g[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(g) >= 0)


def test_one_class_gives_nan_for_ranking_metrics_only():
    m = churn_metrics([0, 0, 0], [0.1, 0.2, 0.3])

    assert np.isnan(m["roc_auc"]) and np.isnan(m["pr_auc"]) and np.isnan(m["lift@10%"])
    assert m["brier"] == pytest.approx((0.01 + 0.04 + 0.09) / 3)


def test_churn_metrics_keys():
    assert list(churn_metrics(Y, P)) == [
        "roc_auc",
        "pr_auc",
        "brier",
        "log_loss",
        "ece",
        "lift@5%",
        "lift@10%",
        "lift@20%",
        "capture@5%",
        "capture@10%",
        "capture@20%",
    ]


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([1, 0], [0.5], r"must have the same length\. Got 2 outcomes and 1 probabilities"),
        ([], [], r"The 'y' parameter of roc_auc must hold at least one row"),
        (
            [1, 2],
            [0.5, 0.5],
            r"only 0/1 or False/True \(1 = churned\)\. Got 1 other values, e\.g\. 2",
        ),
        ([1, None], [0.5, 0.5], r"The 'y' parameter of roc_auc must have no missing values"),
        ([1, 0], [0.5, np.nan], r"The 'p' parameter of roc_auc must have no missing values"),
        (
            [1, 0],
            [1.2, -0.1],
            r"probabilities in \[0, 1\]\. Got 2 values outside it, e\.g\. 1\.2, -0\.1",
        ),
        ([1, 0], "ab", r"The 'p' parameter of roc_auc must be a 1-d sequence of numbers"),
    ],
)
def test_bad_inputs_say_what_was_expected_and_what_came(y, p, message):
    with pytest.raises(SpecError, match=message):
        roc_auc(y, p)
