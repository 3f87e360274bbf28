"""PSI, missing and unseen shares and list churn, against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from churnlab.errors import SpecError
from churnlab.runs.drift import (
    DriftThresholds,
    bin_shares,
    list_churn,
    missing_share,
    psi,
    psi_from_shares,
    unseen_share,
)


def _by_hand(a: list[float], b: list[float]) -> float:
    return sum((q - p) * math.log(q / p) for p, q in zip(a, b, strict=True))


@pytest.mark.parametrize(
    "values",
    [np.arange(100.0), np.array([0.1] * 30 + [0.5] * 70), np.array(["x", "y", "y", "z"])],
    ids=["numbers", "ties", "categories"],
)
def test_identical_distributions_have_a_psi_of_zero(values):
    assert psi(values, values.copy()) == 0.0


def test_a_known_shift_of_numbers_gives_the_hand_computed_psi():
    # Two bins cut at the median of 0..9 (4.5): the later month puts 8 of 10 below it.
    earlier = np.arange(10.0)
    later = np.array([0, 1, 1, 2, 2, 3, 3, 4, 5, 9], dtype=float)
    assert psi(earlier, later, bins=2) == pytest.approx(_by_hand([0.5, 0.5], [0.8, 0.2]))
    assert psi(earlier, later, bins=2) == pytest.approx(0.41589, abs=1e-5)


def test_a_known_shift_of_categories_gives_the_hand_computed_psi():
    assert psi(["x", "y"], ["x", "y", "y", "y"]) == pytest.approx(0.27465, abs=1e-5)


def test_an_empty_bin_counts_as_epsilon():
    found = psi(np.arange(10.0), np.zeros(10), bins=2, epsilon=1e-4)
    assert found == pytest.approx(_by_hand([0.5, 0.5], [1.0, 1e-4]))


def test_missing_values_are_a_bin_of_their_own():
    names, earlier, later = bin_shares([1.0, np.nan, 2.0, np.nan], [1.0, 2.0, 1.0, 2.0], bins=2)
    assert names[-1] == "(missing)"
    assert earlier.tolist() == [0.25, 0.25, 0.5] and later.tolist() == [0.5, 0.5, 0.0]
    assert psi([1.0, np.nan], [1.0, 1.0]) == pytest.approx(psi_from_shares([0.5, 0.5], [1.0, 0.0]))


def test_an_empty_side_has_no_psi():
    assert math.isnan(psi([], [1.0, 2.0]))


def test_missing_and_unseen_shares():
    assert missing_share([1.0, None, 3.0, None]) == 0.5
    assert unseen_share(["x", "y"], ["x", "z", None, "z"]) == 0.5
    assert unseen_share(["x", "y"], ["y", "x"]) == 0.0


def test_list_churn_names_who_entered_and_who_left_with_the_jaccard_overlap():
    found = list_churn(["c1", "c2", "c3"], ["c2", "c3", "c4", "c5"])
    assert found.entered == ("c4", "c5") and found.left == ("c1",) and found.stayed == ("c2", "c3")
    assert found.jaccard == pytest.approx(2 / 5)
    assert found.to_dict() == {"entered": 2, "left": 1, "stayed": 2, "jaccard": 0.4}


def test_two_empty_lists_have_no_overlap_to_speak_of():
    assert math.isnan(list_churn([], []).jaccard)


def test_ids_stay_text():
    assert list_churn(["00123"], ["00123"]).stayed == ("00123",)


@pytest.mark.parametrize(
    ("psi_value", "level"),
    [(0.05, "stable"), (0.1, "moderate"), (0.25, "moderate"), (0.26, "significant")],
)
def test_the_psi_reading_follows_the_documented_thresholds(psi_value, level):
    assert DriftThresholds().level(psi_value) == level


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bins": 1}, r"The 'bins' parameter of DriftThresholds must be an int >= 2. Got 1"),
        ({"max_ece": -0.1}, r"The 'max_ece' parameter of DriftThresholds must be a positive"),
        ({"psi_moderate": 0.3}, r"'psi_moderate' parameter of DriftThresholds must be below"),
    ],
)
def test_bad_thresholds_are_refused(kwargs, match):
    with pytest.raises(SpecError, match=match):
        DriftThresholds(**kwargs)


def test_thresholds_round_trip_through_json_values():
    spec = DriftThresholds(min_overlap=0.5)
    assert DriftThresholds.from_dict(spec.to_dict()) == spec
