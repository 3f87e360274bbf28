"""Probability calibration on the hold-out, chosen by the log loss of :mod:`churnlab.metrics`.

Later stages multiply churn probabilities by customer value, so a calibrated ``0.3`` must
mean three churners in ten customers. The calibrator is fitted on the hold-out predictions
of the model that never saw the hold-out; its parameters are plain numbers saved as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from churnlab.errors import ModelError
from churnlab.metrics import log_loss

Method = Literal["isotonic", "platt", "none"]
METHODS: tuple[Method, ...] = ("none", "platt", "isotonic")
"""Simplest first: ``auto`` keeps a simpler method unless a richer one is clearly better."""
ISOTONIC_FLOOR = 1e-5
CROSS_FIT_FOLDS = 5
SIMPLER_WITHIN = 1e-3
"""``auto`` prefers a simpler method whose log loss is within this relative margin."""


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    q = np.clip(p, 1e-15, 1 - 1e-15)
    return np.asarray(np.log(q) - np.log1p(-q))


@dataclass(frozen=True, kw_only=True)
class Calibrator:
    """A monotone map from the booster's raw probability to a calibrated one.

    ``isotonic`` interpolates linearly between knots ``(x, y)`` (the centres of the isotonic
    steps, so customers keep their order) and holds the end values beyond them; ``platt`` is
    ``1 / (1 + exp(-(a * logit(raw) + b)))``; ``none`` returns the raw probability.

    >>> Calibrator(method="platt", a=1.0, b=0.0).apply([0.2, 0.7]).round(3).tolist()
    [0.2, 0.7]
    >>> Calibrator.from_dict({"method": "isotonic", "x": [0.1, 0.5], "y": [0.05, 0.6]}).apply([0.3])
    array([0.325])
    """

    method: Method = "none"
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ModelError(
                f"Unknown calibration method {self.method!r}; known: {', '.join(METHODS)}."
            )
        if self.method == "isotonic" and (len(self.x) != len(self.y) or not self.x):
            raise ModelError("An isotonic calibrator needs knots x and y of one positive length.")

    @classmethod
    def fit(
        cls,
        method: Method,
        raw: ArrayLike,
        y: ArrayLike,
        *,
        weight: ArrayLike | None = None,
    ) -> Calibrator:
        """Fit ``method`` to raw probabilities and outcomes (1 = churned)."""
        raw_arr = np.asarray(raw, dtype=float)
        y_arr = np.asarray(y, dtype=float)
        w = None if weight is None else np.asarray(weight, dtype=float)
        if method == "none":
            return cls(method="none")
        if method == "platt":
            model = LogisticRegression(C=1e6, max_iter=1000)
            model.fit(_logit(raw_arr).reshape(-1, 1), y_arr, sample_weight=w)
            return cls(method="platt", a=float(model.coef_[0, 0]), b=float(model.intercept_[0]))
        if method == "isotonic":
            return cls._fit_isotonic(raw_arr, y_arr, w)
        raise ModelError(f"Unknown calibration method {method!r}; known: {', '.join(METHODS)}.")

    @classmethod
    def _fit_isotonic(
        cls, raw: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64] | None
    ) -> Calibrator:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        order = np.argsort(raw, kind="stable")
        xs, ys = raw[order], y[order]
        ws = np.ones_like(xs) if w is None else w[order]
        fitted = iso.fit(xs, ys, sample_weight=ws).predict(xs)
        # One knot per isotonic step, at the step's weighted mean raw probability.
        starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
        sums = np.add.reduceat(xs * ws, starts)
        weights = np.add.reduceat(ws, starts)
        knots_x = sums / weights
        knots_y = np.clip(fitted[starts], ISOTONIC_FLOOR, 1 - ISOTONIC_FLOOR)
        keep = np.r_[True, np.diff(knots_x) > 0]
        return cls(
            method="isotonic",
            x=tuple(float(v) for v in knots_x[keep]),
            y=tuple(float(v) for v in knots_y[keep]),
        )

    def apply(self, raw: ArrayLike) -> NDArray[np.float64]:
        """Calibrated churn probabilities of raw booster probabilities."""
        raw_arr = np.asarray(raw, dtype=float)
        if self.method == "none":
            return raw_arr.copy()
        if self.method == "platt":
            return np.asarray(1.0 / (1.0 + np.exp(-(self.a * _logit(raw_arr) + self.b))))
        return np.asarray(np.interp(raw_arr, self.x, self.y))

    def describe(self) -> str:
        """A few words for reprs and model cards.

        >>> Calibrator(method="platt", a=1.02, b=-0.1).describe()
        'platt (a=1.020, b=-0.100)'
        """
        if self.method == "platt":
            return f"platt (a={self.a:.3f}, b={self.b:.3f})"
        if self.method == "isotonic":
            return f"isotonic ({len(self.x)} knots)"
        return "none"

    def to_dict(self) -> dict[str, Any]:
        if self.method == "isotonic":
            return {"method": "isotonic", "x": list(self.x), "y": list(self.y)}
        if self.method == "platt":
            return {"method": "platt", "a": self.a, "b": self.b}
        return {"method": "none"}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        try:
            return cls(
                method=data["method"],
                x=tuple(float(v) for v in data.get("x", ())),
                y=tuple(float(v) for v in data.get("y", ())),
                a=float(data.get("a", 1.0)),
                b=float(data.get("b", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The calibrator's parameters cannot be read: {exc!r}.") from None


@dataclass(frozen=True, kw_only=True)
class CalibrationChoice:
    """The fitted calibrator, its cross-fitted hold-out probabilities and every method's score."""

    calibrator: Calibrator
    crossfit_probability: NDArray[np.float64]
    scores: dict[str, float]
    folds: int


def choose_calibration(
    raw: ArrayLike,
    y: ArrayLike,
    *,
    method: Literal["auto", "isotonic", "platt", "none"] = "auto",
    seed: int = 7,
    candidates: Sequence[Method] = METHODS,
) -> CalibrationChoice:
    """Pick and fit a calibrator on hold-out predictions, by cross-fitting.

    The hold-out is split into stratified folds; each method is fitted on all folds but one
    and scored on the one left out by :func:`churnlab.metrics.log_loss` (the log loss every
    report shows). ``auto`` keeps the lowest log loss, preferring a simpler method within 0.1%. The chosen method is then fitted on the whole hold-out.
    ``crossfit_probability`` holds each row's probability from the calibrator that did not see
    it: the honest probabilities to report metrics on.

    >>> rng = np.random.default_rng(0)
    >>> true = rng.uniform(0.01, 0.5, 4000)
    >>> y = rng.uniform(size=4000) < true
    >>> choice = choose_calibration(true**2, y)   # raw probabilities too low
    >>> choice.calibrator.method != "none"
    True
    """
    raw_arr = np.asarray(raw, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    positives = int(y_arr.sum())
    folds = min(CROSS_FIT_FOLDS, positives, len(y_arr) - positives)
    wanted: tuple[Method, ...] = tuple(candidates) if method == "auto" else (method,)
    if folds < 2:  # too few churners (or non-churners) to calibrate on
        return CalibrationChoice(
            calibrator=Calibrator(method="none"),
            crossfit_probability=raw_arr.copy(),
            scores={},
            folds=0,
        )
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(raw_arr.reshape(-1, 1), y_arr))
    oof: dict[str, NDArray[np.float64]] = {}
    scores: dict[str, float] = {}
    for name in wanted:
        out = np.empty_like(raw_arr)
        for fit_rows, test_rows in splits:
            calibrator = Calibrator.fit(name, raw_arr[fit_rows], y_arr[fit_rows])
            out[test_rows] = calibrator.apply(raw_arr[test_rows])
        oof[name] = out
        scores[name] = log_loss(y_arr, out)
    best = min(scores.values())
    chosen = next(n for n in wanted if scores[n] <= best * (1 + SIMPLER_WITHIN))
    return CalibrationChoice(
        calibrator=Calibrator.fit(chosen, raw_arr, y_arr),
        crossfit_probability=oof[chosen],
        scores=scores,
        folds=folds,
    )
