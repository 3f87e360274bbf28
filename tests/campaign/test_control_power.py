"""The minimum detectable effect and the automatic control fraction, against hand computations."""

from __future__ import annotations

import json
import math

import pytest
from scipy.stats import norm

from churnlab.campaign.power import MDE, auto_fraction, minimum_detectable_effect
from churnlab.errors import SpecError

# The example: 8% churn, 20,000 listed, 10% control, a 20% relative reduction.
BASELINE, LISTED = 0.08, 20_000
N_CONTROL, N_TARGET = 2_000, 18_000
REDUCTION = 0.2 * BASELINE  # 8% -> 6.4%
Z = norm.ppf(1 - 0.05 / 2) + norm.ppf(0.8)  # 1.959964 + 0.841621


def _h(p0: float, p1: float) -> float:
    return 2 * math.asin(math.sqrt(p0)) - 2 * math.asin(math.sqrt(p1))


def test_the_mde_matches_the_normal_approximation_by_hand():
    h = Z * math.sqrt(1 / N_CONTROL + 1 / N_TARGET)
    p1 = math.sin(math.asin(math.sqrt(BASELINE)) - h / 2) ** 2
    mde = minimum_detectable_effect(BASELINE, N_TARGET, N_CONTROL)
    assert mde.cohen_h == pytest.approx(h, rel=1e-4)
    assert mde.absolute == pytest.approx(BASELINE - p1, rel=1e-4)
    assert mde.relative == pytest.approx((BASELINE - p1) / BASELINE, rel=1e-4)
    # the numbers themselves, worked out on paper: h = 2.8016 x 0.023570
    assert h == pytest.approx(0.066034, abs=1e-6)
    assert p1 == pytest.approx(0.06301, abs=1e-5)
    assert mde.relative == pytest.approx(0.2123, abs=1e-4)  # "about 21% relative"
    assert (mde.n_control, mde.n_target, mde.alpha, mde.power) == (2_000, 18_000, 0.05, 0.8)


def test_ten_percent_control_cannot_detect_a_twenty_percent_relative_drop():
    mde = minimum_detectable_effect(BASELINE, N_TARGET, N_CONTROL)
    assert _h(BASELINE, BASELINE - REDUCTION) == pytest.approx(0.061990, abs=1e-6)
    assert _h(BASELINE, BASELINE - REDUCTION) < mde.cohen_h
    assert not mde.detects(REDUCTION)
    assert mde.detects(0.22 * BASELINE)
    assert "too small to show it" in mde.verdict(REDUCTION)


def test_auto_picks_the_fraction_where_the_expected_effect_meets_the_mde():
    # Solve Z * sqrt(1/(f N) + 1/((1 - f) N)) = h for f: f (1 - f) = (Z / h)^2 / N.
    h = _h(BASELINE, BASELINE - REDUCTION)
    product = (Z / h) ** 2 / LISTED
    exact = (1 - math.sqrt(1 - 4 * product)) / 2
    assert exact == pytest.approx(0.11555, abs=1e-4)
    fraction = auto_fraction(BASELINE, LISTED, REDUCTION)
    assert fraction == math.ceil(exact * 1000) / 1000 == 0.116
    at = minimum_detectable_effect(BASELINE, 17_680, 2_320)  # 11.6% of 20,000
    below = minimum_detectable_effect(BASELINE, 17_700, 2_300)  # 11.5%
    assert at.detects(REDUCTION)
    assert not below.detects(REDUCTION)


def test_auto_never_goes_below_the_floor_nor_above_the_ceiling():
    assert auto_fraction(BASELINE, 2_000_000, REDUCTION) == 0.05
    assert auto_fraction(BASELINE, 2_000_000, REDUCTION, min_fraction=0.0525) == 0.0525
    assert auto_fraction(BASELINE, 2_000, REDUCTION) == 0.5
    assert auto_fraction(BASELINE, 2_000, REDUCTION, max_fraction=0.3) == 0.3
    # the caller learns that even the ceiling is too small from the MDE
    assert not minimum_detectable_effect(BASELINE, 1_000, 1_000).detects(REDUCTION)


@pytest.mark.parametrize(
    ("listed", "reduction", "expected"),
    [(5_000, 0.03, 0.119), (50_000, 0.008, 0.221), (20_000, 0.02, 0.069), (60_000, 0.008, 0.174)],
)
def test_auto_gives_the_smallest_thousandth_with_the_power(listed, reduction, expected):
    h = _h(BASELINE, BASELINE - reduction)

    def power_at(f: float) -> float:  # the one-tail normal approximation, by hand
        return norm.cdf(h / math.sqrt(1 / (f * listed) + 1 / ((1 - f) * listed)) - norm.ppf(0.975))

    fraction = auto_fraction(BASELINE, listed, reduction)
    assert fraction == expected
    assert power_at(fraction) >= 0.8
    assert power_at(fraction - 0.001) < 0.8


def test_more_control_customers_detect_smaller_drops():
    sizes = [500, 1_000, 2_000, 5_000, 10_000]
    drops = [minimum_detectable_effect(BASELINE, 18_000, n).absolute for n in sizes]
    assert drops == sorted(drops, reverse=True)


def test_a_drop_to_zero_churn_may_still_be_too_small_to_detect():
    mde = minimum_detectable_effect(0.01, 10, 10)
    assert math.isnan(mde.absolute)
    assert not mde.detects(0.01)
    assert mde.to_dict()["absolute"] is None
    assert "not even a drop to zero churn" in repr(mde)


def test_the_mde_renders_as_one_line_html_and_json():
    mde = minimum_detectable_effect(BASELINE, N_TARGET, N_CONTROL)
    assert repr(mde) == (
        "<MDE: 1.70 points (21.2% relative) from 8.0% churn; 2,000 control, 18,000 target; "
        "power 80%, α 0.05>"
    )
    assert (
        "<th>Smallest detectable drop</th><td>1.70 points (21.2% relative)</td>"
        in mde._repr_html_()
    )
    data = json.loads(json.dumps(mde.to_dict()))
    assert MDE(**data) == mde


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            (0, 10, 10),
            {},
            r"The 'baseline' parameter of minimum_detectable_effect must be a number in \(0, 1\). Got 0 instead.",
        ),
        ((1.2, 10, 10), {}, r"'baseline' .* Got 1.2 instead"),
        (
            (0.1, 10, 0),
            {},
            r"The 'n_control' parameter of minimum_detectable_effect must be an int >= 1. Got 0",
        ),
        ((0.1, 10.5, 10), {}, r"'n_target' .* an int >= 1. Got 10.5"),
        ((0.1, 10, 10), {"power": 0.05}, r"'power' .* in \(alpha = 0.05, 1\). Got 0.05"),
        ((0.1, 10, 10), {"alpha": 0}, r"'alpha' .* in \(0, 1\). Got 0 instead"),
    ],
)
def test_bad_mde_arguments_are_refused(args, kwargs, message):
    with pytest.raises(SpecError, match=message):
        minimum_detectable_effect(*args, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"expected_reduction": 0},
            r"'expected_reduction' parameter of auto_fraction must be a drop in churn in \(0, baseline = 0.08\]. Got 0",
        ),
        ({"expected_reduction": 0.09}, r"'expected_reduction' .* Got 0.09 instead"),
        ({"n_listed": 0}, r"'n_listed' .* an int >= 1. Got 0"),
        (
            {"max_fraction": 0.6},
            r"'max_fraction' parameter of auto_fraction must be a number in \(0, 0.5\]. Got 0.6",
        ),
        (
            {"min_fraction": 0.3, "max_fraction": 0.2},
            r"'max_fraction' .* >= min_fraction \(0.3\). Got 0.2",
        ),
    ],
)
def test_bad_auto_fraction_arguments_are_refused(kwargs, message):
    arguments = {"baseline": BASELINE, "n_listed": LISTED, "expected_reduction": REDUCTION} | kwargs
    with pytest.raises(SpecError, match=message):
        auto_fraction(**arguments)
