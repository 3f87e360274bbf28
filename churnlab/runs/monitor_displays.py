"""Pictures of a month-on-month comparison: score distributions, feature shifts, reason mix.

Each is a Display: computed in ``from_comparison``, drawn by ``plot(ax=None)``, which keeps
``figure_`` and ``ax_``; nothing is shown or saved here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.ticker import PercentFormatter

    from churnlab.runs.compare import RunComparison


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


@dataclass(eq=False)
class ScoreShiftDisplay:
    """The churn probability's distribution in the earlier and the later run.

    Attributes
    ----------
    edges:
        Histogram bin edges (20 equal bins over both runs' range).
    share_a, share_b:
        Each run's share of customers per bin.
    label_a, label_b:
        The runs' dates, for the legend.
    psi, level:
        The score PSI and its reading.
    figure_, ax_:
        After :meth:`plot`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = ScoreShiftDisplay.from_scores(np.array([0.1, 0.2]), np.array([0.2, 0.3]),
    ...     label_a="June", label_b="July", psi=0.5, level="significant")
    >>> float(d.share_a.sum()), float(d.share_b.sum())
    (1.0, 1.0)
    """

    edges: np.ndarray
    share_a: np.ndarray
    share_b: np.ndarray
    label_a: str
    label_b: str
    psi: float
    level: str
    figure_: Figure | SubFigure | None = field(default=None, init=False)
    ax_: Axes | None = field(default=None, init=False)

    @classmethod
    def from_scores(
        cls,
        a: np.ndarray,
        b: np.ndarray,
        *,
        label_a: str,
        label_b: str,
        psi: float,
        level: str,
        bins: int = 20,
    ) -> ScoreShiftDisplay:
        """Histograms of two probability arrays on shared bins."""
        both = np.concatenate([a, b])
        low, high = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
        edges = np.linspace(low, high if high > low else low + 1e-9, bins + 1)
        count_a, _ = np.histogram(a, bins=edges)
        count_b, _ = np.histogram(b, bins=edges)
        return cls(
            edges=edges,
            share_a=count_a / max(len(a), 1),
            share_b=count_b / max(len(b), 1),
            label_a=label_a,
            label_b=label_b,
            psi=psi,
            level=level,
        )

    @classmethod
    def from_comparison(cls, comparison: RunComparison) -> ScoreShiftDisplay:
        """The two runs' churn probabilities."""
        return cls.from_scores(
            comparison.scores_a,
            comparison.scores_b,
            label_a=f"as of {comparison.as_of_a.date()}",
            label_b=f"as of {comparison.as_of_b.date()}",
            psi=comparison.score_psi,
            level=comparison.score_level,
        )

    def plot(self, ax: Axes | None = None) -> ScoreShiftDisplay:
        """Draw both distributions as steps, with the PSI in the title."""
        ax = _axes(ax, (8, 4))
        for share, label, color in (
            (self.share_a, self.label_a, "0.55"),
            (self.share_b, self.label_b, "C0"),
        ):
            ax.stairs(share, self.edges, label=label, color=color, linewidth=1.8)
        ax.set_xlabel("Churn probability")
        ax.set_ylabel("Share of customers")
        ax.yaxis.set_major_formatter(_percent())
        ax.set_title(f"Churn scores: PSI {self.psi:.3f} ({self.level})")
        ax.legend(frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


@dataclass(eq=False)
class FeatureShiftDisplay:
    """Each important feature's PSI, most important (mean |SHAP|) at the top, coloured by
    its reading.

    Attributes
    ----------
    table:
        ``feature``, ``psi``, ``level`` of the ``n`` most important features.
    moderate, significant:
        The thresholds drawn as lines.
    figure_, ax_:
        After :meth:`plot`.
    """

    table: pd.DataFrame
    moderate: float
    significant: float
    figure_: Figure | SubFigure | None = field(default=None, init=False)
    ax_: Axes | None = field(default=None, init=False)

    @classmethod
    def from_comparison(cls, comparison: RunComparison, *, n: int = 15) -> FeatureShiftDisplay:
        """The comparison's ``n`` most important features."""
        table = comparison.features.head(n)[["feature", "psi", "level"]].reset_index(drop=True)
        return cls(
            table=table,
            moderate=comparison.thresholds.psi_moderate,
            significant=comparison.thresholds.psi_significant,
        )

    def plot(self, ax: Axes | None = None) -> FeatureShiftDisplay:
        """Draw horizontal bars with the two thresholds."""
        ax = _axes(ax, (8, 0.35 * max(len(self.table), 4) + 1.2))
        colors = {"stable": "C2", "moderate": "C1", "significant": "C3", "unknown": "0.6"}
        y = np.arange(len(self.table))[::-1]
        ax.barh(
            y,
            self.table["psi"].fillna(0.0),
            color=[colors[v] for v in self.table["level"]],
        )
        ax.set_yticks(y, self.table["feature"])
        for x, style in ((self.moderate, ":"), (self.significant, "--")):
            ax.axvline(x, color="0.4", linestyle=style, linewidth=1)
        ax.set_xlabel("PSI (dotted: moderate, dashed: significant)")
        ax.set_title("Feature shifts, most important feature at the top")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@dataclass(eq=False)
class ReasonMixDisplay:
    """Each reason category's share of the explained customers, earlier against later.

    Attributes
    ----------
    table:
        ``reason_category``, ``share_a``, ``share_b``.
    label_a, label_b:
        The runs' dates, for the legend.
    figure_, ax_:
        After :meth:`plot`.
    """

    table: pd.DataFrame
    label_a: str
    label_b: str
    figure_: Figure | SubFigure | None = field(default=None, init=False)
    ax_: Axes | None = field(default=None, init=False)

    @classmethod
    def from_comparison(cls, comparison: RunComparison) -> ReasonMixDisplay:
        """The comparison's reason mix."""
        return cls(
            table=comparison.reasons[["reason_category", "share_a", "share_b"]].copy(),
            label_a=f"as of {comparison.as_of_a.date()}",
            label_b=f"as of {comparison.as_of_b.date()}",
        )

    def plot(self, ax: Axes | None = None) -> ReasonMixDisplay:
        """Draw paired horizontal bars per category."""
        ax = _axes(ax, (8, 0.5 * max(len(self.table), 3) + 1.2))
        y = np.arange(len(self.table))[::-1]
        ax.barh(y + 0.2, self.table["share_a"], height=0.4, color="0.6", label=self.label_a)
        ax.barh(y - 0.2, self.table["share_b"], height=0.4, color="C0", label=self.label_b)
        ax.set_yticks(y, self.table["reason_category"])
        ax.xaxis.set_major_formatter(_percent())
        ax.set_xlabel("Share of customers with a first reason")
        ax.set_title("Why customers are at risk: the strongest reason's category")
        ax.legend(frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _percent() -> PercentFormatter:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)
