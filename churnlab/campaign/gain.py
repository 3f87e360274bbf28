"""The expected gain of contacting a customer with a retention offer.

For customer ``i`` with churn probability ``p``, value ``v`` and offer cost ``delta``::

    EV = p * gamma * (v - delta) - (1 - p) * psi * delta - c

* ``gamma`` (``acceptance``, default 0.3): the share of would-be churners the offer keeps;
* ``psi`` (``take_up``, default 1): the share of customers who would have stayed anyway and
  take the offer all the same (1 is the cautious choice: every one of them costs ``delta``);
* ``delta`` (the offer's cost): by default 20% of one month's spend, a one-month 20% credit
  (``spend_share`` of the mean monthly spend over the last 3 months, plus ``fixed_cost``);
* ``c`` (``contact_cost``, default 1): the cost of one contact.

The defaults follow the expected-maximum-profit literature on churn (Verbraken, Verbeke and
Baesens, 2013): the acceptance of a retention offer is modelled as ``Beta(6, 14)``, whose mean
is 0.3, and the incentive is small beside the customer's lifetime value. The sensitivity band
(:func:`acceptance_quantiles`) uses that distribution: a Beta with the same concentration
(``6 + 14 = 20``) around each offer's acceptance.

Every term can be set per recommended action (a reason category, ``no_reason`` or
``key_account``) in a campaign file: see :mod:`churnlab.campaign.spec`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from scipy import stats

from churnlab.campaign.checks import check_number

OWNER = "OfferTerms"
ACCEPTANCE_CONCENTRATION = 20.0
"""``a + b`` of the acceptance's Beta distribution: ``Beta(6, 14)`` around the default 0.3."""


@dataclass(frozen=True, kw_only=True)
class OfferTerms:
    """The economics of one retention offer (see the module's docstring for each term).

    >>> terms = OfferTerms()
    >>> terms.offer_cost([50.0, 0.0])
    array([10.,  0.])
    >>> OfferTerms(acceptance=1.5)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'acceptance' parameter of OfferTerms must be a number in (0, 1]. Got 1.5 instead.
    """

    acceptance: float = 0.3
    take_up: float = 1.0
    spend_share: float = 0.2
    fixed_cost: float = 0.0
    contact_cost: float = 1.0

    def __post_init__(self) -> None:
        check_number(self.acceptance, "acceptance", OWNER, low=0.0, high=1.0, low_open=True)
        check_number(self.take_up, "take_up", OWNER, low=0.0, high=1.0)
        for name in ("spend_share", "fixed_cost", "contact_cost"):
            check_number(getattr(self, name), name, OWNER, low=0.0)

    def offer_cost(self, monthly_spend: Any) -> np.ndarray:
        """``delta``: ``spend_share`` x monthly spend + ``fixed_cost`` (missing spend is 0)."""
        spend = np.nan_to_num(np.asarray(monthly_spend, dtype="float64"), nan=0.0)
        return self.spend_share * np.maximum(spend, 0.0) + self.fixed_cost

    def replace(self, **changes: Any) -> OfferTerms:
        """These terms with some changed (unknown names are refused by the constructor)."""
        return OfferTerms(**{**asdict(self), **changes})

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


TERM_NAMES = tuple(f.name for f in fields(OfferTerms))


def expected_gain(
    probability: Any,
    value: Any,
    offer_cost: Any,
    *,
    acceptance: Any = 0.3,
    take_up: Any = 1.0,
    contact_cost: Any = 1.0,
) -> np.ndarray:
    """``EV = p * gamma * (value - delta) - (1 - p) * psi * delta - c``, per customer.

    Every argument is a number or an array (one value per customer).

    >>> expected_gain(0.2, 500.0, 10.0)  # 0.2*0.3*490 - 0.8*10 - 1
    array(20.4)
    >>> expected_gain([0.02, 0.5], [300.0, 300.0], [12.0, 12.0], take_up=0.5).round(4)
    array([-5.152, 39.2  ])
    """
    p = np.asarray(probability, dtype="float64")
    delta = np.asarray(offer_cost, dtype="float64")
    gain = p * np.asarray(acceptance) * (np.asarray(value, dtype="float64") - delta)
    return np.asarray(gain - (1.0 - p) * np.asarray(take_up) * delta - np.asarray(contact_cost))


def expected_cost(
    probability: Any,
    offer_cost: Any,
    *,
    acceptance: Any = 0.3,
    take_up: Any = 1.0,
    contact_cost: Any = 1.0,
) -> np.ndarray:
    """The expected spend of contacting a customer: the contact, plus the offer when taken.

    The offer is paid for by the would-be churners it keeps (``p * gamma``) and by those who
    would have stayed and take it anyway (``(1 - p) * psi``)::

        cost = delta * (p * gamma + (1 - p) * psi) + c

    >>> expected_cost(0.2, 10.0)  # 10 * (0.06 + 0.8) + 1
    array(9.6)
    """
    p = np.asarray(probability, dtype="float64")
    delta = np.asarray(offer_cost, dtype="float64")
    taken = p * np.asarray(acceptance) + (1.0 - p) * np.asarray(take_up)
    return np.asarray(delta * taken + np.asarray(contact_cost))


def acceptance_quantiles(
    acceptance: Any, quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)
) -> np.ndarray:
    """Percentiles of the acceptance ``gamma``: a Beta with mean ``acceptance`` and
    concentration 20 (``Beta(6, 14)`` for the default 0.3). One row per quantile.

    >>> acceptance_quantiles(0.3).round(3)
    array([0.147, 0.293, 0.476])
    """
    mean = np.clip(np.asarray(acceptance, dtype="float64"), 1e-6, 1.0 - 1e-6)
    a, b = ACCEPTANCE_CONCENTRATION * mean, ACCEPTANCE_CONCENTRATION * (1.0 - mean)
    return np.stack([stats.beta.ppf(q, a, b) for q in quantiles])
