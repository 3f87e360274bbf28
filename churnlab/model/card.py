"""``ModelCard``: everything needed to trust, reload and apply a model, as JSON."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from churnlab.errors import ModelError
from churnlab.features.family import Feature
from churnlab.labels.spec import LabelSpec
from churnlab.model.spec import ModelSpec

CARD_FORMAT = 1
"""Version of the card's layout; a card written by a newer layout is refused on load."""
SCORING_FIELDS = (
    "feature_names",
    "feature_kinds",
    "feature_dtypes",
    "feature_families",
    "features",
    "categories",
    "vocabulary",
    "label_spec",
    "model_spec",
    "calibration",
    "trees",
)
"""The card's settings that change a score (risk bands and the label definition included):
their sha256 is saved on the card and verified on load (:meth:`ModelCard.settings_digest`)."""
VERSIONED = ("lightgbm", "scikit-learn", "pandas", "numpy", "churnlab")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a model depends on."""
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def _day(value: object) -> str:
    return str(pd.Timestamp(value).date())  # type: ignore[arg-type]


def fingerprint(frame: pd.DataFrame) -> dict[str, Any]:
    """Row counts and a hash of the training rows' customer ids, cutoffs and labels.

    Two training frames with the same fingerprint hold the same customers at the same
    cutoffs with the same labels (the features themselves are not hashed).

    >>> f = pd.DataFrame({"customer_id": ["a", "b"], "cutoff": pd.to_datetime(["2024-01-31"] * 2),
    ...                   "churned": [True, False]})
    >>> fp = fingerprint(f)
    >>> fp["rows"], fp["customers"], fp["churned"], len(fp["sha256"])
    (2, 2, 1, 64)
    """
    keys = frame[["customer_id", "cutoff", "churned"]]
    hashed = pd.util.hash_pandas_object(keys, index=False).to_numpy()
    by_cutoff = frame.groupby("cutoff", observed=True)["churned"].agg(["size", "sum"])
    return {
        "rows": len(frame),
        "customers": int(frame["customer_id"].nunique()),
        "cutoffs": len(by_cutoff),
        "churned": int(frame["churned"].sum()),
        "rows_by_cutoff": {_day(c): int(n) for c, n in by_cutoff["size"].items()},
        "churned_by_cutoff": {_day(c): int(n) for c, n in by_cutoff["sum"].items()},
        "sha256": hashlib.sha256(np.ascontiguousarray(hashed).tobytes()).hexdigest(),
    }


@dataclass(frozen=True, kw_only=True)
class ModelCard:
    """What a model is, what it learned from and how good it was: saved as ``card.json``.

    Attributes
    ----------
    feature_names, feature_kinds, feature_dtypes, categories:
        The model's columns in order, their kind (count, float, category), pandas dtype, and
        the fixed category list of every categorical feature.
    features:
        Each feature's entry (family, description, reason category and group, template), so
        that a saved model explains itself in words without the code that made it.
    feature_families:
        Feature families of your own (``module:ClassName``) beyond the built-in ones: scoring
        imports them to build the same features.
    families:
        Every feature family that gave the model features, by name, in column order (built-in
        and your own): ``purchases`` is there only when the bills carried order lines (a
        shop). ``()`` on cards written before it was recorded.
    vocabulary:
        The training frame's category lists (``FeatureFrame.vocabulary``): scoring frames are
        built with them so that columns and categories match.
    label_spec, model_spec:
        The churn definition and the training settings.
    validation:
        ``"out-of-time"``, or ``"stratified K-fold"`` for a single cutoff (snapshot extracts).
    training_cutoffs, holdout_cutoffs, gap_cutoffs:
        All cutoffs of the final model; the held-out ones; and those left out of the
        early-stopping fit because their label window reaches past the first hold-out cutoff.
    rows, churned, churn_rate, sampling, fingerprint:
        The training data, how it was sampled, and a hash that identifies it.
    monthly_retention:
        The monthly retention that ``churn_rate`` implies over the label's horizon
        (:func:`churnlab.metrics.monthly_retention`): what a retained customer's value is
        computed with. ``None`` on cards written before it was recorded.
    rounds, trees, calibration, calibration_scores, search, lightgbm_params:
        The chosen boosting rounds, the final tree count, the calibration method with every
        method's cross-fitted hold-out log loss, the settings tried by the optional search,
        and the LightGBM parameters of the final booster.
    baseline:
        How the logistic-regression baseline was fitted (its rows and regularisation).
    metrics:
        Hold-out metrics of ``model`` (calibrated, cross-fitted), ``raw`` and ``baseline``.
    run_id:
        The ``churnlab run`` that made the model (``None`` outside a run).
    versions, created_at, checksums:
        Library versions, the creation time (ISO 8601) and the sha256 of every saved file.
    settings_sha256:
        The sha256 of the settings that change a score (:data:`SCORING_FIELDS`), written on
        save: a card edited by hand (risk bands, label definition, features) is refused.
    """

    format_version: int = CARD_FORMAT
    created_at: str
    feature_names: tuple[str, ...]
    feature_kinds: dict[str, str]
    feature_dtypes: dict[str, str]
    feature_families: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    features: tuple[Feature, ...] = ()
    categories: dict[str, tuple[str, ...]]
    vocabulary: dict[str, tuple[str, ...]]
    label_spec: LabelSpec
    model_spec: ModelSpec
    validation: str
    training_cutoffs: tuple[str, ...]
    holdout_cutoffs: tuple[str, ...]
    gap_cutoffs: tuple[str, ...] = ()
    rows: int
    churned: int
    churn_rate: float
    monthly_retention: float | None = None
    sampling: dict[str, Any]
    fingerprint: dict[str, Any]
    metrics: dict[str, dict[str, float | None]]
    rounds: int
    trees: int
    calibration: str
    calibration_scores: dict[str, float] = field(default_factory=dict)
    search: tuple[dict[str, Any], ...] = ()
    baseline: dict[str, Any] = field(default_factory=dict)
    lightgbm_params: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=library_versions)
    checksums: dict[str, str] = field(default_factory=dict)
    settings_sha256: str | None = None
    run_id: str | None = None
    left_out: dict[str, str] = field(default_factory=dict)
    """Customer attributes left out of the features, each with what was found (id-like,
    constant, a copy of the label, date-like text): scoring leaves them out too."""

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def digest(self) -> str:
        """The sha256 of the card's canonical JSON (sorted keys): it identifies the model, its
        data and its settings, whether or not the model was saved."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def settings_digest(self) -> str:
        """The sha256 of the settings that change a score (:data:`SCORING_FIELDS`), as
        canonical JSON: what ``settings_sha256`` must equal on a saved card."""
        data = self.to_dict()
        chosen = {name: data[name] for name in SCORING_FIELDS}
        text = json.dumps(chosen, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def model_id(self) -> str:
        """A short id for lists and reports: ``churn-<training day>-<first 8 of the digest>``."""
        return f"churn-{self.created_at[:10]}-{self.digest()[:8]}"

    def auc(self, which: str = "model") -> float | None:
        """The hold-out ROC-AUC of ``model``, ``raw`` or ``baseline`` (``None`` if unknown)."""
        return self.metrics.get(which, {}).get("roc_auc")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (tuples as lists, specs as dicts)."""
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, LabelSpec | ModelSpec):
                value = value.to_dict()
            elif f.name == "features":
                value = [feature.to_dict() for feature in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif f.name in ("categories", "vocabulary"):
                value = {k: list(v) for k, v in value.items()}
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        """Rebuild a card from :meth:`to_dict` output; a newer card layout is refused."""
        try:
            version = int(data.get("format_version", 0))
        except (TypeError, ValueError):
            version = -1
        if version > CARD_FORMAT or version < 1:
            raise ModelError(
                f"The model card has layout version {data.get('format_version')!r}; this "
                f"churnlab reads version {CARD_FORMAT}. Upgrade churnlab, or retrain the model."
            )
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        try:
            values["label_spec"] = LabelSpec.from_dict(dict(values["label_spec"]))
            values["model_spec"] = ModelSpec.from_dict(dict(values["model_spec"]))
            for name in (
                "feature_names",
                "feature_families",
                "families",
                "training_cutoffs",
                "holdout_cutoffs",
                "gap_cutoffs",
            ):
                values[name] = tuple(values.get(name, ()))
            values["search"] = tuple(values.get("search", ()))
            values["features"] = tuple(Feature.from_dict(f) for f in values.get("features", ()))
            for name in ("categories", "vocabulary"):
                values[name] = {k: tuple(v) for k, v in values[name].items()}
            return cls(**values)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"The model card cannot be read: {exc!r}.") from None
