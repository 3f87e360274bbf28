"""Selection modes, the budget edge and conflicting options."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.campaign.selection import Selection, check_budget, rank_order, select
from churnlab.errors import SpecError

IDS = np.array(["a", "b", "c", "d", "e", "f"])
GAIN = np.array([5.0, -1.0, 2.0, 8.0, 0.0, 3.0])
PROBABILITY = np.array([0.30, 0.01, 0.20, 0.50, 0.05, 0.40])
COST = np.array([3.0, 2.0, 4.0, 3.0, 1.0, 2.0])
NO_CONTROL = np.zeros(6, dtype=bool)


def _listed(selection, control=NO_CONTROL):
    cut = select(
        selection,
        gain=GAIN,
        probability=PROBABILITY,
        cost=COST,
        control=control,
        order=rank_order(GAIN, IDS),
    )
    return set(IDS[cut.listed]), cut


def test_profit_optimal_lists_everyone_with_a_positive_gain():
    assert _listed(Selection())[0] == {"a", "c", "d", "f"}


def test_top_n_lists_the_best_n():
    assert _listed(Selection.top(2))[0] == {"d", "a"}


def test_top_n_larger_than_the_base_lists_everyone():
    assert _listed(Selection.top(99))[0] == set(IDS)


def test_top_share_rounds_up():
    assert _listed(Selection.top_share(0.5))[0] == {"d", "a", "f"}  # 3 of 6
    assert _listed(Selection.top_share(0.2))[0] == {"d", "a"}  # 1.2 -> 2


def test_min_probability_lists_by_probability_whatever_the_gain():
    assert _listed(Selection.above_probability(0.2))[0] == {"a", "c", "d", "f"}


def test_budget_takes_the_best_while_the_cost_fits_and_includes_the_exact_edge():
    # ranked: d (3), a (3), f (2), c (4): 3, 6, 8, 12
    assert _listed(Selection.within_budget(8.0))[0] == {"d", "a", "f"}
    listed, cut = _listed(Selection.within_budget(7.99))
    assert listed == {"d", "a"} and cut.budget_left == pytest.approx(1.99)


def test_control_members_cost_nothing_against_the_budget():
    control = IDS == "a"
    listed, cut = _listed(Selection.within_budget(8.0), control)
    # d 3 + f 2 + c 4 = 9 > 8: c does not fit; a is control and free
    assert listed == {"d", "a", "f"} and cut.budget_left == pytest.approx(3.0)


def test_a_budget_never_buys_a_contact_with_a_negative_gain():
    listed, cut = _listed(Selection.within_budget(1_000.0))
    assert listed == {"a", "c", "d", "f"}
    assert cut.budget_left == pytest.approx(1_000.0 - 12.0)


def test_ties_in_gain_are_broken_by_id_whatever_the_row_order():
    gain = np.array([1.0, 1.0, 1.0])
    assert rank_order(gain, np.array(["c", "a", "b"])).tolist() == [1, 2, 0]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-10, 10), min_size=1, max_size=30),
    st.integers(1, 40),
    st.randoms(use_true_random=False),
)
def test_a_list_never_depends_on_the_rows_order(gains, n, random):
    gain = np.array(gains)
    ids = np.array([f"c{i:03d}" for i in range(len(gain))])
    shuffled = np.arange(len(gain))
    random.shuffle(shuffled)
    kwargs = {"probability": np.full(len(gain), 0.1), "cost": np.ones(len(gain))}

    def listed(order_rows):
        g, i = gain[order_rows], ids[order_rows]
        cut = select(
            Selection.top(n),
            gain=g,
            control=np.zeros(len(g), bool),
            order=rank_order(g, i),
            **kwargs,
        )
        return set(i[cut.listed])

    assert listed(np.arange(len(gain))) == listed(shuffled)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"top": 10, "budget": 5.0}, "Choose one way to cut the list; got --top and --budget"),
        ({"top_share": 0.2, "profit_optimal": True}, "--top-share and --profit-optimal"),
        ({"budget": 0.0}, "'budget' parameter must be a positive amount. Got 0.0"),
        ({"budget": -5.0}, "must be a positive amount"),
        ({"top_share": 1.0}, r"'top_share' parameter must be a number in \(0, 1\). Got 1.0"),
        ({"top_share": 0.0}, r"in \(0, 1\)"),
        ({"min_probability": 1.2}, r"'min_probability' parameter must be a number in \(0, 1\)"),
        ({"top": 0}, "whole number of customers >= 1"),
    ],
)
def test_bad_or_conflicting_options_are_refused(options, message):
    with pytest.raises(SpecError, match=message):
        Selection.from_options(**options)


def test_a_budget_smaller_than_one_contact_is_refused():
    with pytest.raises(SpecError, match="smaller than one contact"):
        check_budget(Selection.within_budget(0.5), cheapest_contact=1.0)
    check_budget(Selection.within_budget(1.0), cheapest_contact=1.0)  # exactly one fits


def test_no_option_means_profit_optimal_and_the_selection_round_trips():
    assert Selection.from_options() == Selection.profit_optimal()
    assert Selection.top(5).to_dict() == {"mode": "top", "n": 5}
    assert Selection.within_budget(10.0).to_dict() == {"mode": "budget", "budget": 10.0}
