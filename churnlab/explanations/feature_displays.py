"""Displays of one feature and of one customer: the dependence of a feature's SHAP value on
its value (coloured by its strongest interaction), and one customer's waterfall."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from numpy.typing import ArrayLike, NDArray

from churnlab.errors import SpecError
from churnlab.explanations.explanation import Explanation
from churnlab.explanations.plotting import (
    LOWERS,
    MAX_POINTS,
    MISSING,
    RAISES,
    VALUE_COLORS,
    as_numbers,
    check_max_display,
    figure_of,
    new_axes,
    sample_rows,
    value_norm,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def strongest_interaction(
    explanation: Explanation, feature: str, *, rows: NDArray[np.intp] | None = None
) -> str | None:
    """The feature that seems to interact most with ``feature`` (``None`` if none does).

    The heuristic of ``shap.utils.approximate_interactions``: sort the customers by the
    feature's value, cut them into bins of equal size, and add up, over the bins, the absolute
    correlation between the feature's SHAP value and each other feature's value, or whether
    it is missing, whichever sums higher (bins where the value is missing count only for the
    latter). Without
    interaction the SHAP value hardly varies within a bin. Categories count as their codes.
    """
    rows = np.arange(len(explanation)) if rows is None else rows
    x = as_numbers(explanation.data[feature].iloc[rows])
    order = np.argsort(x)  # shap's order (ties included), for the same bins
    shap_sorted = explanation.values[feature].to_numpy()[rows][order]
    step = max(min(len(rows) // 10, 50), 1)
    best, best_score = None, 0.0
    for other in explanation.feature_names:
        if other == feature:
            continue
        values = as_numbers(explanation.data[other].iloc[rows])[order]
        score = 0.0
        for candidate in (values, np.isnan(values).astype(float)):
            if np.abs(candidate).sum() < 1e-8:  # NaN sums compare False: such columns count
                continue
            total = 0.0
            for start in range(0, len(candidate), step):
                a, b = shap_sorted[start : start + step], candidate[start : start + step]
                if a.std() > 0 and b.std() > 0:  # a bin with a missing value is skipped
                    total += abs(float(np.corrcoef(a, b)[0, 1]))
            score = max(score, total)
        if score > best_score:
            best, best_score = other, score
    return best


class DependenceDisplay:
    """One feature's SHAP value against its value, coloured by its strongest interaction.

    Attributes
    ----------
    feature, color_by:
        The feature, and the feature whose value colours the dots (``None``: no colour).
    x, shap, color:
        Per sampled customer with a value: the feature's value (categories as positions),
        its SHAP value, and the colouring feature's value scaled to 0..1 (NaN: missing).
    categories, color_categories:
        The category labels of ``feature`` and of ``color_by`` (empty when numeric).
    missing:
        Sampled customers without a value of ``feature`` (not drawn).
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(
        self,
        *,
        feature: str,
        color_by: str | None,
        x: NDArray[np.float64],
        shap: NDArray[np.float64],
        color: NDArray[np.float64],
        categories: Sequence[str] = (),
        color_categories: Sequence[str] = (),
        missing: int = 0,
        color_range: tuple[float, float] = (0.0, 1.0),
    ) -> None:
        self.feature, self.color_by = feature, color_by
        self.x, self.shap, self.color = x, shap, color
        self.categories, self.color_categories = list(categories), list(color_categories)
        self.missing, self.color_range = missing, color_range

    @classmethod
    def from_explanation(
        cls,
        explanation: Explanation,
        feature: str | None = None,
        *,
        color_by: str | None = "auto",
        max_points: int = MAX_POINTS,
        seed: int = 0,
    ) -> DependenceDisplay:
        """``feature`` (default the top driver), coloured by ``color_by``: a feature, ``"auto"``
        (its strongest interaction, see :func:`strongest_interaction`) or ``None``."""
        feature = explanation.top_driver if feature is None else feature
        explanation.entry(feature)  # a clear error for an unknown feature
        rows = sample_rows(len(explanation), max_points, seed)
        if color_by == "auto":
            color_by = strongest_interaction(explanation, feature, rows=rows)
        elif color_by is not None:
            explanation.entry(color_by)
        column = explanation.data[feature].iloc[rows]
        x = as_numbers(column)
        has = np.isfinite(x)
        categories = (
            [str(c) for c in column.cat.categories]
            if isinstance(column.dtype, pd.CategoricalDtype)
            else []
        )
        color = np.full(int(has.sum()), np.nan)
        color_categories: list[str] = []
        color_range = (0.0, 1.0)
        if color_by is not None:
            other = explanation.data[color_by].iloc[rows]
            numbers = as_numbers(other)[has]
            if isinstance(other.dtype, pd.CategoricalDtype):
                color_categories = [str(c) for c in other.cat.categories]
                color = numbers
            else:
                norm = value_norm(numbers)
                color = np.asarray(np.ma.filled(norm(numbers), np.nan), dtype=float)
                color_range = (float(cast(float, norm.vmin)), float(cast(float, norm.vmax)))
        return cls(
            feature=feature,
            color_by=color_by,
            x=x[has],
            shap=explanation.values[feature].to_numpy()[rows][has],
            color=color,
            categories=categories,
            color_categories=color_categories,
            missing=int((~has).sum()),
            color_range=color_range,
        )

    def plot(self, ax: Axes | None = None) -> DependenceDisplay:
        """Draw the dots on ``ax`` (a new figure when ``None``); return ``self``."""
        ax = new_axes(ax, figsize=(8, 5))
        x = self.x.copy()
        if self.categories:  # spread the dots of a category around its position
            x = x + np.random.default_rng(0).uniform(-0.3, 0.3, size=len(x))
            ax.set_xticks(range(len(self.categories)), self.categories, rotation=20, ha="right")
        known = np.isfinite(self.color)
        ax.scatter(x[~known], self.shap[~known], s=8, color=MISSING, linewidths=0, rasterized=True)
        if self.color_categories:
            for code, label in enumerate(self.color_categories):
                mask = known & (self.color == code)
                if mask.any():
                    ax.scatter(
                        x[mask],
                        self.shap[mask],
                        s=8,
                        color=f"C{code % 10}",
                        label=label,
                        linewidths=0,
                        rasterized=True,
                    )
            ax.legend(title=self.color_by, fontsize=8, markerscale=2, loc="best")
        elif self.color_by is not None:
            ax.scatter(
                x[known],
                self.shap[known],
                s=8,
                c=self.color[known],
                cmap=VALUE_COLORS,
                vmin=0,
                vmax=1,
                linewidths=0,
                rasterized=True,
            )
            low, high = self.color_range
            bar = figure_of(ax).colorbar(
                ScalarMappable(norm=Normalize(low, high), cmap=VALUE_COLORS), ax=ax, pad=0.01
            )
            bar.set_label(f"{self.color_by} (grey: missing)")
        ax.axhline(0.0, color="0.4", lw=0.8)
        note = f"; {self.missing:,} customers without a value not shown" if self.missing else ""
        colour = f", coloured by {self.color_by}" if self.color_by else ""
        ax.set(
            title=f"How {self.feature} moves the churn risk{colour}{note}",
            xlabel=self.feature,
            ylabel=f"SHAP value of {self.feature}",
        )
        ax.title.set_fontsize(10)
        ax.grid(alpha=0.3)
        self.ax_ = ax
        self.figure_ = figure_of(ax)
        return self


class WaterfallDisplay:
    """One customer's explanation: from the base value, each feature's push up or down.

    Attributes
    ----------
    title:
        Who (customer id, cutoff) with the calibrated churn probability and risk band.
    labels, contributions:
        ``feature = value`` and its SHAP value, largest first (the last may sum the others).
    base_value, raw_score:
        Where the bars start (the base value) and end (the customer's raw score).
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(
        self,
        *,
        title: str,
        labels: Sequence[str],
        contributions: ArrayLike,
        base_value: float,
        raw_score: float,
    ) -> None:
        self.title, self.labels = title, list(labels)
        self.contributions = np.asarray(contributions, dtype=float)
        self.base_value, self.raw_score = base_value, raw_score

    @classmethod
    def from_explanation(
        cls,
        explanation: Explanation,
        row: int = 0,
        *,
        customer_id: str | None = None,
        max_display: int = 10,
    ) -> WaterfallDisplay:
        """The customer at position ``row``, or the (only) row of ``customer_id``."""
        check_max_display(max_display)
        ids = explanation.customers["customer_id"].astype(str)
        if customer_id is not None:
            found = np.flatnonzero(ids.to_numpy() == str(customer_id))
            if len(found) == 0:
                raise SpecError(f"The explanation has no customer {customer_id!r}.")
            if len(found) > 1:
                raise SpecError(
                    f"Customer {customer_id!r} has {len(found)} rows (one per cutoff); pass "
                    f"row= one of {', '.join(map(str, found[:5]))}."
                )
            row = int(found[0])
        if (
            isinstance(row, bool)
            or not isinstance(row, int | np.integer)
            or not 0 <= row < len(explanation)
        ):
            raise SpecError(
                f"The 'row' parameter of WaterfallDisplay.from_explanation must be an int in "
                f"[0, {len(explanation) - 1}]. Got {row!r} instead."
            )
        values = explanation.values.iloc[row]
        order = values.abs().sort_values(ascending=False, kind="stable").index.tolist()
        shown = order if len(order) <= max_display else order[: max_display - 1]
        labels = [f"{name} = {_shown(explanation.data[name].iloc[row])}" for name in shown]
        contributions = [float(values[name]) for name in shown]
        if len(shown) < len(order):
            labels.append(f"{len(order) - len(shown)} other features")
            contributions.append(float(values[order[len(shown) :]].sum()))
        who = explanation.customers.iloc[row]
        when = next(
            (
                f" at {pd.Timestamp(who[c]).date()}"
                for c in ("cutoff", "as_of")
                if c in explanation.customers.columns
            ),
            "",
        )
        title = (
            f"Customer {who['customer_id']}{when}: churn probability "
            f"{who['churn_probability']:.1%} ({who['risk_band']} risk)"
        )
        return cls(
            title=title,
            labels=labels,
            contributions=contributions,
            base_value=explanation.base_value,
            raw_score=float(explanation.base_value + values.sum()),
        )

    def plot(self, ax: Axes | None = None) -> WaterfallDisplay:
        """Draw the bars on ``ax`` (a new figure when ``None``); return ``self``."""
        ax = new_axes(ax, figsize=(8, 0.45 * len(self.labels) + 1.6))
        n = len(self.labels)
        ends = self.base_value + np.cumsum(self.contributions[::-1])
        starts = np.r_[self.base_value, ends[:-1]]
        y = np.arange(n)
        for yi, start, value in zip(y, starts, self.contributions[::-1], strict=True):
            ax.barh(yi, value, left=start, color=RAISES if value > 0 else LOWERS, height=0.7)
            ax.annotate(
                f"{value:+.3f}",
                (start + value, yi),
                xytext=(3 if value > 0 else -3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                ha="left" if value > 0 else "right",
            )
        ax.set_yticks(y, self.labels[::-1])
        ax.axvline(
            self.base_value, color="0.5", ls="--", lw=0.8, label=f"base value {self.base_value:.3f}"
        )
        ax.axvline(self.raw_score, color="0.2", lw=0.8, label=f"this customer {self.raw_score:.3f}")
        ax.set(title=self.title, xlabel="Raw score (log-odds of churn, before calibration)")
        ax.title.set_fontsize(10)
        edges = np.r_[starts, ends, self.base_value]
        pad = 0.15 * (float(edges.max() - edges.min()) or 1.0)
        ax.set_xlim(float(edges.min()) - pad, float(edges.max()) + pad)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        self.ax_ = ax
        self.figure_ = figure_of(ax)
        return self


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)
