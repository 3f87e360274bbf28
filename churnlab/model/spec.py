"""``ModelSpec``: how a churn model is trained (saved in every model card)."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from churnlab.errors import SpecError

CALIBRATIONS = ("auto", "isotonic", "platt", "none")
BAND_NAMES: dict[int, tuple[str, ...]] = {
    1: ("low", "high"),
    2: ("low", "medium", "high"),
    3: ("low", "medium", "high", "very high"),
}


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """Settings of :func:`churnlab.model.train`; the defaults need no tuning.

    Parameters
    ----------
    holdout_cutoffs:
        How many of the latest labelled cutoffs are held out (out-of-time) for early stopping,
        calibration and the reported metrics. Cutoffs whose label window reaches past the first
        hold-out cutoff are left out of that fit (they would see the hold-out's future). A frame
        with a single cutoff (a snapshot extract) uses stratified folds instead.
    learning_rate, num_leaves, max_depth, min_child_samples, feature_fraction, bagging_fraction, lambda_l2:
        LightGBM settings. The model is kept compact (15 leaves, at most 400 rounds of learning
        rate 0.1) because exact TreeSHAP costs about trees x leaves x depth squared per
        customer; on the demo operator a learning rate of 0.05 (about twice the trees) gained
        under 0.002 of hold-out AUC. ``max_depth`` 12 lets those 15 leaves follow a deep
        interaction: against depth 5 it gained 0.0025 of test AUC on average over four demo
        seeds and horizons the benchmarks do not use, never losing significantly.
        ``min_child_samples`` ``None`` (the default) scales with the training rows and
        churners (:func:`size_defaults`): a leaf should expect 20 churners, so 80 rows at 25%
        churn, 400 at 5%, 1,000 at 2%, at most an eighth of the rows and, from 500,000 rows
        on, at most 200 (a fixed 200 starved a 3,000-row extract at high churn of splits, and
        under-regularised rare churn; on big data larger leaves only cost rounds). The card's ``lightgbm_params``
        (``min_data_in_leaf``) record the value used.
    max_rounds, early_stopping_rounds:
        Boosting rounds at most, and rounds without hold-out improvement before stopping.
    negative_sample:
        Keep every churner and this fraction of the other rows, weighted by ``1 / fraction`` so
        probabilities stay unbiased. ``None``: sample only frames of more than 1,000,000 rows,
        down to about 1,000,000 rows (never fewer than two non-churners per churner).
    calibration:
        ``"isotonic"`` (monotone, through the centres of isotonic steps so no ranking is lost),
        ``"platt"`` (a logistic curve on the log-odds), ``"none"``, or ``"auto"``: the lowest
        log loss of the three, cross-fitted on the hold-out.
    search:
        Try a handful of other tree settings on the hold-out within ``search_budget_s``
        seconds and keep the best by hold-out log loss. Off by default; the card lists every try.
        The hold-out then also chose the settings, so its metrics are slightly optimistic.
    seed:
        Seeds sampling, bagging and folds: the same seed and data give the same model.
    risk_bands:
        Increasing churn probabilities that split customers into bands: with ``(0.1, 0.3)``,
        ``"low"`` is below 10%, ``"medium"`` from 10% to below 30%, ``"high"`` 30% and above.
        One threshold gives ``low``/``high``, three add ``very high``.
    num_threads:
        LightGBM threads; ``0`` picks one thread for frames under 100,000 rows (where thread
        synchronisation costs more than it gains, badly so on a busy machine) and every core
        otherwise. Results are reproducible for a seed and a thread count.

    Examples
    --------
    >>> ModelSpec(num_leaves=31).num_leaves
    31
    >>> ModelSpec(learning_rate=0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'learning_rate' parameter of ModelSpec must be a number in (0, 1]. Got 0 instead.
    """

    holdout_cutoffs: int = 1
    learning_rate: float = 0.1
    num_leaves: int = 15
    max_depth: int = 12
    min_child_samples: int | None = None
    max_rounds: int = 400
    early_stopping_rounds: int = 50
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    negative_sample: float | None = None
    calibration: Literal["auto", "isotonic", "platt", "none"] = "auto"
    search: bool = False
    search_budget_s: float = 120.0
    seed: int = 7
    risk_bands: tuple[float, ...] = (0.1, 0.3)
    num_threads: int = 0

    def __post_init__(self) -> None:
        _int(self, "holdout_cutoffs", 1)
        _int(self, "num_leaves", 2)
        _int(self, "max_depth", 1)
        if self.min_child_samples is not None:
            _int(self, "min_child_samples", 1)
        _int(self, "max_rounds", 1)
        _int(self, "early_stopping_rounds", 1)
        _int(self, "seed", 0)
        _int(self, "num_threads", 0)
        _fraction(self, "learning_rate")
        _fraction(self, "feature_fraction")
        _fraction(self, "bagging_fraction")
        if self.negative_sample is not None:
            _fraction(self, "negative_sample")
        if not _is_number(self.lambda_l2) or self.lambda_l2 < 0:
            _bad("lambda_l2", "a number >= 0", self.lambda_l2)
        if not _is_number(self.search_budget_s) or self.search_budget_s <= 0:
            _bad("search_budget_s", "a number of seconds > 0", self.search_budget_s)
        if not isinstance(self.search, bool):
            _bad("search", "True or False", self.search)
        if self.calibration not in CALIBRATIONS:
            _bad("calibration", f"one of {', '.join(map(repr, CALIBRATIONS))}", self.calibration)
        bands = self.risk_bands
        if isinstance(bands, list):
            object.__setattr__(self, "risk_bands", bands := tuple(bands))
        if (
            not isinstance(bands, tuple)
            or len(bands) not in BAND_NAMES
            or not all(_is_number(b) and 0 < b < 1 for b in bands)
            or any(a >= b for a, b in itertools.pairwise(bands))
        ):
            _bad("risk_bands", "1 to 3 increasing probabilities in (0, 1)", bands)

    @property
    def band_names(self) -> tuple[str, ...]:
        """The risk band names, lowest risk first.

        >>> ModelSpec().band_names
        ('low', 'medium', 'high')
        """
        return BAND_NAMES[len(self.risk_bands)]

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        data = asdict(self)
        data["risk_bands"] = list(self.risk_bands)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        """Rebuild a spec from :meth:`to_dict` output (unknown keys are an error).

        >>> ModelSpec.from_dict(ModelSpec(seed=3).to_dict()) == ModelSpec(seed=3)
        True
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SpecError(
                f"Unknown ModelSpec setting(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known))}."
            )
        values = dict(data)
        if "risk_bands" in values:
            values["risk_bands"] = tuple(values["risk_bands"])
        return cls(**values)


CHURNERS_PER_LEAF = 20
"""Expected churners in the smallest leaf of the size-scaled ``min_child_samples``."""
MIN_CHILD_SAMPLES = 10
"""The size-scaled ``min_child_samples`` is never below this, nor above an eighth of the rows."""
LARGE_ROWS = 500_000
LARGE_LEAF = 200
"""From :data:`LARGE_ROWS` training rows on, the size-scaled ``min_child_samples`` is at most
this: there every leaf holds plenty of churners either way, and bigger leaves only cost
rounds. On the 1,000,000-customer demo (7.2M rows sampled to 1.06M), 407 rows per leaf gave
the hold-out AUC of 200 (0.7550 against 0.7551) in 293 rounds against 166, 1.15 to 1.32
times the training time (``benchmarks/bench_model.py --against min_child_samples=200``)."""


def size_defaults(
    spec: ModelSpec, *, rows: int, churners: int, churn_rate: float | None = None
) -> dict[str, int]:
    """The settings that scale with the training data: ``min_child_samples``.

    Unless the spec sets it, the smallest leaf is big enough to expect
    :data:`CHURNERS_PER_LEAF` churners at the training churn rate (a leaf's churn rate is then
    an estimate, not noise), at most an eighth of the rows and at least 10, and from 500,000
    rows on at most 200 (:data:`LARGE_LEAF`: bigger leaves there cost rounds, not AUC). On a
    demo operator
    (seed 19) a grid search's pick followed the churn rate, not the row count
    (benchmarks/bench_defaults.py): 20 to 80 rows at 25% churn, 400 at 5% and 2%.
    ``churn_rate``: the rate before any sampling of non-churners (default ``churners / rows``),
    so a sampled frame, richer in churners, keeps the leaves its population needs.

    >>> size_defaults(ModelSpec(), rows=3_000, churners=750)  # 25% churn
    {'min_child_samples': 80}
    >>> size_defaults(ModelSpec(), rows=100_000, churners=5_000)  # 5%
    {'min_child_samples': 400}
    >>> size_defaults(ModelSpec(), rows=200_000, churners=4_000)  # 2%
    {'min_child_samples': 1000}
    >>> size_defaults(ModelSpec(), rows=1_000_000, churners=20_000)  # 2%, large
    {'min_child_samples': 200}
    >>> size_defaults(ModelSpec(), rows=3_000, churners=150)  # at most an eighth of the rows
    {'min_child_samples': 375}
    >>> size_defaults(ModelSpec(), rows=300_000, churners=120_000, churn_rate=0.05)
    {'min_child_samples': 400}
    >>> size_defaults(ModelSpec(min_child_samples=50), rows=3_000, churners=450)
    {'min_child_samples': 50}
    """
    if spec.min_child_samples is not None:
        return {"min_child_samples": spec.min_child_samples}
    rate = churn_rate if churn_rate else max(churners, 1) / max(rows, 1)
    scaled = min(CHURNERS_PER_LEAF / rate, rows / 8)
    if rows >= LARGE_ROWS:
        scaled = min(scaled, LARGE_LEAF)
    return {"min_child_samples": max(MIN_CHILD_SAMPLES, round(scaled))}


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _bad(name: str, what: str, value: object) -> None:
    raise SpecError(f"The {name!r} parameter of ModelSpec must be {what}. Got {value!r} instead.")


def _int(spec: ModelSpec, name: str, low: int) -> None:
    value = getattr(spec, name)
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        _bad(name, f"an int >= {low}", value)


def _fraction(spec: ModelSpec, name: str) -> None:
    value = getattr(spec, name)
    if not _is_number(value) or not 0 < value <= 1:
        _bad(name, "a number in (0, 1]", value)
