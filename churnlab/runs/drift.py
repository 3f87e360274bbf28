"""Drift between two months, written once with numpy: the population stability index (PSI),
missing and unseen shares, and list churn (who entered and who left a list).

PSI compares how an earlier sample ``a`` and a later sample ``b`` fall into the same bins::

    PSI = sum over bins of (b_share - a_share) * ln(b_share / a_share)

Numbers are cut at the deciles of ``a`` (``bins`` quantile bins; ties merge bins), categories
are their own bins, and missing values are a bin of their own. A bin empty on one side counts
as ``epsilon`` (its share would make the logarithm infinite). Read it as < 0.1 stable,
0.1 to 0.25 moderate, > 0.25 significant (:class:`DriftThresholds`).

Why not evidently (measured, see ``benchmarks/psi_evidently.md``): evidently 0.7.23 does not
import with pandas 3 (this project's pandas); with pandas 2 in a separate environment, its
``psi`` test cuts numbers into equal-width "sturges" bins over both samples, not quantiles of
the earlier month, so a skewed feature's tail decides (0.23 against 0.08 here for
``days_since_failure``), and it drops missing values, which are a drift of their own. It
pulls in about 50 packages (plotly, nltk, litestar, uvicorn...), takes seconds to import, and
renders its own HTML rather than numbers our results carry. One formula in numpy, tested
against hand-computed values, is the smaller and clearer choice.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from churnlab.errors import SpecError

MISSING = "(missing)"


@dataclass(frozen=True, kw_only=True)
class DriftThresholds:
    """When a month-on-month comparison warns; every value is a documented parameter.

    Parameters
    ----------
    psi_moderate, psi_significant:
        PSI below ``psi_moderate`` is stable, from it up to ``psi_significant`` a moderate
        shift, above it a significant one (0.1 and 0.25, the usual reading). A warning is
        given from ``psi_moderate`` for the score and from ``psi_significant`` for a feature.
    bins:
        Quantile bins of the earlier month for numbers (10).
    epsilon:
        The share an empty bin counts as (1e-4).
    missing_increase:
        Warn when a feature's share of missing values rises by more than this (0.05: five
        percentage points).
    unseen_share:
        Warn when more than this share of the later month's customers have a category the
        earlier month never had (0.01).
    reason_shift:
        Warn when a reason category's share of the explained customers moves by more than
        this (0.10).
    min_overlap:
        Warn when the two target lists' overlap (Jaccard) is below this (0.3).
    auc_drop:
        Warn when the realised ROC-AUC falls more than this below the model card's hold-out
        AUC (0.05).
    max_ece:
        Warn when the realised expected calibration error is above this (0.05).
    rate_gap:
        Warn when the realised churn rate differs from the predicted one by more than this
        share of it (0.25: 8% realised against 10% predicted is within, 6% is not).

    Examples
    --------
    >>> DriftThresholds(psi_significant=0.2).level(0.22)
    'significant'
    >>> DriftThresholds(bins=1)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'bins' parameter of DriftThresholds must be an int >= 2. Got 1 instead.
    """

    psi_moderate: float = 0.1
    psi_significant: float = 0.25
    bins: int = 10
    epsilon: float = 1e-4
    missing_increase: float = 0.05
    unseen_share: float = 0.01
    reason_shift: float = 0.10
    min_overlap: float = 0.3
    auc_drop: float = 0.05
    max_ece: float = 0.05
    rate_gap: float = 0.25

    def __post_init__(self) -> None:
        if not isinstance(self.bins, int) or isinstance(self.bins, bool) or self.bins < 2:
            raise SpecError(
                "The 'bins' parameter of DriftThresholds must be an int >= 2. "
                f"Got {self.bins!r} instead."
            )
        for name in (
            "psi_moderate",
            "psi_significant",
            "epsilon",
            "missing_increase",
            "unseen_share",
            "reason_shift",
            "min_overlap",
            "auc_drop",
            "max_ece",
            "rate_gap",
        ):
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not 0 < value < math.inf:
                raise SpecError(
                    f"The {name!r} parameter of DriftThresholds must be a positive number. "
                    f"Got {value!r} instead."
                )
        if self.psi_moderate >= self.psi_significant:
            raise SpecError(
                "The 'psi_moderate' parameter of DriftThresholds must be below "
                f"'psi_significant' ({self.psi_significant!r}). Got {self.psi_moderate!r} instead."
            )

    def level(self, psi: float) -> str:
        """``stable``, ``moderate`` or ``significant`` (``unknown`` for NaN)."""
        if not np.isfinite(psi):
            return "unknown"
        if psi > self.psi_significant:
            return "significant"
        return "moderate" if psi >= self.psi_moderate else "stable"

    def to_dict(self) -> dict[str, Any]:
        """The thresholds as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriftThresholds:
        """Thresholds back from :meth:`to_dict`."""
        return cls(**data)


def _is_categorical(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    )


def bin_shares(
    a: ArrayLike, b: ArrayLike, *, bins: int = 10
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The bins of ``a`` and the shares of ``a`` and ``b`` in each (a missing bin when any is
    missing; categories as their own bins).

    >>> names, sa, sb = bin_shares(["x", "x", "y", None], ["y", "y", "y", "y"])
    >>> names, sa.tolist(), sb.tolist()
    (['x', 'y', '(missing)'], [0.5, 0.25, 0.25], [0.0, 1.0, 0.0])
    """
    left, right = pd.Series(a), pd.Series(b)
    if _is_categorical(left) or _is_categorical(right):
        lt, rt = left.astype(object), right.astype(object)
        lt, rt = lt.where(lt.notna(), MISSING), rt.where(rt.notna(), MISSING)
        names = sorted({str(v) for v in lt if v != MISSING} | {str(v) for v in rt if v != MISSING})
        if (lt == MISSING).any() or (rt == MISSING).any():
            names.append(MISSING)
        index = {n: i for i, n in enumerate(names)}
        ia = np.array([index[str(v)] for v in lt], dtype=np.intp)
        ib = np.array([index[str(v)] for v in rt], dtype=np.intp)
    else:
        x = left.to_numpy(dtype="float64", na_value=np.nan)
        y = right.to_numpy(dtype="float64", na_value=np.nan)
        known = x[~np.isnan(x)]
        edges = (
            np.unique(np.quantile(known, np.linspace(0, 1, bins + 1)[1:-1]))
            if len(known)
            else np.array([])
        )
        names = [f"<= {e:.4g}" for e in edges] + ([f"> {edges[-1]:.4g}"] if len(edges) else [])
        if not len(edges):
            names = ["all"]
        missing = len(names)
        ia = np.where(np.isnan(x), missing, np.searchsorted(edges, x, side="left"))
        ib = np.where(np.isnan(y), missing, np.searchsorted(edges, y, side="left"))
        if np.isnan(x).any() or np.isnan(y).any():
            names.append(MISSING)
    size = len(names)
    sa = np.bincount(ia, minlength=size) / max(len(ia), 1)
    sb = np.bincount(ib, minlength=size) / max(len(ib), 1)
    return names, sa, sb


def psi_from_shares(a: ArrayLike, b: ArrayLike, *, epsilon: float = 1e-4) -> float:
    """PSI of two share vectors over the same bins (empty bins count as ``epsilon``).

    >>> round(psi_from_shares([0.5, 0.5], [0.25, 0.75]), 5)
    0.27465
    """
    sa = np.maximum(np.asarray(a, dtype="float64"), epsilon)
    sb = np.maximum(np.asarray(b, dtype="float64"), epsilon)
    return float(np.sum((sb - sa) * np.log(sb / sa)))


def psi(a: ArrayLike, b: ArrayLike, *, bins: int = 10, epsilon: float = 1e-4) -> float:
    """The population stability index of ``b`` against ``a`` (see the module's docstring).

    Returns NaN when either side is empty.

    >>> psi(np.arange(100.0), np.arange(100.0))
    0.0
    >>> round(psi(["x", "y"], ["x", "y", "y", "y"]), 5)
    0.27465
    """
    if len(pd.Series(a)) == 0 or len(pd.Series(b)) == 0:
        return float("nan")
    _, sa, sb = bin_shares(a, b, bins=bins)
    return psi_from_shares(sa, sb, epsilon=epsilon)


def missing_share(values: ArrayLike) -> float:
    """The share of missing values (NaN for none at all).

    >>> missing_share([1.0, None, 3.0, None])
    0.5
    """
    series = pd.Series(values)
    return float(series.isna().mean()) if len(series) else float("nan")


def unseen_share(a: ArrayLike, b: ArrayLike) -> float:
    """The share of ``b``'s values (missing ones included in the count) that are categories
    ``a`` never had.

    >>> unseen_share(["x", "y"], ["x", "z", None, "z"])
    0.5
    """
    left, right = pd.Series(a), pd.Series(b)
    if not len(right):
        return float("nan")
    seen = set(left.dropna().astype(str))
    known = right.notna()
    return float((known & ~right.astype(str).isin(seen)).mean())


@dataclass(frozen=True, kw_only=True)
class ListChurn:
    """Who entered and who left a list between two months.

    Attributes
    ----------
    entered, left, stayed:
        Sorted customer ids: only in the later list, only in the earlier one, in both.
    jaccard:
        ``|both| / |either|`` (NaN when both lists are empty).
    """

    entered: tuple[str, ...]
    left: tuple[str, ...]
    stayed: tuple[str, ...]
    jaccard: float

    def to_dict(self) -> dict[str, Any]:
        """Counts and the overlap (the ids stay on the object)."""
        return {
            "entered": len(self.entered),
            "left": len(self.left),
            "stayed": len(self.stayed),
            "jaccard": self.jaccard,
        }


def list_churn(a: ArrayLike, b: ArrayLike) -> ListChurn:
    """Compare an earlier list ``a`` with a later one ``b`` (customer ids, as text).

    >>> found = list_churn(["1", "2", "3"], ["2", "3", "4", "5"])
    >>> found.entered, found.left, found.jaccard
    (('4', '5'), ('1',), 0.4)
    """
    first = {str(v) for v in pd.Series(a).dropna()}
    second = {str(v) for v in pd.Series(b).dropna()}
    union = first | second
    return ListChurn(
        entered=tuple(sorted(second - first)),
        left=tuple(sorted(first - second)),
        stayed=tuple(sorted(first & second)),
        jaccard=len(first & second) / len(union) if union else float("nan"),
    )
