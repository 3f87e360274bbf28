"""Invariants that keep the metrics honest, checked on generated predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.evaluate import capture_rate, churn_metrics, decile_table, lift, roc_auc

# Probabilities on a grid of 1/200 so that ties are common (as after isotonic calibration)
# and strictly increasing transforms keep distinct values distinct in floating point.
rows = st.lists(
    st.tuples(st.booleans(), st.integers(min_value=0, max_value=200)), min_size=2, max_size=60
).filter(lambda r: 0 < sum(y for y, _ in r) < len(r))

FAST = settings(max_examples=40, deadline=None)


def arrays(data: list[tuple[bool, int]]) -> tuple[np.ndarray, np.ndarray]:
    y = np.array([y for y, _ in data], dtype=bool)
    p = np.array([k for _, k in data], dtype=float) / 200
    return y, p


@FAST
@given(rows, st.randoms(use_true_random=False))
def test_metrics_do_not_depend_on_row_order(data, random):
    y, p = arrays(data)
    order = list(range(len(y)))
    random.shuffle(order)

    before, after = churn_metrics(y, p), churn_metrics(y[order], p[order])

    assert after == pytest.approx(before, nan_ok=True)
    pd.testing.assert_frame_equal(decile_table(y[order], p[order]), decile_table(y, p))


@FAST
@given(rows)
def test_lift_and_capture_of_everyone_are_one(data):
    y, p = arrays(data)

    assert lift(y, p, 1.0) == pytest.approx(1.0)
    assert capture_rate(y, p, 1.0) == pytest.approx(1.0)


@FAST
@given(rows, st.sampled_from(["sqrt", "square", "logit_shift", "affine"]))
def test_ranking_metrics_ignore_strictly_increasing_transforms(data, transform):
    y, p = arrays(data)
    q = {
        "sqrt": np.sqrt(p),
        "square": p**2,
        "logit_shift": 1 / (1 + np.exp(-(4 * p - 1))),
        "affine": 0.1 + 0.5 * p,
    }[transform]

    assert roc_auc(y, q) == pytest.approx(roc_auc(y, p))
    for fraction in (0.05, 0.1, 0.2, 0.5):
        assert lift(y, q, fraction) == pytest.approx(lift(y, p, fraction))


@FAST
@given(rows, st.floats(min_value=0.01, max_value=1.0))
def test_capture_grows_with_the_share_targeted_and_stays_in_0_1(data, fraction):
    y, p = arrays(data)

    low, high = capture_rate(y, p, fraction / 2), capture_rate(y, p, fraction)

    assert 0.0 <= low <= high + 1e-12 <= 1.0 + 1e-12
