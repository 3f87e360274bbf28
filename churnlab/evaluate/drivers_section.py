"""The report's "What drives churn" section: SHAP values of the model's hold-out customers.

The model keeps its hold-out rows (``holdout_``: customer ids and cutoffs) but not their
features, and its card does not say where the training data live. So the section needs the
data: the training frame, or the data directory the model was trained on, whose hold-out
cutoffs are rebuilt with the model's label definition and category lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.explanations import BeeswarmDisplay, Explanation, explain
from churnlab.features import FeatureFrame, build_training_frame, load_families
from churnlab.tables import Tables

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from churnlab.model import ChurnModel

MAX_ROWS = 50_000
"""Hold-out rows explained at most (a random sample beyond: the global views barely move)."""
SEED = 0
DataLike = FeatureFrame | pd.DataFrame | Tables | str | Path


def holdout_features(model: ChurnModel, data: DataLike) -> pd.DataFrame:
    """The model's hold-out rows with their features, in ``model.holdout_``'s order.

    ``data``: the training frame (a :class:`FeatureFrame` or its DataFrame), or the data the
    model was trained on (a directory or :class:`Tables`), whose hold-out cutoffs are built
    again with the model's label definition, category lists and feature families.
    """
    holdout = model.holdout_
    if isinstance(data, FeatureFrame | pd.DataFrame):
        frame = data.frame if isinstance(data, FeatureFrame) else data
    else:
        card = model.card_
        frame = build_training_frame(
            data,
            card.label_spec,
            cutoffs=list(card.holdout_cutoffs),
            vocabulary=card.vocabulary,
            families=load_families(card.feature_families),
            progress=False,
            leave_out=card.left_out,
        ).frame
    keys = ["customer_id", "cutoff"]
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise SpecError(
            f"The data to explain the hold-out lack the column(s) {', '.join(missing)}: pass "
            "the training frame or the data directory the model was trained on."
        )
    wanted = holdout[keys].assign(cutoff=pd.to_datetime(holdout["cutoff"]).astype("datetime64[us]"))
    have = frame.drop(columns=["churned"], errors="ignore").assign(
        cutoff=pd.to_datetime(frame["cutoff"]).astype("datetime64[us]")
    )
    rows = wanted.merge(have, on=keys, how="left", indicator=True)
    found = int((rows["_merge"] == "both").sum())
    if found < len(holdout) or len(rows) != len(holdout):
        raise SpecError(
            f"The data hold {found:,} of the model's {len(holdout):,} hold-out rows (customer "
            "and cutoff): pass the training frame or the data directory the model was "
            "trained on."
        )
    return rows.drop(columns=["_merge"])


@dataclass(frozen=True, kw_only=True, eq=False)
class DriversSection:
    """What the report shows under "What drives churn".

    Attributes
    ----------
    explanation:
        SHAP values of the hold-out rows explained (all, or :data:`MAX_ROWS` drawn at
        random with seed :data:`SEED`).
    holdout_rows:
        Hold-out rows in all.
    """

    explanation: Explanation
    holdout_rows: int

    @property
    def note(self) -> str:
        n = len(self.explanation)
        rows = (
            f"all {n:,} hold-out customers"
            if n == self.holdout_rows
            else f"{n:,} of the {self.holdout_rows:,} hold-out customers (drawn at random)"
        )
        return (
            f"Exact TreeSHAP values of {rows}, on the log-odds scale: a positive value raises "
            "the customer's churn risk above the model's base value."
        )

    def draw_beeswarm(self, ax: Axes) -> object:
        return BeeswarmDisplay.from_explanation(self.explanation).plot(ax=ax)

    def categories_html(self) -> str:
        table = self.explanation.importance("category").rename(
            columns={
                "reason_category": "reason category",
                "mean_abs_shap": "mean |SHAP|",
                "mean_shap": "mean SHAP",
            }
        )
        attribution = self.explanation.attribution("category")
        overall = attribution[attribution["risk_band"] == attribution["risk_band"].iloc[0]]
        shares = overall.set_index("reason_category")["share"]
        table["share of predicted churn"] = table["reason category"].map(shares).fillna(0.0)
        percent = "{:.1%}".format
        return table.to_html(
            index=False,
            border=0,
            formatters={
                "mean |SHAP|": "{:.4f}".format,
                "share": percent,
                "mean SHAP": "{:+.4f}".format,
                "share of predicted churn": percent,
            },
        )

    def bands_html(self) -> str:
        """Share of each band's predicted churn per reason category ("–": an empty band)."""
        attribution = self.explanation.attribution("category")
        table = attribution.pivot(index="reason_category", columns="risk_band", values="share")
        customers = attribution.groupby("risk_band", sort=False)["customers"].first()
        table = table.reindex(columns=list(customers.index))
        order = table.iloc[:, 0].drop("unattributed", errors="ignore").sort_values(ascending=False)
        table = table.reindex([*order.index, *(["unattributed"] * ("unattributed" in table.index))])
        table.loc[:, customers.to_numpy() == 0] = np.nan
        table.columns = [f"{band} ({n:,} customers)" for band, n in customers.items()]
        table = table.rename_axis(index="reason category")
        return table.to_html(border=0, float_format="{:.1%}".format, na_rep="–")

    def sentences(self, n: int = 5) -> list[str]:
        return list(self.explanation.drivers(n)["sentence"])


def drivers_section(model: ChurnModel, data: DataLike, *, progress: bool = False) -> DriversSection:
    """Explain the model's hold-out rows (at most :data:`MAX_ROWS` of them)."""
    rows = holdout_features(model, data)
    total = len(rows)
    if total > MAX_ROWS:
        keep = np.sort(np.random.default_rng(SEED).choice(total, size=MAX_ROWS, replace=False))
        rows = rows.iloc[keep]
    return DriversSection(explanation=explain(model, rows, progress=progress), holdout_rows=total)
