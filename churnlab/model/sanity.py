"""Is a training frame fit to train on? Warnings for the data a model cannot be trusted from.

Three checks run when :func:`churnlab.model.train` trains, each a warning with the count and
what to do (the model is still trained: a small pilot may be all there is):

- too little data (:class:`TooLittleDataWarning`): fewer than :data:`MIN_ROWS` rows, or fewer
  than :data:`MIN_CHURNERS` churners or non-churners;
- a leak-like feature (:class:`LeakWarning`): one column that on its own separates churners
  from the others almost perfectly (single-column ROC-AUC above :data:`LEAK_AUC`), which usually
  means it records the churn itself (a "cancelled" flag, a closing reason);
- a hold-out with one class (:class:`OneClassHoldoutWarning`): its metrics are undefined and
  the calibration learned nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from churnlab.errors import ChurnlabWarning
from churnlab.tables.column_warnings import LABEL_COPY_AUC, single_column_auc

MIN_ROWS = 200
"""Fewer training rows than this: :class:`TooLittleDataWarning`."""
MIN_CHURNERS = 20
"""Fewer churners (or non-churners) than this: :class:`TooLittleDataWarning`."""
LEAK_AUC = LABEL_COPY_AUC
"""A single column with a ROC-AUC above this (either direction): :class:`LeakWarning`."""
LEAK_SAMPLE = 200_000
"""Rows the leak check reads at most (a seeded sample of bigger frames)."""
SHOWN = 5


class InSampleScoresWarning(ChurnlabWarning):
    """Scores of the very rows a model was trained on (a snapshot scored at its own date)."""


def warn_in_sample(as_of: str, trained: int, scored: int, *, stacklevel: int = 3) -> None:
    """Warn that ``trained`` of the ``scored`` customers were scored at a training cutoff.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_in_sample("2024-06-30", 90, 100)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    90 of the 100 customers scored at 2024-06-30 are rows the model was trained on ...
    """
    if trained == 0:
        return
    warnings.warn(
        f"{trained:,} of the {scored:,} customers scored at {as_of} are rows the model was "
        f"trained on (that is one of its training cutoffs): their scores are in-sample, they "
        "have seen their own outcome and look better than the model is. To judge the model, "
        "use out-of-fold predictions: churnlab.cross_validate(frame).predictions, or "
        "model.holdout_ (out-of-fold for a snapshot extract). To act on scores, score a later "
        "extract, or the customers still active after the label window.",
        InSampleScoresWarning,
        stacklevel=stacklevel,
    )


class TooLittleDataWarning(ChurnlabWarning):
    """Too few rows or churners to trust a model (see :data:`MIN_ROWS`, :data:`MIN_CHURNERS`)."""


class LeakWarning(ChurnlabWarning):
    """A feature separates churners almost perfectly on its own: probably a leak of the label."""


class OneClassHoldoutWarning(ChurnlabWarning):
    """The hold-out holds only churners or only non-churners: no metric can be computed."""


def warn_too_little(y: NDArray[np.bool_], *, stacklevel: int = 3) -> None:
    """Warn when ``y`` (the training labels) has too few rows, churners or non-churners.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_too_little(np.array([True, False] * 4))
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    The training frame has 8 rows, 4 churners and 4 non-churners: ...
    """
    rows, churners = len(y), int(y.sum())
    stayed = rows - churners
    if rows >= MIN_ROWS and churners >= MIN_CHURNERS and stayed >= MIN_CHURNERS:
        return
    warnings.warn(
        f"The training frame has {rows:,} rows, {churners:,} churners and {stayed:,} "
        f"non-churners: too few to trust a model (churnlab asks for at least {MIN_ROWS:,} rows "
        f"and {MIN_CHURNERS} of each). Its scores and metrics will vary a lot with the data. "
        "Add cutoffs (--cutoffs), customers or a longer history before relying on it.",
        TooLittleDataWarning,
        stacklevel=stacklevel,
    )


def leak_like(X: pd.DataFrame, y: NDArray[np.bool_], *, seed: int = 0) -> list[tuple[str, float]]:
    """The columns of ``X`` whose single-column ROC-AUC exceeds :data:`LEAK_AUC`, highest first.

    >>> X = pd.DataFrame({"left": [1, 0, 1, 0] * 10, "fee": [5, 3, 4, 6] * 10})
    >>> leak_like(X, np.array([True, False, True, False] * 10))
    [('left', 1.0)]
    """
    if len(y) > LEAK_SAMPLE:
        chosen = np.sort(np.random.default_rng(seed).choice(len(y), LEAK_SAMPLE, replace=False))
        X, y = X.iloc[chosen], y[chosen]
    found = []
    for name in X.columns:
        auc = single_column_auc(X[name].reset_index(drop=True), y)
        if auc is not None and auc > LEAK_AUC:
            found.append((str(name), auc))
    return sorted(found, key=lambda item: -item[1])


def warn_leaks(found: Sequence[tuple[str, float]], rows: int, *, stacklevel: int = 3) -> None:
    """One :class:`LeakWarning` listing the leak-like columns of :func:`leak_like`."""
    if not found:
        return
    shown = ", ".join(f"{name!r} (AUC {auc:.3f})" for name, auc in found[:SHOWN])
    more = f", +{len(found) - SHOWN} more" if len(found) > SHOWN else ""
    warnings.warn(
        f"{len(found)} feature(s) separate churners from the others almost perfectly on their "
        f"own over {rows:,} training rows (single-column ROC-AUC above {LEAK_AUC}): {shown}"
        f"{more}. Such a column usually records the churn itself (a cancellation flag or "
        "reason, a closing date), so the model's accuracy is not real. Remove the column from "
        "the customers table, or list it under [personal_data] columns in churnlab.toml so "
        "that it is never a feature.",
        LeakWarning,
        stacklevel=stacklevel,
    )


def warn_one_class(
    held_y: NDArray[np.bool_], cutoffs: Sequence[str], *, stacklevel: int = 3
) -> None:
    """Warn when the hold-out labels ``held_y`` are all churners or all non-churners."""
    if len(held_y) == 0 or 0 < int(held_y.sum()) < len(held_y):
        return
    who = "churned" if held_y.all() else "stayed"
    warnings.warn(
        f"Every one of the {len(held_y):,} hold-out rows (cutoffs {', '.join(cutoffs)}) "
        f"{who}: the hold-out has one class, so its ROC-AUC, lift and calibration mean "
        "nothing (the card records them as n/a). Choose other cutoffs (a hold-out whose label "
        "window holds both churners and customers who stayed), or check the label definition.",
        OneClassHoldoutWarning,
        stacklevel=stacklevel,
    )
