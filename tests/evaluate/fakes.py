"""Stand-ins for what the evaluation stage reads from a trained model (no LightGBM needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlab.evaluate import Backtest
from churnlab.labels import LabelSpec


def make_holdout(n: int = 4_000, *, seed: int = 3, rate: float = 0.08) -> pd.DataFrame:
    """Hold-out predictions shaped like ``ChurnModel.holdout_``: calibrated by construction."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    logit = np.log(rate / (1 - rate)) + 1.4 * signal
    probability = 1 / (1 + np.exp(-logit))
    churned = rng.uniform(size=n) < probability
    noisy = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + 0.7 * (signal + rng.normal(size=n)))))
    return pd.DataFrame(
        {
            "customer_id": [f"{i:05d}" for i in range(n)],
            "cutoff": pd.Timestamp("2024-06-30"),
            "churned": churned,
            "probability": probability,
            "raw_probability": probability,
            "baseline_probability": noisy,
        }
    )


@dataclass
class FakeCard:
    data: dict[str, Any] = field(
        default_factory=lambda: {
            "label_spec": LabelSpec().to_dict(),
            "training_cutoffs": ["2024-01-31", "2024-02-29"],
            "calibration": "<script>alert(1)</script>",
        }
    )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass
class FakeModel:
    """What the evaluation stage reads from a ``ChurnModel``: ``holdout_`` and ``card_``."""

    holdout_: pd.DataFrame = field(default_factory=make_holdout)
    card_: FakeCard = field(default_factory=FakeCard)


class TenureModel:
    """A stand-in model: newer customers churn more (enough signal for an AUC above 0.5)."""

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return 1 / (1 + np.exp(frame["tenure_days"].to_numpy(float) / 365 + 2))


def a_backtest() -> Backtest:
    cutoffs = pd.date_range("2024-01-31", periods=3, freq="ME").astype("datetime64[us]")
    frame = pd.DataFrame(
        {
            "cutoff": cutoffs,
            "train_first": cutoffs - pd.offsets.MonthEnd(8),
            "train_last": cutoffs - pd.offsets.MonthEnd(3),
            "train_cutoffs": 6,
            "train_rows": 6_000,
            "rows": 1_000,
            "churners": [50, 55, 60],
            "churn_rate": [0.05, 0.055, 0.06],
            "mean_probability": [0.052, 0.05, 0.058],
            "roc_auc": [0.81, 0.83, 0.80],
            "pr_auc": [0.3, 0.32, 0.29],
            "lift@10%": [3.9, 4.2, 3.7],
            "capture@10%": [0.39, 0.42, 0.37],
            "ece": [0.01, 0.012, 0.02],
            "brier": [0.04, 0.045, 0.05],
            "log_loss": [0.17, 0.18, 0.19],
        }
    )
    return Backtest(frame=frame, spec=LabelSpec())
