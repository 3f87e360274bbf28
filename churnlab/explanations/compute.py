"""``explain``: exact SHAP values of a churn model for a frame of customers, in chunks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from tqdm.auto import tqdm

from churnlab.errors import ChurnlabWarning, ModelError, SpecError
from churnlab.explanations.entries import feature_entries
from churnlab.explanations.explanation import KEY_COLUMNS, Explanation
from churnlab.explanations.treeshap import (
    MAX_TABLE_ENTRIES,
    METHODS,
    Method,
    design_matrix,
    tables_contributions,
    tree_tables,
)
from churnlab.features import FeatureFrame
from churnlab.model import ChurnModel, load_model

CHUNK_SIZE = 50_000
CHECKED_ROWS = 256
"""Rows of the first chunk whose SHAP sums are checked against the booster's raw scores."""
TOLERANCE = 1e-6


class ExplainMethodWarning(ChurnlabWarning):
    """The fast SHAP tables disagreed with the booster, so LightGBM's own TreeSHAP was used."""


def _check(chunk_size: int, method: str) -> None:
    whole = isinstance(chunk_size, int | np.integer) and not isinstance(chunk_size, bool)
    if not whole or chunk_size < 1:
        raise SpecError(
            f"The 'chunk_size' parameter of explain must be an int >= 1. Got {chunk_size!r} instead."
        )
    if method not in METHODS:
        raise SpecError(
            f"The 'method' parameter of explain must be one of {', '.join(map(repr, METHODS))}. "
            f"Got {method!r} instead."
        )


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def _lightgbm(model: ChurnModel, matrix: pd.DataFrame) -> tuple[NDArray[np.float64], float]:
    out = np.asarray(model.booster_.predict(matrix, pred_contrib=True), dtype=np.float64)
    return out[:, :-1], float(out[0, -1])


def shap_values(
    model: ChurnModel,
    matrix: pd.DataFrame,
    *,
    chunk_size: int = CHUNK_SIZE,
    method: Method = "auto",
    progress: bool | None = None,
) -> tuple[NDArray[np.float64], float, str]:
    """SHAP values (log-odds, rows x features) of the model's inputs, the base value, and the
    method used (``"tables"`` or ``"lightgbm"``; see :mod:`churnlab.explanations.treeshap`)."""
    _check(chunk_size, method)
    booster = model.booster_
    tables = None
    if method != "lightgbm":
        try:
            tables = tree_tables(booster, budget=None if method == "tables" else MAX_TABLE_ENTRIES)
        except SpecError:
            if method == "tables":
                raise
    n = len(matrix)
    values = np.empty((n, matrix.shape[1]), dtype=np.float64)
    base = float("nan")
    bar = tqdm(
        total=n,
        desc="SHAP values",
        unit="customer",
        unit_scale=True,
        disable=progress is False or (progress is None and n <= chunk_size),
    )
    with bar:
        for rows in _chunks(n, chunk_size):
            part = matrix.iloc[rows]
            if tables is not None:
                values[rows] = tables_contributions(tables, design_matrix(booster, part))
                base = tables.base_value
                if rows.start == 0 and not _adds_up(model, part, values[rows], base):
                    if method == "tables":
                        raise ModelError(
                            "The SHAP tables of this model do not add up to its raw scores; "
                            "use method='lightgbm' (and please report the model)."
                        )
                    warnings.warn(
                        "The fast SHAP tables of this model do not add up to its raw scores; "
                        "LightGBM's own TreeSHAP was used instead (slower). Please report it.",
                        ExplainMethodWarning,
                        stacklevel=3,
                    )
                    tables = None
            if tables is None:
                values[rows], base = _lightgbm(model, part)
            bar.update(rows.stop - rows.start)
    return values, base, "tables" if tables is not None else "lightgbm"


def _adds_up(
    model: ChurnModel, part: pd.DataFrame, values: NDArray[np.float64], base: float
) -> bool:
    head = min(len(part), CHECKED_ROWS)
    raw = np.asarray(model.booster_.predict(part.iloc[:head], raw_score=True), dtype=float)
    return bool(np.all(np.abs(values[:head].sum(axis=1) + base - raw) <= TOLERANCE))


def as_model(model: ChurnModel | str | Path) -> ChurnModel:
    """A model as it is, or loaded from its directory."""
    if isinstance(model, ChurnModel):
        return model
    if isinstance(model, str | Path):
        return load_model(model)
    raise SpecError(f"explain needs a ChurnModel or a model directory, got {type(model).__name__}.")


def _frame(features: FeatureFrame | pd.DataFrame) -> pd.DataFrame:
    frame = features.frame if isinstance(features, FeatureFrame) else features
    if not isinstance(frame, pd.DataFrame):
        raise SpecError(
            "explain needs a FeatureFrame or a DataFrame of features, got "
            f"{type(features).__name__}."
        )
    if "customer_id" not in frame.columns:
        raise SpecError(
            "The frame to explain has no customer_id column: explain frames built by "
            "build_scoring_frame or build_training_frame (they keep customer_id)."
        )
    if frame.empty:
        raise SpecError("The frame to explain has no rows: there is no customer to explain.")
    return frame


def explain(
    model: ChurnModel | str | Path,
    features: FeatureFrame | pd.DataFrame,
    *,
    chunk_size: int = CHUNK_SIZE,
    method: Method = "auto",
    progress: bool | None = None,
) -> Explanation:
    """Explain a churn model's predictions: exact TreeSHAP values for every customer.

    The SHAP values are on the booster's log-odds scale: for each customer, the base value
    plus the values of all features is the booster's raw score (before calibration).
    Categorical features keep one value per column.

    Parameters
    ----------
    model:
        A trained :class:`~churnlab.model.ChurnModel`, or a model directory to load.
    features:
        A :class:`~churnlab.features.FeatureFrame` (scoring or training), or a DataFrame with
        ``customer_id`` (optionally ``cutoff`` or ``as_of``) and the model's features. A frame
        whose features differ from the model's raises :class:`~churnlab.errors.ModelError`
        showing the difference.
    chunk_size:
        Customers per chunk (memory stays bounded; a progress bar counts the chunks).
    method:
        ``"auto"`` (default): tables made once per model that give the exact values of
        LightGBM's TreeSHAP several times faster (see :mod:`churnlab.explanations.treeshap`),
        or LightGBM's own when the tables would not fit; ``"tables"``; ``"lightgbm"``
        (``booster.predict(X, pred_contrib=True)``).
    progress:
        Show a progress bar (default: when there is more than one chunk).

    Returns
    -------
    Explanation
        The SHAP values with the customers, the model's inputs, the base value, the feature
        entries, and each customer's calibrated churn probability and risk band.

    Examples
    --------
    >>> import tempfile
    >>> from churnlab.demo import DemoSpec, generate_demo
    >>> from churnlab.features import build_training_frame
    >>> from churnlab.model import ModelSpec, train
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = generate_demo(tmp, DemoSpec(customers=1500, months=18, seed=1))
    ...     frame = build_training_frame(tmp, progress=False)
    >>> model = train(frame, ModelSpec(max_rounds=40), created_at="2024-01-01", progress=False)
    >>> explanation = explain(model, frame)
    >>> explanation.values.shape == (len(frame.frame), len(model.card_.feature_names))
    True
    >>> raw = model.booster_.predict(model.features_matrix(frame), raw_score=True)
    >>> bool(abs(explanation.values.sum(axis=1) + explanation.base_value - raw).max() < 1e-6)
    True
    """
    churn_model = as_model(model)
    frame = _frame(features)
    entries = feature_entries(churn_model.card_)
    matrix = churn_model.features_matrix(frame)
    values, base, used = shap_values(
        churn_model, matrix, chunk_size=chunk_size, method=method, progress=progress
    )
    raw = base + values.sum(axis=1)
    probability = churn_model.calibrator_.apply(1.0 / (1.0 + np.exp(-raw)))
    customers = pd.DataFrame({c: frame[c].to_numpy() for c in KEY_COLUMNS if c in frame.columns})
    customers["churn_probability"] = probability
    customers["risk_band"] = churn_model.risk_band(probability)
    names = list(churn_model.card_.feature_names)
    return Explanation(
        customers=customers,
        values=pd.DataFrame(values, columns=names),
        base_value=base,
        data=matrix.reset_index(drop=True),
        features=entries,
        calibrator=churn_model.calibrator_,
        model=repr(churn_model),
        method=used,
    )
