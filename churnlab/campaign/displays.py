"""The profit curve: expected gain against the size of the list.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> gain = np.array([9.0, 4.0, 1.0, -2.0, -6.0])
>>> curve = ProfitCurveDisplay.from_gains(gain, low=gain * 0.5, high=gain * 1.5,
...                                      control=np.zeros(5, bool), chosen=3)
>>> curve.best_size, round(curve.best_gain, 1), curve.chosen_size
(3, 14.0, 3)
>>> display = curve.plot()
>>> import matplotlib.pyplot as plt; plt.close(display.figure_)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

MAX_POINTS = 2_000


@dataclass(eq=False)
class ProfitCurveDisplay:
    """Cumulative expected gain of contacting the best ``n`` customers, for every ``n``.

    The customers are in rank order (best expected gain first); members of the control group
    are listed but not contacted, so they add nothing. The band is the same curve with the
    offer's acceptance at its 5th and 95th percentiles
    (:func:`churnlab.campaign.gain.acceptance_quantiles`); the dashed line is a random pick of
    the same size.

    Attributes
    ----------
    size, gain, low, high, random:
        The list sizes and the curves (thinned to at most 2,000 points for drawing).
    best_size, best_gain:
        Where the curve peaks.
    chosen_size, chosen_gain:
        The list that was chosen.
    figure_, ax_:
        After :meth:`plot`.
    """

    size: np.ndarray
    gain: np.ndarray
    low: np.ndarray
    high: np.ndarray
    random: np.ndarray
    best_size: int
    best_gain: float
    chosen_size: int
    chosen_gain: float
    customers: int
    figure_: Figure | SubFigure | None = field(default=None, init=False)
    ax_: Axes | None = field(default=None, init=False)

    @classmethod
    def from_gains(
        cls,
        gain: np.ndarray,
        *,
        low: np.ndarray,
        high: np.ndarray,
        control: np.ndarray,
        chosen: int,
        chosen_gain: float | None = None,
    ) -> ProfitCurveDisplay:
        """The curve from each customer's expected gain, **in rank order**.

        Parameters
        ----------
        gain, low, high:
            Expected gain at the offer's acceptance, and at its 5th and 95th percentiles.
        control:
            Whether each customer is in the control group (adds no gain).
        chosen:
            The number of customers the selection listed.
        chosen_gain:
            The listed customers' expected gain, when they are not the first ``chosen`` (a
            cut by probability); default: the curve at ``chosen``.
        """
        contacted = ~np.asarray(control, dtype=bool)
        totals = [
            np.concatenate([[0.0], np.cumsum(np.where(contacted, g, 0.0))])
            for g in (gain, low, high)
        ]
        size = np.arange(len(gain) + 1)
        mean = float(np.mean(np.where(contacted, gain, 0.0))) if len(gain) else 0.0
        best = int(np.argmax(totals[0]))
        keep = _thin(len(size), (best, chosen))
        return cls(
            size=size[keep],
            gain=totals[0][keep],
            low=totals[1][keep],
            high=totals[2][keep],
            random=size[keep] * mean,
            best_size=best,
            best_gain=float(totals[0][best]),
            chosen_size=int(chosen),
            chosen_gain=float(totals[0][min(chosen, len(gain))])
            if chosen_gain is None
            else float(chosen_gain),
            customers=len(gain),
        )

    def plot(self, ax: Axes | None = None) -> ProfitCurveDisplay:
        """Draw the curve, its band, the random pick, the maximum and the chosen cut."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        ax.fill_between(
            self.size,
            self.low,
            self.high,
            color="C0",
            alpha=0.18,
            label="acceptance at its 5th to 95th percentile",
        )
        ax.plot(self.size, self.gain, color="C0", label="expected gain, best first")
        ax.plot(self.size, self.random, color="0.45", linestyle="--", label="a random pick")
        ax.axhline(0.0, color="0.75", linewidth=0.8)
        ax.scatter(
            [self.best_size],
            [self.best_gain],
            color="C2",
            zorder=3,
            label=f"maximum: {self.best_gain:,.0f} at {self.best_size:,}",
        )
        ax.axvline(
            self.chosen_size,
            color="C3",
            linewidth=1.2,
            label=f"chosen: {self.chosen_size:,} customers, {self.chosen_gain:,.0f}",
        )
        ax.set_xlabel(f"customers listed, best expected gain first (of {self.customers:,})")
        ax.set_ylabel("expected gain")
        ax.set_title("Profit curve")
        ax.xaxis.set_major_formatter(_thousands)
        ax.yaxis.set_major_formatter(_thousands)
        ax.legend(loc="best", fontsize="small", frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "best_size": self.best_size,
            "best_gain": self.best_gain,
            "chosen_size": self.chosen_size,
            "chosen_gain": self.chosen_gain,
            "customers": self.customers,
        }

    def __repr__(self) -> str:
        return (
            f"<ProfitCurveDisplay: maximum {self.best_gain:,.0f} at {self.best_size:,} customers; "
            f"chosen {self.chosen_size:,} ({self.chosen_gain:,.0f})>"
        )


def _thin(n: int, marks: tuple[int, ...]) -> np.ndarray:
    """At most ``MAX_POINTS`` positions of ``n`` (first, last and ``marks`` kept)."""
    if n <= MAX_POINTS:
        return np.arange(n)
    spaced = np.linspace(0, n - 1, MAX_POINTS).round().astype(int)
    return np.unique(np.concatenate([spaced, [m for m in marks if 0 <= m < n]]))


def _thousands(value: float, _position: Any = None) -> str:
    return f"{value:,.0f}"
