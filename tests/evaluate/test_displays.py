"""Displays compute in ``from_*``, draw in ``plot(ax=None)`` and keep ``figure_`` and ``ax_``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from fakes import make_holdout
from matplotlib.figure import Figure

from churnlab.errors import SpecError
from churnlab.evaluate import (
    CalibrationDisplay,
    GainsLiftDisplay,
    MetricsByCutoffDisplay,
    RocPrDisplay,
    ScoreDistributionDisplay,
    expected_calibration_error,
    lift,
    roc_auc,
)

HOLDOUT = make_holdout(2_000)
Y, P, BASE = HOLDOUT["churned"], HOLDOUT["probability"], HOLDOUT["baseline_probability"]
BY_CUTOFF = pd.DataFrame(
    {
        "cutoff": pd.date_range("2024-03-31", periods=4, freq="ME"),
        "roc_auc": [0.81, 0.83, 0.80, 0.82],
        "lift@10%": [3.9, 4.2, 3.7, 4.0],
        "ece": [0.010, 0.012, 0.020, 0.008],
        "churn_rate": [0.050, 0.055, 0.060, 0.052],
        "mean_probability": [0.052, 0.050, 0.058, 0.050],
    }
)

DISPLAYS = {
    "roc_pr": (lambda: RocPrDisplay.from_predictions(Y, P, baseline=BASE), 2),
    "gains_lift": (lambda: GainsLiftDisplay.from_predictions(Y, P, baseline=BASE), 2),
    "calibration": (lambda: CalibrationDisplay.from_predictions(Y, P), 2),
    "score_distribution": (lambda: ScoreDistributionDisplay.from_predictions(Y, P), 1),
    "metrics_by_cutoff": (lambda: MetricsByCutoffDisplay.from_frame(BY_CUTOFF), 3),
}


@pytest.mark.parametrize("name", DISPLAYS)
def test_plot_draws_on_a_new_figure_and_keeps_it(name):
    make, count = DISPLAYS[name]

    display = make().plot()

    axes = np.atleast_1d(display.ax_)
    assert len(axes) == count
    assert display.figure_ is axes[0].figure
    assert all(ax.get_title() or ax.get_ylabel() for ax in axes)
    display.figure_.canvas.draw()  # renders without error


@pytest.mark.parametrize("name", DISPLAYS)
def test_plot_draws_on_given_axes_without_pyplot(name):
    make, count = DISPLAYS[name]
    figure = Figure()
    axes = figure.subplots(1, count)

    display = make().plot(ax=axes)

    assert display.figure_ is figure
    assert plt.get_fignums() == []  # nothing was opened in pyplot


@pytest.mark.parametrize(("name", "count"), [("roc_pr", 1), ("metrics_by_cutoff", 2)])
def test_wrong_number_of_axes_says_how_many(name, count):
    make, wanted = DISPLAYS[name]
    axes = Figure().subplots(1, count) if count > 1 else Figure().subplots()

    with pytest.raises(SpecError, match=rf"must be {wanted} matplotlib Axes\. Got {count} instead"):
        make().plot(ax=axes)


def test_calibration_on_one_axes_draws_the_curve_only():
    ax = Figure().subplots()

    display = CalibrationDisplay.from_predictions(Y, P).plot(ax=ax)

    assert display.ax_ == [ax]
    assert ax.get_xlabel() == "Predicted churn probability"


def test_displays_hold_the_numbers_they_draw():
    roc = RocPrDisplay.from_predictions(Y, P, baseline=BASE)
    gains = GainsLiftDisplay.from_predictions(Y, P)
    calibration = CalibrationDisplay.from_predictions(Y, P)

    assert roc.roc[0].score == pytest.approx(roc_auc(Y, P))
    assert [c.name for c in roc.roc] == ["model", "baseline"]
    assert gains.lift[0].score == pytest.approx(lift(Y, P, 0.1))
    assert calibration.ece == pytest.approx(expected_calibration_error(Y, P))
    assert calibration.counts.sum() == len(Y)


def test_score_distribution_shares_sum_to_one_per_group():
    display = ScoreDistributionDisplay.from_predictions(Y, P)

    assert display.stayed.sum() == pytest.approx(1.0)
    assert display.churned.sum() == pytest.approx(1.0)
    assert display.counts == {"stayed": int((~Y).sum()), "churned": int(Y.sum())}


def test_metrics_by_cutoff_names_missing_columns():
    with pytest.raises(SpecError, match=r"missing: ece, churn_rate"):
        MetricsByCutoffDisplay.from_frame(BY_CUTOFF.drop(columns=["ece", "churn_rate"]))


def test_roc_needs_both_classes():
    with pytest.raises(SpecError, match=r"needs both churners and stayers"):
        RocPrDisplay.from_predictions([0, 0], [0.1, 0.2])


def test_calibration_of_tied_probabilities_draws():
    # Isotonic calibration gives step functions: whole bins share one probability.
    tied = np.round(P, 1)

    display = CalibrationDisplay.from_predictions(Y, tied).plot()

    assert (display.table["mean_probability"] >= display.table["min_probability"]).all()
    assert (display.table["mean_probability"] <= display.table["max_probability"]).all()
