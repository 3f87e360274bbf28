"""Control groups: who is deliberately left out of a campaign, and whether that is enough.

A retention campaign shows its effect only against a random group that receives no offer. This
module assigns that group and sizes it.

**Assignment.** Each customer falls into one of 10,000 buckets by a hash of the seed, the
campaign id and the customer id (:func:`control_buckets`); the customers in the lowest
``round(fraction * 10,000)`` buckets are the control group (:func:`in_control`). So:

- re-running with the same seed and campaign id gives the same groups;
- adding or removing other customers never moves anyone, because a customer's bucket depends
  on nothing but the customer;
- raising the fraction only adds customers to the control group (the buckets below 1,000 are
  among those below 1,200), so ``--control-fraction auto`` never moves a control customer to
  the target group when it picks more;
- a new campaign id (or seed) draws a new, independent group, so the same customers are not
  left out of every campaign.

**Why the assignment is not stratified by quota.** Write ``g(i, S)`` for whether customer ``i``
is in the control group when the list is ``S``. The promise that adding or removing other
customers never moves anyone says ``g(i, A) = g(i, A | B)`` for every pair of lists ``A`` and
``B`` holding ``i``; taking ``A = {i}`` gives ``g(i, S) = g(i, {i})`` for every ``S``. A
customer's group can therefore depend on the customer alone (and the seed and campaign id).
An exact quota per stratum, say the ``round(f * n_s)`` customers of each stratum with the lowest
buckets, depends on the other customers of the stratum: add one customer with a lower bucket
and the stratum's last control customer moves to the target group. The strata move too: a risk
decile is a rank among the listed customers and a value segment is a percentile, so adding
customers pushes others across their boundaries. No quota scheme keeps the promise, so this
module keeps the one about individual customers, which is the one an analyst re-running a
campaign relies on.

What stratification buys is kept in another way. The hash knows nothing of risk or segment, so
every stratum receives the control fraction in expectation, with binomial spread: in a stratum
of ``n`` customers the control share has a standard deviation of ``sqrt(f (1 - f) / n)`` (1.6
points for 333 customers at 10%). :func:`control_balance` checks each stratum (risk decile x
segment) against that expectation with an exact binomial test, and an analysis that weights the
strata (post-stratification) recovers nearly all the precision that blocking would give
(Miratrix, Sekhon and Yu, *Journal of the Royal Statistical Society B*, 2013).

**Size** lives in :mod:`churnlab.campaign.power`: the smallest drop in churn the groups detect
(``minimum_detectable_effect``), and the smallest control fraction that detects an expected
drop (``auto_fraction``, which ``ControlSpec(fraction="auto")`` uses).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from churnlab.campaign.checks import (
    bad_parameter,
    check_fraction,
    check_power,
    check_probability,
    known_settings,
)
from churnlab.campaign.power import auto_fraction
from churnlab.errors import DataError, SpecError

BUCKETS = 10_000
"""How many buckets the hash spreads customers over: fractions are whole hundredths of a percent."""

_SEPARATOR = "\x1f"  # ASCII unit separator: cannot appear in a campaign id, so keys never collide


@dataclass(frozen=True, kw_only=True)
class ControlSpec:
    """How large the control group of a campaign is.

    Parameters
    ----------
    fraction:
        The share of listed customers left out of the campaign, in (0, 1), a whole number of the
        10,000 buckets (0.1 keeps buckets 0 to 999); or ``"auto"``: the smallest fraction with
        ``power`` to detect the campaign's expected effect (:func:`auto_fraction`).
    min_fraction, max_fraction:
        The range ``"auto"`` picks from. The default floor of 5% keeps a control group big
        enough to measure later campaigns by segment; fractions above 0.5 never add power.
    power, alpha:
        The power and the two-sided significance level of the test that compares the churn of
        the control and target groups; 80% and 0.05 are the usual choices.

    Examples
    --------
    >>> ControlSpec().fraction
    0.1
    >>> ControlSpec.from_dict(ControlSpec(fraction="auto").to_dict()).fraction
    'auto'
    >>> ControlSpec(fraction=1.5)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'fraction' parameter of ControlSpec must be a number in (0, 1) or 'auto'. Got 1.5 instead.
    """

    fraction: float | Literal["auto"] = 0.1
    min_fraction: float = 0.05
    max_fraction: float = 0.5
    power: float = 0.8
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if self.fraction != "auto":
            check_fraction(self.fraction, "fraction", "ControlSpec", buckets=BUCKETS, auto=True)
        check_probability(self.min_fraction, "min_fraction", "ControlSpec", high=0.5)
        check_probability(self.max_fraction, "max_fraction", "ControlSpec", high=0.5)
        if self.min_fraction > self.max_fraction:
            bad_parameter(
                "max_fraction",
                "ControlSpec",
                f"a number >= min_fraction ({self.min_fraction!r})",
                self.max_fraction,
            )
        check_probability(self.alpha, "alpha", "ControlSpec")
        check_power(self.power, self.alpha, "ControlSpec")

    def fraction_for(self, baseline: float, n_listed: int, expected_reduction: float) -> float:
        """The control fraction to use: ``fraction``, or what ``"auto"`` picks for this list.

        Parameters
        ----------
        baseline:
            The expected churn of the listed customers without an offer (their mean probability).
        n_listed:
            How many customers the list holds, control group included.
        expected_reduction:
            The drop in churn the offer is expected to cause, in probability (``γ x baseline``
            when the offer keeps a share γ of would-be churners).

        Examples
        --------
        >>> ControlSpec().fraction_for(0.08, 20_000, 0.016)
        0.1
        >>> ControlSpec(fraction="auto").fraction_for(0.08, 20_000, 0.016)
        0.116
        """
        if self.fraction != "auto":
            return float(self.fraction)
        return auto_fraction(
            baseline,
            n_listed,
            expected_reduction,
            min_fraction=self.min_fraction,
            max_fraction=self.max_fraction,
            alpha=self.alpha,
            power=self.power,
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ControlSpec:
        """Rebuild a spec from :meth:`to_dict` output (unknown keys are an error).

        >>> ControlSpec.from_dict({"fractoin": 0.2})
        Traceback (most recent call last):
        ...
        churnlab.errors.SpecError: ControlSpec has no setting 'fractoin' (known: fraction, min_fraction, max_fraction, power, alpha). Did you mean 'fraction'?
        """
        return cls(**known_settings(cls, data))


def control_buckets(customer_ids: Iterable[str], *, seed: int, campaign_id: str) -> np.ndarray:
    """Each customer's bucket, 0 to 9,999, from the seed, the campaign id and the customer id.

    The bucket is the first 8 bytes of ``sha256(f"{seed}\\x1f{campaign_id}\\x1f{customer_id}")``
    (UTF-8) read as a big-endian unsigned integer, modulo 10,000; ``\\x1f`` is the ASCII unit
    separator. 2**64 is not a multiple of 10,000, so the lowest 1,616 buckets are more likely
    than the others by about 5e-16: nothing measurable. Ids are text: ``"00123"`` and ``"123"``
    are different customers with independent buckets.

    Parameters
    ----------
    customer_ids:
        The customer ids (strings).
    seed:
        An integer >= 0; a new seed draws a new control group.
    campaign_id:
        A non-empty name for the campaign, such as ``"2025-06-retention"``; each campaign draws
        its own control group, so no customer is left out of every campaign.

    Returns
    -------
    numpy.ndarray
        Integer buckets (int64), one per id, in the order given.

    Examples
    --------
    >>> control_buckets(["00123", "123"], seed=7, campaign_id="spring")
    array([2169, 4825])
    """
    _check_seed(seed, "control_buckets")
    _check_campaign_id(campaign_id, "control_buckets")
    if isinstance(customer_ids, pd.Series | pd.Index | np.ndarray):
        ids = customer_ids.tolist()
    else:
        ids = list(customer_ids)
    prefix = f"{seed}{_SEPARATOR}{campaign_id}{_SEPARATOR}".encode()
    sha256 = hashlib.sha256
    try:
        digests = b"".join([sha256(prefix + i.encode("utf-8")).digest()[:8] for i in ids])
    except AttributeError:
        bad = next(i for i in ids if not isinstance(i, str))
        count = sum(not isinstance(i, str) for i in ids)
        raise DataError(
            f"Customer ids must be text; {count:,} of {len(ids):,} are not, e.g. {bad!r} "
            f"({type(bad).__name__}). Read ids as strings so that '00123' keeps its zeros."
        ) from None
    return (np.frombuffer(digests, dtype=">u8") % BUCKETS).astype(np.int64)


def in_control(buckets: Sequence[int] | np.ndarray, fraction: float) -> np.ndarray:
    """Whether each bucket is in the control group: bucket < ``round(fraction * 10,000)``.

    Examples
    --------
    >>> in_control([0, 999, 1000, 9999], 0.1)
    array([ True,  True, False, False])
    """
    check_fraction(fraction, "fraction", "in_control", buckets=BUCKETS)
    return np.asarray(buckets) < round(fraction * BUCKETS)


def assign_control(
    customer_ids: Iterable[str], *, seed: int, campaign_id: str, fraction: float
) -> np.ndarray:
    """Whether each customer is in the control group (:func:`control_buckets`, :func:`in_control`).

    Examples
    --------
    >>> assign_control(["00123", "123", "A-9"], seed=7, campaign_id="spring", fraction=0.2)
    array([False, False,  True])
    """
    check_fraction(fraction, "fraction", "assign_control", buckets=BUCKETS)
    return in_control(control_buckets(customer_ids, seed=seed, campaign_id=campaign_id), fraction)


def risk_decile(probability: Sequence[float] | np.ndarray) -> np.ndarray:
    """Risk deciles among the given customers, 1 = highest risk (as in the evaluation report).

    A customer's decile is ``1 + floor(10 * k / n)`` where ``k`` customers have a strictly
    higher probability, so tied customers share a decile whatever their order.

    Examples
    --------
    >>> risk_decile([0.9, 0.1, 0.5, 0.5, 0.3])
    array([1, 9, 3, 3, 7])
    """
    p = np.asarray(probability, dtype=float)
    if np.isnan(p).any():
        raise DataError(
            f"risk_decile needs a probability for every customer; {int(np.isnan(p).sum()):,} "
            "are missing. Score every listed customer first."
        )
    higher = len(p) - np.searchsorted(np.sort(p), p, side="right")
    return (1 + (10 * higher) // max(len(p), 1)).astype(np.int64)


def control_balance(
    frame: pd.DataFrame,
    group: str | Sequence[Any] | np.ndarray | pd.Series,
    strata_columns: Sequence[str] = ("risk_decile", "segment"),
    *,
    fraction: float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The control group's share in each stratum, against what the fraction leads one to expect.

    Parameters
    ----------
    frame:
        One row per listed customer, with the ``strata_columns``.
    group:
        A column of ``frame`` or an array aligned with its rows: ``True`` or ``"control"`` for
        a control customer, ``False`` or ``"target"`` for a targeted one.
    strata_columns:
        The columns whose combinations are the strata (risk decile x segment by default).
    fraction:
        The assigned control fraction; ``None`` uses the control share of the whole list.
    alpha:
        The family-wise error rate of the flag: a stratum is ``out_of_balance`` when its
        two-sided exact binomial p-value (:func:`scipy.stats.binomtest`) is below
        ``alpha / strata`` (Bonferroni). With 60 strata and no correction, about three would be
        flagged by chance alone.

    Returns
    -------
    pandas.DataFrame
        One row per stratum: the strata columns, ``customers``, ``control``,
        ``control_share``, ``expected`` (customers x fraction), ``p_value``, ``out_of_balance``.

    Examples
    --------
    >>> frame = pd.DataFrame({"segment": ["a"] * 10 + ["b"] * 10})
    >>> group = ["control"] * 1 + ["target"] * 9 + ["control"] * 9 + ["target"] * 1
    >>> balance = control_balance(frame, group, ["segment"], fraction=0.5)
    >>> balance[["segment", "customers", "control", "expected", "p_value", "out_of_balance"]]
      segment  customers  control  expected   p_value  out_of_balance
    0       a         10        1       5.0  0.021484            True
    1       b         10        9       5.0  0.021484            True
    """
    from scipy.stats import binomtest

    strata = list(strata_columns)
    missing = [c for c in strata if c not in frame.columns]
    if missing:
        raise SpecError(
            f"The 'strata_columns' parameter of control_balance names columns the frame lacks: "
            f"{', '.join(map(repr, missing))} (it has {', '.join(map(str, frame.columns))})."
        )
    if isinstance(group, str) and group not in frame.columns:
        raise SpecError(
            f"The 'group' parameter of control_balance names a column the frame lacks: "
            f"{group!r} (it has {', '.join(map(str, frame.columns))})."
        )
    control = _control_flags(frame[group] if isinstance(group, str) else group, len(frame))
    check_probability(alpha, "alpha", "control_balance")
    if fraction is not None:
        check_fraction(fraction, "fraction", "control_balance", buckets=BUCKETS)
    if fraction is not None:
        share = float(fraction)
    else:
        share = float(control.mean()) if len(control) else 0.0
    counts = (
        frame[strata]
        .assign(_control=control)
        .groupby(strata, observed=True, dropna=False, sort=True)["_control"]
        .agg(customers="size", control="sum")
        .reset_index()
    )
    counts["control"] = counts["control"].astype(np.int64)
    counts["control_share"] = counts["control"] / counts["customers"]
    counts["expected"] = counts["customers"] * share
    counts["p_value"] = [
        binomtest(int(k), int(n), share).pvalue if 0 < share < 1 else float(k == n * share)
        for k, n in zip(counts["control"], counts["customers"], strict=True)
    ]
    counts["out_of_balance"] = counts["p_value"] < alpha / max(len(counts), 1)
    return counts


def _control_flags(values: Any, rows: int) -> np.ndarray:
    array = np.asarray(values)
    if len(array) != rows:
        raise SpecError(
            f"The 'group' parameter of control_balance must have one value per row of the "
            f"frame ({rows:,}). Got {len(array):,} values instead."
        )
    if array.dtype == bool:
        return array
    labels = pd.Series(array, dtype=object)
    known = labels.isin(["control", "target"])
    if not known.all():
        raise SpecError(
            "The 'group' parameter of control_balance must hold True/False or "
            f"'control'/'target'. Got {labels[~known].iloc[0]!r} instead."
        )
    return (labels == "control").to_numpy()


def _check_seed(seed: object, where: str) -> None:
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        bad_parameter("seed", where, "an int >= 0", seed)


def _check_campaign_id(campaign_id: object, where: str) -> None:
    if not isinstance(campaign_id, str) or not campaign_id or _SEPARATOR in campaign_id:
        bad_parameter(
            "campaign_id", where, "a non-empty text without the \\x1f character", campaign_id
        )
