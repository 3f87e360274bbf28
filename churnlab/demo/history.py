"""The customers who exist when the simulation starts have survived their past.

Drawing existing customers like new ones would fill the first months with customers who,
at their hazard, would long have left; churn would start high and sink for years while they
leave. Instead, each existing customer is kept with the probability of surviving their
tenure at the hazard of their first simulated month (held constant), and redrawn otherwise
(sign-up date kept), a few rounds at most. Long-standing customers are therefore mostly
low-risk ones, as in a real customer base.
"""

from __future__ import annotations

import numpy as np

from churnlab.demo.hazard import hazard_components, plan_fit, total_and_cause
from churnlab.demo.population import Calendar, Population, redraw_attributes, tenure_at_start
from churnlab.demo.simulate import State

SURVIVAL_ROUNDS = 20
"""Redraw rounds; customers still rejected after the last round are kept as they are."""


def month_zero_hazard(
    pop: Population, state: State, idx: np.ndarray, calendar: Calendar
) -> np.ndarray:
    """The hazard of customers ``idx`` in the first simulated month."""
    over, under = plan_fit(pop, idx, 0)
    none = np.zeros(len(idx), dtype=np.int64)
    components = hazard_components(
        pop,
        state,
        idx,
        months_since_signup=calendar.first_month_index - pop.signup_month_index[idx],
        tenure_months=tenure_at_start(pop.signup_day[idx], calendar),
        open_complaints=none,
        slow_resolved=none,
        over=over,
        under=under,
    )
    return total_and_cause(components)[0]


def keep_survivors(
    pop: Population, state: State, rng: np.random.Generator, calendar: Calendar
) -> None:
    """Redraw existing customers who would not have survived their tenure (in place)."""
    pending = np.flatnonzero(pop.signup_day < calendar.month_days[0])
    for _ in range(SURVIVAL_ROUNDS):
        if not len(pending):
            return
        tenure = tenure_at_start(pop.signup_day[pending], calendar)
        hazard = month_zero_hazard(pop, state, pending, calendar)
        survived = rng.random(len(pending)) < np.exp(-hazard * tenure)
        pending = pending[~survived]
        redraw_attributes(pop, rng, pending, tenure[~survived])
        state.warm_up(pop, pending)
