"""What the explanation displays share: axes, sampling, colours, numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, Normalize
from numpy.typing import NDArray

from churnlab.errors import SpecError

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


def new_axes(ax: Axes | None, *, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the axes of a new pyplot figure when it is ``None``."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def figure_of(ax: Axes) -> Figure | SubFigure:
    """The figure an Axes is drawn on."""
    return cast("Figure | SubFigure", ax.figure)


def sample_rows(n: int, max_points: int, seed: int) -> NDArray[np.intp]:
    """At most ``max_points`` of ``n`` row positions, drawn at random with ``seed``, sorted."""
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise SpecError(
            f"The 'max_points' parameter must be an int >= 1. Got {max_points!r} instead."
        )
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


def check_max_display(value: int) -> None:
    """A :class:`SpecError` unless ``max_display`` is a positive int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"The 'max_display' parameter must be an int >= 1. Got {value!r} instead.")


def as_numbers(column: pd.Series) -> NDArray[np.float64]:
    """Values as numbers: categories as their codes, missing as NaN."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return np.where(codes < 0, np.nan, codes).astype(float)
    return column.to_numpy(dtype=float, na_value=np.nan)


def value_norm(values: NDArray[np.float64]) -> Normalize:
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


def swarm(
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
