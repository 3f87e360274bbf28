"""The measures of a month-on-month comparison (:func:`churnlab.runs.compare_runs`): feature
shifts ranked by SHAP, unseen categories, the reason mix and the earlier run's outcomes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlab.errors import ChurnlabWarning, DataError, ModelError
from churnlab.runs.drift import DriftThresholds, missing_share, psi, unseen_share
from churnlab.runs.snapshot import Snapshot


class MonitorWarning(ChurnlabWarning):
    """Part of a comparison could not be made (the model or the data is not there)."""


def json_number(value: Any) -> Any:
    """A number as JSON holds it: NaN and infinities as None, numpy scalars as Python ones.

    >>> json_number(float("nan")), json_number(np.int64(3))
    (None, 3)
    """
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass(frozen=True, kw_only=True, eq=False)
class Realised:
    """How the earlier run's predictions came true, once its outcome window has closed.

    Attributes
    ----------
    customers:
        The earlier run's customers with a known outcome.
    churn_rate, predicted_rate:
        The share who churned, and the mean predicted probability.
    roc_auc, ece:
        ROC-AUC and expected calibration error of the earlier run's probabilities.
    holdout_auc:
        The earlier model card's hold-out AUC (``None`` when the card has none).
    listed_churn_rate:
        The churn rate of the earlier run's target group (NaN when it was empty).
    """

    customers: int
    churn_rate: float
    predicted_rate: float
    roc_auc: float
    ece: float
    holdout_auc: float | None
    listed_churn_rate: float

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values."""
        return {k: json_number(v) for k, v in self.__dict__.items()}


def load_model_or_note(model_dir: Path, notes: list[str], whose: str) -> Any:
    from churnlab.model import load_model

    try:
        return load_model(model_dir)
    except (ModelError, OSError) as exc:
        notes.append(f"Cannot load {whose} model ({model_dir}): {exc}")
        warnings.warn(notes[-1], MonitorWarning, stacklevel=3)
        return None


def shap_importance(
    model: Any, frame: pd.DataFrame, names: list[str], sample: int, seed: int, notes: list[str]
) -> pd.Series:
    if model is None or not len(frame):
        return pd.Series(np.nan, index=names, dtype="float64")
    from churnlab.explanations import explain

    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DataError(
            f"The later run's scores.parquet lacks the model features {missing[:5]}: it was "
            "not written by write_snapshot with the scoring frame."
        )
    rows = frame
    if len(frame) > sample:
        rows = frame.sample(n=sample, random_state=seed)
        notes.append(f"Mean |SHAP| over {sample:,} of the later run's {len(frame):,} customers.")
    picked = rows[["customer_id", *names]].reset_index(drop=True)
    picked["customer_id"] = picked["customer_id"].astype(str)
    table = explain(model, picked, progress=False).importance("feature")
    return table.set_index("feature")["mean_abs_shap"].reindex(names)


def read_tables_or_note(data_dir: Path, notes: list[str]) -> Any:
    """The later run's data (``None``, with a note, when it is gone)."""
    from churnlab.tables import load_tables

    if not data_dir.exists():
        notes.append(
            f"The later run's data ({data_dir}) are gone: unseen categories are those "
            "the earlier run never had."
        )
        return None
    try:
        return load_tables(data_dir)
    except OSError as exc:
        raise DataError(f"Cannot read the data {data_dir}: {exc}.") from None


def unseen_by_model(model: Any, tables: Any, frame: pd.DataFrame) -> dict[str, float]:
    """Per categorical customer attribute: the share of the scored customers whose value (in
    the data) is a category the model never saw (scoring frames hold them as missing)."""
    if model is None or tables is None or not len(frame):
        return {}
    customers = tables.customers
    index = pd.Index(customers["customer_id"].astype(str))
    positions = index.get_indexer(frame["customer_id"].astype(str))
    found = positions >= 0
    out = {}
    for name, categories in model.card_.categories.items():
        if name not in customers.columns:
            continue
        values = customers[name].iloc[positions[found]]
        unseen = values.notna() & ~values.astype(str).isin(list(categories))
        out[name] = float(unseen.sum()) / len(frame)
    return out


def feature_table(
    fa: pd.DataFrame,
    fb: pd.DataFrame,
    names: list[str],
    importance: pd.Series,
    unseen: dict[str, float],
    thresholds: DriftThresholds,
) -> pd.DataFrame:
    rows = []
    for name in names:
        if name not in fa.columns or name not in fb.columns:
            continue
        a, b = fa[name], fb[name]
        value = psi(a, b, bins=thresholds.bins, epsilon=thresholds.epsilon)
        categorical = isinstance(b.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
            b.dtype
        )
        rows.append(
            {
                "feature": name,
                "mean_abs_shap": float(importance.get(name, np.nan)),
                "psi": value,
                "level": thresholds.level(value),
                "missing_a": missing_share(a),
                "missing_b": missing_share(b),
                "unseen_b": unseen.get(name, unseen_share(a, b)) if categorical else float("nan"),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["feature", "mean_abs_shap", "psi", "level", "missing_a", "missing_b", "unseen_b"],
    )
    return table.sort_values(
        ["mean_abs_shap", "psi"], ascending=False, na_position="last", ignore_index=True
    )


def reason_mix(fa: pd.DataFrame, fb: pd.DataFrame) -> pd.DataFrame:
    """Each reason category's share of the customers with a first reason, a and b."""
    sa = fa["reason_1_category"].dropna().astype(str).value_counts(normalize=True)
    sb = fb["reason_1_category"].dropna().astype(str).value_counts(normalize=True)
    categories = sorted(set(sa.index) | set(sb.index))
    table = pd.DataFrame(
        {
            "reason_category": categories,
            "share_a": [float(sa.get(c, 0.0)) for c in categories],
            "share_b": [float(sb.get(c, 0.0)) for c in categories],
        }
    )
    table["change"] = table["share_b"] - table["share_a"]
    return table.sort_values("share_b", ascending=False, ignore_index=True)


def realised_outcomes(
    first: Snapshot, data_dir: Path, tables: Any, notes: list[str]
) -> Realised | None:
    """The earlier run's outcomes, when its whole label window lies in ``data_dir`` (loaded
    as ``tables`` already, or ``None``)."""
    from churnlab import metrics
    from churnlab.features import build_training_frame
    from churnlab.labels.window import label_known_on
    from churnlab.tables import load_tables

    model = load_model_or_note(first.model_dir, notes, "the earlier run's")
    if model is None:
        return None
    spec = model.card_.label_spec
    if tables is None:
        if not data_dir.exists():
            notes.append(f"The data {data_dir} are gone: the earlier run's outcomes are unknown.")
            return None
        try:
            tables = load_tables(data_dir)
        except OSError as exc:
            raise DataError(f"Cannot read the data {data_dir}: {exc}.") from None
    known_on = label_known_on(first.as_of, spec)
    if tables.extract_date < known_on:
        notes.append(
            f"The earlier run's outcomes are known from {known_on.date()}; the data "
            f"({data_dir}) end on {tables.extract_date.date()}."
        )
        return None
    labelled = build_training_frame(tables, spec, cutoffs=[first.as_of], progress=False).frame
    outcome = labelled[["customer_id", "churned"]].assign(
        customer_id=labelled["customer_id"].astype(str)
    )
    joined = first.frame[["customer_id", "churn_probability", "listed", "group"]].assign(
        customer_id=first.frame["customer_id"].astype(str)
    )
    joined = joined.merge(outcome, on="customer_id", how="inner")
    if not len(joined):
        notes.append("None of the earlier run's customers has an outcome in the data.")
        return None
    y = joined["churned"].to_numpy(dtype="int64")
    p = joined["churn_probability"].to_numpy(dtype="float64")
    target = joined["listed"].astype(bool) & (joined["group"] == "target").fillna(False)
    return Realised(
        customers=len(joined),
        churn_rate=float(y.mean()),
        predicted_rate=float(p.mean()),
        roc_auc=metrics.roc_auc(y, p),
        ece=metrics.expected_calibration_error(y, p),
        holdout_auc=model.card_.auc("model"),
        listed_churn_rate=float(y[target.to_numpy()].mean()) if target.any() else float("nan"),
    )
