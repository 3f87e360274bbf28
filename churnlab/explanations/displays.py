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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, TwoSlopeNorm
from numpy.typing import ArrayLike, NDArray

from churnlab.errors import SpecError
from churnlab.explanations.entries import check_grouping
from churnlab.explanations.explanation import KEY_NAMES, Explanation
from churnlab.explanations.feature_displays import (
    DependenceDisplay,
    WaterfallDisplay,
    strongest_interaction,
)
from churnlab.explanations.plotting import (
    CATEGORY_COLORS,
    MAX_POINTS,
    MISSING,
    SHAP_LABEL,
    VALUE_COLORS,
    as_numbers,
    check_max_display,
    figure_of,
    new_axes,
    sample_rows,
    swarm,
    value_norm,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


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
        check_max_display(max_display)
        rows = sample_rows(len(explanation), max_points, seed)
        order = list(explanation.importance("feature")["feature"])
        shown = order if len(order) <= max_display else order[: max_display - 1]
        rest = [f for f in order if f not in shown]
        names, shap, colors, categorical = [], [], [], []
        for name in shown:
            column = explanation.data[name].iloc[rows]
            values = explanation.values[name].to_numpy()[rows]
            is_category = isinstance(column.dtype, pd.CategoricalDtype)
            numbers = as_numbers(column)
            scaled = np.full(len(rows), np.nan) if is_category else value_norm(numbers)(numbers)
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
            offsets=[swarm(s) for s in shap],
            colors=colors,
            categorical=categorical,
            customers=len(explanation),
            sampled=len(rows),
        )

    def plot(self, ax: Axes | None = None) -> BeeswarmDisplay:
        """Draw on ``ax`` (a new figure when ``None``) with a colour bar; return ``self``."""
        ax = new_axes(ax, figsize=(9, 0.45 * len(self.names) + 1.8))
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
        bar = figure_of(ax).colorbar(
            ScalarMappable(norm=Normalize(0, 1), cmap=VALUE_COLORS), ax=ax, pad=0.01, aspect=40
        )
        bar.set_ticks([0, 1], labels=["low", "high"])
        bar.set_label("Feature value (grey: missing or a category)")
        self.ax_ = ax
        self.figure_ = figure_of(ax)
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
        check_max_display(max_display)
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
        ax = new_axes(ax, figsize=(8, 0.4 * len(self.names) + 1.5))
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
        self.figure_ = figure_of(ax)
        return self


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
        ax = new_axes(ax, figsize=(1.2 * self.table.shape[1] + 3, 0.5 * len(self.table) + 2))
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
        figure_of(ax).colorbar(image, ax=ax, pad=0.01)
        self.ax_ = ax
        self.figure_ = figure_of(ax)
        return self


__all__ = [
    "BeeswarmDisplay",
    "DependenceDisplay",
    "ImportanceDisplay",
    "SegmentDriversDisplay",
    "WaterfallDisplay",
    "strongest_interaction",
]
