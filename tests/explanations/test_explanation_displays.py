"""Display objects: compute in ``from_explanation``, draw in ``plot`` on a given Axes or their
own figure, without warnings and without ``plt.show``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from churnlab.errors import SpecError
from churnlab.explanations import (
    BeeswarmDisplay,
    DependenceDisplay,
    ImportanceDisplay,
    SegmentDriversDisplay,
    WaterfallDisplay,
)
from churnlab.explanations.displays import strongest_interaction
from churnlab.explanations.plotting import as_numbers

DISPLAYS = {
    "beeswarm": lambda e: BeeswarmDisplay.from_explanation(e, max_points=800),
    "importance by feature": lambda e: ImportanceDisplay.from_explanation(e),
    "importance by category": lambda e: ImportanceDisplay.from_explanation(e, by="category"),
    "importance by family": lambda e: ImportanceDisplay.from_explanation(e, by="family"),
    "dependence of a number": lambda e: DependenceDisplay.from_explanation(
        e, "days_since_complaint", max_points=800
    ),
    "dependence of a category": lambda e: DependenceDisplay.from_explanation(
        e, "contract", max_points=800
    ),
    "dependence coloured by a category": lambda e: DependenceDisplay.from_explanation(
        e, "tenure_days", color_by="plan", max_points=800
    ),
    "waterfall": lambda e: WaterfallDisplay.from_explanation(e, 3),
    "drivers by risk band": lambda e: SegmentDriversDisplay.from_explanation(e),
    "drivers by plan": lambda e: SegmentDriversDisplay.from_explanation(
        e, by="plan", statistic="mean", level="family"
    ),
}


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    import matplotlib.pyplot as plt

    def show(*args, **kwargs):
        raise AssertionError("a display called plt.show()")

    monkeypatch.setattr(plt, "show", show)


@pytest.mark.parametrize("name", DISPLAYS)
def test_each_display_draws_on_a_given_axes_without_warnings(explanation, name):
    figure = Figure(figsize=(8, 5), layout="constrained")  # never seen by pyplot
    ax = figure.subplots()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        display = DISPLAYS[name](explanation).plot(ax=ax)
        figure.canvas.draw()

    assert [str(w.message) for w in caught] == []
    assert display.ax_ is ax
    assert display.figure_ is figure
    assert ax.has_data()


@pytest.mark.parametrize("name", DISPLAYS)
def test_each_display_draws_on_its_own_figure(explanation, name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        display = DISPLAYS[name](explanation).plot()
        display.figure_.canvas.draw()

    assert [str(w.message) for w in caught] == []
    assert display.ax_ in display.figure_.axes


def test_beeswarm_shows_the_top_features_and_sums_the_rest(explanation):
    display = BeeswarmDisplay.from_explanation(explanation, max_display=5, max_points=300)

    top = list(explanation.importance()["feature"].head(4))
    assert display.names == [*top, f"sum of {len(explanation.features) - 4} other features"]
    assert display.sampled == 300 and display.customers == len(explanation)
    assert all(len(s) == 300 for s in display.shap)
    assert display.categorical[top.index("contract")] if "contract" in top else True


def test_importance_bars_are_the_importance_table(explanation):
    display = ImportanceDisplay.from_explanation(explanation, by="category", max_display=20)
    table = explanation.importance("category")

    assert display.names == list(table["reason_category"])
    np.testing.assert_allclose(display.importance, table["mean_abs_shap"])


def test_the_strongest_interaction_is_shaps_approximate_interactions(explanation, shap):
    rows = np.arange(3000)
    x = np.column_stack(
        [as_numbers(explanation.data[c].iloc[rows]) for c in explanation.feature_names]
    )
    values = explanation.values.to_numpy()[rows]

    for feature in explanation.importance()["feature"].head(4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            order = shap.utils.approximate_interactions(
                feature, values, x, feature_names=explanation.feature_names
            )
        expected = explanation.feature_names[order[0]]
        assert strongest_interaction(explanation, feature, rows=rows) == expected


def test_dependence_colours_by_the_strongest_interaction_by_default(explanation):
    display = DependenceDisplay.from_explanation(explanation, "tenure_days", max_points=1000)

    assert display.color_by == strongest_interaction(
        explanation,
        "tenure_days",
        rows=np.sort(np.random.default_rng(0).choice(len(explanation), 1000, replace=False)),
    )
    assert DependenceDisplay.from_explanation(explanation).feature == explanation.top_driver


def test_a_waterfall_starts_at_the_base_value_and_ends_at_the_customers_score(explanation):
    display = WaterfallDisplay.from_explanation(explanation, 7, max_display=6)

    others = len(explanation.features) - 5
    assert len(display.labels) == 6 and display.labels[-1] == f"{others} other features"
    assert display.base_value + display.contributions.sum() == pytest.approx(
        explanation.raw_score[7], abs=1e-9
    )
    who = explanation.customers.iloc[7]
    assert display.title.startswith(f"Customer {who['customer_id']} at ")


def test_a_waterfall_finds_a_customer_by_id(explanation):
    ids = explanation.customers["customer_id"]
    once = ids[~ids.duplicated(keep=False)].iloc[0]
    twice = ids[ids.duplicated()].iloc[0]

    display = WaterfallDisplay.from_explanation(explanation, customer_id=once)
    assert display.title.startswith(f"Customer {once} ")
    with pytest.raises(SpecError, match=rf"Customer '{twice}' has \d+ rows \(one per cutoff\)"):
        WaterfallDisplay.from_explanation(explanation, customer_id=twice)
    with pytest.raises(SpecError, match=r"The explanation has no customer 'nobody'"):
        WaterfallDisplay.from_explanation(explanation, customer_id="nobody")
    with pytest.raises(SpecError, match=r"The 'row' parameter of WaterfallDisplay"):
        WaterfallDisplay.from_explanation(explanation, len(explanation))


def test_drivers_by_segment_average_each_segments_grouped_values(explanation):
    display = SegmentDriversDisplay.from_explanation(explanation, statistic="mean")
    grouped = explanation.grouped("category")
    high = np.asarray(explanation.risk_band == "medium")

    row = next(label for label in display.table.index if label.startswith("medium ("))
    np.testing.assert_allclose(
        display.table.loc[row, list(grouped.columns)], grouped[high].mean(), atol=1e-12
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda e: DependenceDisplay.from_explanation(e, "shoe_size"), r"no feature 'shoe_size'"),
        (
            lambda e: SegmentDriversDisplay.from_explanation(e, by="tenure_days"),
            r"The 'by' parameter of SegmentDriversDisplay.from_explanation must be 'risk_band' "
            r"or a categorical feature \('plan'",
        ),
        (
            lambda e: SegmentDriversDisplay.from_explanation(e, statistic="median"),
            r"'statistic' parameter .* must be 'mean_abs' or 'mean'. Got 'median'",
        ),
        (
            lambda e: BeeswarmDisplay.from_explanation(e, max_points=0),
            r"The 'max_points' parameter must be an int >= 1. Got 0",
        ),
        (
            lambda e: ImportanceDisplay.from_explanation(e, by="colour"),
            r"The 'by' parameter of ImportanceDisplay.from_explanation must be one of",
        ),
    ],
)
def test_bad_display_parameters_are_named(explanation, make, message):
    with pytest.raises(SpecError, match=message):
        make(explanation)
