"""Churn rate by feature cohort (fight-churn's "metric cohort" plots): customers cut into
deciles of a numeric feature, or by the levels of a categorical one, and each cohort's churn rate.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> frame = pd.DataFrame({"complaints_90d": [0, 0, 0, 1, 2, 3], "churned": [0, 0, 1, 0, 1, 1]})
>>> churn_by_cohort(frame, "complaints_90d", bins=2)
  cohort  lower  upper  customers  churned  churn_rate
0      0    0.0    0.0          3        1    0.333333
1    1–3    1.0    3.0          3        2    0.666667
>>> display = CohortChurnDisplay.from_frame(frame, "complaints_90d", bins=2).plot()
>>> display.ax_.get_title()
'Churn rate by complaints_90d (overall 50.0%)'
>>> import matplotlib.pyplot as plt; plt.close(display.figure_)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from churnlab.errors import SpecError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

COLUMNS = ["cohort", "lower", "upper", "customers", "churned", "churn_rate"]


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"


def churn_by_cohort(
    frame: pd.DataFrame, feature: str, *, target: str = "churned", bins: int = 10
) -> pd.DataFrame:
    """Each cohort of ``feature`` with its customers and churn rate.

    Parameters
    ----------
    frame:
        One row per customer (and cutoff) with ``feature`` and the 0/1 ``target``, such as a
        training frame's ``.frame``.
    feature:
        A numeric column (cut into ``bins`` quantile cohorts; tied edges merge) or a
        categorical one (one cohort per level). Missing values form a cohort ``missing``.
    target:
        The churn label column.
    bins:
        Number of quantile cohorts of a numeric feature (10: deciles).

    Returns
    -------
    pandas.DataFrame
        ``cohort`` (a label), ``lower`` and ``upper`` (the cohort's range; NaN for categories),
        ``customers``, ``churned``, ``churn_rate``; numeric cohorts in order, categories by
        falling churn rate.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"plan": ["basic", "basic", "premium", None], "churned": [1, 0, 0, 1]})
    >>> churn_by_cohort(frame, "plan")[["cohort", "customers", "churn_rate"]]
        cohort  customers  churn_rate
    0  missing          1         1.0
    1    basic          2         0.5
    2  premium          1         0.0
    """
    for name in (feature, target):
        if name not in frame:
            raise SpecError(
                f"The frame given to churn_by_cohort has no column {name!r}. "
                f"Columns: {', '.join(map(str, frame.columns[:10]))}"
                + (f" (+{len(frame.columns) - 10} more)." if len(frame.columns) > 10 else ".")
            )
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise SpecError(
            f"The 'bins' parameter of churn_by_cohort must be an int >= 2. Got {bins!r} instead."
        )
    values = frame[feature]
    churned = frame[target].astype("float64")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        present = numbers.notna().to_numpy()
        codes = np.full(len(numbers), -1, dtype="int64")
        if present.any():
            edges = np.unique(np.quantile(numbers[present], np.linspace(0, 1, bins + 1)))
            inner = edges[1:-1]
            codes[present] = np.searchsorted(inner, numbers[present].to_numpy(), side="right")
        grouped = pd.DataFrame({"code": codes, "value": numbers, "churned": churned})
        table = grouped.groupby("code").agg(
            lower=("value", "min"),
            upper=("value", "max"),
            customers=("churned", "size"),
            churned=("churned", "sum"),
        )
        table = table.reset_index()
        table["cohort"] = [
            "missing" if code < 0 else _label(lo) if lo == hi else f"{_label(lo)}–{_label(hi)}"
            for code, lo, hi in zip(table["code"], table["lower"], table["upper"], strict=True)
        ]
        table = pd.concat([table[table["code"] >= 0], table[table["code"] < 0]])
    else:
        labels = values.astype("string").fillna("missing")
        table = (
            pd.DataFrame({"cohort": labels, "churned": churned})
            .groupby("cohort")
            .agg(customers=("churned", "size"), churned=("churned", "sum"))
            .reset_index()
        )
        table["lower"] = table["upper"] = np.nan
        table["cohort"] = table["cohort"].astype(str)
    table["churned"] = table["churned"].astype("int64")
    table["churn_rate"] = table["churned"] / table["customers"]
    if "code" not in table:
        table = table.sort_values(["churn_rate", "cohort"], ascending=[False, True])
    return table[COLUMNS].reset_index(drop=True)


class CohortChurnDisplay:
    """Churn rate of each cohort of a feature, as bars, with the overall rate as a line.

    Attributes
    ----------
    table:
        :func:`churn_by_cohort`'s table.
    feature:
        The feature's name.
    overall:
        The churn rate of all rows.
    """

    figure_: Figure | SubFigure
    ax_: Axes

    def __init__(self, *, table: pd.DataFrame, feature: str, overall: float) -> None:
        self.table, self.feature, self.overall = table, feature, overall

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, feature: str, *, target: str = "churned", bins: int = 10
    ) -> CohortChurnDisplay:
        """Compute the cohorts of ``feature`` in ``frame`` (see :func:`churn_by_cohort`)."""
        table = churn_by_cohort(frame, feature, target=target, bins=bins)
        overall = float(frame[target].mean()) if len(frame) else float("nan")
        return cls(table=table, feature=feature, overall=overall)

    def plot(self, ax: Axes | None = None) -> CohortChurnDisplay:
        """Draw the bars on ``ax`` (new axes when None); return ``self``."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 3.5))
        positions = np.arange(len(self.table))
        ax.bar(positions, self.table["churn_rate"], color="C0")
        ax.axhline(self.overall, ls="--", color="0.4", lw=1, label="all customers")
        ax.set_xticks(positions, self.table["cohort"], rotation=30, ha="right", fontsize="small")
        ax.set(
            title=f"Churn rate by {self.feature} (overall {self.overall:.1%})",
            ylabel="Churn rate",
            xlabel=f"{self.feature} cohort (customers per cohort: "
            f"{int(self.table['customers'].min()):,}–{int(self.table['customers'].max()):,})"
            if len(self.table)
            else self.feature,
        )
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if len(self.table):
            top = max(float(self.table["churn_rate"].max()), self.overall)
            ax.set_ylim(0, top * 1.25 if top > 0 else 1.0)
        ax.legend(loc="upper right", fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self
