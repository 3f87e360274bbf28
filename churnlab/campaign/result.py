"""``TargetList``: a retention campaign's list, its control group and its economics, with the
list's fixed columns and their guide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from churnlab.campaign.displays import ProfitCurveDisplay
from churnlab.campaign.gain import acceptance_quantiles, expected_gain
from churnlab.campaign.power import MDE
from churnlab.campaign.selection import Selection, rank_order
from churnlab.campaign.spec import CampaignSpec
from churnlab.campaign.winback import WinbackList

REASONS = 3
"""Reasons per listed customer."""
TARGET_COLUMNS = (
    "customer_id",
    "group",
    "rank",
    "churn_probability",
    "risk_band",
    "value",
    "expected_gain",
    "segment",
    "reason_1",
    "reason_2",
    "reason_3",
    "recommended_action",
    "as_of",
    "horizon_days",
    "model_id",
)
"""The list's columns, in order (personal columns asked for follow them)."""
COLUMN_GUIDE = {
    "customer_id": ("The customer's id, as in your data (text).", "客户编号（文本）。"),
    "group": (
        "target: contact this customer. control: do NOT contact; kept out at random to "
        "measure the campaign's effect.",
        "target：联系该客户；control：请勿联系，随机留出的对照组，用于衡量活动效果。",
    ),
    "rank": ("1 = the highest expected gain.", "1 = 预期收益最高。"),
    "churn_probability": (
        "The chance the customer leaves within the horizon, from the model (calibrated).",
        "模型给出的在预测期内流失的概率（已校准）。",
    ),
    "risk_band": ("The model's risk band.", "风险等级。"),
    "value": (
        "What keeping the customer is worth: their margin over the months a retained "
        "customer stays.",
        "留住该客户的价值：留存客户在剩余月份内带来的利润。",
    ),
    "expected_gain": (
        "The expected profit of contacting the customer with the offer, after the offer's and "
        "the contact's cost.",
        "联系该客户并提供优惠的预期利润（已扣除优惠与联系成本）。",
    ),
    "segment": ("The customer's value and loyalty group.", "客户的价值与忠诚度分组。"),
    "reason_1": ("The strongest reason for the risk, in words.", "风险的首要原因。"),
    "reason_2": ("The second reason (empty when there is none).", "第二原因（无则为空）。"),
    "reason_3": ("The third reason (empty when there is none).", "第三原因（无则为空）。"),
    "recommended_action": (
        "What to offer or do, from the strongest reason an offer can change.",
        "建议的挽留措施，依据可被改变的首要原因。",
    ),
    "as_of": ("The day the data describe: known at its end.", "数据截止日期。"),
    "horizon_days": ("The days ahead the churn probability covers.", "流失概率覆盖的天数。"),
    "model_id": ("The model that scored the customer.", "评分所用模型的编号。"),
}


@dataclass(frozen=True, kw_only=True, eq=False)
class TargetList:
    """A retention campaign's list, its control group and its economics.

    Attributes
    ----------
    frame:
        The list, best expected gain first, in the columns of :data:`TARGET_COLUMNS` (and the
        personal columns asked for).
    scored:
        Every scored customer: ``customer_id``, ``churn_probability``, ``value``,
        ``monthly_spend``, ``expected_gain``, ``expected_cost``, ``acceptance``, ``segment``, ``key_account``,
        ``control``, ``listed``, ``explained`` (whether reasons were computed, and so the
        offer of their own action used), ``reason_1_category`` (the strongest reason's
        category; missing when not explained or when no reason raises the risk).
    winback:
        The win-back list (``None`` when not asked for).
    selection, campaign, control_fraction:
        How the list was cut; the campaign's settings (with its resolved id); the control
        fraction used (``auto`` resolved).
    mde:
        The minimum detectable effect of this list's control group (``None`` when the list
        or its control group is empty).
    expected_reduction:
        The drop in the listed customers' churn rate that the offer's acceptance implies.
    """

    frame: pd.DataFrame
    scored: pd.DataFrame
    winback: WinbackList | None
    selection: Selection
    campaign: CampaignSpec
    campaign_id: str
    control_fraction: float
    mde: MDE | None
    expected_reduction: float
    as_of: pd.Timestamp
    as_of_source: str
    horizon_days: int
    model_id: str
    model_digest: str
    value_method: str
    monthly_retention: float
    segment_thresholds: dict[str, Any]
    budget_left: float | None
    language: str
    include_columns: tuple[str, ...]
    data_fingerprint: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    # -- numbers ------------------------------------------------------------------------------
    def _group(self, name: str) -> pd.DataFrame:
        listed = self.scored[self.scored["listed"]]
        return listed[listed["control"] == (name == "control")]

    def totals(self) -> dict[str, float]:
        """The contacted customers' expected churners, saves, gain and cost."""
        target = self._group("target")
        p = target["churn_probability"]
        return {
            "listed": int(self.scored["listed"].sum()),
            "target": len(target),
            "control": len(self._group("control")),
            "expected_churners_reached": float(p.sum()),
            "expected_saves": float((p * target["acceptance"]).sum()),
            "expected_gain": float(target["expected_gain"].sum()),
            "cost": float(target["expected_cost"].sum()),
        }

    def summary(self) -> pd.DataFrame:
        """Customers by group, with expected churners, saves, gain and cost.

        The control group is not contacted: it saves no one, costs nothing, and its expected
        churners are the yardstick the targeted group is measured against.
        """
        rows = []
        for name in ("target", "control"):
            part = self._group(name)
            p = part["churn_probability"]
            contacted = name == "target"
            rows.append(
                {
                    "group": name,
                    "customers": len(part),
                    "mean_churn_probability": float(p.mean()) if len(part) else float("nan"),
                    "expected_churners": float(p.sum()),
                    "expected_saves": float((p * part["acceptance"]).sum()) if contacted else 0.0,
                    "expected_gain": float(part["expected_gain"].sum()) if contacted else 0.0,
                    "cost": float(part["expected_cost"].sum()) if contacted else 0.0,
                }
            )
        return pd.DataFrame(rows)

    def by_segment(self) -> pd.DataFrame:
        """Listed customers by segment and group."""
        listed = self.scored[self.scored["listed"]]
        group = np.where(listed["control"], "control", "target")
        return (
            listed.assign(group=group)
            .groupby(["segment", "group"], observed=True)
            .size()
            .unstack("group", fill_value=0)
            .reindex(columns=["target", "control"], fill_value=0)
        )

    def profit_curve(self) -> ProfitCurveDisplay:
        """The expected gain against the list's size, with the maximum and the chosen cut."""
        scored = self.scored
        order = rank_order(scored["expected_gain"].to_numpy(), scored["customer_id"].to_numpy())
        ranked = scored.iloc[order]
        low, high = (
            _gain_at(ranked, q) for q in acceptance_quantiles(ranked["acceptance"], (0.05, 0.95))
        )
        return ProfitCurveDisplay.from_gains(
            ranked["expected_gain"].to_numpy(),
            low=low,
            high=high,
            control=ranked["control"].to_numpy(),
            chosen=int(scored["listed"].sum()),
            chosen_gain=self.totals()["expected_gain"],
        )

    def control_is_large_enough(self) -> bool | None:
        """Whether the control group can detect the effect the offer's acceptance implies
        (80% power, 5% two-sided, unless the campaign says otherwise)."""
        if self.mde is None:
            return None
        return self.mde.detects(self.expected_reduction)

    def mde_line(self) -> str:
        """The control group's power in one sentence (:meth:`MDE.verdict`), with what to do
        when it is too small."""
        if self.mde is None:
            return "No control group to measure the effect with (the list or the group is empty)."
        advice = (
            ""
            if self.control_is_large_enough()
            else " Raise the control fraction, or set it to auto (the smallest with that power)."
        )
        return self.mde.verdict(self.expected_reduction) + advice

    # -- views --------------------------------------------------------------------------------
    def __repr__(self) -> str:
        t = self.totals()
        return (
            f"<TargetList {self.campaign_id} at {self.as_of.date()}: {t['listed']:,} listed "
            f"({t['target']:,} to contact, {t['control']:,} control); expected gain "
            f"{t['expected_gain']:,.0f}, cost {t['cost']:,.0f}, expected saves "
            f"{t['expected_saves']:,.1f}>"
        )

    def title(self) -> str:
        """The list in one line of words (the HTML view's heading)."""
        t = self.totals()
        return (
            f"Target list {self.campaign_id} at {self.as_of.date()}: {t['listed']:,} customers "
            f"({t['target']:,} to contact, {t['control']:,} in the control group)"
        )

    def _repr_html_(self) -> str:
        shown = self.summary().rename(columns=_HEADINGS)
        summary = shown.to_html(
            index=False,
            border=0,
            formatters={
                _HEADINGS["customers"]: "{:,}".format,
                _HEADINGS["mean_churn_probability"]: "{:.1%}".format,
                _HEADINGS["expected_churners"]: "{:,.1f}".format,
                _HEADINGS["expected_saves"]: "{:,.1f}".format,
                _HEADINGS["expected_gain"]: "{:,.0f}".format,
                _HEADINGS["cost"]: "{:,.0f}".format,
            },
        )
        return _HTML.render(
            title=self.title(),
            selection=self.selection.describe(),
            summary=summary,
            mde=self.mde_line(),
            notes=self.notes,
            model=self.model_id,
            value_method=self.value_method,
        )

    def to_dict(self) -> dict[str, Any]:
        """The list's summary and parameters (not its rows) as JSON-ready values."""
        return {
            "campaign_id": self.campaign_id,
            "as_of": str(self.as_of.date()),
            "as_of_source": self.as_of_source,
            "horizon_days": self.horizon_days,
            "model_id": self.model_id,
            "model_digest": self.model_digest,
            "selection": self.selection.to_dict(),
            "campaign": self.campaign.to_dict(),
            "control_fraction": self.control_fraction,
            "value_method": self.value_method,
            "monthly_retention": self.monthly_retention,
            "segment_thresholds": self.segment_thresholds,
            "language": self.language,
            "include_columns": list(self.include_columns),
            "totals": self.totals(),
            "groups": self.summary().to_dict(orient="records"),
            "by_segment": {
                str(segment): {str(k): int(v) for k, v in row.items()}
                for segment, row in self.by_segment().iterrows()
            },
            "budget_left": self.budget_left,
            "minimum_detectable_effect": None if self.mde is None else self.mde.to_dict(),
            "expected_reduction": self.expected_reduction,
            "control_large_enough": self.control_is_large_enough(),
            "winback": None if self.winback is None else self.winback.to_dict(),
            "data_fingerprint": self.data_fingerprint,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }

    def export(
        self,
        directory: str | Path,
        *,
        formats: Sequence[str] = ("csv", "xlsx", "parquet"),
        protect: Sequence[str | Path] = (),
        run_id: str | None = None,
    ) -> Path:
        """Write the list's files into ``directory``, atomically (``run_id``: the ``churnlab
        run`` that made it, for the manifest); see
        :func:`churnlab.campaign.files.write_target_list`."""
        from churnlab.campaign.files import write_target_list

        return write_target_list(self, directory, formats=formats, protect=protect, run_id=run_id)


_HEADINGS = {
    "group": "group",
    "customers": "customers",
    "mean_churn_probability": "mean churn probability",
    "expected_churners": "expected churners",
    "expected_saves": "expected saves",
    "expected_gain": "expected gain",
    "cost": "cost",
}
_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-target-list"><p><b>{{ title }}</b></p>
<p>Selection: {{ selection }}. Model {{ model }}. Value: {{ value_method }}.</p>
{{ summary | safe }}<p>{{ mde }}</p>{% if notes %}<ul>{% for note in notes %}<li>{{ note }}</li>
{% endfor %}</ul>{% endif %}</div>"""
)


def _gain_at(ranked: pd.DataFrame, acceptance: np.ndarray) -> np.ndarray:
    return expected_gain(
        ranked["churn_probability"],
        ranked["value"],
        ranked["offer_cost"],
        acceptance=acceptance,
        take_up=ranked["take_up"],
        contact_cost=ranked["contact_cost"],
    )
