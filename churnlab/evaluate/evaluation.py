"""``Evaluation``: the metrics of one set of predictions, computed once, rendered many ways."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.files import read_json, write_json
from churnlab.metrics import (
    ECE_BINS,
    TOP_FRACTIONS,
    ArrayLike,
    check_predictions,
    churn_metrics,
    summarise,
)

if TYPE_CHECKING:
    from churnlab.model import ChurnModel

#: How each metric reads in tables, and whether higher is better.
METRIC_LABELS: dict[str, str] = {
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
    "brier": "Brier score",
    "log_loss": "Log loss",
    "ece": "Expected calibration error",
}
LOWER_IS_BETTER = frozenset({"brier", "log_loss", "ece"})
DECILE_HEADERS = {
    "decile": "decile",
    "customers": "customers",
    "churners": "churners",
    "churn_rate": "churn rate",
    "lift": "lift",
    "cumulative_capture": "churners found (cumulative)",
    "mean_probability": "mean predicted",
    "min_probability": "lowest predicted",
    "max_probability": "highest predicted",
}
DECILE_SHORT = ("decile", "customers", "churners", "churn_rate", "lift", "mean_probability")


def _label(metric: str) -> str:
    if metric in METRIC_LABELS:
        return METRIC_LABELS[metric]
    kind, _, share = metric.partition("@")
    return f"{'Lift' if kind == 'lift' else 'Capture rate'} at top {share}"


def jsonable(value: Any) -> Any:
    """JSON-safe values: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _unclean(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float("nan") if v is None else float(v) for k, v in values.items()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [jsonable(row) for row in frame.to_dict(orient="records")]


def _frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(records))
    return frame.fillna(np.nan) if len(frame) else frame


@dataclass(frozen=True, kw_only=True, eq=False)
class Evaluation:
    """How good a set of churn predictions is: computed once by :func:`evaluate`.

    Attributes
    ----------
    label:
        What was evaluated (``"hold-out"``, ``"backtest 2024-09-30"`` ...).
    rows, churners:
        Number of customers (rows) and of those who churned.
    metrics:
        The model's metrics (keys of :func:`churnlab.metrics.churn_metrics`).
    baseline:
        The same metrics of a baseline's predictions, or ``None``.
    deciles:
        :func:`~churnlab.metrics.decile_table` of the model (decile 1 = highest risk).
    calibration:
        :func:`~churnlab.metrics.calibration_table` of the model.
    bins, fractions:
        Equal-frequency bins of the ECE; fractions of the lift and capture rates.
    cutoffs:
        The cutoffs (ISO dates) the rows come from, when known.
    """

    label: str
    rows: int
    churners: int
    metrics: Mapping[str, float]
    baseline: Mapping[str, float] | None = None
    deciles: pd.DataFrame
    calibration: pd.DataFrame
    bins: int = ECE_BINS
    fractions: tuple[float, ...] = TOP_FRACTIONS
    cutoffs: tuple[str, ...] = field(default=())

    @property
    def churn_rate(self) -> float:
        return self.churners / self.rows if self.rows else float("nan")

    @property
    def roc_auc(self) -> float:
        return self.metrics["roc_auc"]

    @property
    def ece(self) -> float:
        return self.metrics["ece"]

    def _headline_lift(self) -> str:
        return "lift@10%" if "lift@10%" in self.metrics else f"lift@{self.fractions[0] * 100:g}%"

    def summary(self) -> pd.DataFrame:
        """One row per metric: ``model``, and with a baseline ``baseline`` and ``gain``.

        ``gain`` is model minus baseline, signed so that a positive gain is an improvement
        (for Brier, log loss and ECE lower is better, so the gain is baseline minus model).
        """
        names = list(self.metrics)
        table = pd.DataFrame(
            {"metric": [_label(n) for n in names], "model": [self.metrics[n] for n in names]},
            index=pd.Index(names, name="key"),
        )
        if self.baseline is not None:
            table["baseline"] = [self.baseline.get(n, float("nan")) for n in names]
            sign = np.array([-1.0 if n in LOWER_IS_BETTER else 1.0 for n in names])
            table["gain"] = sign * (table["model"] - table["baseline"])
        return table

    def __repr__(self) -> str:
        lift_key = self._headline_lift()
        auc = f"ROC-AUC {self.metrics['roc_auc']:.3f}"
        if self.baseline is not None:
            auc += f" (baseline {self.baseline['roc_auc']:.3f})"
        return (
            f"<Evaluation {self.label}: {auc}, {lift_key} {self.metrics[lift_key]:.1f}, "
            f"ECE {self.metrics['ece']:.3f}, {self.rows:,} rows, churn {self.churn_rate:.1%}>"
        )

    def headline(self) -> str:
        """The evaluation in one sentence of words (reports and HTML views open with it).

        >>> ev = evaluate([0, 1, 0, 1, 0, 0, 0, 1, 0, 0] * 20,
        ...               [.1, .9, .2, .7, .1, .3, .2, .6, .1, .2] * 20)
        >>> ev.headline()  # doctest: +ELLIPSIS
        'On 200 hold-out customers (churn 30.0%), the model ranks churners with ROC-AUC 1.000; ...'
        """
        lift_key = self._headline_lift()
        top = lift_key.split("@", 1)[1]
        auc = f"ROC-AUC {self.metrics['roc_auc']:.3f}"
        if self.baseline is not None:
            auc += f" (the logistic baseline: {self.baseline['roc_auc']:.3f})"
        return (
            f"On {self.rows:,} {self.label} customers (churn {self.churn_rate:.1%}), the model "
            f"ranks churners with {auc}; its top {top} by risk churn "
            f"{self.metrics[lift_key]:.1f} times as often as the average customer; its "
            f"probabilities are off by {100 * self.metrics['ece']:.1f} percentage points on average (ECE)."
        )

    def to_text(self) -> str:
        """The summary as plain text: the one-line repr, the metrics and the deciles."""
        summary = self.summary().set_index("metric").rename_axis(None)
        columns = ["decile", "customers", "churners", "churn_rate", "lift"]
        deciles = self.deciles[columns].rename(columns=DECILE_HEADERS)
        lines = [
            repr(self),
            "",
            summary.to_string(float_format=lambda v: f"{v:.4f}", na_rep="–"),
            "",
            "Churn by risk decile (1 = highest risk):",
            deciles.to_string(
                index=False,
                formatters={
                    "churners": _count,
                    "churn rate": "{:.1%}".format,
                    "lift": "{:.2f}".format,
                },
            ),
        ]
        return "\n".join(lines)

    def summary_html(self) -> str:
        """The metrics table (model, baseline, gain) as escaped HTML."""
        summary = self.summary().set_index("metric").rename_axis(None)
        return summary.to_html(border=0, float_format=lambda v: f"{v:.4f}", na_rep="–")

    def deciles_html(self, *, full: bool = False) -> str:
        """The risk deciles as escaped HTML, with readable headers (all columns when ``full``)."""
        columns = [c for c in DECILE_HEADERS if full or c in DECILE_SHORT]
        table = self.deciles[columns].rename(columns=DECILE_HEADERS)
        percent, formats = "{:.1%}".format, {}
        for column in columns:
            if column == "churners":
                formats[DECILE_HEADERS[column]] = _count
            elif column == "lift":
                formats[DECILE_HEADERS[column]] = "{:.2f}".format
            elif column not in ("decile", "customers"):
                formats[DECILE_HEADERS[column]] = percent
        return table.to_html(index=False, border=0, formatters=formats, na_rep="–")

    def _repr_html_(self) -> str:
        return _HTML.render(
            title=self.headline(),
            cutoffs=", ".join(self.cutoffs),
            summary=self.summary_html(),
            deciles=self.deciles_html(),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN as ``None``); :meth:`from_dict` rebuilds the evaluation."""
        return jsonable(
            {
                "label": self.label,
                "rows": self.rows,
                "churners": self.churners,
                "churn_rate": self.churn_rate,
                "bins": self.bins,
                "fractions": list(self.fractions),
                "cutoffs": list(self.cutoffs),
                "metrics": dict(self.metrics),
                "baseline": None if self.baseline is None else dict(self.baseline),
                "deciles": _records(self.deciles),
                "calibration": _records(self.calibration),
            }
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """Rebuild an evaluation from :meth:`to_dict` output (or a saved JSON file's content)."""
        return cls(
            label=str(data["label"]),
            rows=int(data["rows"]),
            churners=int(data["churners"]),
            metrics=_unclean(data["metrics"]),
            baseline=None if data.get("baseline") is None else _unclean(data["baseline"]),
            deciles=_frame(data["deciles"]),
            calibration=_frame(data["calibration"]),
            bins=int(data.get("bins", ECE_BINS)),
            fractions=tuple(float(f) for f in data.get("fractions", TOP_FRACTIONS)),
            cutoffs=tuple(str(c) for c in data.get("cutoffs", ())),
        )

    def save_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON, atomically; return the path."""
        return write_json(self.to_dict(), path)

    @classmethod
    def read_json(cls, path: str | Path) -> Evaluation:
        """Read an evaluation written by :meth:`save_json`."""
        return cls.from_dict(read_json(path))


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-evaluation"><p><b>{{ title }}</b></p>
{% if cutoffs %}<p>Cutoffs: {{ cutoffs }}</p>{% endif %}
{{ summary | safe }}
<details><summary>Churn by risk decile (1 = highest risk)</summary>{{ deciles | safe }}</details>
</div>"""
)


def _count(value: object) -> str:
    """A churner count as a whole number: deciles share tied rows at their edges, so the
    stored counts may hold a fraction that no customer list has.

    >>> _count(12.4), _count(1234.0)
    ('12', '1,234')
    """
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def _cutoffs_of(values: ArrayLike | None) -> tuple[str, ...]:
    if values is None:
        return ()
    stamps = pd.to_datetime(pd.Series(values)).dropna().unique()
    return tuple(pd.Timestamp(s).date().isoformat() for s in sorted(stamps))


def evaluate(
    y: ArrayLike,
    p: ArrayLike,
    *,
    baseline: ArrayLike | None = None,
    label: str = "hold-out",
    cutoffs: ArrayLike | None = None,
    fractions: Sequence[float] = TOP_FRACTIONS,
    bins: int = ECE_BINS,
) -> Evaluation:
    """Evaluate churn probabilities ``p`` against outcomes ``y`` (1 / ``True`` = churned).

    Parameters
    ----------
    y:
        The outcomes.
    p:
        The predicted churn probabilities (calibrated, for the ECE and Brier score to mean
        something).
    baseline:
        A baseline's probabilities for the same rows; its metrics are reported beside the
        model's.
    label:
        What is evaluated; shown in every rendering.
    cutoffs:
        The cutoff of each row (or the distinct cutoffs), recorded as ISO dates.
    fractions:
        Top fractions for ``lift@`` and ``capture@`` (default 5%, 10%, 20%).
    bins:
        Equal-frequency bins of the expected calibration error.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.3, 5_000)
    >>> y = rng.uniform(size=5_000) < p
    >>> evaluate(y, p, baseline=np.full(5_000, 0.15))
    <Evaluation hold-out: ROC-AUC 0.703 (baseline 0.500), lift@10% 1.9, ECE 0.016, 5,000 rows, churn 15.1%>
    """
    y_arr, p_arr = check_predictions(y, p, where="evaluate")
    if not isinstance(label, str):
        raise SpecError(f"The 'label' parameter of evaluate must be a str. Got {label!r} instead.")
    base = None
    if baseline is not None:
        y_arr, b_arr = check_predictions(y_arr, baseline, where="evaluate (baseline)")
        base = churn_metrics(y_arr, b_arr, fractions=fractions, bins=bins)
    metrics, deciles, calibration = summarise(y_arr, p_arr, fractions=fractions, bins=bins)
    return Evaluation(
        label=label,
        rows=len(y_arr),
        churners=int(y_arr.sum()),
        metrics=metrics,
        baseline=base,
        deciles=deciles,
        calibration=calibration,
        bins=bins,
        fractions=tuple(float(f) for f in fractions),
        cutoffs=_cutoffs_of(cutoffs),
    )


HOLDOUT_COLUMNS = ("churned", "probability")


def holdout_of(model: Any) -> pd.DataFrame:
    """The model's out-of-time hold-out predictions (``model.holdout_``), checked."""
    holdout = getattr(model, "holdout_", None)
    if not isinstance(holdout, pd.DataFrame):
        raise SpecError(
            f"evaluate_model needs a trained churnlab model with hold-out predictions "
            f"(holdout_); got {type(model).__name__}. Train one with churnlab.model.train, or "
            "load one with churnlab.model.load_model."
        )
    missing = [c for c in HOLDOUT_COLUMNS if c not in holdout.columns]
    if missing:
        raise SpecError(
            f"The model's hold-out predictions lack the column(s) {', '.join(missing)}; "
            f"they have {', '.join(map(str, holdout.columns))}."
        )
    return holdout


def evaluate_model(model: ChurnModel, *, label: str | None = None) -> Evaluation:
    """Evaluate a trained model on its hold-out predictions, beside its logistic baseline.

    Uses ``model.holdout_`` (``churned``, calibrated ``probability``, ``baseline_probability``
    and ``cutoff``), so nothing is recomputed from data. ``label`` defaults to what those
    predictions are (:func:`validation_label`): the out-of-time hold-out, or for a snapshot
    extract the out-of-fold predictions of every training row.
    """
    holdout = holdout_of(model)
    baseline = holdout.get("baseline_probability")
    if baseline is not None and baseline.isna().all():
        baseline = None
    return evaluate(
        holdout["churned"],
        holdout["probability"],
        baseline=baseline,
        label=validation_label(model) if label is None else label,
        cutoffs=holdout.get("cutoff"),
    )


def validation_label(model: Any) -> str:
    """What a model's hold-out predictions are, in a few words (an evaluation's label).

    >>> from types import SimpleNamespace as NS
    >>> validation_label(NS(card_=NS(validation="stratified 5-fold, out-of-fold")))
    'out-of-fold (stratified 5-fold, nested early stopping)'
    >>> validation_label(NS(card_=NS(validation="out-of-time")))
    'hold-out'
    """
    validation = str(getattr(getattr(model, "card_", None), "validation", ""))
    if validation.startswith("stratified"):
        folds = validation.split(",", 1)[0]
        return f"out-of-fold ({folds}, nested early stopping)"
    return "hold-out"
