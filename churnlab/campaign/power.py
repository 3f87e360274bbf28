"""How large a control group must be: the minimum detectable effect and the automatic fraction.

A campaign's effect is the drop in churn among targeted customers against the control group.
Both functions here rest on statsmodels' power analysis for two independent proportions on the
arcsine scale (Cohen's h, ``NormalIndPower``); the formulas are not written out again here.
The one step statsmodels lacks, turning Cohen's h back into a churn rate, is
``p1 = sin(asin(sqrt(p0)) - h / 2) ** 2`` (churn goes down).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import jinja2
import numpy as np

from churnlab.campaign.checks import (
    bad_parameter,
    check_count,
    check_power,
    check_probability,
    is_nan,
    is_number,
)
from churnlab.display import heading


@dataclass(frozen=True)
class MDE:
    """The minimum detectable effect of a campaign: the smallest drop in churn its groups detect.

    Built by :func:`minimum_detectable_effect`. The effect is a drop from ``baseline`` (the
    churn expected without the offer) to ``baseline - absolute`` among targeted customers.

    Attributes
    ----------
    baseline:
        Expected churn without the offer (probability).
    absolute:
        The smallest detectable drop, in probability (0.017 = 1.7 points); NaN when even a drop
        to zero churn is too small to detect.
    relative:
        ``absolute / baseline``.
    cohen_h:
        The same effect as Cohen's h, ``2 asin(sqrt(p0)) - 2 asin(sqrt(p1))``.
    n_target, n_control, alpha, power:
        The group sizes, the two-sided significance level and the power.
    """

    baseline: float
    absolute: float
    relative: float
    cohen_h: float
    n_target: int
    n_control: int
    alpha: float
    power: float

    def detects(self, expected_reduction: float) -> bool:
        """Whether the groups are large enough to detect a drop of ``expected_reduction``.

        ``expected_reduction`` is in probability (0.016 for 8% down to 6.4%).

        >>> minimum_detectable_effect(0.08, 18_000, 2_000).detects(0.016)
        False
        >>> minimum_detectable_effect(0.08, 18_000, 2_000).detects(0.02)
        True
        """
        return bool(expected_reduction >= self.absolute)

    def verdict(self, expected_reduction: float) -> str:
        """One sentence for the user: the MDE, the expected effect, and whether it is enough.

        >>> print(minimum_detectable_effect(0.08, 18_000, 2_000).verdict(0.016))
        With 2,000 control and 18,000 targeted customers at 8.0% expected churn, the smallest drop detectable at 80% power and α = 0.05 is 1.70 points (21.2% relative); the offer is expected to lower churn by 1.60 points (20.0% relative): the control group is too small to show it.
        """
        enough = "large enough" if self.detects(expected_reduction) else "too small to show it"
        relative = expected_reduction / self.baseline
        return (
            f"With {self.n_control:,} control and {self.n_target:,} targeted customers at "
            f"{self.baseline:.1%} expected churn, the smallest drop detectable at "
            f"{self.power:.0%} power and α = {self.alpha:g} is {self._drop()}; the offer is "
            f"expected to lower churn by {100 * expected_reduction:.2f} points "
            f"({relative:.1%} relative): the control group is {enough}."
        )

    def _drop(self) -> str:
        if math.isnan(self.absolute):
            return "more than the whole baseline (not even a drop to zero churn)"
        return f"{100 * self.absolute:.2f} points ({self.relative:.1%} relative)"

    def __repr__(self) -> str:
        return (
            f"<MDE: {self._drop()} from {self.baseline:.1%} churn; {self.n_control:,} control, "
            f"{self.n_target:,} target; power {self.power:.0%}, α {self.alpha:g}>"
        )

    def _repr_html_(self) -> str:
        return _MDE_HTML.render(title=heading(self), rows=_mde_rows(self))

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values (NaN as ``None``)."""
        return {k: None if is_nan(v) else v for k, v in asdict(self).items()}


_MDE_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-mde"><p><b>{{ title }}</b></p><table>
{% for name, value in rows %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}
</table></div>"""
)


def _mde_rows(mde: MDE) -> list[tuple[str, str]]:
    return [
        ("Expected churn without the offer", f"{mde.baseline:.2%}"),
        ("Smallest detectable drop", mde._drop()),
        ("Cohen's h", f"{mde.cohen_h:.4f}"),
        ("Control customers", f"{mde.n_control:,}"),
        ("Targeted customers", f"{mde.n_target:,}"),
        ("Power", f"{mde.power:.0%}"),
        ("Significance level (two-sided)", f"{mde.alpha:g}"),
    ]


def minimum_detectable_effect(
    baseline: float,
    n_target: int,
    n_control: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> MDE:
    """The smallest drop in churn that a control group of this size detects.

    Cohen's h comes from statsmodels (``NormalIndPower().solve_power`` with the control group
    as the first sample and ``ratio = n_target / n_control``), the normal approximation of the
    two-sided test that compares two proportions on the arcsine scale. It turns back into the
    treated churn with ``p1 = sin(asin(sqrt(p0)) - h / 2) ** 2``: churn goes down.

    Parameters
    ----------
    baseline:
        The churn expected among listed customers without the offer, in (0, 1).
    n_target, n_control:
        How many customers are targeted and how many are left out.
    alpha, power:
        Two-sided significance level and power.

    Examples
    --------
    >>> minimum_detectable_effect(0.08, 18_000, 2_000)
    <MDE: 1.70 points (21.2% relative) from 8.0% churn; 2,000 control, 18,000 target; power 80%, α 0.05>
    """
    from statsmodels.stats.power import NormalIndPower

    check_probability(baseline, "baseline", "minimum_detectable_effect")
    check_count(n_target, "n_target", "minimum_detectable_effect")
    check_count(n_control, "n_control", "minimum_detectable_effect")
    check_probability(alpha, "alpha", "minimum_detectable_effect")
    check_power(power, alpha, "minimum_detectable_effect")
    h = float(
        np.squeeze(
            NormalIndPower().solve_power(
                effect_size=None,
                nobs1=n_control,
                ratio=n_target / n_control,
                alpha=alpha,
                power=power,
                alternative="two-sided",
            )
        )
    )
    angle = math.asin(math.sqrt(baseline)) - h / 2
    absolute = baseline - math.sin(angle) ** 2 if angle >= 0 else math.nan
    return MDE(
        baseline=float(baseline),
        absolute=absolute,
        relative=absolute / baseline,
        cohen_h=h,
        n_target=int(n_target),
        n_control=int(n_control),
        alpha=float(alpha),
        power=float(power),
    )


def auto_fraction(
    baseline: float,
    n_listed: int,
    expected_reduction: float,
    *,
    min_fraction: float = 0.05,
    max_fraction: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest control fraction (to 0.001) with ``power`` to detect the expected drop.

    The expected drop becomes Cohen's h with statsmodels' ``proportion_effectsize``; the power
    of a split of ``n_listed`` customers into ``f n`` control and ``(1 - f) n`` targeted is
    statsmodels' ``NormalIndPower().power``. That power grows with ``f`` up to 0.5 (the
    variance ``1/(f n) + 1/((1 - f) n)`` falls), so a bisection over thousandths finds the
    smallest fraction that reaches ``power``.

    The answer is never below ``min_fraction`` (returned as given when it already has the
    power) and never above ``max_fraction``. When even ``max_fraction`` lacks the power the
    answer is ``max_fraction``: check with ``minimum_detectable_effect(...).detects(...)`` and
    warn the user that the campaign's effect will not be measurable.

    Parameters
    ----------
    baseline:
        The churn expected among listed customers without the offer, in (0, 1).
    n_listed:
        How many customers the list holds, control group included.
    expected_reduction:
        The drop in churn the offer is expected to cause, in probability, in (0, baseline].
    min_fraction, max_fraction:
        The range to pick from, with ``max_fraction`` <= 0.5.
    alpha, power:
        Two-sided significance level and power.

    Examples
    --------
    >>> auto_fraction(0.08, 20_000, 0.016)
    0.116
    >>> auto_fraction(0.08, 200_000, 0.016)
    0.05
    >>> auto_fraction(0.08, 2_000, 0.016)
    0.5
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    where = "auto_fraction"
    check_probability(baseline, "baseline", where)
    check_count(n_listed, "n_listed", where)
    if not is_number(expected_reduction) or not 0 < expected_reduction <= baseline:
        bad_parameter(
            "expected_reduction",
            where,
            f"a drop in churn in (0, baseline = {baseline!r}]",
            expected_reduction,
        )
    check_probability(min_fraction, "min_fraction", where, high=0.5)
    check_probability(max_fraction, "max_fraction", where, high=0.5)
    if min_fraction > max_fraction:
        bad_parameter(
            "max_fraction", where, f"a number >= min_fraction ({min_fraction!r})", max_fraction
        )
    check_probability(alpha, "alpha", where)
    check_power(power, alpha, where)
    h = float(proportion_effectsize(baseline, baseline - expected_reduction))
    analysis = NormalIndPower()

    def enough(f: float) -> bool:
        reached = analysis.power(
            effect_size=h,
            nobs1=f * n_listed,
            alpha=alpha,
            ratio=(1 - f) / f,
            alternative="two-sided",
        )
        return bool(np.squeeze(reached) >= power)

    if enough(min_fraction):
        return float(min_fraction)
    low = math.floor(min_fraction * 1000 + 1e-9)  # lacks the power (or is below min_fraction)
    high = math.floor(max_fraction * 1000 + 1e-9)
    if high <= low or not enough(high / 1000):
        return float(max_fraction)
    while high - low > 1:  # enough(high / 1000), not enough(low / 1000)
        middle = (low + high) // 2
        if enough(middle / 1000):
            high = middle
        else:
            low = middle
    return high / 1000
