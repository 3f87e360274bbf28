"""Metrics of churn predictions: ranking, probability quality, calibration, lift and deciles.

Shared by the model stage (its card and calibration choice) and the evaluation stage, so that
every number has one definition.

Every function takes ``y`` (the outcome: ``True``/1 = churned, ``False``/0 = stayed) and ``p``
(the predicted churn probability) and returns plain numbers or a small DataFrame. Positive means
churned, everywhere.

**Ties.** Selecting "the top 10%" or "decile 1" cuts the customers sorted by decreasing ``p``.
Where customers with the same ``p`` straddle a cut (isotonic calibration makes many ties), the
tied group is shared between the two sides in proportion to how much of it falls on each side:
its churners are counted as the expected number under a random tie-break. The results are
therefore deterministic and do not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from churnlab.errors import SpecError

#: Fractions of customers for ``lift@`` and ``capture@`` (the top 5%, 10% and 20% by risk).
TOP_FRACTIONS: tuple[float, ...] = (0.05, 0.10, 0.20)
#: Equal-frequency bins of the expected calibration error.
ECE_BINS = 15

ArrayLike = Any  # a 1-d sequence, numpy array or pandas Series


DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month: turns a horizon in days into months."""


def monthly_retention(churn_rate: float, horizon_days: int) -> float:
    """The monthly retention ``r`` implied by a churn rate over a horizon of days.

    >>> round(monthly_retention(0.05, 90), 4)
    0.9828
    >>> monthly_retention(0.0, 90)
    1.0
    """
    if not 0.0 <= churn_rate < 1.0:
        raise SpecError(f"The churn rate must be a number in [0, 1). Got {churn_rate!r} instead.")
    if horizon_days < 1:
        raise SpecError(f"The horizon must be at least 1 day. Got {horizon_days!r} instead.")
    return float((1.0 - churn_rate) ** (DAYS_PER_MONTH / horizon_days))


def _as_1d(values: ArrayLike, name: str, where: str) -> np.ndarray:
    try:
        series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
        array = series.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise SpecError(
            f"The {name!r} parameter of {where} must be a 1-d sequence of numbers. "
            f"Got {type(values).__name__} instead ({exc})."
        ) from None
    return array


def check_predictions(
    y: ArrayLike, p: ArrayLike, *, where: str = "evaluate"
) -> tuple[np.ndarray, np.ndarray]:
    """Validate outcomes and probabilities; return them as ``int8`` and ``float64`` arrays.

    ``y`` must hold only 0/1 (or ``False``/``True``), ``p`` only numbers in ``[0, 1]``; both
    the same length, at least one row, nothing missing.

    >>> y, p = check_predictions([True, False], [0.7, 0.2])
    >>> y.tolist(), p.tolist()
    ([1, 0], [0.7, 0.2])
    >>> check_predictions([1, 0], [0.5, 1.5])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'p' parameter of evaluate must hold probabilities in [0, 1]. Got 1 value outside it, e.g. 1.5.
    """
    y_arr, p_arr = _as_1d(y, "y", where), _as_1d(p, "p", where)
    if len(y_arr) != len(p_arr):
        raise SpecError(
            f"The 'y' and 'p' parameters of {where} must have the same length. "
            f"Got {len(y_arr):,} outcomes and {len(p_arr):,} probabilities."
        )
    if len(y_arr) == 0:
        raise SpecError(f"The 'y' parameter of {where} must hold at least one row. Got none.")
    for name, array in (("y", y_arr), ("p", p_arr)):
        missing = int(np.isnan(array).sum())
        if missing:
            raise SpecError(
                f"The {name!r} parameter of {where} must have no missing values. "
                f"Got {missing:,} missing."
            )
    bad = ~np.isin(y_arr, (0.0, 1.0))
    if bad.any():
        raise SpecError(
            f"The 'y' parameter of {where} must hold only 0/1 or False/True (1 = churned). "
            f"Got {int(bad.sum()):,} other values, e.g. {_examples(y_arr[bad])}."
        )
    bad = (p_arr < 0) | (p_arr > 1)
    if bad.any():
        count = int(bad.sum())
        raise SpecError(
            f"The 'p' parameter of {where} must hold probabilities in [0, 1]. "
            f"Got {count:,} value{'s' if count > 1 else ''} outside it, e.g. {_examples(p_arr[bad])}."
        )
    return y_arr.astype(np.int8), p_arr


def _examples(values: np.ndarray) -> str:
    return ", ".join(f"{v:g}" for v in values[:5])


def _both_classes(y: np.ndarray) -> bool:
    return 0 < int(y.sum()) < len(y)


def roc_auc(y: ArrayLike, p: ArrayLike) -> float:
    """Area under the ROC curve: the chance that a churner is ranked above a stayer.

    ``nan`` when ``y`` holds one class only.

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y_arr, p_arr = check_predictions(y, p, where="roc_auc")
    return float(skm.roc_auc_score(y_arr, p_arr)) if _both_classes(y_arr) else float("nan")


def pr_auc(y: ArrayLike, p: ArrayLike) -> float:
    """Area under the precision-recall curve, as average precision (no interpolation).

    Its value for random scores is the churn rate; ``nan`` when nobody churned.

    >>> round(pr_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y_arr, p_arr = check_predictions(y, p, where="pr_auc")
    return float(skm.average_precision_score(y_arr, p_arr)) if y_arr.any() else float("nan")


def brier_score(y: ArrayLike, p: ArrayLike) -> float:
    """Mean squared difference between probability and outcome (lower is better).

    >>> round(brier_score([0, 1], [0.2, 0.6]), 6)
    0.1
    """
    y_arr, p_arr = check_predictions(y, p, where="brier_score")
    return _brier(y_arr, p_arr)


def _brier(y: np.ndarray, p: np.ndarray) -> float:
    # The formula of sklearn.metrics.brier_score_loss, without its input checks (done here).
    return float(np.mean((p - y) ** 2))


def log_loss(y: ArrayLike, p: ArrayLike) -> float:
    """Mean negative log-likelihood of the outcomes (lower is better).

    Probabilities of exactly 0 or 1 are clipped to the float64 epsilon, as scikit-learn does.

    >>> round(log_loss([0, 1], [0.2, 0.6]), 4)
    0.367
    """
    y_arr, p_arr = check_predictions(y, p, where="log_loss")
    return _log_loss(y_arr, p_arr)


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    # sklearn.metrics.log_loss's formula and clipping, without its input checks (done here).
    eps = np.finfo(p.dtype).eps
    clipped = np.clip(p, eps, 1 - eps)
    return float(-np.mean(np.where(y == 1, np.log(clipped), np.log1p(-clipped))))


class _Ranked(NamedTuple):
    """Customers sorted by decreasing ``p``, summarised at the end of each tie group.

    The arrays start with a 0 row, so that ``np.interp(k, positions, churners)`` is the
    (tie-shared) number of churners among the top ``k`` customers.
    """

    positions: np.ndarray
    churners: np.ndarray
    probability: np.ndarray  # cumulative sum of p
    p_desc: np.ndarray  # p sorted, highest first

    @property
    def rows(self) -> int:
        return len(self.p_desc)

    @property
    def total(self) -> float:
        return float(self.churners[-1])


def _ranked(y: np.ndarray, p: np.ndarray) -> _Ranked:
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    ends = np.append(np.flatnonzero(np.diff(p_sorted) != 0) + 1, len(p_sorted))
    positions = np.concatenate([[0], ends]).astype("float64")
    churners = np.concatenate([[0], np.cumsum(y_sorted, dtype="float64")[ends - 1]])
    probability = np.concatenate([[0], np.cumsum(p_sorted)[ends - 1]])
    return _Ranked(positions, churners, probability, p_sorted)


def _capture(ranked: _Ranked, fraction: float) -> float:
    if ranked.total == 0:
        return float("nan")
    found = np.interp(fraction * ranked.rows, ranked.positions, ranked.churners)
    return float(found) / ranked.total


def _check_fraction(fraction: float, where: str) -> float:
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction <= 1:
        raise SpecError(
            f"The 'fraction' parameter of {where} must be a number in (0, 1], "
            f"e.g. 0.1 for the top 10%. Got {fraction!r} instead."
        )
    return float(fraction)


def capture_rate(y: ArrayLike, p: ArrayLike, fraction: float) -> float:
    """Share of all churners found among the top ``fraction`` of customers by ``p``.

    Also called the cumulative gain. ``nan`` when nobody churned. Ties straddling the cut are
    shared (see the module notes).

    >>> y = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    >>> p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    >>> round(capture_rate(y, p, 0.2), 4)
    0.6667
    >>> capture_rate(y, p, 1.0)
    1.0
    """
    y_arr, p_arr = check_predictions(y, p, where="capture_rate")
    fraction = _check_fraction(fraction, "capture_rate")
    return _capture(_ranked(y_arr, p_arr), fraction)


def lift(y: ArrayLike, p: ArrayLike, fraction: float) -> float:
    """Churn rate among the top ``fraction`` of customers by ``p``, divided by the churn rate.

    ``lift(y, p, 0.1) == capture_rate(y, p, 0.1) / 0.1``: a lift of 4 means that the top 10%
    hold four times their share of churners. Random scores give 1; so does ``fraction=1``.

    >>> y = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    >>> p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    >>> round(lift(y, p, 0.2), 4)
    3.3333

    Tied scores share the cut: one churner among three tied customers counts as 1/3 in each
    of their places.

    >>> round(lift([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.1], 0.25), 4)
    1.3333
    """
    fraction = _check_fraction(fraction, "lift")
    return capture_rate(y, p, fraction) / fraction


def _bins(ranked: _Ranked, groups: int) -> pd.DataFrame:
    """Equal-frequency groups of customers, highest ``p`` first, with tie-shared churners."""
    cuts = (np.arange(groups + 1) * ranked.rows) // groups
    churn_at = np.interp(cuts, ranked.positions, ranked.churners)
    # Within a tie group p is constant, so the cumulative probability interpolates exactly.
    prob_at = np.interp(cuts, ranked.positions, ranked.probability)
    p_desc = ranked.p_desc
    rows = []
    for g in range(groups):
        start, stop = int(cuts[g]), int(cuts[g + 1])
        if stop == start:
            continue
        count = stop - start
        rows.append(
            {
                "group": g + 1,
                "customers": count,
                "churners": float(churn_at[g + 1] - churn_at[g]),
                # A difference of cumulative sums: clipped to the bin's range against rounding.
                "mean_probability": min(
                    max(float(prob_at[g + 1] - prob_at[g]) / count, float(p_desc[stop - 1])),
                    float(p_desc[start]),
                ),
                "min_probability": float(p_desc[stop - 1]),
                "max_probability": float(p_desc[start]),
            }
        )
    frame = pd.DataFrame(rows)
    frame["churn_rate"] = frame["churners"] / frame["customers"]
    return frame


def _check_groups(groups: int, name: str, where: str) -> int:
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
        raise SpecError(
            f"The {name!r} parameter of {where} must be an int >= 1. Got {groups!r} instead."
        )
    return int(groups)


def calibration_table(y: ArrayLike, p: ArrayLike, *, bins: int = ECE_BINS) -> pd.DataFrame:
    """Predicted against observed churn in ``bins`` equal-frequency bins, lowest risk first.

    Columns: ``bin``, ``customers``, ``churners`` (tie-shared, so possibly fractional),
    ``mean_probability``, ``churn_rate`` (observed), ``min_probability``, ``max_probability``.

    >>> table = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9], bins=2)
    >>> table[["bin", "customers", "mean_probability", "churn_rate"]]
       bin  customers  mean_probability  churn_rate
    0    1          2              0.15         0.0
    1    2          2              0.75         1.0
    """
    y_arr, p_arr = check_predictions(y, p, where="calibration_table")
    bins = _check_groups(bins, "bins", "calibration_table")
    return _calibration(_ranked(y_arr, p_arr), bins)


def _calibration(ranked: _Ranked, bins: int) -> pd.DataFrame:
    table = _bins(ranked, bins).iloc[::-1].reset_index(drop=True)
    table.insert(0, "bin", np.arange(1, len(table) + 1))
    columns = ["customers", "churners", "mean_probability", "churn_rate"]
    return table[["bin", *columns, "min_probability", "max_probability"]]


def expected_calibration_error(y: ArrayLike, p: ArrayLike, *, bins: int = ECE_BINS) -> float:
    """Expected calibration error over ``bins`` equal-frequency bins.

    The customers are sorted by ``p`` and cut into ``bins`` groups of (almost) equal size; the
    ECE is the customer-weighted mean of ``|mean predicted probability - observed churn rate|``
    over the groups. Equal-frequency bins (rather than equal-width ones) keep every bin well
    filled when churn is rare and the probabilities crowd near 0. Ties straddling a bin edge
    are shared (see the module notes). The ECE is 0 for perfectly calibrated probabilities up
    to sampling noise (about ``sqrt(rate * (1 - rate) * bins / n)``).

    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9], bins=2), 6)
    0.2
    """
    y_arr, p_arr = check_predictions(y, p, where="expected_calibration_error")
    bins = _check_groups(bins, "bins", "expected_calibration_error")
    return _ece(_ranked(y_arr, p_arr), bins)


def _ece(ranked: _Ranked, bins: int) -> float:
    table = _bins(ranked, bins)
    gaps = (table["mean_probability"] - table["churn_rate"]).abs()
    return float((gaps * table["customers"]).sum() / ranked.rows)


def decile_table(y: ArrayLike, p: ArrayLike, *, groups: int = 10) -> pd.DataFrame:
    """Churn per risk group: customers cut into ``groups`` equal parts, decile 1 = highest risk.

    Columns: ``decile``, ``customers``, ``churners`` (tie-shared, so possibly fractional),
    ``churn_rate``, ``lift`` (the decile's churn rate over the overall rate),
    ``cumulative_capture`` (share of all churners in this and the riskier deciles),
    ``mean_probability``, ``min_probability``, ``max_probability``.

    >>> y = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    >>> p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    >>> decile_table(y, p, groups=5)[["decile", "customers", "churn_rate", "lift"]]
       decile  customers  churn_rate      lift
    0       1          2         1.0  3.333333
    1       2          2         0.5  1.666667
    2       3          2         0.0  0.000000
    3       4          2         0.0  0.000000
    4       5          2         0.0  0.000000
    """
    y_arr, p_arr = check_predictions(y, p, where="decile_table")
    groups = _check_groups(groups, "groups", "decile_table")
    return _deciles(_ranked(y_arr, p_arr), groups)


def _deciles(ranked: _Ranked, groups: int) -> pd.DataFrame:
    table = _bins(ranked, groups).rename(columns={"group": "decile"})
    total = ranked.total
    rate = total / ranked.rows
    table["lift"] = table["churn_rate"] / rate if rate > 0 else np.nan
    table["cumulative_capture"] = table["churners"].cumsum() / total if total > 0 else np.nan
    return table[
        [
            "decile",
            "customers",
            "churners",
            "churn_rate",
            "lift",
            "cumulative_capture",
            "mean_probability",
            "min_probability",
            "max_probability",
        ]
    ]


def gains_curve(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative gains curve: share of customers targeted against share of churners found.

    One point per distinct score (tied customers are one straight segment), from ``(0, 0)`` to
    ``(1, 1)``.

    >>> x, g = gains_curve([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1])
    >>> x.tolist(), g.tolist()
    ([0.0, 0.25, 0.75, 1.0], [0.0, 0.5, 1.0, 1.0])
    """
    y_arr, p_arr = check_predictions(y, p, where="gains_curve")
    ranked = _ranked(y_arr, p_arr)
    total = ranked.total
    gains = ranked.churners / total if total > 0 else np.full_like(ranked.churners, np.nan)
    return ranked.positions / ranked.rows, gains


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def metric_names(fractions: Sequence[float] = TOP_FRACTIONS) -> list[str]:
    """Keys of :func:`churn_metrics`, in order.

    >>> metric_names((0.1,))
    ['roc_auc', 'pr_auc', 'brier', 'log_loss', 'ece', 'lift@10%', 'capture@10%']
    """
    names = ["roc_auc", "pr_auc", "brier", "log_loss", "ece"]
    names += [f"lift@{_pct(f)}" for f in fractions]
    names += [f"capture@{_pct(f)}" for f in fractions]
    return names


def churn_metrics(
    y: ArrayLike,
    p: ArrayLike,
    *,
    fractions: Sequence[float] = TOP_FRACTIONS,
    bins: int = ECE_BINS,
) -> dict[str, float]:
    """Every headline metric of one set of predictions, keyed as in :func:`metric_names`.

    ``roc_auc``, ``pr_auc`` (average precision), ``brier``, ``log_loss``, ``ece`` (over
    ``bins`` equal-frequency bins), then ``lift@5%`` ... and ``capture@5%`` ... for each
    fraction.

    >>> m = churn_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fractions=(0.5,), bins=2)
    >>> {k: round(v, 3) for k, v in m.items()}
    {'roc_auc': 0.75, 'pr_auc': 0.833, 'brier': 0.158, 'log_loss': 0.472, 'ece': 0.188, 'lift@50%': 1.0, 'capture@50%': 0.5}
    """
    y_arr, p_arr = check_predictions(y, p, where="churn_metrics")
    bins = _check_groups(bins, "bins", "churn_metrics")
    fractions = [_check_fraction(f, "churn_metrics") for f in fractions]
    return _metrics(y_arr, p_arr, _ranked(y_arr, p_arr), fractions=fractions, bins=bins)


def _metrics(
    y: np.ndarray, p: np.ndarray, ranked: _Ranked, *, fractions: Sequence[float], bins: int
) -> dict[str, float]:
    both = _both_classes(y)
    out = {
        "roc_auc": float(skm.roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(skm.average_precision_score(y, p)) if y.any() else float("nan"),
        "brier": _brier(y, p),
        "log_loss": _log_loss(y, p),
        "ece": _ece(ranked, bins),
    }
    out.update({f"lift@{_pct(f)}": _capture(ranked, f) / f for f in fractions})
    out.update({f"capture@{_pct(f)}": _capture(ranked, f) for f in fractions})
    return out


def summarise(
    y: np.ndarray, p: np.ndarray, *, fractions: Sequence[float], bins: int
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """Metrics, decile table and calibration table of checked arrays, ranking them once."""
    bins = _check_groups(bins, "bins", "evaluate")
    fractions = [_check_fraction(f, "evaluate") for f in fractions]
    ranked = _ranked(y, p)
    return (
        _metrics(y, p, ranked, fractions=fractions, bins=bins),
        _deciles(ranked, 10),
        _calibration(ranked, bins),
    )
