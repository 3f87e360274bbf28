"""Data-only descriptions: left truncation, retention curves, value concentration, and their
displays."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from churnlab.errors import SpecError
from churnlab.tables import (
    ChurnByMonthDisplay,
    ConcentrationDisplay,
    RetentionDisplay,
    monthly_churn,
    observed_from,
    retention_curves,
    top_share_of_value,
    value_concentration,
)

EXTRACT = pd.Timestamp("2023-06-30")


def _customers(rows):
    frame = pd.DataFrame(rows, columns=["signup_date", "end_date", "plan"])
    frame["signup_date"] = pd.to_datetime(frame["signup_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


@pytest.fixture
def truncated():
    """An extract starting in 2023: long-standing customers alive then, and two leavers."""
    return _customers(
        [
            ("2019-05-01", None, "basic"),
            ("2020-01-15", "2023-03-10", "basic"),
            ("2021-07-01", None, "premium"),
            ("2023-01-20", "2023-05-02", "premium"),
            ("2023-02-01", None, "premium"),
        ]
    )


def test_observed_from_is_the_first_leavers_month(truncated):
    assert observed_from(truncated) == pd.Timestamp("2023-03-01")
    assert observed_from(truncated.assign(end_date=pd.NaT)) is None


def test_monthly_churn_marks_the_months_before_the_first_leaver(truncated):
    frame = monthly_churn(truncated, EXTRACT)
    marked = frame.set_index("month")["left_truncated"]
    assert marked[: pd.Timestamp("2023-02-01")].all()
    assert not marked[pd.Timestamp("2023-03-01") :].any()
    assert frame.loc[frame["left_truncated"], "churned"].sum() == 0


def test_monthly_churn_marks_everything_when_no_one_left(truncated):
    assert monthly_churn(truncated.assign(end_date=pd.NaT), EXTRACT)["left_truncated"].all()


def test_retention_counts_customers_only_from_when_the_extract_sees_them(truncated):
    curves = retention_curves(truncated, EXTRACT, by="plan", min_at_risk=1)
    basic = curves[curves["group"] == "basic"]
    # Both basic customers signed up years before the extract: no month before it is shown.
    assert basic["month"].min() >= 34
    assert basic["churned"].sum() == 1
    premium = curves[curves["group"] == "premium"].set_index("month")
    # Seen from March: the February signup from month 0, the January one from month 1, the 2021
    # one only from its 20th month.
    assert premium.loc[0, "at_risk"] == 1 and premium.loc[1, "at_risk"] == 2
    assert premium.loc[3, "churned"] == 1
    assert premium["retention"].is_monotonic_decreasing


def test_retention_by_cohort_groups_by_signup_year(truncated):
    groups = set(retention_curves(truncated, EXTRACT, min_at_risk=1)["group"])
    assert groups == {"2019", "2020", "2021", "2023"}


def test_retention_stops_where_too_few_are_at_risk(truncated):
    curves = retention_curves(truncated, EXTRACT, by="plan", min_at_risk=2)
    assert (curves["at_risk"] >= 2).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "region"}, "The 'by' parameter of retention_curves must be 'cohort' or a"),
        ({"min_at_risk": 0}, "The 'min_at_risk' parameter of retention_curves must be an int"),
    ],
)
def test_retention_refuses_bad_parameters(truncated, kwargs, message):
    with pytest.raises(SpecError, match=message):
        retention_curves(truncated, EXTRACT, **kwargs)


def test_value_concentration_is_a_lorenz_curve_from_the_top():
    values = pd.Series([10.0, 0.0, np.nan, 30.0, 60.0])
    curve = value_concentration(values, points=5)
    assert curve["value_share"].iloc[0] == 0 and curve["value_share"].iloc[-1] == 1
    assert top_share_of_value(curve, 0.2) == pytest.approx(0.6)
    assert curve["value_share"].is_monotonic_increasing


def test_value_concentration_refuses_negative_values():
    with pytest.raises(SpecError, match="must hold non-negative values with a positive total"):
        value_concentration([1.0, -2.0])


def test_displays_draw_and_say_what_they_show(truncated):
    month = ChurnByMonthDisplay(frame=monthly_churn(truncated, EXTRACT)).plot()
    assert month.title().startswith("Monthly churn from Mar 2023; the ")
    assert len(month.ax_.lines[0].get_xdata()) == 4  # Mar..Jun, the cut months not drawn
    retention = RetentionDisplay(
        curves=retention_curves(truncated, EXTRACT, by="plan", min_at_risk=1), by="plan"
    ).plot()
    assert [t.get_text() for t in retention.ax_.get_legend().get_texts()] == ["basic", "premium"]
    concentration = ConcentrationDisplay.from_values([1, 1, 1, 7], what="spend").plot()
    assert concentration.sentence() == (
        "The top 10% of customers hold 28% of the spend, the top 20% hold 56%."
    )
    for display in (month, retention, concentration):
        plt.close(display.figure_)
