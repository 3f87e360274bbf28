"""Segments: thresholds at their exact boundaries, inactive and lapsed customers, key accounts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from churnlab.campaign.segments import (
    SEGMENT_DESCRIPTIONS,
    SEGMENTS,
    SegmentSpec,
    assign_segments,
    loyalty_score,
)
from churnlab.errors import DataError, SpecError


def _customers(values, *, spend=None, tenure=None, points=None, lapsed=None) -> pd.DataFrame:
    n = len(values)
    frame = pd.DataFrame(
        {
            "value": np.asarray(values, dtype=float),
            "monthly_spend": np.full(n, 50.0) if spend is None else spend,
            "tenure_days": np.arange(1, n + 1) * 10 if tenure is None else tenure,
        }
    )
    if points is not None:
        frame["loyalty_points"] = points
    if lapsed is not None:
        frame["lapsed"] = lapsed
    return frame


def _high_value(segments) -> list[bool]:
    return [s.startswith("high_value") for s in segments.segment]


def _high_loyalty(segments) -> list[bool]:
    return [s.endswith("high_loyalty") for s in segments.segment]


def test_the_segments_are_the_banks_groups_in_a_fixed_order():
    assert SEGMENTS == (
        "high_value_high_loyalty",
        "high_value_low_loyalty",
        "low_value_high_loyalty",
        "low_value_low_loyalty",
        "inactive",
        "recently_lapsed",
    )
    assert set(SEGMENT_DESCRIPTIONS) == set(SEGMENTS)
    segments = assign_segments(_customers([1.0, 2.0]))
    assert list(segments.segment.categories) == list(SEGMENTS)


def test_the_customer_at_the_80th_percentile_is_high_value():
    # 11 values 0, 10, ..., 100: the 80th percentile is exactly 80
    segments = assign_segments(_customers(np.arange(11) * 10.0))
    assert segments.value_threshold == 80.0
    assert _high_value(segments) == [False] * 8 + [True] * 3


def test_between_two_values_the_percentile_interpolates_like_excel():
    # 10 values 10..100: position 0.8 x 9 = 7.2, so 80 + 0.2 x 10 = 82; only 90 and 100 are high
    segments = assign_segments(_customers(np.arange(1, 11) * 10.0))
    assert segments.value_threshold == pytest.approx(82.0)
    assert _high_value(segments) == [False] * 8 + [True] * 2


def test_ties_at_the_threshold_are_all_high_value():
    segments = assign_segments(_customers([1.0, 2.0, 3.0, 5.0, 5.0, 5.0]))
    assert segments.value_threshold == 5.0
    assert _high_value(segments) == [False, False, False, True, True, True]


def test_the_high_value_share_is_a_parameter():
    segments = assign_segments(_customers(np.arange(11) * 10.0), SegmentSpec(high_value_share=0.5))
    assert segments.value_threshold == 50.0
    assert sum(_high_value(segments)) == 6


def test_the_top_half_by_loyalty_is_high_loyalty():
    # tenure 10..50 with no points: percentile ranks 0.2..1.0, the median rank is 0.6
    segments = assign_segments(_customers([1.0] * 5))
    assert segments.loyalty_threshold == pytest.approx(0.6)
    assert _high_loyalty(segments) == [False, False, True, True, True]
    assert segments.loyalty.tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])


def test_loyalty_points_count_as_much_as_tenure():
    # the newest customer has by far the most points: tied for second in loyalty
    frame = _customers([1.0] * 4, tenure=[100, 200, 300, 400], points=[90, 10, 20, 30])
    segments = assign_segments(frame)
    assert segments.loyalty.tolist() == pytest.approx([0.625, 0.375, 0.625, 0.875])
    assert _high_loyalty(segments) == [True, False, True, True]


def test_customers_without_loyalty_points_are_scored_on_tenure_alone():
    assert loyalty_score([300, 100, 200]).tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])
    with_gaps = loyalty_score([300, 100, 200], [np.nan, 5.0, 10.0])
    assert with_gaps.tolist() == pytest.approx([1.0, (1 / 3 + 0.5) / 2, (2 / 3 + 1.0) / 2])
    all_missing = loyalty_score([300, 100, 200], [np.nan] * 3)
    assert all_missing.tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])


def test_spending_under_a_tenth_of_the_median_is_inactive():
    # median spend 50: below 5 a month is inactive, exactly 5 is not; no spend always is
    spend = [50.0, 50.0, 50.0, 50.0, 5.0, 4.99, 0.0, np.nan, 60.0]
    segments = assign_segments(_customers([10.0] * 9, spend=spend))
    assert segments.median_spend == 50.0
    assert segments.inactive_spend == pytest.approx(5.0)
    inactive = [s == "inactive" for s in segments.segment]
    assert inactive == [False, False, False, False, False, True, True, True, False]


def test_with_a_zero_share_only_customers_without_spend_are_inactive():
    spend = [50.0, 0.01, 0.0]
    segments = assign_segments(
        _customers([10.0] * 3, spend=spend), SegmentSpec(inactive_spend_share=0)
    )
    assert list(segments.segment == "inactive") == [False, False, True]


def test_inactive_customers_shift_no_thresholds_and_may_lack_a_value():
    base = _customers(np.arange(11) * 10.0)
    extra = _customers([1e6, np.nan], spend=[0.0, 0.0], tenure=[5000, 6000])
    segments = assign_segments(pd.concat([base, extra], ignore_index=True))
    alone = assign_segments(base)
    assert segments.value_threshold == alone.value_threshold
    assert segments.loyalty_threshold == alone.loyalty_threshold
    assert list(segments.segment[-2:]) == ["inactive", "inactive"]
    assert np.isnan(segments.loyalty[-2:]).all()


def test_lapsed_customers_are_their_own_group_and_shift_no_thresholds():
    base = _customers(np.arange(11) * 10.0, lapsed=[False] * 11)
    lapsed = _customers([1e6, np.nan, 0.0], spend=[1e4, 1e4, 1e4], lapsed=[True] * 3)
    segments = assign_segments(pd.concat([base, lapsed], ignore_index=True))
    assert list(segments.segment[-3:]) == ["recently_lapsed"] * 3
    assert segments.value_threshold == 80.0
    assert segments.median_spend == 50.0  # the lapsed customers' spend is not counted
    assert not segments.key_account[-3:].any()


def test_the_top_n_by_value_are_key_accounts_ties_included():
    frame = _customers([5.0, 900.0, 300.0, 300.0, 100.0])
    segments = assign_segments(frame, SegmentSpec(key_account_top=2))
    assert segments.key_account_threshold == 300.0
    assert segments.key_account.tolist() == [False, True, True, True, False]
    more = assign_segments(frame, SegmentSpec(key_account_top=50))
    assert more.key_account.all()


def test_customers_above_a_value_are_key_accounts():
    frame = _customers([5.0, 900.0, 300.0, 299.99, 100.0])
    segments = assign_segments(frame, SegmentSpec(key_account_value=300))
    assert segments.key_account_threshold == 300.0
    assert segments.key_account.tolist() == [False, True, True, False, False]


def test_either_key_account_rule_makes_a_key_account():
    frame = _customers([5.0, 900.0, 300.0, 200.0, 100.0])
    segments = assign_segments(frame, SegmentSpec(key_account_top=1, key_account_value=150))
    assert segments.key_account_threshold == 150.0
    assert segments.key_account.tolist() == [False, True, True, True, False]


def test_an_inactive_customer_can_be_a_key_account():
    frame = _customers([5.0, 10.0, 9000.0], spend=[50.0, 50.0, 0.0])
    segments = assign_segments(frame, SegmentSpec(key_account_top=1))
    assert segments.segment[2] == "inactive"
    assert segments.key_account.tolist() == [False, False, True]


def test_without_key_account_rules_there_are_none():
    segments = assign_segments(_customers([5.0, 10.0]))
    assert segments.key_account_threshold is None
    assert not segments.key_account.any()


def test_the_result_renders_as_one_line_html_and_json():
    frame = _customers(np.arange(11) * 10.0, spend=[50.0] * 10 + [0.0])
    segments = assign_segments(frame, SegmentSpec(key_account_top=1))
    assert repr(segments) == (
        "<Segments: 11 customers; high value >= 72.00, high loyalty >= 0.550, "
        "inactive below 5.00 a month; 1 key accounts>"
    )
    data = json.loads(json.dumps(segments.to_dict()))
    assert data["spec"] == SegmentSpec(key_account_top=1).to_dict()
    assert data["thresholds"]["key_account_threshold"] == 100.0  # the inactive customer
    assert [row["customers"] for row in data["counts"]] == [2, 0, 3, 5, 1, 0]
    assert "<td>high_value_high_loyalty</td>" in segments._repr_html_()


def test_an_empty_base_leaves_the_thresholds_empty():
    segments = assign_segments(_customers([1.0, 2.0], spend=[0.0, 0.0]))
    assert list(segments.segment) == ["inactive", "inactive"]
    assert segments.thresholds()["value_threshold"] is None


def test_a_million_customers_are_segmented_without_loops():
    rng = np.random.default_rng(0)
    n = 1_000_000
    frame = _customers(
        rng.gamma(2, 300, n),
        spend=rng.gamma(2, 30, n),
        tenure=rng.integers(0, 3000, n),
        points=np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 500, n)),
        lapsed=rng.random(n) < 0.03,
    )
    counts = assign_segments(frame).counts().set_index("segment")["customers"]
    base = counts[list(SEGMENTS[:4])].sum()
    high = counts["high_value_high_loyalty"] + counts["high_value_low_loyalty"]
    assert high / base == pytest.approx(0.2, abs=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"high_value_share": 0},
            r"The 'high_value_share' parameter of SegmentSpec must be a number in \(0, 1\). Got 0 instead.",
        ),
        ({"high_value_share": 1.0}, r"'high_value_share' .* Got 1.0 instead"),
        ({"high_loyalty_share": "half"}, r"'high_loyalty_share' .* Got 'half' instead"),
        ({"inactive_spend_share": -0.1}, r"'inactive_spend_share' .* in \[0, 1\). Got -0.1"),
        (
            {"key_account_top": -1},
            r"'key_account_top' parameter of SegmentSpec must be an int >= 0. Got -1",
        ),
        ({"key_account_top": 2.5}, r"'key_account_top' .* Got 2.5 instead"),
        ({"key_account_value": 0}, r"'key_account_value' .* a number > 0 or None. Got 0 instead"),
    ],
)
def test_bad_segment_specs_are_refused_with_the_parameter_and_the_value(kwargs, message):
    with pytest.raises(SpecError, match=message):
        SegmentSpec(**kwargs)


def test_segment_specs_round_trip_and_unknown_settings_are_named():
    spec = SegmentSpec(high_value_share=0.1, key_account_top=25, key_account_value=1e4)
    assert SegmentSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(
        SpecError, match=r"no setting 'key_acount_top' .* Did you mean 'key_account_top'"
    ):
        SegmentSpec.from_dict({"key_acount_top": 5})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="value"), r"needs the column\(s\) 'value'; the frame has"),
        (
            lambda f: f.assign(value=[-1.0, 2.0, 3.0]),
            r"1 customers have a negative value, e.g. row 0",
        ),
        (lambda f: f.assign(value=[1.0, np.nan, 3.0]), r"value is missing for 1 active customers"),
        (lambda f: f.assign(monthly_spend=[1.0, -2.0, 3.0]), r"negative mean spend, e.g. row 1"),
        (lambda f: f.assign(lapsed=[True, None, False]), r"'lapsed' column must be True or False"),
        (lambda f: f.assign(tenure_days=[1.0, np.nan, 3.0]), r"1 of 3 are missing or negative"),
        (lambda f: f.assign(loyalty_points=[1.0, -2.0, 3.0]), r"Loyalty points cannot be negative"),
    ],
)
def test_bad_data_are_refused_with_what_to_check(change, message):
    with pytest.raises(DataError, match=message):
        assign_segments(change(_customers([1.0, 2.0, 3.0])))
