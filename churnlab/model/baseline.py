"""The baseline: a regularised logistic regression on the same features, saved as JSON.

Every model is trained beside it so that the gain of the boosted trees is always visible.
Numeric features are clipped to their 0.5% and 99.5% quantiles, missing values are imputed
with the median plus a missing-indicator column, and everything is standardised; categories
are one-hot columns over the model's fixed category lists (unseen and missing: all zeros).
The transformation is plain numbers, so a reloaded baseline applies exactly as trained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.linear_model import LogisticRegression

from churnlab.errors import ModelError

MAX_ROWS = 300_000
"""The baseline is fitted on at most this many rows (a seeded sample): it saturates early."""
C = 1.0
CLIP = (0.005, 0.995)


@dataclass(frozen=True, kw_only=True)
class NumericStats:
    """How one numeric feature is clipped, imputed and standardised."""

    lower: float
    upper: float
    median: float
    mean: float
    scale: float
    indicator: bool


@dataclass(frozen=True, kw_only=True)
class BaselineModel:
    """A fitted logistic regression with its own preprocessing.

    >>> frame = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 5, 6, 7], "plan": pd.Categorical(list("abab" * 2))})
    >>> y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    >>> base = BaselineModel.fit(frame, y, numeric=["x"], categories={"plan": ["a", "b"]})
    >>> bool(base.predict_proba(frame)[-1] > base.predict_proba(frame)[0])
    True
    >>> BaselineModel.from_dict(base.to_dict()) == base
    True
    """

    numeric: dict[str, NumericStats]
    categories: dict[str, tuple[str, ...]]
    coef: tuple[float, ...]
    intercept: float
    C: float = C
    rows: int = 0
    columns: tuple[str, ...] = field(default=())

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        y: ArrayLike,
        *,
        numeric: Sequence[str],
        categories: Mapping[str, Sequence[str]],
        weight: ArrayLike | None = None,
        seed: int = 7,
        max_rows: int = MAX_ROWS,
    ) -> BaselineModel:
        """Fit on ``frame`` (features) and ``y`` (1 = churned), at most ``max_rows`` rows."""
        y_arr = np.asarray(y, dtype=float)
        w = np.ones(len(frame)) if weight is None else np.asarray(weight, dtype=float)
        if len(frame) > max_rows:
            rows = np.sort(np.random.default_rng(seed).choice(len(frame), max_rows, replace=False))
            frame, y_arr, w = frame.iloc[rows], y_arr[rows], w[rows]
        stats = {}
        for name in numeric:
            values = frame[name].to_numpy(dtype=float, na_value=np.nan)
            finite = values[np.isfinite(values)]
            if len(finite) == 0:
                stats[name] = NumericStats(
                    lower=0.0, upper=0.0, median=0.0, mean=0.0, scale=1.0, indicator=True
                )
                continue
            lower, upper = (float(q) for q in np.quantile(finite, CLIP))
            median = float(np.median(np.clip(finite, lower, upper)))
            filled = np.where(np.isfinite(values), np.clip(values, lower, upper), median)
            scale = float(filled.std()) or 1.0
            stats[name] = NumericStats(
                lower=lower,
                upper=upper,
                median=median,
                mean=float(filled.mean()),
                scale=scale,
                indicator=bool(len(finite) < len(values)),
            )
        base = cls(
            numeric=stats,
            categories={k: tuple(v) for k, v in categories.items()},
            coef=(),
            intercept=0.0,
        )
        design = base.design(frame)
        if len(np.unique(y_arr)) < 2:
            raise ModelError("The baseline needs churners and non-churners to learn from.")
        model = LogisticRegression(C=C, max_iter=1000)
        model.fit(design, y_arr, sample_weight=w)
        return cls(
            numeric=stats,
            categories=base.categories,
            coef=tuple(float(c) for c in model.coef_[0]),
            intercept=float(model.intercept_[0]),
            C=C,
            rows=len(frame),
            columns=base.design_columns(),
        )

    def design_columns(self) -> tuple[str, ...]:
        """Names of the design matrix columns."""
        names: list[str] = []
        for name, s in self.numeric.items():
            names.append(name)
            if s.indicator:
                names.append(f"{name}__missing")
        for name, values in self.categories.items():
            names.extend(f"{name}={v}" for v in values)
        return tuple(names)

    def design(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """The standardised design matrix of ``frame``."""
        parts: list[NDArray[np.float64]] = []
        for name, s in self.numeric.items():
            values = frame[name].to_numpy(dtype=float, na_value=np.nan)
            missing = ~np.isfinite(values)
            filled = np.where(missing, s.median, np.clip(values, s.lower, s.upper))
            parts.append((filled - s.mean) / s.scale)
            if s.indicator:
                parts.append(missing.astype(float))
        for name, listed in self.categories.items():
            column = frame[name]
            if isinstance(column.dtype, pd.CategoricalDtype) and tuple(
                column.cat.categories
            ) == tuple(listed):
                codes = column.cat.codes.to_numpy()
            else:
                codes = pd.Index(list(listed)).get_indexer(pd.Index(column.astype("string")))
            onehot = np.zeros((len(frame), len(listed)))
            known = codes >= 0
            onehot[np.flatnonzero(known), codes[known]] = 1.0
            parts.extend(onehot.T)
        if not parts:
            return np.zeros((len(frame), 0))
        return np.column_stack(parts)

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Churn probabilities (1 = churned) of the rows of ``frame``."""
        if not self.coef:
            raise ModelError("This baseline is not fitted: use BaselineModel.fit first.")
        z = self.design(frame) @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "logistic_regression",
            "C": self.C,
            "rows": self.rows,
            "numeric": {
                name: {
                    "lower": s.lower,
                    "upper": s.upper,
                    "median": s.median,
                    "mean": s.mean,
                    "scale": s.scale,
                    "indicator": s.indicator,
                }
                for name, s in self.numeric.items()
            },
            "categories": {k: list(v) for k, v in self.categories.items()},
            "columns": list(self.columns),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineModel:
        try:
            return cls(
                numeric={
                    name: NumericStats(**{k: s[k] for k in NumericStats.__dataclass_fields__})
                    for name, s in data["numeric"].items()
                },
                categories={k: tuple(v) for k, v in data["categories"].items()},
                coef=tuple(float(c) for c in data["coef"]),
                intercept=float(data["intercept"]),
                C=float(data.get("C", C)),
                rows=int(data.get("rows", 0)),
                columns=tuple(data.get("columns", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The baseline's parameters cannot be read: {exc!r}.") from None
