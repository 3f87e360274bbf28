"""The true monthly churn hazard of the demo operator, split by cause.

The hazard of a customer in month ``m`` reads only the state on the month's first day
(what happened before the month began)::

    hazard = LEVEL * frailty * contract * tenure * loyalty * (service + price + product
             + payment) + natural                                 (kept in [0.0001, 0.6])

with, per month (state variables decay: failures and complaints keep 55% a month, bill
shocks 50%):

* **service** = service sensitivity x (0.014 x network quality multiplier
  + 0.025 x failure load (outages incl. regional episodes 1, dropped calls and slow-data
  episodes 0.3 each) + 0.06 per complaint still open on the first day (up to 3)
  + 0.03 per complaint resolved last month after more than a week (up to 2)
  + 0.02 x recent complaints + 0.02 x recent complaints beyond the first); the largest
  share of churn, about two thirds;
* **price** = price sensitivity x (0.085 x recent bill shocks + 0.085 x how far recent
  spend runs above 1.3 times the plan fee);
* **product** = 0.05 x log(usage / allowance) when usage exceeds the plan
  + 0.03 x log(cheaper plan's allowance / usage) when a cheaper plan would do;
* **payment** = payment sensitivity x (0.05 x loyalty points recently lost to a late
  payment (per 80, up to 1) + 0.02 per consecutive month in arrears (up to 3));
* **natural** about 0.0012 a month: moving away, closing a business (independent of
  everything else and of the moderators).

The moderators: ``contract`` is 1 for month-to-month, 0.25 for one-year and 0.1 for
two-year contracts, but 2.5 in the month a one- or two-year term ends; ``tenure`` is
``1 + 2 exp(-months / 6)`` (new customers churn more); ``loyalty`` is
``(1 + points / 100) ** -0.4`` with one point per month of tenure plus one per 10 currency
units of spend, all wiped by a late payment. ``frailty`` (log-normal, mean 1) and the
sensitivities are each customer's unobserved proneness. The truth table's ``cause`` is the
largest of the five terms; its ``hazard_observable`` is the hazard with that proneness at its
population mean (frailty and sensitivities 1, natural hazard 0.0012): the best a model that
sees only the data can do, where ``hazard`` includes what no model can see. The truth table
also splits that observable hazard by cause and names the cause whose fix lowers it most
(:mod:`churnlab.demo.truth` documents every column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from churnlab.demo.population import NATURAL_HAZARD, PLAN_CAPS, Population

if TYPE_CHECKING:
    from churnlab.demo.simulate import State

LEVEL = 1.7
"""Overall level of the controllable hazard (sets the monthly churn rate near 2%)."""
CONTRACT_BASE = np.array([1.0, 0.25, 0.1])
"""Hazard multiplier of month-to-month, one-year and two-year contracts between renewals."""
CONTRACT_RENEWAL = np.array([1.0, 2.5, 2.5])
"""Hazard multiplier in the month a contract's term ends."""
CONTRACT_TERM = np.array([1, 12, 24])
LOG_DOWNGRADE_CAP = np.log(np.array([1e-9, *(0.8 * PLAN_CAPS[:-1])]))
"""Log of the usage below which a cheaper plan would do (none for the basic plan)."""


def plan_fit(pop: Population, idx: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """How far usage lies above the plan's allowance, and below what a cheaper plan covers.

    Both are log ratios, zero when the plan fits. Usage grows by ``need_growth`` a month.
    """
    log_need = pop.log_need[idx] + pop.need_growth[idx] * (m - pop.first_month[idx])
    over = np.maximum(log_need - pop.log_cap[idx], 0.0)
    under = np.maximum(LOG_DOWNGRADE_CAP[pop.plan[idx]] - log_need, 0.0)
    return over, under


@dataclass(frozen=True, kw_only=True)
class HazardParts:
    """The hazard's factors: ``moderator x driver`` per cause, plus the natural hazard.

    ``components()`` gives the cause hazards (service, price, product, payment, natural)
    that :func:`total_and_cause` adds up.
    """

    moderator: np.ndarray
    """``LEVEL x frailty x contract x tenure x loyalty``; frailty is 1 when observable."""
    drivers: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    """Service, price, product and payment drivers (sensitivities included, or 1)."""
    natural: np.ndarray

    def components(self) -> tuple[np.ndarray, ...]:
        return (*(driver * self.moderator for driver in self.drivers), self.natural)


def hazard_parts(
    pop: Population,
    state: State,
    idx: np.ndarray,
    *,
    months_since_signup: np.ndarray,
    tenure_months: np.ndarray,
    open_complaints: np.ndarray,
    slow_resolved: np.ndarray,
    over: np.ndarray,
    under: np.ndarray,
    observable: bool = False,
) -> HazardParts:
    """The moderator, the four cause drivers and the natural hazard of customers ``idx``.

    With ``observable`` the customer's unobserved proneness (frailty, sensitivities, natural
    hazard) is replaced by its population mean: what a model can know from the data.
    """
    contract = pop.contract[idx]
    renewal = (months_since_signup > 0) & (months_since_signup % CONTRACT_TERM[contract] == 0)
    contract_factor = np.where(renewal, CONTRACT_RENEWAL[contract], CONTRACT_BASE[contract])
    tenure_factor = 1.0 + 2.0 * np.exp(-tenure_months / 6.0)
    loyalty = (1.0 + state.points[idx] / 100.0) ** -0.4
    frailty, service_s, price_s, payment_s = (
        (1.0, 1.0, 1.0, 1.0)
        if observable
        else (
            pop.frailty[idx],
            pop.service_sensitivity[idx],
            pop.price_sensitivity[idx],
            pop.payment_sensitivity[idx],
        )
    )
    natural = np.full(len(idx), NATURAL_HAZARD) if observable else pop.natural[idx]
    scale = LEVEL * frailty * contract_factor * tenure_factor * loyalty

    complaints = state.complaints[idx]
    service = service_s * (
        0.014 * pop.network[idx]
        + 0.025 * state.failure_load[idx]
        + 0.06 * np.minimum(open_complaints, 3)
        + 0.03 * np.minimum(slow_resolved, 2)
        + 0.02 * complaints
        + 0.02 * np.maximum(complaints - 1.0, 0.0)
    )
    price = price_s * (
        0.085 * state.shock[idx] + 0.085 * np.maximum(state.ema_ratio[idx] - 1.3, 0.0)
    )
    product = 0.05 * over + 0.03 * under
    payment = payment_s * (
        0.05 * np.minimum(state.lost_points[idx] / 80.0, 1.0)
        + 0.02 * np.minimum(state.arrears[idx], 3.0)
    )
    return HazardParts(
        moderator=scale,
        drivers=(service, price, product, payment),
        natural=natural,
    )


def hazard_components(
    pop: Population,
    state: State,
    idx: np.ndarray,
    *,
    months_since_signup: np.ndarray,
    tenure_months: np.ndarray,
    open_complaints: np.ndarray,
    slow_resolved: np.ndarray,
    over: np.ndarray,
    under: np.ndarray,
    observable: bool = False,
) -> tuple[np.ndarray, ...]:
    """The hazard of each cause: service, price, product, payment, natural.

    Each of the first four is ``moderator x driver`` (see :func:`hazard_parts`).
    """
    return hazard_parts(
        pop,
        state,
        idx,
        months_since_signup=months_since_signup,
        tenure_months=tenure_months,
        open_complaints=open_complaints,
        slow_resolved=slow_resolved,
        over=over,
        under=under,
        observable=observable,
    ).components()


def total_and_cause(components: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The hazard (the components' sum, kept within ``[0.0001, 0.6]``) and its main cause.

    The cause is the position of the largest component (the first one on ties).

    Examples
    --------
    >>> hazard, cause = total_and_cause((np.array([0.01, 0.001]), np.array([0.002, 0.003])))
    >>> hazard.round(3).tolist(), cause.tolist()
    ([0.012, 0.004], [0, 1])
    """
    total = components[0].copy()
    largest = components[0].copy()
    cause = np.zeros(len(total), dtype=np.int8)
    for code, component in enumerate(components[1:], start=1):
        total += component
        larger = component > largest
        cause[larger] = code
        np.maximum(largest, component, out=largest)
    return np.clip(total, 1e-4, 0.6, out=total), cause
