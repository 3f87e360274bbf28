"""``ChurnModel``: a trained churn model (booster, calibrator, card, baseline, hold-out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import jinja2
import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from churnlab.display import heading
from churnlab.errors import ModelError
from churnlab.features import FeatureFrame
from churnlab.model.baseline import BaselineModel
from churnlab.model.calibration import Calibrator
from churnlab.model.card import ModelCard
from churnlab.model.compat import align, check_frame, warn_unseen

FrameLike = pd.DataFrame | FeatureFrame
HOLDOUT_COLUMNS = (
    "customer_id",
    "cutoff",
    "churned",
    "probability",
    "raw_probability",
    "baseline_probability",
)


def _frame(frame: FrameLike) -> pd.DataFrame:
    return frame.frame if isinstance(frame, FeatureFrame) else frame


def risk_bands(
    probability: ArrayLike, thresholds: tuple[float, ...], names: tuple[str, ...]
) -> pd.Categorical:
    """Band of each probability: ``names[k]`` from ``thresholds[k-1]`` (inclusive) up.

    >>> risk_bands([0.05, 0.1, 0.5], (0.1, 0.3), ("low", "medium", "high")).tolist()
    ['low', 'medium', 'high']
    """
    codes = np.searchsorted(np.asarray(thresholds), np.asarray(probability, dtype=float), "right")
    bands = pd.Categorical.from_codes(codes, categories=pd.Index(list(names)), ordered=True)
    return cast(pd.Categorical, bands)


@dataclass(eq=False)
class ChurnModel:
    """A trained churn model: use :meth:`predict_proba` for calibrated churn probabilities.

    Attributes
    ----------
    booster_:
        The LightGBM booster refitted on every training cutoff.
    calibrator_:
        Maps the booster's raw probability to a calibrated one (fitted on the hold-out).
    card_:
        The :class:`ModelCard`: features, data, settings, metrics, versions.
    baseline_:
        The logistic-regression baseline (out of time: fitted on the rows of the first fit,
        before the hold-out; with folds: on every row), or ``None``.
    holdout_:
        Hold-out rows: ``customer_id``, ``cutoff``, ``churned``, calibrated ``probability``
        (cross-fitted: each row's calibrator did not see it), ``raw_probability`` and
        ``baseline_probability``, from models that never saw the hold-out.
    """

    booster_: lgb.Booster
    calibrator_: Calibrator
    card_: ModelCard
    baseline_: BaselineModel | None
    holdout_: pd.DataFrame

    def features_matrix(self, frame: FrameLike) -> pd.DataFrame:
        """The model's inputs: columns in card order, categories on the card's lists.

        Missing, extra or changed features raise :class:`~churnlab.errors.ModelError` showing
        the difference; text values the model never saw become missing and are reported in
        one :class:`~churnlab.model.UnseenCategoryWarning` with counts and examples.
        """
        data = _frame(frame)
        check_frame(self.card_, data)
        matrix, unseen = align(self.card_, data)
        warn_unseen(unseen)
        return matrix

    def predict_raw(self, frame: FrameLike) -> NDArray[np.float64]:
        """The booster's uncalibrated churn probabilities."""
        return np.asarray(self.booster_.predict(self.features_matrix(frame)), dtype=float)

    def predict_proba(self, frame: FrameLike) -> NDArray[np.float64]:
        """Calibrated churn probabilities (positive = churned), one per row of ``frame``."""
        return self.calibrator_.apply(self.predict_raw(frame))

    def predict_baseline(self, frame: FrameLike) -> NDArray[np.float64]:
        """Churn probabilities of the logistic-regression baseline."""
        if self.baseline_ is None:
            raise ModelError("This model has no baseline (it was trained without one).")
        return self.baseline_.predict_proba(self.features_matrix(frame))

    def risk_band(self, probability: ArrayLike) -> pd.Categorical:
        """The risk band of calibrated probabilities (``ModelSpec.risk_bands``)."""
        spec = self.card_.model_spec
        return risk_bands(probability, spec.risk_bands, spec.band_names)

    @property
    def n_trees(self) -> int:
        return int(self.booster_.num_trees())

    def _summary(self) -> str:
        card = self.card_
        auc, base = card.auc("model"), card.auc("baseline")
        leaves = card.lightgbm_params.get("num_leaves", card.model_spec.num_leaves)
        where = "hold-out" if card.validation.startswith("out-of-time") else "cross-validated"
        score = f"{where} AUC {auc:.3f}" if auc is not None else f"{where} AUC n/a"
        if base is not None:
            score += f" (baseline {base:.3f})"
        return (
            f"{self.n_trees} trees x {leaves} leaves, "
            f"{card.n_features} features, {score}, calibrated {card.calibration}"
        )

    def __repr__(self) -> str:
        return f"<ChurnModel: {self._summary()}>"

    def metrics_table(self) -> pd.DataFrame:
        """Hold-out metrics: one row per metric, columns ``model``, ``raw`` and ``baseline``."""
        table = pd.DataFrame(self.card_.metrics)
        return table.reindex(columns=[c for c in ("model", "raw", "baseline") if c in table])

    def _repr_html_(self) -> str:
        card = self.card_
        facts = pd.DataFrame(
            {
                "": [
                    "validation",
                    "training cutoffs",
                    "hold-out cutoffs",
                    "rows (churn rate)",
                    "sampling",
                    "feature families",
                    "rounds",
                    "label",
                    "created",
                ],
                "value": [
                    card.validation,
                    f"{len(card.training_cutoffs)}: {card.training_cutoffs[0]}.."
                    f"{card.training_cutoffs[-1]}",
                    ", ".join(card.holdout_cutoffs),
                    f"{card.rows:,} ({card.churn_rate:.1%})",
                    _sampling_text(card.sampling),
                    ", ".join(card.families) or "not recorded",
                    str(card.rounds),
                    f"{card.label_spec.definition}, {card.label_spec.horizon_days} days",
                    card.created_at,
                ],
            }
        )
        return _HTML.render(
            title=heading(self),
            facts=facts.to_html(index=False, border=0),
            metrics=self.metrics_table().round(4).to_html(border=0, na_rep="n/a"),
        )


def _sampling_text(sampling: dict[str, object]) -> str:
    fraction = sampling.get("negative_fraction")
    if not isinstance(fraction, int | float) or fraction >= 1:
        return "none (all rows)"
    return f"all churners, {fraction:.1%} of the others (weight {1 / fraction:.2f})"


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-model"><p><b>{{ title }}</b></p>
{{ facts | safe }}<p>Hold-out metrics</p>{{ metrics | safe }}</div>"""
)
