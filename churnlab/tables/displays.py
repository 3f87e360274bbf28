"""Plots of the data alone, as Display objects: compute in ``from_*``, draw in ``plot``.

Nothing here calls ``plt.show()`` or writes a file; matplotlib loads when a plot is drawn.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> frame = pd.DataFrame({"month": pd.to_datetime(["2023-01-01", "2023-02-01"]),
...                       "active_at_start": [10, 9], "churned": [0, 1],
...                       "churn_rate": [0.0, 1 / 9], "left_truncated": [True, False]})
>>> display = ChurnByMonthDisplay(frame=frame).plot()
>>> display.ax_.get_title()
'Monthly churn from Feb 2023; the month before are cut (the extract holds no one who left then)'
>>> import matplotlib.pyplot as plt; plt.close(display.figure_)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from churnlab.tables.describe import (
    monthly_churn,
    retention_curves,
    top_share_of_value,
    value_concentration,
)

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from churnlab.tables.tables import Tables


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def _percent(axis: Any, decimals: int = 0) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _months(n: int) -> str:
    return "month" if n == 1 else f"{n} months"


class ChurnByMonthDisplay:
    """Monthly churn rate of the observed months; the left-truncated months before them are cut,
    and the title says so.

    Attributes
    ----------
    frame:
        :func:`~churnlab.tables.describe.monthly_churn`'s table.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(self, *, frame: pd.DataFrame) -> None:
        self.frame = frame

    @classmethod
    def from_tables(cls, tables: Tables) -> ChurnByMonthDisplay:
        """Compute the monthly churn of loaded tables."""
        return cls(frame=monthly_churn(tables.customers, tables.extract_date))

    def title(self) -> str:
        """The chart's title: where observed churn starts, in words."""
        truncated = self.frame[self.frame["left_truncated"]]
        if truncated.empty:
            return "Monthly churn"
        if len(truncated) == len(self.frame):
            return "Monthly churn: the extract holds no leavers, so none is observed"
        start = self.frame.loc[~self.frame["left_truncated"], "month"].min()
        return (
            f"Monthly churn from {start:%b %Y}; the {_months(len(truncated))} before are cut "
            "(the extract holds no one who left then)"
        )

    def plot(self, ax: Axes | None = None) -> ChurnByMonthDisplay:
        """Draw the rate by month on ``ax`` (new axes when None); return ``self``."""
        axes = _axes(ax, (9, 3.5))
        observed = self.frame[~self.frame["left_truncated"]]
        axes.plot(observed["month"], observed["churn_rate"], marker="o", ms=3)
        axes.set_title(self.title(), fontsize="medium")
        axes.set_ylabel("Left during the month")
        _percent(axes.yaxis, decimals=1)
        axes.set_ylim(bottom=0)
        axes.figure.autofmt_xdate()
        self.ax_, self.figure_ = axes, axes.figure
        return self


class RetentionDisplay:
    """Retention curves by group (signup cohort, plan, ...), one line each.

    Attributes
    ----------
    curves:
        :func:`~churnlab.tables.describe.retention_curves`'s table.
    by:
        What the groups are.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(self, *, curves: pd.DataFrame, by: str) -> None:
        self.curves, self.by = curves, by

    @classmethod
    def from_tables(
        cls, tables: Tables, *, by: str = "cohort", min_at_risk: int = 30
    ) -> RetentionDisplay:
        """Compute the curves of loaded tables (see :func:`retention_curves`)."""
        curves = retention_curves(
            tables.customers, tables.extract_date, by=by, min_at_risk=min_at_risk
        )
        return cls(curves=curves, by=by)

    def plot(self, ax: Axes | None = None) -> RetentionDisplay:
        """Draw one curve per group on ``ax`` (new axes when None); return ``self``."""
        axes = _axes(ax, (8, 4))
        for name, curve in self.curves.groupby("group", sort=True):
            axes.step(curve["month"], curve["retention"], where="post", label=str(name))
        label = "signup year" if self.by == "cohort" else self.by
        axes.set(
            title=f"Still a customer after each month of tenure, by {label}",
            xlabel="Months since signup",
            ylabel="Still a customer",
        )
        _percent(axes.yaxis)
        if not self.curves.empty:
            axes.legend(title=label, fontsize="small", ncol=2)
        self.ax_, self.figure_ = axes, axes.figure
        return self


class ConcentrationDisplay:
    """How much of the value the best customers hold (best first), with the top 10% and 20%
    marked.

    Attributes
    ----------
    curve:
        :func:`~churnlab.tables.describe.value_concentration`'s table.
    what:
        What the value is, in words (the axis label).
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(self, *, curve: pd.DataFrame, what: str) -> None:
        self.curve, self.what = curve, what

    @classmethod
    def from_values(
        cls, values: pd.Series | np.ndarray, *, what: str = "value"
    ) -> ConcentrationDisplay:
        """Compute the curve of one value per customer."""
        return cls(curve=value_concentration(values), what=what)

    def sentence(self) -> str:
        """The concentration in one sentence."""
        top10, top20 = (top_share_of_value(self.curve, s) for s in (0.1, 0.2))
        return (
            f"The top 10% of customers hold {top10:.0%} of the {self.what}, "
            f"the top 20% hold {top20:.0%}."
        )

    def plot(self, ax: Axes | None = None) -> ConcentrationDisplay:
        """Draw the curve on ``ax`` (new axes when None); return ``self``."""
        axes = _axes(ax, (5.5, 4.5))
        axes.plot(self.curve["customer_share"], self.curve["value_share"], label="customers")
        axes.plot([0, 1], [0, 1], ls=":", color="0.5", label="all customers alike")
        for share in (0.1, 0.2):
            held = top_share_of_value(self.curve, share)
            axes.plot([share], [held], "o", color="C3")
            axes.annotate(
                f"top {share:.0%}: {held:.0%}", (share, held), (6, -12), textcoords="offset points"
            )
        axes.set(
            title=f"How concentrated the {self.what} is",
            xlabel="Top share of customers",
            ylabel=f"Share of the {self.what}",
        )
        _percent(axes.xaxis)
        _percent(axes.yaxis)
        axes.legend(loc="lower right")
        self.ax_, self.figure_ = axes, axes.figure
        return self
