"""Plots of SHAP values as Display objects: compute in ``from_explanation``, draw in ``plot``.

Each display keeps what it computed as attributes, draws with ``plot(ax=None)`` (a new figure
when ``ax`` is ``None``) and then holds ``figure_`` and ``ax_``. Nothing here calls
``plt.show()`` or writes a file. They draw with matplotlib alone (``shap.plots`` functions
draw on pyplot's current figure, which a report's figures are not):
:meth:`~churnlab.explanations.Explanation.to_shap` gives the values to ``shap.plots`` too.

SHAP values are on the booster's log-odds scale: positive values raise the churn risk.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> display = ImportanceDisplay(names=["a", "b"], importance=[0.2, 0.1], colors=["C0", "C1"],
...     legend={}, label="mean |SHAP|").plot()
>>> display.figure_ is display.ax_.figure
True
>>> import matplotlib.pyplot as plt; plt.close(display.figure_)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, TwoSlopeNorm
from numpy.typing import ArrayLike, NDArray

from churnlab.errors import SpecError
from churnlab.explanations.entries import check_grouping
from churnlab.explanations.explanation import KEY_NAMES, Explanation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

MAX_POINTS = 5_000
RAISES, LOWERS, MISSING = "#d62728", "#1f77b4", "#9a9a9a"
VALUE_COLORS = LinearSegmentedColormap.from_list("low_high", ["#1f77b4", "#b36bd4", "#d62728"])
SHAP_LABEL = "SHAP value (log-odds; above 0 raises the churn risk)"
CATEGORY_COLORS = {
    "service": "C3",
    "price": "C1",
    "product": "C2",
    "payment": "C4",
    "tenure": "C0",
    "engagement": "C5",
}


def _new_axes(ax: Axes | None, *, figsize: tuple[float, float]) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _figure(ax: Axes) -> Figure | SubFigure:
    return cast("Figure | SubFigure", ax.figure)


def _sample(n: int, max_points: int, seed: int) -> NDArray[np.intp]:
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise SpecError(
            f"The 'max_points' parameter must be an int >= 1. Got {max_points!r} instead."
        )
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


def _check_max_display(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"The 'max_display' parameter must be an int >= 1. Got {value!r} instead.")


def _numbers(column: pd.Series) -> NDArray[np.float64]:
    """Values as numbers: categories as their codes, missing as NaN."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return np.where(codes < 0, np.nan, codes).astype(float)
    return column.to_numpy(dtype=float, na_value=np.nan)


def _value_norm(values: NDArray[np.float64]) -> Normalize:
    """Colours from the 5th to the 95th percentile (outliers do not wash the rest out)."""
    known = values[np.isfinite(values)]
    if len(known) == 0:
        return Normalize(0.0, 1.0)
    low, high = np.percentile(known, [5, 95])
    if low == high:
        low, high = float(known.min()), float(known.max())
    if low == high:
        high = low + 1.0
    return Normalize(float(low), float(high), clip=True)


def _swarm(
    shap_values: NDArray[np.float64], width: float = 0.4, bins: int = 100
) -> NDArray[np.float64]:
    """Vertical offsets that stack points of similar SHAP value into a swarm."""
    n = len(shap_values)
    if n == 0:
        return np.zeros(0)
    span = float(np.ptp(shap_values)) or 1.0
    quant = np.round(bins * (shap_values - shap_values.min()) / span).astype(int)
    order = np.lexsort((np.arange(n), quant))
    offsets = np.zeros(n)
    layer, last = 0, -1
    for i in order:
        layer = layer + 1 if quant[i] == last else 0
        offsets[i] = np.ceil(layer / 2) * (1 if layer % 2 else -1)
        last = quant[i]
    top = np.abs(offsets).max()
    return offsets * (width / top) if top > 0 else offsets


class BeeswarmDisplay:
    """SHAP value of every customer (one dot each) for the top features, coloured by value.

    Attributes
    ----------
    names:
        The features drawn, most important first; the last row may sum the other features.
    shap, offsets, colors:
        Per row: the SHAP values of the sampled customers, their vertical offsets, and their
        feature values scaled to 0..1 for the colour (NaN: missing or categorical, in grey).
    categorical:
        Per row, whether the feature is categorical (no order: drawn in grey).
    customers, sampled:
        Customers explained, and how many are drawn.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(
        self,
        *,
        names: Sequence[str],
        shap: Sequence[NDArray[np.float64]],
        offsets: Sequence[NDArray[np.float64]],
        colors: Sequence[NDArray[np.float64]],
        categorical: Sequence[bool],
        customers: int,
        sampled: int,
    ) -> None:
        self.names, self.shap, self.offsets = list(names), list(shap), list(offsets)
        self.colors, self.categorical = list(colors), list(categorical)
        self.customers, self.sampled = customers, sampled

    @classmethod
    def from_explanation(
        cls,
        explanation: Explanation,
        *,
        max_display: int = 12,
        max_points: int = MAX_POINTS,
        seed: int = 0,
    ) -> BeeswarmDisplay:
        """The top ``max_display - 1`` features (and the sum of the others) of at most
        ``max_points`` customers drawn at random with ``seed``."""
        _check_max_display(max_display)
        rows = _sample(len(explanation), max_points, seed)
        order = list(explanation.importance("feature")["feature"])
        shown = order if len(order) <= max_display else order[: max_display - 1]
        rest = [f for f in order if f not in shown]
        names, shap, colors, categorical = [], [], [], []
        for name in shown:
            column = explanation.data[name].iloc[rows]
            values = explanation.values[name].to_numpy()[rows]
            is_category = isinstance(column.dtype, pd.CategoricalDtype)
            numbers = _numbers(column)
            scaled = np.full(len(rows), np.nan) if is_category else _value_norm(numbers)(numbers)
            names.append(name)
            shap.append(values)
            colors.append(np.asarray(np.ma.filled(scaled, np.nan), dtype=float))
            categorical.append(is_category)
        if rest:
            names.append(f"sum of {len(rest)} other features")
            shap.append(explanation.values[rest].to_numpy()[rows].sum(axis=1))
            colors.append(np.full(len(rows), np.nan))
            categorical.append(False)
        return cls(
            names=names,
            shap=shap,
            offsets=[_swarm(s) for s in shap],
            colors=colors,
            categorical=categorical,
            customers=len(explanation),
            sampled=len(rows),
        )

    def plot(self, ax: Axes | None = None) -> BeeswarmDisplay:
        """Draw on ``ax`` (a new figure when ``None``) with a colour bar; return ``self``."""
        ax = _new_axes(ax, figsize=(9, 0.45 * len(self.names) + 1.8))
        for i, (values, offsets, colors) in enumerate(
            zip(self.shap, self.offsets, self.colors, strict=True)
        ):
            y = len(self.names) - 1 - i + offsets
            known = np.isfinite(colors)
            ax.scatter(values[~known], y[~known], s=6, color=MISSING, linewidths=0, rasterized=True)
            ax.scatter(
                values[known],
                y[known],
                s=6,
                c=colors[known],
                cmap=VALUE_COLORS,
                vmin=0.0,
                vmax=1.0,
                linewidths=0,
                rasterized=True,
            )
        labels = [
            f"{n} (categories)" if c else n
            for n, c in zip(self.names, self.categorical, strict=True)
        ]
        ax.set_yticks(range(len(self.names)), labels[::-1])
        ax.axvline(0.0, color="0.4", lw=0.8)
        sampled = (
            f"{self.sampled:,} of {self.customers:,} customers"
            if self.sampled < self.customers
            else f"{self.customers:,} customers"
        )
        ax.set(title=f"What drives churn: SHAP values of {sampled}", xlabel=SHAP_LABEL)
        ax.grid(axis="x", alpha=0.3)
        bar = _figure(ax).colorbar(
            ScalarMappable(norm=Normalize(0, 1), cmap=VALUE_COLORS), ax=ax, pad=0.01, aspect=40
        )
        bar.set_ticks([0, 1], labels=["low", "high"])
        bar.set_label("Feature value (grey: missing or a category)")
        self.ax_ = ax
        self.figure_ = _figure(ax)
        return self


class ImportanceDisplay:
    """Mean absolute SHAP value per feature, family or reason category, as bars.

    Attributes
    ----------
    names, importance:
        The bars, most important first (the last may sum the others' importance).
    colors, legend:
        Each bar's colour (by reason category for features) and the legend (label: colour).
    label:
        What the bars measure.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(
        self,
        *,
        names: Sequence[str],
        importance: ArrayLike,
        colors: Sequence[str],
        legend: dict[str, str],
        label: str,
    ) -> None:
        self.names, self.importance = list(names), np.asarray(importance, dtype=float)
        self.colors, self.legend, self.label = list(colors), dict(legend), label

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, *, by: str = "feature", max_display: int = 15
    ) -> ImportanceDisplay:
        """Importance by ``by`` (``"feature"``, ``"group"``, ``"family"``, ``"category"``)."""
        check_grouping(by, where="ImportanceDisplay.from_explanation")
        _check_max_display(max_display)
        table = explanation.importance(by)
        key = KEY_NAMES[by]
        if len(table) > max_display:
            head = table.head(max_display - 1)
            names = [*map(str, head[key]), f"sum of {len(table) - len(head)} others"]
            values = [*head["mean_abs_shap"], float(table["mean_abs_shap"].iloc[len(head) :].sum())]
            categories = list(head["reason_category"]) if by == "feature" else []
        else:
            names, values = list(map(str, table[key])), list(table["mean_abs_shap"])
            categories = list(table["reason_category"]) if by == "feature" else []
        if by == "feature":
            colors = [CATEGORY_COLORS.get(c, "C7") for c in categories]
            colors += ["0.6"] * (len(names) - len(colors))
            legend = {c: CATEGORY_COLORS.get(c, "C7") for c in dict.fromkeys(categories)}
        elif by == "category":
            colors = [CATEGORY_COLORS.get(n, "C7") for n in names]
            legend = {}
        else:
            colors, legend = ["C0"] * len(names), {}
        what = {
            "feature": "feature",
            "group": "reason group",
            "family": "feature family",
            "category": "reason category",
        }[by]
        return cls(
            names=names,
            importance=values,
            colors=colors,
            legend=legend,
            label=f"mean |SHAP| per {what} (log-odds)",
        )

    def plot(self, ax: Axes | None = None) -> ImportanceDisplay:
        """Draw horizontal bars on ``ax`` (a new figure when ``None``); return ``self``."""
        ax = _new_axes(ax, figsize=(8, 0.4 * len(self.names) + 1.5))
        y = np.arange(len(self.names))[::-1]
        ax.barh(y, self.importance, color=self.colors)
        total = float(self.importance.sum())
        for yi, value in zip(y, self.importance, strict=True):
            share = f" ({value / total:.0%})" if total > 0 else ""
            ax.annotate(
                f"{value:.3f}{share}",
                (value, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, self.names)
        ax.set(title="Importance: " + self.label, xlabel=self.label)
        top = float(self.importance.max()) if len(self.importance) else 0.0
        ax.set_xlim(0, top * 1.3 if top > 0 else 1.0)
        ax.grid(axis="x", alpha=0.3)
        if self.legend:
            from matplotlib.patches import Patch

            handles = [Patch(color=c, label=n) for n, c in self.legend.items()]
            ax.legend(handles=handles, title="reason category", loc="lower right", fontsize=8)
        self.ax_ = ax
        self.figure_ = _figure(ax)
        return self


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
    x = _numbers(explanation.data[feature].iloc[rows])
    order = np.argsort(x)  # shap's order (ties included), for the same bins
    shap_sorted = explanation.values[feature].to_numpy()[rows][order]
    step = max(min(len(rows) // 10, 50), 1)
    best, best_score = None, 0.0
    for other in explanation.feature_names:
        if other == feature:
            continue
        values = _numbers(explanation.data[other].iloc[rows])[order]
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
        rows = _sample(len(explanation), max_points, seed)
        if color_by == "auto":
            color_by = strongest_interaction(explanation, feature, rows=rows)
        elif color_by is not None:
            explanation.entry(color_by)
        column = explanation.data[feature].iloc[rows]
        x = _numbers(column)
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
            numbers = _numbers(other)[has]
            if isinstance(other.dtype, pd.CategoricalDtype):
                color_categories = [str(c) for c in other.cat.categories]
                color = numbers
            else:
                norm = _value_norm(numbers)
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
        ax = _new_axes(ax, figsize=(8, 5))
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
            bar = _figure(ax).colorbar(
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
        self.figure_ = _figure(ax)
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
        _check_max_display(max_display)
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
        ax = _new_axes(ax, figsize=(8, 0.45 * len(self.labels) + 1.6))
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
        self.figure_ = _figure(ax)
        return self


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


class SegmentDriversDisplay:
    """What drives churn in each segment: mean SHAP per reason category (or family) and
    segment (the risk band, or a categorical attribute such as ``plan``).

    Attributes
    ----------
    table:
        Segments (rows, with their customer counts) by groups (columns).
    statistic:
        ``"mean_abs"`` (mean absolute grouped SHAP value) or ``"mean"`` (mean signed value:
        positive raises the segment's risk above the base value).
    by, level:
        The segment column and the grouping of the features.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(self, *, table: pd.DataFrame, statistic: str, by: str, level: str) -> None:
        self.table, self.statistic, self.by, self.level = table, statistic, by, level

    @classmethod
    def from_explanation(
        cls,
        explanation: Explanation,
        *,
        by: str = "risk_band",
        statistic: str = "mean_abs",
        level: str = "category",
    ) -> SegmentDriversDisplay:
        """Segments by ``by`` (``"risk_band"`` or a categorical feature), features grouped by
        ``level`` (``"category"``, ``"family"``, ``"group"``)."""
        if statistic not in ("mean_abs", "mean"):
            raise SpecError(
                "The 'statistic' parameter of SegmentDriversDisplay.from_explanation must be "
                f"'mean_abs' or 'mean'. Got {statistic!r} instead."
            )
        check_grouping(
            level,
            where="SegmentDriversDisplay.from_explanation",
            allowed=("group", "family", "category"),
        )
        if by == "risk_band":
            segments = pd.Series(explanation.risk_band)
        elif by in explanation.data.columns and isinstance(
            explanation.data[by].dtype, pd.CategoricalDtype
        ):
            segments = explanation.data[by].cat.add_categories(["missing"]).fillna("missing")
            segments = segments.cat.remove_unused_categories()
        else:
            categorical = [
                c
                for c in explanation.data.columns
                if isinstance(explanation.data[c].dtype, pd.CategoricalDtype)
            ]
            raise SpecError(
                "The 'by' parameter of SegmentDriversDisplay.from_explanation must be "
                f"'risk_band' or a categorical feature ({', '.join(map(repr, categorical))}). "
                f"Got {by!r} instead."
            )
        grouped = explanation.grouped(level)
        if statistic == "mean_abs":
            grouped = grouped.abs()
        codes = np.asarray(segments.cat.codes)
        table = grouped.groupby(codes).mean()
        counts = np.bincount(codes[codes >= 0], minlength=len(segments.cat.categories))
        labels = [f"{c} ({counts[i]:,})" for i, c in enumerate(segments.cat.categories)]
        table.index = pd.Index([labels[i] for i in table.index], name=by)
        table = table[grouped.abs().mean().sort_values(ascending=False).index]
        return cls(table=table, statistic=statistic, by=by, level=level)

    def plot(self, ax: Axes | None = None) -> SegmentDriversDisplay:
        """Draw a heat map with the numbers on ``ax`` (a new figure when ``None``)."""
        ax = _new_axes(ax, figsize=(1.2 * self.table.shape[1] + 3, 0.5 * len(self.table) + 2))
        values = self.table.to_numpy(dtype=float)
        if self.statistic == "mean":
            limit = float(np.nanmax(np.abs(values))) or 1.0
            norm: Normalize = TwoSlopeNorm(0.0, -limit, limit)
            cmap = "RdBu_r"
            what = "mean SHAP (log-odds; above 0 raises the risk)"
        else:
            norm, cmap = Normalize(0.0, float(np.nanmax(values)) or 1.0), "Reds"
            what = "mean |SHAP| (log-odds)"
        image = ax.imshow(values, aspect="auto", cmap=cmap, norm=norm)
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                dark = abs(norm(value) - (0.5 if self.statistic == "mean" else 0.0)) > 0.35
                ax.text(
                    j,
                    i,
                    f"{value:.3f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        ax.set_xticks(range(values.shape[1]), list(self.table.columns), rotation=20, ha="right")
        ax.set_yticks(range(len(self.table)), list(self.table.index))
        level = {"category": "reason category", "family": "feature family", "group": "reason group"}
        ax.set(
            title=f"Drivers by {self.by.replace('_', ' ')}: {what}",
            xlabel=level[self.level],
            ylabel=f"{self.by} (customers)",
        )
        ax.title.set_fontsize(10)
        _figure(ax).colorbar(image, ax=ax, pad=0.01)
        self.ax_ = ax
        self.figure_ = _figure(ax)
        return self


__all__ = [
    "BeeswarmDisplay",
    "DependenceDisplay",
    "ImportanceDisplay",
    "SegmentDriversDisplay",
    "WaterfallDisplay",
    "strongest_interaction",
]
