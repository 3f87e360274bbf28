"""Churn rate by feature cohort (deciles of numbers, levels of categories)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from churnlab.errors import SpecError
from churnlab.evaluate import CohortChurnDisplay, churn_by_cohort


@pytest.fixture
def frame():
    rng = np.random.default_rng(7)
    spend = rng.gamma(2.0, 30.0, 1000)
    spend[:50] = np.nan
    return pd.DataFrame(
        {
            "spend": spend,
            "plan": rng.choice(["basic", "premium"], 1000),
            "churned": (rng.random(1000) < 0.1).astype(int),
        }
    )


def test_numeric_features_are_cut_into_ordered_deciles_with_missing_last(frame):
    table = churn_by_cohort(frame, "spend")
    assert len(table) == 11 and table["cohort"].iloc[-1] == "missing"
    deciles = table.iloc[:-1]
    assert deciles["lower"].is_monotonic_increasing
    assert (deciles["customers"] == 95).all()
    assert table["customers"].sum() == len(frame)
    assert table["churned"].sum() == frame["churned"].sum()


def test_tied_edges_merge_into_fewer_cohorts():
    frame = pd.DataFrame({"complaints": [0] * 8 + [1, 4], "churned": [0] * 8 + [1, 1]})
    table = churn_by_cohort(frame, "complaints")
    assert table["cohort"].tolist() == ["0", "1", "4"]
    assert table["churn_rate"].tolist() == [0.0, 1.0, 1.0]


def test_categories_are_ranked_by_churn_rate(frame):
    table = churn_by_cohort(frame, "plan")
    assert set(table["cohort"]) == {"basic", "premium"}
    assert table["churn_rate"].is_monotonic_decreasing
    assert table["lower"].isna().all()


@pytest.mark.parametrize(
    ("feature", "bins", "message"),
    [
        ("region", 10, "The frame given to churn_by_cohort has no column 'region'"),
        ("spend", 1, "The 'bins' parameter of churn_by_cohort must be an int >= 2. Got 1"),
    ],
)
def test_bad_parameters_are_refused(frame, feature, bins, message):
    with pytest.raises(SpecError, match=message):
        churn_by_cohort(frame, feature, bins=bins)


def test_display_draws_a_bar_per_cohort_and_the_overall_rate(frame):
    display = CohortChurnDisplay.from_frame(frame, "spend", bins=5).plot()
    assert len(display.ax_.patches) == 6  # 5 quintiles and the missing values
    assert display.ax_.lines[0].get_ydata()[0] == pytest.approx(frame["churned"].mean())
    plt.close(display.figure_)
