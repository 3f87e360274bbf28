"""Calibration: ECE, calibrators as plain numbers, choosing by cross-fitted log loss."""

from __future__ import annotations

import json

import numpy as np
import pytest

from churnlab.metrics import log_loss
from churnlab.model import Calibrator, expected_calibration_error
from churnlab.model.calibration import choose_calibration


@pytest.fixture(scope="module")
def distorted() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcomes drawn from known probabilities, and a raw score that is too confident."""
    rng = np.random.default_rng(1)
    true_p = rng.beta(1.2, 12, size=20_000)
    y = (rng.uniform(size=true_p.size) < true_p).astype(float)
    logit = np.log(true_p / (1 - true_p))
    raw = 1 / (1 + np.exp(-(1.8 * logit + 1.5)))
    return true_p, y, raw


def test_ece_uses_equal_frequency_bins():
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])

    assert expected_calibration_error(y, p, bins=2) == 0.0
    # Tied probabilities are shared between bins, so the result does not depend on row order.
    assert expected_calibration_error(y, np.full(6, 0.5), bins=3) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.full(6, 0.2), bins=3) == pytest.approx(0.3)


def test_true_probabilities_have_a_small_ece(distorted):
    true_p, y, raw = distorted

    assert expected_calibration_error(y, true_p) < 0.01
    assert expected_calibration_error(y, raw) > 0.03


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_each_method_repairs_a_distorted_score_and_keeps_the_order(distorted, method):
    _, y, raw = distorted
    calibrator = Calibrator.fit(method, raw[:10_000], y[:10_000])

    p = calibrator.apply(raw[10_000:])

    assert np.all((p >= 0) & (p <= 1))
    assert expected_calibration_error(y[10_000:], p) < 0.01
    inside = (raw[10_000:] > min(calibrator.x or [0])) & (raw[10_000:] < max(calibrator.x or [1]))
    order = np.argsort(raw[10_000:][inside])
    assert np.all(np.diff(p[inside][order]) >= 0), "monotone"
    assert len(np.unique(p[inside])) > 0.99 * inside.sum(), "customers keep their order"


def test_auto_picks_a_calibration_by_cross_fitted_log_loss(distorted):
    _, y, raw = distorted

    choice = choose_calibration(raw, y, method="auto")

    assert set(choice.scores) == {"none", "platt", "isotonic"}
    assert choice.calibrator.method in {"platt", "isotonic"}
    assert choice.scores[choice.calibrator.method] < choice.scores["none"]
    assert expected_calibration_error(y, choice.crossfit_probability) < 0.01


def test_a_calibrated_score_stays_uncalibrated_by_auto():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.6, 20_000)
    y = rng.uniform(size=p.size) < p

    assert choose_calibration(p, y).calibrator.method == "none"


@pytest.mark.parametrize("method", ["isotonic", "platt", "none"])
def test_calibrators_round_trip_through_json(distorted, method):
    _, y, raw = distorted
    calibrator = Calibrator.fit(method, raw, y)

    again = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))

    assert again == calibrator
    assert np.array_equal(again.apply(raw), calibrator.apply(raw))


def test_too_few_churners_to_calibrate_keeps_raw_probabilities():
    choice = choose_calibration([0.1, 0.2, 0.3], [0, 0, 1])

    assert choice.calibrator.method == "none"
    assert choice.crossfit_probability.tolist() == [0.1, 0.2, 0.3]


@pytest.mark.parametrize("method", ["none", "platt", "isotonic"])
def test_methods_are_scored_by_the_log_loss_every_report_shows(distorted, method):
    _, y, raw = distorted
    raw = raw.copy()
    raw[:3] = [1e-9, 1e-12, 1 - 1e-9]  # beyond any clipping of its own: scored as they are

    choice = choose_calibration(raw, y, method=method)

    assert choice.scores == {method: log_loss(y, choice.crossfit_probability)}
