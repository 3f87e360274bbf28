"""Plots of churn predictions as Display objects: compute in ``from_*``, draw in ``plot``.

Each display keeps what it computed as attributes, draws with ``plot(ax=None)`` (new axes when
``ax`` is ``None``) and then holds ``figure_`` and ``ax_``. Nothing here calls ``plt.show()`` or
writes a file: :func:`churnlab.evaluate.write_report` saves the figures.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> display = RocPrDisplay.from_predictions([0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6]).plot()
>>> display.figure_ is display.ax_[0].figure
True
>>> import matplotlib.pyplot as plt; plt.close(display.figure_)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter
from sklearn import metrics as skm

from churnlab.errors import SpecError
from churnlab.metrics import (
    ECE_BINS,
    ArrayLike,
    calibration_table,
    check_predictions,
    expected_calibration_error,
    gains_curve,
    pr_auc,
    roc_auc,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from churnlab.evaluate.backtesting import Backtest

AxesLike = Any  # one matplotlib Axes, or a sequence of them
WHERE_BASELINE = "from_predictions (baseline)"
MAX_POINTS = 2_000
MODEL_COLOR, BASELINE_COLOR, REFERENCE_COLOR = "C0", "C1", "0.55"
STAYED_COLOR, CHURNED_COLOR = "C0", "C3"


def _percent(axis: Any) -> None:
    axis.set_major_formatter(PercentFormatter(xmax=1))


def _thin(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """At most ``MAX_POINTS`` points of a curve (first and last kept) for drawing."""
    n = len(arrays[0])
    if n <= MAX_POINTS:
        return arrays
    keep = np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(int))
    return tuple(a[keep] for a in arrays)


def _new_axes(
    ax: AxesLike | None,
    count: int,
    *,
    what: str,
    figsize: tuple[float, float],
    rows: int = 1,
    height_ratios: Sequence[float] | None = None,
) -> list[Axes]:
    """The axes to draw on: ``count`` new ones when ``ax`` is None, else those given."""
    if ax is None:
        import matplotlib.pyplot as plt

        kwargs: dict[str, Any] = {"figsize": figsize, "layout": "constrained"}
        if height_ratios is not None:
            kwargs["gridspec_kw"] = {"height_ratios": list(height_ratios)}
        if rows > 1:
            kwargs["sharex"] = True
        _, axes = plt.subplots(rows, count // rows, **kwargs)
        return list(np.atleast_1d(axes).ravel())
    axes = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
    if len(axes) != count:
        raise SpecError(
            f"The 'ax' parameter of {what}.plot must be {count} matplotlib Axes. "
            f"Got {len(axes)} instead; leave it out to draw on a new figure."
        )
    return axes


def _figure(axes: Sequence[Axes]) -> Figure | SubFigure:
    return cast("Figure | SubFigure", axes[0].figure)  # an Axes always has a figure


@dataclass(frozen=True)
class _Curve:
    name: str
    x: np.ndarray
    y: np.ndarray
    score: float


class RocPrDisplay:
    """ROC and precision-recall curves side by side, with the baseline's when given.

    Attributes
    ----------
    roc, pr:
        One curve per model (``name``, ``x``, ``y``, ``score``): false against true positive
        rate with the ROC-AUC; recall against precision with the average precision.
    churn_rate:
        The precision of random targeting (reference line of the PR curve).
    figure_, ax_:
        Set by :meth:`plot`: the figure and its two axes (ROC, PR).
    """

    figure_: Figure | SubFigure
    ax_: list[Axes]

    def __init__(self, *, roc: Sequence[_Curve], pr: Sequence[_Curve], churn_rate: float) -> None:
        self.roc, self.pr, self.churn_rate = list(roc), list(pr), churn_rate

    @classmethod
    def from_predictions(
        cls,
        y: ArrayLike,
        p: ArrayLike,
        *,
        baseline: ArrayLike | None = None,
        name: str = "model",
        baseline_name: str = "baseline",
    ) -> RocPrDisplay:
        """Compute the curves of ``p`` (and ``baseline``) against outcomes ``y``."""
        y_arr, p_arr = check_predictions(y, p, where="RocPrDisplay.from_predictions")
        if not 0 < y_arr.sum() < len(y_arr):
            raise SpecError(
                "RocPrDisplay needs both churners and stayers in 'y'; "
                f"got {int(y_arr.sum()):,} churners among {len(y_arr):,} rows."
            )
        scores = [(name, p_arr)]
        if baseline is not None:
            scores.append(
                (baseline_name, check_predictions(y_arr, baseline, where=WHERE_BASELINE)[1])
            )
        roc, pr = [], []
        for label, score in scores:
            fpr, tpr, _ = skm.roc_curve(y_arr, score)
            precision, recall, _ = skm.precision_recall_curve(y_arr, score)
            fpr, tpr = _thin(fpr, tpr)
            recall, precision = _thin(recall[::-1], precision[::-1])
            roc.append(_Curve(label, fpr, tpr, roc_auc(y_arr, score)))
            pr.append(_Curve(label, recall, precision, pr_auc(y_arr, score)))
        return cls(roc=roc, pr=pr, churn_rate=float(y_arr.mean()))

    def plot(self, ax: AxesLike | None = None) -> RocPrDisplay:
        """Draw on two axes (ROC, PR), new ones when ``ax`` is None; return ``self``."""
        ax_roc, ax_pr = _new_axes(ax, 2, what="RocPrDisplay", figsize=(11, 4.8))
        colors = [MODEL_COLOR, BASELINE_COLOR]
        for curve, color in zip(self.roc, colors, strict=False):
            ax_roc.plot(
                curve.x, curve.y, color=color, label=f"{curve.name} (AUC {curve.score:.3f})"
            )
        ax_roc.plot([0, 1], [0, 1], ls="--", color=REFERENCE_COLOR, label="random (AUC 0.5)")
        ax_roc.set(
            title="ROC curve",
            xlabel="False positive rate (stayers flagged)",
            ylabel="True positive rate (churners found)",
            xlim=(0, 1),
            ylim=(0, 1.01),
        )
        for curve, color in zip(self.pr, colors, strict=False):
            ax_pr.plot(
                curve.x,
                curve.y,
                color=color,
                label=f"{curve.name} (avg. precision {curve.score:.3f})",
            )
        ax_pr.axhline(
            self.churn_rate,
            ls="--",
            color=REFERENCE_COLOR,
            label=f"random (churn rate {self.churn_rate:.1%})",
        )
        ax_pr.set(
            title="Precision-recall curve",
            xlabel="Recall (share of churners found)",
            ylabel="Precision (share of flagged who churn)",
            xlim=(0, 1),
            ylim=(0, 1.01),
        )
        for axes in (ax_roc, ax_pr):
            _percent(axes.xaxis)
            _percent(axes.yaxis)
            axes.grid(alpha=0.3)
        ax_roc.legend(loc="lower right")
        ax_pr.legend(loc="upper right")
        self.ax_ = [ax_roc, ax_pr]
        self.figure_ = _figure(self.ax_)
        return self


class GainsLiftDisplay:
    """Cumulative gains (share of churners found against share of customers targeted) and lift.

    Attributes
    ----------
    gains:
        One curve per model: share targeted (``x``) against share of churners captured.
    lift:
        One curve per model: share targeted against lift (churn rate of the targeted over the
        overall churn rate), on a grid of 1% to 100%.
    churn_rate:
        Sets the "perfect model" line: all churners found once ``churn_rate`` is targeted.
    mark:
        The share targeted that is marked on both plots (default 10%).
    """

    figure_: Figure | SubFigure
    ax_: list[Axes]

    def __init__(
        self, *, gains: Sequence[_Curve], lift: Sequence[_Curve], churn_rate: float, mark: float
    ) -> None:
        self.gains, self.lift = list(gains), list(lift)
        self.churn_rate, self.mark = churn_rate, mark

    @classmethod
    def from_predictions(
        cls,
        y: ArrayLike,
        p: ArrayLike,
        *,
        baseline: ArrayLike | None = None,
        name: str = "model",
        baseline_name: str = "baseline",
        mark: float = 0.10,
    ) -> GainsLiftDisplay:
        """Compute the gains and lift curves of ``p`` (and ``baseline``) against ``y``."""
        y_arr, p_arr = check_predictions(y, p, where="GainsLiftDisplay.from_predictions")
        if not y_arr.any():
            raise SpecError("GainsLiftDisplay needs at least one churner in 'y'; got none.")
        scores = [(name, p_arr)]
        if baseline is not None:
            scores.append(
                (baseline_name, check_predictions(y_arr, baseline, where=WHERE_BASELINE)[1])
            )
        grid = np.linspace(0.01, 1.0, 100)
        gains, lifts = [], []
        for label, score in scores:
            x, g = gains_curve(y_arr, score)
            at_mark = float(np.interp(mark, x, g))
            x_thin, g_thin = _thin(x, g)
            gains.append(_Curve(label, x_thin, g_thin, score=at_mark))
            lifts.append(_Curve(label, grid, np.interp(grid, x, g) / grid, score=at_mark / mark))
        return cls(gains=gains, lift=lifts, churn_rate=float(y_arr.mean()), mark=mark)

    def plot(self, ax: AxesLike | None = None) -> GainsLiftDisplay:
        """Draw on two axes (gains, lift), new ones when ``ax`` is None; return ``self``."""
        ax_gain, ax_lift = _new_axes(ax, 2, what="GainsLiftDisplay", figsize=(11, 4.8))
        colors = [MODEL_COLOR, BASELINE_COLOR]
        share = f"{self.mark:.0%}"
        for curve, color in zip(self.gains, colors, strict=False):
            ax_gain.plot(
                curve.x, curve.y, color=color, label=f"{curve.name} ({curve.score:.0%} at {share})"
            )
            ax_gain.plot([self.mark], [curve.score], "o", color=color)
        ax_gain.plot([0, 1], [0, 1], ls="--", color=REFERENCE_COLOR, label="random")
        ax_gain.plot(
            [0, self.churn_rate, 1], [0, 1, 1], ls=":", color=REFERENCE_COLOR, label="perfect"
        )
        ax_gain.set(
            title="Cumulative gains",
            xlabel="Customers targeted, highest risk first",
            ylabel="Churners found",
            xlim=(0, 1),
            ylim=(0, 1.01),
        )
        _percent(ax_gain.yaxis)
        for curve, color in zip(self.lift, colors, strict=False):
            ax_lift.plot(
                curve.x,
                curve.y,
                color=color,
                label=f"{curve.name} (lift {curve.score:.1f} at {share})",
            )
            ax_lift.plot([self.mark], [curve.score], "o", color=color)
        ax_lift.axhline(1.0, ls="--", color=REFERENCE_COLOR, label="random (lift 1)")
        ax_lift.set(
            title="Lift",
            xlabel="Customers targeted, highest risk first",
            ylabel="Churn rate of targeted / overall churn rate",
            xlim=(0, 1),
            ylim=(0, None),
        )
        for axes in (ax_gain, ax_lift):
            _percent(axes.xaxis)
            axes.axvline(self.mark, color=REFERENCE_COLOR, lw=0.8, alpha=0.5)
            axes.grid(alpha=0.3)
        ax_gain.legend(loc="lower right")
        ax_lift.legend(loc="upper right")
        self.ax_ = [ax_gain, ax_lift]
        self.figure_ = _figure(self.ax_)
        return self


class CalibrationDisplay:
    """Reliability curve: mean predicted probability against observed churn rate per bin.

    The bins are equal-frequency (as for the ECE); horizontal bars show each bin's range of
    predicted probabilities. A lower panel counts the customers per predicted probability.

    Attributes
    ----------
    table:
        :func:`~churnlab.metrics.calibration_table` (one row per bin).
    ece:
        Expected calibration error over those bins.
    counts, edges:
        Customers per equal-width probability bin (the lower panel's histogram; the last bin
        also holds the few customers beyond the plotted range).
    figure_, ax_:
        Set by :meth:`plot`; ``ax_`` is ``[curve, counts]`` (or ``[curve]`` when one Axes was
        given).
    """

    figure_: Figure | SubFigure
    ax_: list[Axes]

    def __init__(
        self, *, table: pd.DataFrame, ece: float, counts: np.ndarray, edges: np.ndarray
    ) -> None:
        self.table, self.ece, self.counts, self.edges = table, ece, counts, edges

    @classmethod
    def from_predictions(
        cls, y: ArrayLike, p: ArrayLike, *, bins: int = ECE_BINS
    ) -> CalibrationDisplay:
        """Compute the reliability curve of ``p`` against ``y`` over ``bins`` bins."""
        y_arr, p_arr = check_predictions(y, p, where="CalibrationDisplay.from_predictions")
        table = calibration_table(y_arr, p_arr, bins=bins)
        # Zoom on where the bins are: rare churn crowds the probabilities near 0.
        highest = max(table["mean_probability"].max(), table["churn_rate"].max(), 1e-3)
        top = min(1.0, float(highest) * 1.15)
        counts, edges = np.histogram(np.minimum(p_arr, top), bins=40, range=(0.0, top))
        ece = expected_calibration_error(y_arr, p_arr, bins=bins)
        return cls(table=table, ece=ece, counts=counts, edges=edges)

    def plot(self, ax: AxesLike | None = None) -> CalibrationDisplay:
        """Draw the curve and the counts (two axes, or the curve only on one Axes)."""
        given = None if ax is None else list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
        if given is not None and len(given) == 1:
            axes = given
        else:
            axes = _new_axes(
                ax,
                2,
                what="CalibrationDisplay",
                figsize=(6.4, 6.4),
                rows=2,
                height_ratios=(3, 1),
            )
        curve = axes[0]
        t = self.table
        top = float(self.edges[-1])
        per_bin = int(t["customers"].median()) if len(t) else 0
        curve.plot([0, top], [0, top], ls="--", color=REFERENCE_COLOR, label="perfectly calibrated")
        curve.errorbar(
            t["mean_probability"],
            t["churn_rate"],
            xerr=[  # clipped: a bin of tied values has its mean equal to both ends
                (t["mean_probability"] - t["min_probability"]).clip(lower=0),
                (t["max_probability"] - t["mean_probability"]).clip(lower=0),
            ],
            fmt="o-",
            color=MODEL_COLOR,
            ecolor=MODEL_COLOR,
            elinewidth=0.8,
            capsize=2,
            label=f"model (ECE {self.ece:.3f}; {len(t)} bins of ~{per_bin:,} customers)",
        )
        curve.set(
            title="Calibration: predicted against observed churn",
            ylabel="Observed churn rate",
            xlim=(0, top),
            ylim=(0, top),
        )
        _percent(curve.xaxis)
        _percent(curve.yaxis)
        curve.grid(alpha=0.3)
        curve.legend(loc="upper left")
        if len(axes) == 2:
            counts = axes[1]
            counts.bar(
                self.edges[:-1],
                self.counts,
                width=np.diff(self.edges),
                align="edge",
                color=MODEL_COLOR,
                alpha=0.6,
            )
            counts.set(xlabel="Predicted churn probability", ylabel="Customers", xlim=(0, top))
            _percent(counts.xaxis)
            counts.yaxis.set_major_formatter("{x:,.0f}")
            counts.grid(alpha=0.3)
        else:
            curve.set_xlabel("Predicted churn probability")
        self.ax_ = axes
        self.figure_ = _figure(axes)
        return self


class ScoreDistributionDisplay:
    """Histogram of predicted probabilities, churners against stayers (each as a share).

    Attributes
    ----------
    edges:
        Bin edges of the predicted probability.
    stayed, churned:
        Share of each group per bin (each sums to 1, so rare churners stay visible).
    counts:
        ``{"stayed": n, "churned": n}``.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(
        self,
        *,
        edges: np.ndarray,
        stayed: np.ndarray,
        churned: np.ndarray,
        counts: dict[str, int],
        means: dict[str, float],
    ) -> None:
        self.edges, self.stayed, self.churned = edges, stayed, churned
        self.counts, self.means = counts, means

    @classmethod
    def from_predictions(
        cls, y: ArrayLike, p: ArrayLike, *, bins: int = 40
    ) -> ScoreDistributionDisplay:
        """Compute the histograms of ``p`` for churners and stayers."""
        y_arr, p_arr = check_predictions(y, p, where="ScoreDistributionDisplay.from_predictions")
        top = float(min(1.0, max(np.quantile(p_arr, 0.999) * 1.05, 1e-3)))
        edges = np.linspace(0.0, top, bins + 1)
        clipped = np.minimum(p_arr, top)  # the last bin holds the few beyond the 99.9% quantile
        shares = {}
        for name, mask in (("stayed", y_arr == 0), ("churned", y_arr == 1)):
            hist, _ = np.histogram(clipped[mask], bins=edges)
            shares[name] = hist / max(int(mask.sum()), 1)
        counts = {"stayed": int((y_arr == 0).sum()), "churned": int(y_arr.sum())}
        means = {
            "stayed": float(p_arr[y_arr == 0].mean()) if counts["stayed"] else float("nan"),
            "churned": float(p_arr[y_arr == 1].mean()) if counts["churned"] else float("nan"),
        }
        return cls(
            edges=edges,
            stayed=shares["stayed"],
            churned=shares["churned"],
            counts=counts,
            means=means,
        )

    def plot(self, ax: AxesLike | None = None) -> ScoreDistributionDisplay:
        """Draw both histograms on one Axes (a new one when ``ax`` is None); return ``self``."""
        (axes,) = _new_axes(ax, 1, what="ScoreDistributionDisplay", figsize=(7, 4.5))
        for name, shares, color in (
            ("stayed", self.stayed, STAYED_COLOR),
            ("churned", self.churned, CHURNED_COLOR),
        ):
            axes.stairs(
                shares,
                self.edges,
                fill=True,
                alpha=0.35,
                color=color,
                label=f"{name} ({self.counts[name]:,} customers)",
            )
            axes.stairs(shares, self.edges, color=color)
            mean = self.means[name]
            if np.isfinite(mean):
                axes.axvline(mean, ls="--", color=color, lw=1, label=f"mean for {name} {mean:.1%}")
        axes.set(
            title="Predicted churn probability by outcome",
            xlabel="Predicted churn probability",
            ylabel="Share of the group's customers",
            xlim=(0, float(self.edges[-1])),
        )
        _percent(axes.xaxis)
        _percent(axes.yaxis)
        axes.grid(alpha=0.3)
        axes.legend(loc="upper right")
        self.ax_ = axes
        self.figure_ = _figure([axes])
        return self


BACKTEST_COLUMNS = ("cutoff", "roc_auc", "lift@10%", "ece", "churn_rate", "mean_probability")


class MetricsByCutoffDisplay:
    """ROC-AUC, lift at the top 10% and calibration for each backtest cutoff.

    Attributes
    ----------
    frame:
        One row per test cutoff: ``cutoff``, ``roc_auc``, ``lift@10%``, ``ece``, ``churn_rate``
        (observed) and ``mean_probability`` (predicted).
    figure_, ax_:
        Set by :meth:`plot`: three axes (AUC, lift, calibration).
    """

    figure_: Figure | SubFigure
    ax_: list[Axes]

    def __init__(self, *, frame: pd.DataFrame) -> None:
        self.frame = frame

    @classmethod
    def from_backtest(cls, backtest: Backtest) -> MetricsByCutoffDisplay:
        """Take the metrics per cutoff of a :class:`~churnlab.evaluate.Backtest`."""
        return cls.from_frame(backtest.frame)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> MetricsByCutoffDisplay:
        """Take metrics per cutoff from a DataFrame with the columns of ``Backtest.frame``."""
        missing = [c for c in BACKTEST_COLUMNS if c not in frame.columns]
        if missing:
            raise SpecError(
                f"MetricsByCutoffDisplay needs the columns {', '.join(BACKTEST_COLUMNS)}; "
                f"missing: {', '.join(missing)}."
            )
        if frame.empty:
            raise SpecError("MetricsByCutoffDisplay needs at least one cutoff; got none.")
        table = frame.loc[:, list(BACKTEST_COLUMNS)].copy()
        table["cutoff"] = pd.to_datetime(table["cutoff"])
        return cls(frame=table.sort_values("cutoff", ignore_index=True))

    def plot(self, ax: AxesLike | None = None) -> MetricsByCutoffDisplay:
        """Draw three panels (AUC, lift@10%, calibration); return ``self``."""
        ax_auc, ax_lift, ax_cal = _new_axes(ax, 3, what="MetricsByCutoffDisplay", figsize=(14, 4.2))
        t = self.frame
        labels = [c.strftime("%Y-%m-%d") for c in t["cutoff"]]
        x = np.arange(len(t))
        ax_auc.plot(x, t["roc_auc"], "o-", color=MODEL_COLOR, label="ROC-AUC")
        mean_auc = float(t["roc_auc"].mean())
        ax_auc.axhline(mean_auc, ls="--", color=REFERENCE_COLOR, label=f"mean {mean_auc:.3f}")
        spread = max(0.02, float(t["roc_auc"].max() - t["roc_auc"].min()))
        ax_auc.set(
            title="ROC-AUC per cutoff",
            ylabel="ROC-AUC",
            ylim=(
                max(0.0, float(t["roc_auc"].min()) - spread),
                min(1.0, float(t["roc_auc"].max()) + spread),
            ),
        )
        ax_lift.plot(x, t["lift@10%"], "o-", color=MODEL_COLOR, label="lift at top 10%")
        ax_lift.axhline(1.0, ls="--", color=REFERENCE_COLOR, label="random (lift 1)")
        ax_lift.set(title="Lift at top 10% per cutoff", ylabel="Lift", ylim=(0, None))
        ax_cal.plot(x, t["churn_rate"], "o-", color=CHURNED_COLOR, label="observed churn rate")
        ax_cal.plot(x, t["mean_probability"], "s--", color=MODEL_COLOR, label="mean predicted")
        for xi, (rate, ece) in enumerate(zip(t["churn_rate"], t["ece"], strict=True)):
            ax_cal.annotate(
                f"ECE {ece:.3f}",
                (xi, rate),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=8,
            )
        highest = float(max(t["churn_rate"].max(), t["mean_probability"].max()))
        ax_cal.set(title="Calibration per cutoff", ylabel="Churn rate", ylim=(0, highest * 1.35))
        _percent(ax_cal.yaxis)
        for axes in (ax_auc, ax_lift, ax_cal):
            axes.set_xticks(x, labels, rotation=30, ha="right")
            axes.set_xlabel("Test cutoff")
            axes.margins(x=0.12)
            axes.grid(alpha=0.3)
            axes.legend(loc="lower left")
        self.ax_ = [ax_auc, ax_lift, ax_cal]
        self.figure_ = _figure(self.ax_)
        return self
