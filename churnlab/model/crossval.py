"""``cross_validate``: honest out-of-fold metrics of the default model on a training frame.

Each fold is predicted by a booster fitted on the other folds but one; that one (the next
fold) stops the boosting early, so no row both chooses the number of rounds and is scored.
A snapshot frame (one cutoff) is cut into stratified folds; a frame with several cutoffs into
folds grouped by customer (stratified as far as the groups allow), so one customer never sits
on both sides of a fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedGroupKFold

from churnlab.errors import SpecError
from churnlab.features import FeatureFrame
from churnlab.metrics import churn_metrics
from churnlab.model.sanity import warn_too_little
from churnlab.model.spec import ModelSpec
from churnlab.model.train import out_of_fold, prepare, snapshot_folds

PREDICTION_COLUMNS = ("customer_id", "cutoff", "fold", "churned", "probability")
HEADLINE = ("roc_auc", "pr_auc", "log_loss", "brier")


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold predictions and metrics of :func:`cross_validate`.

    Parameters
    ----------
    folds:
        One row per fold: ``fold``, ``rows``, ``churners``, ``rounds`` (chosen by early
        stopping on the next fold) and the metrics of its predictions.
    metrics:
        The metrics of every out-of-fold prediction pooled (:func:`churnlab.metrics.churn_metrics`).
    predictions:
        One row per training row: ``customer_id``, ``cutoff``, ``fold``, ``churned`` and
        ``probability`` (the booster's, uncalibrated: a calibrator fitted on these would be
        scored on what it learnt from).
    grouping:
        ``"stratified"`` (one cutoff) or ``"grouped by customer"`` (several).
    min_child_samples:
        The ``min_child_samples`` the fits used (scaled with the rows unless the spec set it).
    """

    folds: pd.DataFrame
    metrics: dict[str, float]
    predictions: pd.DataFrame
    grouping: str
    min_child_samples: int

    def __repr__(self) -> str:
        aucs = self.folds["roc_auc"].to_numpy(dtype=float)
        return (
            f"<CrossValidation: {len(self.folds)} folds {self.grouping}, out-of-fold ROC-AUC "
            f"{self.metrics['roc_auc']:.3f} (folds {np.nanmin(aucs):.3f}-{np.nanmax(aucs):.3f}), "
            f"{len(self.predictions):,} rows, churn {self.predictions['churned'].mean():.1%}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """The folds and pooled metrics as JSON-ready values (NaN as ``None``)."""
        return {
            "grouping": self.grouping,
            "min_child_samples": self.min_child_samples,
            "metrics": {k: _clean(v) for k, v in self.metrics.items()},
            "folds": [
                {k: _clean(v) for k, v in row.items()}
                for row in self.folds.to_dict(orient="records")
            ],
        }

    def _repr_html_(self) -> str:
        columns = ["fold", "rows", "churners", "rounds", *HEADLINE]
        pooled = pd.DataFrame(
            [
                {
                    "fold": "pooled",
                    "rows": len(self.predictions),
                    "churners": int(self.predictions["churned"].sum()),
                    "rounds": None,
                    **{k: self.metrics[k] for k in HEADLINE},
                }
            ]
        )
        table = pd.concat([self.folds[columns].astype({"fold": str}), pooled], ignore_index=True)
        return _HTML.render(
            title=repr(self),
            table=table.to_html(
                index=False, border=0, float_format=lambda v: f"{v:.4f}", na_rep="–"
            ),
        )


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-crossvalidation"><p><b>{{ title }}</b></p>
<p>Each fold is predicted by a model fitted on the other folds but one, which stopped its
boosting early: no row was used to choose anything about the model that scored it.</p>
{{ table | safe }}</div>"""
)


def _clean(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _grouped_folds(
    y: NDArray[np.bool_], customers: pd.Series, folds: int, seed: int
) -> NDArray[np.int64]:
    codes, uniques = pd.factorize(customers)
    churners = int(y.sum())
    folds = max(2, min(folds, len(uniques), churners, len(y) - churners))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold = np.empty(len(y), dtype=np.int64)
    for k, (_, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y, groups=codes)):
        fold[test_idx] = k
    return fold


def cross_validate(
    frame: FeatureFrame, folds: int = 5, spec: ModelSpec | None = None
) -> CrossValidation:
    """Out-of-fold metrics of the model :func:`~churnlab.model.train` would fit on ``frame``.

    Early stopping is nested: each fold's booster is fitted on the other folds but one and
    stopped early on that one, so the pooled out-of-fold metrics are honest estimates for
    new customers like these. Use them (not the scores of the very rows a model was trained
    on) to judge a model trained on a snapshot extract.

    Parameters
    ----------
    frame:
        A labelled :class:`~churnlab.features.FeatureFrame` (``build_training_frame``). One
        cutoff: stratified folds. Several: folds grouped by customer.
    folds:
        How many folds (at least 3: one scores, one stops, the rest fit), fewer when there are
        fewer churners.
    spec:
        Training settings (default :class:`ModelSpec`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from churnlab.features import Feature, FeatureFrame
    >>> from churnlab.labels import LabelSpec
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=600)
    >>> rows = pd.DataFrame({"customer_id": [f"C{i}" for i in range(600)],
    ...     "cutoff": pd.Timestamp("2024-06-30"), "x": x,
    ...     "churned": rng.uniform(size=600) < 1 / (1 + np.exp(2 - 2 * x))})
    >>> x_feature = Feature(name="x", family="demo", description="x", reason_category="usage",
    ...     template="x is {value}", table="customers")
    >>> frame = FeatureFrame(frame=rows, spec=LabelSpec(), cutoffs=(pd.Timestamp("2024-06-30"),),
    ...     features=(x_feature,), labelled=True)
    >>> cv = cross_validate(frame, folds=3, spec=ModelSpec(max_rounds=30))
    >>> cv.grouping, len(cv.folds), cv.min_child_samples
    ('stratified', 3, 75)
    >>> 0.6 < cv.metrics["roc_auc"] < 0.9
    True
    """
    spec = ModelSpec() if spec is None else spec
    if not isinstance(spec, ModelSpec):
        raise SpecError(f"cross_validate needs a ModelSpec, got {type(spec).__name__}.")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 3:
        raise SpecError(
            f"The 'folds' parameter of cross_validate must be an int >= 3. Got {folds!r} instead."
        )
    d = prepare(frame, spec)
    warn_too_little(d.y)
    data = frame.frame
    several = len(np.unique(d.cutoff)) > 1
    if several:
        fold = _grouped_folds(d.y, data["customer_id"], folds, spec.seed)
    else:
        fold = snapshot_folds(d.y, spec.seed, folds=folds)
    oof = out_of_fold(d, spec, fold)
    rows = []
    for k in range(int(fold.max()) + 1):
        part = fold == k
        rows.append(
            {
                "fold": k + 1,
                "rows": int(part.sum()),
                "churners": int(d.y[part].sum()),
                "rounds": oof.rounds[k],
                **churn_metrics(d.y[part], oof.raw[part], fractions=()),
            }
        )
    predictions = pd.DataFrame(
        {
            "customer_id": data["customer_id"].to_numpy(),
            "cutoff": d.cutoff,
            "fold": fold + 1,
            "churned": d.y,
            "probability": oof.raw,
        },
        columns=list(PREDICTION_COLUMNS),
    )
    return CrossValidation(
        folds=pd.DataFrame(rows),
        metrics=churn_metrics(d.y, oof.raw),
        predictions=predictions,
        grouping="grouped by customer" if several else "stratified",
        min_child_samples=int(oof.params["min_data_in_leaf"]),
    )
