"""Helpers of the model tests (imported by name, like tests/evaluate/fakes.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlab.features import FeatureFrame
from churnlab.features.registry import attribute_feature
from churnlab.labels import LabelSpec
from churnlab.model import ModelSpec

CREATED = "2024-07-01T00:00:00"
SMALL = ModelSpec(max_rounds=60)


def synthetic_frame(
    *, rows_per_cutoff: int = 6000, cutoffs: int = 6, base_rate: float = 0.05, seed: int = 0
) -> tuple[FeatureFrame, np.ndarray]:
    """A well-specified problem: churn drawn from a known logistic model of three features.

    Returns the frame and the true churn probability of each row.
    """
    rng = np.random.default_rng(seed)
    n = rows_per_cutoff * cutoffs
    grid = pd.date_range("2023-01-31", periods=cutoffs, freq="ME")
    x1, x2 = rng.normal(size=n), rng.exponential(size=n)
    plan = rng.choice(["basic", "gold", "silver"], size=n)
    intercept = np.log(base_rate / (1 - base_rate))
    true_p = 1 / (1 + np.exp(-(intercept + 0.9 * x1 - 0.6 * (x2 - 1) + 0.7 * (plan == "basic"))))
    data = pd.DataFrame(
        {
            "customer_id": [f"C{i % rows_per_cutoff:05d}" for i in range(n)],
            "cutoff": np.repeat(grid.to_numpy(), rows_per_cutoff).astype("datetime64[us]"),
            "churned": rng.uniform(size=n) < true_p,
            "x1": x1.astype("float32"),
            "x2": x2.astype("float32"),
            "plan": pd.Categorical(plan, categories=["basic", "gold", "silver"]),
        }
    )
    features = (
        attribute_feature("x1", categorical=False),
        attribute_feature("x2", categorical=False),
        attribute_feature("plan", categorical=True),
    )
    # Monthly cutoffs with a 30-day horizon: no gap is needed before the hold-out.
    return (
        FeatureFrame(
            frame=data,
            spec=LabelSpec(horizon_days=28),
            cutoffs=tuple(pd.Timestamp(c) for c in grid),
            features=features,
            vocabulary={"customers.plan": ("basic", "gold", "silver")},
            labelled=True,
        ),
        true_p,
    )
