"""Value and expected gain against hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from churnlab.campaign.gain import (
    OfferTerms,
    acceptance_quantiles,
    expected_cost,
    expected_gain,
)
from churnlab.campaign.value import ValueSpec, customer_value, remaining_months
from churnlab.errors import SpecError
from churnlab.metrics import monthly_retention


def test_monthly_retention_turns_a_horizon_rate_into_a_monthly_one():
    r = monthly_retention(0.05, 90)
    months = 90 / (365.25 / 12)
    assert r**months == pytest.approx(0.95)


def test_remaining_months_is_the_discounted_sum_of_survival():
    r, d = 0.9, 0.01
    series = sum((r / (1 + d)) ** t for t in range(1, 2000))
    assert remaining_months([r], discount_rate=d, max_months=1000)[0] == pytest.approx(series)


def test_remaining_months_is_capped():
    assert remaining_months([0.999, 1.0], discount_rate=0.0, max_months=36).tolist() == [36, 36]


def test_value_is_margin_times_remaining_months_with_the_models_retention():
    # spend 100 a month, margin 30%: 30 a month; r 0.95, d 0.01: 0.95 / 0.06 = 15.83 months
    value = customer_value([100.0], spec=ValueSpec(), retention=0.95)
    assert value[0] == pytest.approx(30 * 0.95 / 0.06)


def test_value_uses_the_retention_of_a_segment_when_the_campaign_sets_it():
    spec = ValueSpec(retention={"low_value_low_loyalty": 0.5})
    value = customer_value(
        [100.0, 100.0], spec=spec, retention=0.95, segment=["low_value_low_loyalty", "other"]
    )
    assert value.tolist() == pytest.approx([30 * 0.5 / 0.51, 30 * 0.95 / 0.06])


def test_missing_or_negative_spend_is_worth_nothing():
    assert customer_value([np.nan, -5.0], spec=ValueSpec(), retention=0.9).tolist() == [0, 0]


@pytest.mark.parametrize(
    ("p", "value", "delta", "terms", "expected"),
    [
        # p*g*(v - d) - (1 - p)*psi*d - c
        (0.2, 500.0, 10.0, {}, 0.2 * 0.3 * 490 - 0.8 * 10 - 1),
        (0.0, 500.0, 10.0, {}, -10 - 1),
        (1.0, 500.0, 10.0, {"acceptance": 0.5}, 0.5 * 490 - 1),
        (
            0.3,
            200.0,
            8.0,
            {"take_up": 0.25, "contact_cost": 2.0},
            0.3 * 0.3 * 192 - 0.7 * 0.25 * 8 - 2,
        ),
    ],
)
def test_expected_gain_matches_hand_worked_cases(p, value, delta, terms, expected):
    assert float(expected_gain(p, value, delta, **terms)) == pytest.approx(expected)


def test_expected_cost_counts_the_offers_taken_and_the_contact():
    assert float(expected_cost(0.2, 10.0)) == pytest.approx(10 * (0.2 * 0.3 + 0.8 * 1.0) + 1)


def test_the_default_offer_is_a_one_month_twenty_percent_credit():
    assert OfferTerms().offer_cost([80.0]).tolist() == [16.0]


def test_the_acceptance_band_is_beta_6_14_for_the_default():
    from scipy import stats

    expected = stats.beta.ppf([0.05, 0.5, 0.95], 6, 14)
    assert acceptance_quantiles(0.3).ravel() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"acceptance": 0.0}, r"'acceptance' parameter of OfferTerms must be a number in \(0, 1\]"),
        ({"take_up": 1.5}, r"'take_up' parameter of OfferTerms must be a number in \[0, 1\]"),
        ({"contact_cost": -1.0}, r"'contact_cost' parameter of OfferTerms must be a number >= 0"),
        ({"spend_share": float("nan")}, "'spend_share'"),
    ],
)
def test_bad_offer_terms_are_refused(changes, message):
    with pytest.raises(SpecError, match=message):
        OfferTerms(**changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"margin_rate": 0.0}, "'margin_rate' parameter of ValueSpec"),
        ({"method": "colum"}, "Did you mean 'column'"),
        ({"method": "column"}, "needs the name of the customer attribute"),
        ({"retention": {"inactive": 1.5}}, r"retention\['inactive'\]"),
    ],
)
def test_bad_value_specs_are_refused(changes, message):
    with pytest.raises(SpecError, match=message):
        ValueSpec(**changes)
