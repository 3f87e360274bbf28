"""Customer segments: the bank's groups by value and loyalty, inactive and recently lapsed.

Every scored customer gets one of six groups, in this order (:data:`SEGMENTS`):

``high_value_high_loyalty``
    Worth the most and staying longest: keeping this group is the first task.
``high_value_low_loyalty``
    Worth the most but with short tenure or few loyalty points: the likeliest costly losses.
``low_value_high_loyalty``
    Long-standing customers who spend little: cheap to keep, candidates for upselling.
``low_value_low_loyalty``
    Neither: the group an offer is least likely to pay for.
``inactive``
    Still a customer but barely spending: mean monthly spend over the last three months below
    ``inactive_spend_share`` (10%) of the median active customer's, or no spend at all.
``recently_lapsed``
    Left recently (the ``lapsed`` column): for the win-back list, not the retention list.

These are the bank's seven groups of the domain notes less two that are not scored customers:
*prospects* (not yet customers) and *potential* (closed accounts, guarantors), whose scored
counterpart here is ``recently_lapsed``.

**Thresholds** are computed over the *base*: active (not lapsed), not inactive customers, so
lapsed and inactive customers shift no one's group. A customer is high value when their value
is at or above the ``1 - high_value_share`` quantile of the base's values (the 80th percentile
by default), and high loyalty when their loyalty score is at or above the
``1 - high_loyalty_share`` quantile (the median). Quantiles interpolate linearly between
ordered values, numpy's default and Excel's ``PERCENTILE.INC``, so marketing can check a
threshold in a spreadsheet. A customer exactly at the percentile is high; with ties at the
threshold a group can hold a little more than its share.

**Loyalty** comes from tenure and loyalty points (one point per month of tenure plus one per 10
of monthly spend, all wiped by a late payment): :func:`loyalty_score`.

**Key accounts** (a value threshold, the top N by value, or both: either rule makes a key
account) get the one-to-one action whatever their reason; any active customer can be one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from churnlab.campaign.checks import bad_parameter, check_count, is_number, known_settings
from churnlab.display import heading
from churnlab.errors import DataError

SEGMENTS = (
    "high_value_high_loyalty",
    "high_value_low_loyalty",
    "low_value_high_loyalty",
    "low_value_low_loyalty",
    "inactive",
    "recently_lapsed",
)
"""The segment names, in the fixed order of the ``segment`` categories."""

SEGMENT_DTYPE = pd.CategoricalDtype(list(SEGMENTS))
"""The ``segment`` column's dtype: the :data:`SEGMENTS` categories, in order (not ordered)."""

SEGMENT_DESCRIPTIONS = {
    "high_value_high_loyalty": "High value, high loyalty: keeping them is the first task.",
    "high_value_low_loyalty": "High value, low loyalty: the likeliest costly losses.",
    "low_value_high_loyalty": "Low value, high loyalty: cheap to keep, candidates for upselling.",
    "low_value_low_loyalty": "Low value, low loyalty: an offer is least likely to pay.",
    "inactive": "Still a customer but spending under a tenth of the median in the last 3 months.",
    "recently_lapsed": "Left recently: for the win-back list.",
}
"""One line per segment, for column guides and reports."""


@dataclass(frozen=True, kw_only=True)
class SegmentSpec:
    """How customers are cut into segments (the thresholds are shares, not amounts).

    Parameters
    ----------
    high_value_share:
        The top share of the base by value that is "high value" (0.2: the top 20%).
    high_loyalty_share:
        The top share of the base by loyalty score that is "high loyalty" (0.5: the top half).
    inactive_spend_share:
        An active customer whose mean monthly spend over the last three months is below this
        share of the median active customer's is "inactive"; a customer with no spend in three
        months always is. 0 keeps only the customers with no spend.
    key_account_top:
        The top N active customers by value are key accounts (0: none by rank). Customers tied
        with the N-th value are all key accounts.
    key_account_value:
        Active customers with at least this value are key accounts (``None``: none by value).

    Examples
    --------
    >>> SegmentSpec(key_account_top=25).key_account_top
    25
    >>> SegmentSpec(high_value_share=0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'high_value_share' parameter of SegmentSpec must be a number in (0, 1). Got 0 instead.
    """

    high_value_share: float = 0.2
    high_loyalty_share: float = 0.5
    inactive_spend_share: float = 0.1
    key_account_top: int = 0
    key_account_value: float | None = None

    def __post_init__(self) -> None:
        for name in ("high_value_share", "high_loyalty_share"):
            value = getattr(self, name)
            if not is_number(value) or not 0 < value < 1:
                bad_parameter(name, "SegmentSpec", "a number in (0, 1)", value)
        share = self.inactive_spend_share
        if not is_number(share) or not 0 <= share < 1:
            bad_parameter("inactive_spend_share", "SegmentSpec", "a number in [0, 1)", share)
        check_count(self.key_account_top, "key_account_top", "SegmentSpec", low=0)
        value = self.key_account_value
        if value is not None and (not is_number(value) or value <= 0):
            bad_parameter("key_account_value", "SegmentSpec", "a number > 0 or None", value)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentSpec:
        """Rebuild a spec from :meth:`to_dict` output (unknown keys are an error).

        >>> SegmentSpec.from_dict(SegmentSpec(key_account_value=5e3).to_dict()).key_account_value
        5000.0
        """
        return cls(**known_settings(cls, data))


def loyalty_score(tenure_days: Any, loyalty_points: Any = None) -> np.ndarray:
    """Loyalty in (0, 1]: the mean of the percentile ranks of tenure and loyalty points.

    A percentile rank is a customer's rank among the given customers divided by their count
    (ties share their average rank), so the longest tenure ranks 1. Loyalty points add what
    tenure misses: they grow with spend and are wiped by a late payment. A customer without
    loyalty points (NaN, or no ``loyalty_points`` at all) is scored on tenure alone; points are
    ranked among the customers who have them.

    Parameters
    ----------
    tenure_days:
        Days since each customer joined (no missing values).
    loyalty_points:
        Each customer's loyalty points, NaN where unknown; ``None`` when the data have none.

    Examples
    --------
    >>> loyalty_score([100, 200, 300, 400], [40, 30, 20, float("nan")])
    array([0.625     , 0.58333333, 0.54166667, 1.        ])
    >>> loyalty_score([100, 200])
    array([0.5, 1. ])
    """
    tenure = pd.Series(np.asarray(tenure_days, dtype=float))
    if tenure.isna().any() or (tenure < 0).any():
        bad = int((tenure.isna() | (tenure < 0)).sum())
        raise DataError(
            f"loyalty_score needs a tenure of 0 days or more for every customer; {bad:,} of "
            f"{len(tenure):,} are missing or negative. Check the customers' join dates."
        )
    score = tenure.rank(pct=True).to_numpy()
    if loyalty_points is None:
        return score
    points = pd.Series(np.asarray(loyalty_points, dtype=float))
    if len(points) != len(tenure):
        raise DataError(
            f"loyalty_score needs one loyalty-point value per customer: {len(tenure):,} "
            f"tenures but {len(points):,} point values."
        )
    if (points < 0).any():
        raise DataError(
            f"Loyalty points cannot be negative; {int((points < 0).sum()):,} customers have "
            "fewer than 0."
        )
    ranked = points.rank(pct=True).to_numpy()
    return np.where(np.isnan(ranked), score, (score + ranked) / 2)


@dataclass(frozen=True, eq=False)
class Segments:
    """Each customer's segment and key-account flag, with the thresholds that set them.

    Built by :func:`assign_segments`; the arrays follow the rows of the frame given.

    Attributes
    ----------
    segment:
        A :class:`pandas.Categorical` with the categories of :data:`SEGMENTS`, in that order.
    key_account:
        ``True`` for key accounts.
    loyalty:
        The loyalty score of base customers (:func:`loyalty_score` among them); NaN for
        inactive and lapsed customers.
    value_threshold, loyalty_threshold:
        The least value and loyalty score counted as high (NaN when the base is empty).
    median_spend, inactive_spend:
        The median monthly spend of active customers, and the monthly spend below which an
        active customer is inactive.
    key_account_threshold:
        The least value of a key account (the lower of the two rules), ``None`` without rules.
    spec:
        The :class:`SegmentSpec` used.
    """

    segment: pd.Categorical
    key_account: np.ndarray
    loyalty: np.ndarray
    value_threshold: float
    loyalty_threshold: float
    median_spend: float
    inactive_spend: float
    key_account_threshold: float | None
    spec: SegmentSpec

    def __len__(self) -> int:
        return len(self.segment)

    def counts(self) -> pd.DataFrame:
        """Customers and key accounts per segment (every segment, in order).

        >>> frame = pd.DataFrame({"value": [5.0, 1.0], "monthly_spend": [10.0, 0.0],
        ...                       "tenure_days": [30, 60]})
        >>> assign_segments(frame).counts()
                           segment  customers  share  key_accounts
        0  high_value_high_loyalty          1    0.5             0
        1   high_value_low_loyalty          0    0.0             0
        2   low_value_high_loyalty          0    0.0             0
        3    low_value_low_loyalty          0    0.0             0
        4                 inactive          1    0.5             0
        5          recently_lapsed          0    0.0             0
        """
        codes = self.segment.codes
        customers = np.bincount(codes, minlength=len(SEGMENTS))
        keys = np.bincount(codes, weights=self.key_account, minlength=len(SEGMENTS))
        return pd.DataFrame(
            {
                "segment": list(SEGMENTS),
                "customers": customers,
                "share": customers / max(len(codes), 1),
                "key_accounts": keys.astype(np.int64),
            }
        )

    def thresholds(self) -> dict[str, float | None]:
        """The thresholds as JSON-ready values (NaN as ``None``), for the manifest."""
        return {
            "value_threshold": _plain(self.value_threshold),
            "loyalty_threshold": _plain(self.loyalty_threshold),
            "median_spend": _plain(self.median_spend),
            "inactive_spend": _plain(self.inactive_spend),
            "key_account_threshold": _plain(self.key_account_threshold),
        }

    def __repr__(self) -> str:
        return (
            f"<Segments: {len(self):,} customers; high value >= {self.value_threshold:,.2f}, "
            f"high loyalty >= {self.loyalty_threshold:.3f}, inactive below "
            f"{self.inactive_spend:,.2f} a month; {int(self.key_account.sum()):,} key accounts>"
        )

    def _repr_html_(self) -> str:
        table = self.counts().to_html(index=False, border=0, formatters={"share": "{:.1%}".format})
        return _HTML.render(title=heading(self), counts=table, thresholds=self.thresholds())

    def to_dict(self) -> dict[str, Any]:
        """The summary (not the rows) as JSON-ready values: spec, thresholds and counts."""
        return {
            "spec": self.spec.to_dict(),
            "thresholds": self.thresholds(),
            "counts": self.counts().to_dict(orient="records"),
        }


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-segments"><p><b>{{ title }}</b></p>{{ counts | safe }}
<table>{% for name, value in thresholds.items() %}<tr><th>{{ name }}</th>
<td>{{ value if value is not none else "" }}</td></tr>{% endfor %}</table></div>"""
)


def assign_segments(frame: pd.DataFrame, spec: SegmentSpec | None = None) -> Segments:
    """Give every customer a segment and a key-account flag (see the module notes).

    Parameters
    ----------
    frame:
        One row per customer with the columns ``value`` (the margin that keeping the customer
        saves), ``monthly_spend`` (mean monthly spend over the last three months; NaN reads
        as no spend), ``tenure_days``, and optionally ``loyalty_points`` (NaN where unknown)
        and ``lapsed`` (``True`` for customers who left recently). ``value`` may be NaN for
        lapsed and inactive customers only; no value may be negative.
    spec:
        The thresholds; :class:`SegmentSpec` defaults when ``None``.

    Returns
    -------
    Segments

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "value": [100.0, 200.0, 300.0, 400.0, 500.0, 50.0],
    ...     "monthly_spend": [20.0, 20.0, 20.0, 20.0, 20.0, 1.0],
    ...     "tenure_days": [900, 100, 800, 200, 700, 50],
    ... })
    >>> segments = assign_segments(frame)
    >>> segments
    <Segments: 6 customers; high value >= 420.00, high loyalty >= 0.600, inactive below 2.00 a month; 0 key accounts>
    >>> list(segments.segment)
    ['low_value_high_loyalty', 'low_value_low_loyalty', 'low_value_high_loyalty', 'low_value_low_loyalty', 'high_value_high_loyalty', 'inactive']
    """
    spec = SegmentSpec() if spec is None else spec
    value, spend, lapsed = _columns(frame)
    active = ~lapsed
    median_spend = float(np.median(spend[active])) if active.any() else float("nan")
    inactive_spend = spec.inactive_spend_share * median_spend
    inactive = active & ((spend <= 0) | (spend < inactive_spend))
    base = active & ~inactive
    _check_values(value, base)

    loyalty = np.full(len(frame), np.nan)
    points = frame["loyalty_points"][base] if "loyalty_points" in frame.columns else None
    loyalty[base] = loyalty_score(frame["tenure_days"][base], points)
    value_threshold = _top_share(value[base], spec.high_value_share)
    loyalty_threshold = _top_share(loyalty[base], spec.high_loyalty_share)
    high_value = value >= value_threshold
    high_loyalty = loyalty >= loyalty_threshold
    codes = np.where(
        lapsed,
        5,
        np.where(inactive, 4, 2 * ~high_value + ~high_loyalty),
    ).astype(np.int8)

    key_threshold = _key_account_threshold(value[active & ~np.isnan(value)], spec)
    key_account = (
        np.zeros(len(frame), dtype=bool)
        if key_threshold is None
        else active & (np.nan_to_num(value, nan=-np.inf) >= key_threshold)
    )
    return Segments(
        segment=pd.Categorical.from_codes(codes, dtype=SEGMENT_DTYPE),
        key_account=key_account,
        loyalty=loyalty,
        value_threshold=value_threshold,
        loyalty_threshold=loyalty_threshold,
        median_spend=median_spend,
        inactive_spend=inactive_spend,
        key_account_threshold=key_threshold,
        spec=spec,
    )


def _columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ("value", "monthly_spend", "tenure_days") if c not in frame.columns]
    if missing:
        raise DataError(
            f"assign_segments needs the column(s) {', '.join(map(repr, missing))}; the frame "
            f"has {', '.join(map(str, frame.columns))}."
        )
    value = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    spend = frame["monthly_spend"].to_numpy(dtype=float, na_value=np.nan)
    if (spend < 0).any():
        raise DataError(
            f"monthly_spend cannot be negative; {int((spend < 0).sum()):,} customers have a "
            f"negative mean spend, e.g. row {int(np.argmax(spend < 0))}."
        )
    spend = np.nan_to_num(spend, nan=0.0)  # no bills in three months: no spend
    if "lapsed" not in frame.columns:
        return value, spend, np.zeros(len(frame), dtype=bool)
    column = frame["lapsed"]
    if column.isna().any() or not (pd.api.types.is_bool_dtype(column) or column.isin([0, 1]).all()):
        raise DataError(
            "The 'lapsed' column must be True or False for every customer; "
            f"{int((column.isna() | ~column.isin([0, 1])).sum()):,} values are not."
        )
    return value, spend, column.to_numpy(dtype=bool)


def _check_values(value: np.ndarray, base: np.ndarray) -> None:
    negative = value < 0
    if negative.any():
        raise DataError(
            f"value cannot be negative; {int(negative.sum()):,} customers have a negative "
            f"value, e.g. row {int(np.argmax(negative))}. Check the value column or the margin."
        )
    missing = base & np.isnan(value)
    if missing.any():
        raise DataError(
            f"value is missing for {int(missing.sum()):,} active customers who spend, e.g. row "
            f"{int(np.argmax(missing))}; only lapsed and inactive customers may lack one."
        )


def _top_share(values: np.ndarray, share: float) -> float:
    """The least value in the top ``share``: the ``1 - share`` quantile (linear)."""
    return float(np.quantile(values, 1 - share)) if len(values) else float("nan")


def _key_account_threshold(values: np.ndarray, spec: SegmentSpec) -> float | None:
    rules = []
    if spec.key_account_value is not None:
        rules.append(float(spec.key_account_value))
    if spec.key_account_top > 0 and len(values):
        top = min(spec.key_account_top, len(values))
        rules.append(float(np.partition(values, len(values) - top)[len(values) - top]))
    return min(rules) if rules else None


def _plain(value: float | None) -> float | None:
    return None if value is None or np.isnan(value) else float(value)
