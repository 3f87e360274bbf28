"""``train``: a LightGBM churn model, validated out of time, calibrated, beside a baseline.

The steps, in order:

1. **Split.** The latest ``holdout_cutoffs`` cutoffs are the hold-out. Earlier cutoffs whose
   label window (lead + horizon + grace days) reaches past the first hold-out cutoff form a
   gap and are left out of the first fit: their labels tell what happened during the
   hold-out period, which a model scoring at that cutoff could not know. When every earlier
   cutoff is that close (a long horizon), a random fifth of the customers is held out at the
   hold-out cutoffs and the fit uses only the other customers: the same customer seen at
   neighbouring cutoffs with one outcome would otherwise make early stopping and calibration
   reward memorising customers (on a 365-day horizon the hold-out AUC read 0.74 where the next
   year gave 0.66). A frame with a single cutoff (a snapshot extract) uses stratified folds
   instead, and the card says so: each fold is predicted by a booster fitted on the other
   folds but one, which stops its early stopping (nested), so the reported out-of-fold
   predictions were never used to choose anything.
2. **Sample** (large frames only): every churner and a fraction of the others, weighted by
   ``1 / fraction``, so probabilities stay unbiased. Class weights such as ``is_unbalance``
   are never used: they distort probabilities.
3. **Fit** the booster on the earlier cutoffs with early stopping on the hold-out, and the
   logistic-regression baseline on the same rows.
4. **Calibrate** on the hold-out predictions (isotonic, Platt or none, cross-fitted).
5. **Refit** the booster on every cutoff with the chosen number of rounds. The calibrator
   learnt from the first fit's hold-out predictions is applied to the refitted booster (same
   settings and rounds, more recent data); the baseline is not refitted.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from churnlab.errors import ChurnlabWarning, DataError, ModelError, SpecError
from churnlab.features import FeatureFrame
from churnlab.labels.window import latest_training_cutoff
from churnlab.metrics import churn_metrics, log_loss, monthly_retention, roc_auc
from churnlab.model.baseline import BaselineModel
from churnlab.model.booster_text import booster_names
from churnlab.model.calibration import choose_calibration
from churnlab.model.card import ModelCard, fingerprint
from churnlab.model.model import HOLDOUT_COLUMNS, ChurnModel
from churnlab.model.sanity import leak_like, warn_leaks, warn_one_class, warn_too_little
from churnlab.model.spec import ModelSpec, size_defaults

SINGLE_THREAD_BELOW_ROWS = 100_000
"""With ``num_threads=0``, smaller training sets use one LightGBM thread."""
SAMPLE_ABOVE_ROWS = 1_000_000
"""With ``negative_sample=None``, frames above this many rows are sampled down to about it."""
MIN_NEGATIVES_PER_CHURNER = 2
HOLDOUT_CUSTOMER_SHARE = 0.2
"""Without a gap before the hold-out, this share of the customers is held out (the rest fit)."""
FOLDS = 5
SEARCH_GRID: tuple[dict[str, Any], ...] = (
    {"num_leaves": 7, "max_depth": 3},
    {"num_leaves": 31, "max_depth": 6, "min_child_samples": 100},
    {"min_child_samples": 50},
    {"min_child_samples": 1000},
    {"feature_fraction": 0.5},
    {"lambda_l2": 10.0},
)
"""Settings the optional search tries after the defaults (each changes the defaults a little)."""


class GapWarning(ChurnlabWarning):
    """Too few cutoffs to leave a gap before the hold-out: the early-stopping fit has none."""


def negative_fraction(spec: ModelSpec, rows: int, churners: int) -> float:
    """The fraction of non-churners kept for training (1.0: no sampling).

    >>> negative_fraction(ModelSpec(), rows=7_000_000, churners=350_000)
    0.1053
    >>> negative_fraction(ModelSpec(), rows=700_000, churners=35_000)
    1.0
    >>> negative_fraction(ModelSpec(negative_sample=0.5), rows=1000, churners=10)
    0.5
    """
    if spec.negative_sample is not None:
        return float(spec.negative_sample)
    negatives = rows - churners
    if rows <= SAMPLE_ABOVE_ROWS or negatives <= 0:
        return 1.0
    wanted = max(SAMPLE_ABOVE_ROWS - churners, MIN_NEGATIVES_PER_CHURNER * churners)
    return float(min(1.0, round(wanted / negatives, 4)))


def lightgbm_params(
    spec: ModelSpec, *, rows: int, churners: int, churn_rate: float | None = None, **overrides: Any
) -> dict[str, Any]:
    """LightGBM parameters of a spec (plus search overrides): binary, unweighted classes.

    ``rows`` and ``churners`` (the training rows kept after sampling) and ``churn_rate`` (before
    sampling) set the thread count and the settings that scale with the data
    (:func:`~churnlab.model.spec.size_defaults`).

    >>> lightgbm_params(ModelSpec(), rows=3_000, churners=450)["min_data_in_leaf"]
    133
    """
    threads = spec.num_threads or (1 if rows < SINGLE_THREAD_BELOW_ROWS else 0)
    settings = {
        "learning_rate": spec.learning_rate,
        "num_leaves": spec.num_leaves,
        "max_depth": spec.max_depth,
        **size_defaults(spec, rows=rows, churners=churners, churn_rate=churn_rate),
        "feature_fraction": spec.feature_fraction,
        "bagging_fraction": spec.bagging_fraction,
        "lambda_l2": spec.lambda_l2,
        **overrides,
    }
    return {
        "objective": "binary",
        "metric": "binary_logloss",
        "learning_rate": settings["learning_rate"],
        "num_leaves": settings["num_leaves"],
        "max_depth": settings["max_depth"],
        "min_data_in_leaf": settings["min_child_samples"],
        "feature_fraction": settings["feature_fraction"],
        "bagging_fraction": settings["bagging_fraction"],
        "bagging_freq": 1 if settings["bagging_fraction"] < 1 else 0,
        "lambda_l2": settings["lambda_l2"],
        "seed": spec.seed,
        "deterministic": True,
        "force_row_wise": True,
        "feature_pre_filter": False,
        "num_threads": threads,
        "verbosity": -1,
    }


@dataclass
class _Data:
    """The training rows as the booster and the baseline see them."""

    X: pd.DataFrame
    y: NDArray[np.bool_]
    cutoff: NDArray[np.datetime64]
    categories: dict[str, tuple[str, ...]]
    keep: NDArray[np.bool_]
    weight: NDArray[np.float64]
    fraction: float

    @property
    def size(self) -> tuple[int, int, float]:
        """Rows and churners kept, and the churn rate before sampling (rows weighted)."""
        w = self.weight[self.keep]
        rate = float((w * self.y[self.keep]).sum() / w.sum())
        return int(self.keep.sum()), int((self.y & self.keep).sum()), rate

    @property
    def numeric(self) -> list[str]:
        return [c for c in self.X.columns if c not in self.categories]


@dataclass
class _Validated:
    """What validation produced: hold-out predictions, rounds, the settings used."""

    holdout: NDArray[np.bool_]
    raw: NDArray[np.float64]
    baseline: NDArray[np.float64] | None
    baseline_model: BaselineModel | None
    rounds: int
    params: dict[str, Any]
    validation: str
    gap: list[pd.Timestamp] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)


def _definition_hint(frame: FeatureFrame, churners: int) -> str:
    """Where no one churned by contract but customers have bills: the inactivity definition
    is what fits (a shop's customers have no end dates)."""
    billed = any(feature.table == "bills" for feature in frame.features)
    if churners or frame.spec.definition != "contract" or not billed:
        return ""
    return (
        " No customer's end_date falls in a label window, but the customers have bills: if "
        "they have no end dates (a shop), churn is when they stop buying: use "
        '--churn-definition inactivity, or [label] definition = "inactivity" in '
        "churnlab.toml (LabelSpec(definition='inactivity')); `churnlab "
        "validate` says which definition fits."
    )


def prepare(frame: FeatureFrame, spec: ModelSpec) -> _Data:
    """Check a labelled frame and turn it into the rows the booster and baseline see."""
    if not isinstance(frame, FeatureFrame):
        raise SpecError(
            f"train needs a FeatureFrame from build_training_frame, got {type(frame).__name__}."
        )
    data = frame.frame
    if not frame.labelled or "churned" not in data.columns:
        raise SpecError(
            "train needs a labelled training frame: build it with "
            "churnlab.features.build_training_frame(tables, spec, cutoffs=...)."
        )
    y = data["churned"].to_numpy(dtype=bool)
    churners = int(y.sum())
    if churners < 2 or len(y) - churners < 2:
        raise DataError(
            f"The training frame has {churners:,} churners among {len(y):,} rows: a churn model "
            "needs at least two churners and two non-churners. Use more cutoffs, a longer "
            f"horizon, or more customers.{_definition_hint(frame, churners)}"
        )
    names = frame.feature_names
    if not names:
        raise DataError("The training frame has no features.")
    X = data[names]
    categories: dict[str, tuple[str, ...]] = {}
    for feature in frame.features:
        column = X[feature.name]
        if feature.kind == "category" or not (
            pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
        ):
            if isinstance(column.dtype, pd.CategoricalDtype):
                categories[feature.name] = tuple(str(c) for c in column.cat.categories)
            else:
                listed = frame.vocabulary.get(f"customers.{feature.name}")
                values = listed or sorted(str(v) for v in column.dropna().unique())
                categories[feature.name] = tuple(values)
    if any(not isinstance(X[c].dtype, pd.CategoricalDtype) for c in categories):
        X = X.assign(
            **{
                c: pd.Categorical(
                    X[c].astype("string").where(X[c].astype("string").isin(v)), categories=list(v)
                )
                for c, v in categories.items()
            }
        )
    local = negative_fraction(spec, len(y), churners)
    rng = np.random.default_rng(spec.seed)
    keep = y | (rng.random(len(y)) < local) if local < 1 else np.ones(len(y), dtype=bool)
    # Rows sampled where the frame was built (build_training_frame's negative_sample) count
    # for 1 / (that fraction x this one).
    fraction = float(frame.sampling.get("negative_fraction", 1.0)) * local
    weight = np.where(y, 1.0, 1.0 / fraction)
    return _Data(
        X=X,
        y=y,
        cutoff=data["cutoff"].to_numpy(),
        categories=categories,
        keep=keep,
        weight=weight,
        fraction=fraction,
    )


def _population_rate(y: NDArray[np.bool_], sampling: Mapping[str, Any]) -> float:
    """The churn rate of the rows before a sampling where the frame was built (each
    non-churner kept stands for ``1 / fraction``).

    >>> _population_rate(np.array([True, False]), {"negative_fraction": 0.5})
    0.3333333333333333
    """
    churners = float(y.sum())
    others = (len(y) - churners) / float(sampling.get("negative_fraction", 1.0))
    return churners / (churners + others) if len(y) else 0.0


def _dataset(d: _Data, rows: NDArray[np.bool_]) -> lgb.Dataset:
    chosen = rows & d.keep
    X = d.X if chosen.all() else d.X.loc[chosen]
    names = dict(zip(d.X.columns, booster_names(list(d.X.columns)), strict=True))
    return lgb.Dataset(
        X,
        label=d.y[chosen].astype(float),
        weight=None if d.fraction >= 1 else d.weight[chosen],
        feature_name=list(names.values()),  # JSON characters renamed: LightGBM refuses them
        categorical_feature=[names[c] for c in d.categories],
        params={"verbosity": -1, "feature_pre_filter": False},
        free_raw_data=True,
    )


def _fit(
    params: dict[str, Any],
    train_set: lgb.Dataset,
    valid: tuple[pd.DataFrame, NDArray[np.bool_]],
    spec: ModelSpec,
) -> tuple[lgb.Booster, int, NDArray[np.float64]]:
    """Boost with early stopping on ``valid``; the best round and its predictions there."""
    valid_set = lgb.Dataset(
        valid[0],
        label=valid[1].astype(float),
        feature_name=booster_names(list(valid[0].columns)),
        free_raw_data=False,
    )
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=spec.max_rounds,
        valid_sets=[valid_set],
        valid_names=["holdout"],
        callbacks=[lgb.early_stopping(spec.early_stopping_rounds, verbose=False)],
    )
    best = int(booster.best_iteration) or spec.max_rounds
    raw = np.asarray(booster.predict(valid[0], num_iteration=best), dtype=float)
    return booster, best, raw


def _search(
    spec: ModelSpec,
    train_set: lgb.Dataset,
    valid: tuple[pd.DataFrame, NDArray[np.bool_]],
    size: tuple[int, int, float],
) -> tuple[dict[str, Any], lgb.Booster, int, list[dict[str, Any]]]:
    """Fit the defaults, then other settings while time is left; keep the best log loss.

    ``size``: the training rows and churners (kept after sampling) and the churn rate (before
    sampling) the settings scale with.
    Returns the settings, booster and rounds of the best fit, and every try."""
    start = time.perf_counter()
    tried: list[dict[str, Any]] = []
    best: tuple[float, dict[str, Any], lgb.Booster, int] | None = None
    for overrides in ({}, *SEARCH_GRID) if spec.search else ({},):
        if overrides and time.perf_counter() - start > spec.search_budget_s:
            break
        began = time.perf_counter()
        params = lightgbm_params(
            spec, rows=size[0], churners=size[1], churn_rate=size[2], **overrides
        )
        booster, rounds, raw = _fit(params, train_set, valid, spec)
        loss = log_loss(valid[1], raw)
        tried.append(
            {
                "settings": overrides or "defaults",
                "rounds": rounds,
                "log_loss": loss,
                "roc_auc": _or_none(roc_auc(valid[1], raw)),
                "seconds": round(time.perf_counter() - began, 1),
            }
        )
        if best is None or loss < best[0]:
            best = (loss, params, booster, rounds)
    if best is None:  # unreachable: the defaults always run
        raise ModelError("The model search tried no settings.")
    if spec.search:
        for entry in tried:
            entry["chosen"] = entry["log_loss"] == best[0]
    return best[1], best[2], best[3], tried if spec.search else []


def _fit_baseline(d: _Data, rows: NDArray[np.bool_], spec: ModelSpec) -> BaselineModel | None:
    chosen = rows & d.keep
    try:
        with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only wait
            return BaselineModel.fit(
                d.X.loc[chosen],
                d.y[chosen],
                numeric=d.numeric,
                categories=d.categories,
                weight=d.weight[chosen],
                seed=spec.seed,
            )
    except ModelError:
        return None


def _out_of_time(
    d: _Data, frame: FeatureFrame, spec: ModelSpec, cutoffs: Sequence[pd.Timestamp]
) -> _Validated:
    if spec.holdout_cutoffs >= len(cutoffs):
        raise SpecError(
            f"The 'holdout_cutoffs' parameter of ModelSpec must be smaller than the number of "
            f"cutoffs in the frame ({len(cutoffs)}). Got {spec.holdout_cutoffs} instead."
        )
    held = list(cutoffs[-spec.holdout_cutoffs :])
    earlier = list(cutoffs[: -spec.holdout_cutoffs])
    latest = latest_training_cutoff(held[0], frame.spec)  # its label is known at held[0]
    fit_cutoffs = [c for c in earlier if c <= latest]
    cutoff = pd.DatetimeIndex(d.cutoff)
    holdout = np.asarray(cutoff.isin(held))
    validation = "out-of-time"
    if fit_cutoffs:
        fit_rows = np.asarray(cutoff.isin(fit_cutoffs))
    else:
        warnings.warn(
            f"No cutoff is {frame.spec.window_days} days (the label window) before the hold-out "
            f"cutoff {held[0].date()}, so {HOLDOUT_CUSTOMER_SHARE:.0%} of the customers are held "
            "out and the early-stopping fit uses the others at the earlier cutoffs, whose labels "
            "overlap the hold-out period: hold-out metrics may be optimistic. Add cutoffs at "
            "least a label window earlier to avoid this.",
            GapWarning,
            stacklevel=3,
        )
        fit_cutoffs = earlier
        fit_rows = np.asarray(cutoff.isin(fit_cutoffs))
        held_customers = _customer_share(frame, HOLDOUT_CUSTOMER_SHARE, spec.seed)
        if (holdout & held_customers).any() and (fit_rows & ~held_customers & d.keep).any():
            holdout &= held_customers
            fit_rows &= ~held_customers
            validation = f"out-of-time, {HOLDOUT_CUSTOMER_SHARE:.0%} of customers held out"
    gap = [c for c in earlier if c not in fit_cutoffs]
    train_set = _dataset(d, fit_rows)
    valid = (d.X.loc[holdout], d.y[holdout])
    params, booster, rounds, tried = _search(spec, train_set, valid, d.size)
    raw = np.asarray(booster.predict(valid[0], num_iteration=rounds), dtype=float)
    baseline_model = _fit_baseline(d, fit_rows, spec)
    baseline = None if baseline_model is None else baseline_model.predict_proba(valid[0])
    return _Validated(
        holdout=holdout,
        raw=raw,
        baseline=baseline,
        baseline_model=baseline_model,
        rounds=rounds,
        params=params,
        validation=validation,
        gap=gap,
        search=tried,
    )


def _customer_share(frame: FeatureFrame, share: float, seed: int) -> NDArray[np.bool_]:
    """Rows of a seeded random ``share`` of the customers (all of their cutoffs)."""
    codes, customers = pd.factorize(frame.frame["customer_id"], sort=True)
    chosen = np.zeros(len(customers), dtype=bool)
    chosen[
        np.random.default_rng(seed).permutation(len(customers))[: round(share * len(customers))]
    ] = True
    return chosen[codes]


def snapshot_folds(y: NDArray[np.bool_], seed: int, *, folds: int = FOLDS) -> NDArray[np.int64]:
    """The stratified fold (0 to at most ``folds`` - 1) of each row of a snapshot frame.

    >>> snapshot_folds(np.array([True, False] * 5), seed=0).tolist().count(0)
    2
    """
    churners = int(y.sum())
    folds = max(2, min(folds, churners, len(y) - churners))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold = np.empty(len(y), dtype=np.int64)
    for k, (_, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y)):
        fold[test_idx] = k
    return fold


@dataclass
class OutOfFold:
    """Out-of-fold predictions: each row predicted by a booster that never saw it, stopped
    early on another fold (nested), so no row both stops and scores a fit."""

    raw: NDArray[np.float64]
    baseline: NDArray[np.float64] | None
    rounds: list[int]
    params: dict[str, Any]
    search: list[dict[str, Any]]


def out_of_fold(d: _Data, spec: ModelSpec, fold: NDArray[np.int64]) -> OutOfFold:
    """Predict each fold from a booster fitted on the other folds but one: the next fold
    (``k + 1``, cyclically) is that fit's early-stopping part. With two folds only, the
    training part itself stops the fit (too few churners for a third part)."""
    folds = int(fold.max()) + 1
    raw = np.empty(len(d.y))
    baseline: NDArray[np.float64] | None = np.empty(len(d.y))
    rounds: list[int] = []
    tried: list[dict[str, Any]] = []
    params = lightgbm_params(spec, rows=d.size[0], churners=d.size[1], churn_rate=d.size[2])
    for k in range(folds):
        test = fold == k
        inner = fold == (k + 1) % folds if folds > 2 else ~test
        fit_rows = ~test & ~inner if folds > 2 else ~test
        train_set = _dataset(d, fit_rows)
        valid = (d.X.loc[inner], d.y[inner])
        if k == 0:  # the optional search runs on the first fold only
            params, booster, best, tried = _search(spec, train_set, valid, d.size)
        else:
            booster, best, _ = _fit(params, train_set, valid, spec)
        raw[test] = np.asarray(booster.predict(d.X.loc[test], num_iteration=best), dtype=float)
        rounds.append(best)
        fold_baseline = _fit_baseline(d, ~test, spec)
        if fold_baseline is None or baseline is None:
            baseline = None
        else:
            baseline[test] = fold_baseline.predict_proba(d.X.loc[test])
    return OutOfFold(raw=raw, baseline=baseline, rounds=rounds, params=params, search=tried)


def _folds(d: _Data, spec: ModelSpec) -> _Validated:
    fold = snapshot_folds(d.y, spec.seed)
    oof = out_of_fold(d, spec, fold)
    everything = np.ones(len(d.y), dtype=bool)
    return _Validated(
        holdout=everything,
        raw=oof.raw,
        baseline=oof.baseline,
        baseline_model=_fit_baseline(d, everything, spec),
        rounds=max(1, int(np.median(oof.rounds))),
        params=oof.params,
        validation=f"stratified {int(fold.max()) + 1}-fold, out-of-fold",
        search=oof.search,
    )


def _created(created_at: str | dt.datetime | pd.Timestamp | None) -> str:
    if created_at is None:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return pd.Timestamp(created_at).isoformat()


def train(
    frame: FeatureFrame,
    spec: ModelSpec | None = None,
    *,
    progress: bool | None = None,
    created_at: str | dt.datetime | pd.Timestamp | None = None,
) -> ChurnModel:
    """Train a calibrated LightGBM churn model on a labelled training frame.

    Parameters
    ----------
    frame:
        A labelled :class:`~churnlab.features.FeatureFrame` (``build_training_frame``), with
        several cutoffs (validated out of time) or one (stratified folds).
    spec:
        Training settings (default :class:`ModelSpec`).
    progress:
        Show a progress bar over the training steps (default: only in a terminal).
    created_at:
        The creation time recorded in the card (default: now, in UTC).

    Returns
    -------
    ChurnModel
        The booster refitted on every cutoff, its calibrator, card, baseline and hold-out
        predictions.

    Examples
    --------
    >>> import tempfile
    >>> from churnlab.demo import DemoSpec, generate_demo
    >>> from churnlab.features import build_training_frame
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = generate_demo(tmp, DemoSpec(customers=1500, months=18, seed=1))
    ...     frame = build_training_frame(tmp, progress=False)
    >>> model = train(frame, ModelSpec(max_rounds=40), created_at="2024-01-01")
    >>> model.card_.validation, model.card_.holdout_cutoffs
    ('out-of-time', ('2024-03-31',))
    >>> model.card_.lightgbm_params["min_data_in_leaf"]  # 20 churners expected per leaf
    334
    >>> float(model.predict_proba(frame.frame).max()) <= 1.0
    True
    """
    spec = ModelSpec() if spec is None else spec
    if not isinstance(spec, ModelSpec):
        raise SpecError(f"train needs a ModelSpec, got {type(spec).__name__}.")
    steps = tqdm(
        total=4,
        desc="train",
        unit="step",
        disable=progress is False or (progress is None and not _interactive()),
    )
    with steps:
        steps.set_postfix_str("preparing")
        d = prepare(frame, spec)
        warn_too_little(d.y)
        warn_leaks(leak_like(d.X, d.y, seed=spec.seed), len(d.y))
        cutoffs = sorted(pd.DatetimeIndex(np.unique(d.cutoff)))
        steps.update()
        steps.set_postfix_str("validating")
        v = _out_of_time(d, frame, spec, cutoffs) if len(cutoffs) > 1 else _folds(d, spec)
        steps.update()
        steps.set_postfix_str("calibrating")
        held_y = d.y[v.holdout]
        warn_one_class(held_y, _dates(sorted(pd.DatetimeIndex(np.unique(d.cutoff[v.holdout])))))
        with threadpool_limits(limits=1, user_api="blas"):
            choice = choose_calibration(v.raw, held_y, method=spec.calibration, seed=spec.seed)
        steps.update()
        steps.set_postfix_str("refitting on all cutoffs")
        booster = lgb.train(v.params, _dataset(d, np.ones(len(d.y), dtype=bool)), v.rounds)
        steps.update()
    data = frame.frame
    holdout = pd.DataFrame(
        {
            "customer_id": data["customer_id"].to_numpy()[v.holdout],
            "cutoff": d.cutoff[v.holdout],
            "churned": held_y,
            "probability": choice.crossfit_probability,
            "raw_probability": v.raw,
            "baseline_probability": np.nan if v.baseline is None else v.baseline,
        },
        columns=list(HOLDOUT_COLUMNS),
    )
    metrics = {
        "model": _card_metrics(held_y, choice.crossfit_probability),
        "raw": _card_metrics(held_y, v.raw),
    }
    if v.baseline is not None:
        metrics["baseline"] = _card_metrics(held_y, v.baseline)
    held_cutoffs = sorted(pd.DatetimeIndex(np.unique(d.cutoff[v.holdout])))
    card = ModelCard(
        created_at=_created(created_at),
        feature_names=tuple(frame.feature_names),
        feature_kinds={f.name: f.kind for f in frame.features},
        feature_families=tuple(family.spec for family in frame.families),
        families=tuple(dict.fromkeys(f.family for f in frame.features)),
        features=tuple(frame.features),
        feature_dtypes={c: str(d.X[c].dtype) for c in d.X.columns},
        categories=d.categories,
        vocabulary={k: tuple(v) for k, v in frame.vocabulary.items()},
        label_spec=frame.spec,
        model_spec=spec,
        left_out=dict(frame.left_out),
        validation=v.validation,
        training_cutoffs=_dates(cutoffs),
        holdout_cutoffs=_dates(held_cutoffs),
        gap_cutoffs=_dates(v.gap),
        rows=len(d.y),
        churned=int(d.y.sum()),
        churn_rate=(rate := _population_rate(d.y, frame.sampling)),
        monthly_retention=monthly_retention(rate, frame.spec.horizon_days),
        sampling={
            "negative_fraction": d.fraction,
            "negative_weight": 1.0 / d.fraction,
            "rows_kept": int(d.keep.sum()),
            "auto": spec.negative_sample is None,
            **({"when_built": dict(frame.sampling)} if frame.sampling else {}),
        },
        fingerprint=fingerprint(data),
        metrics=metrics,
        rounds=v.rounds,
        trees=int(booster.num_trees()),
        calibration=choice.calibrator.method,
        calibration_scores=choice.scores,
        search=tuple(v.search),
        baseline={}
        if v.baseline_model is None
        else {
            "kind": "logistic_regression",
            "C": v.baseline_model.C,
            "rows": v.baseline_model.rows,
        },
        lightgbm_params=_jsonable(v.params),
    )
    return ChurnModel(
        booster_=booster,
        calibrator_=choice.calibrator,
        card_=card,
        baseline_=v.baseline_model,
        holdout_=holdout,
    )


def _card_metrics(y: NDArray[np.bool_], p: NDArray[np.float64]) -> dict[str, float | None]:
    """The hold-out metrics a card records: :func:`churnlab.metrics.churn_metrics` without the
    top-fraction ones (the evaluation reports those), undefined ones (one class only) as None."""
    return {k: _or_none(v) for k, v in churn_metrics(y, p, fractions=()).items()}


def _or_none(value: float) -> float | None:
    return None if np.isnan(value) else value


def _dates(cutoffs: Sequence[pd.Timestamp]) -> tuple[str, ...]:
    return tuple(str(pd.Timestamp(c).date()) for c in cutoffs)


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()}


def _interactive() -> bool:
    import sys

    return sys.stderr.isatty()
