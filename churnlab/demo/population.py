"""The demo operator's customers: who they are, when they signed up, what they bought.

Everything here is fixed for a customer's lifetime (the monthly simulation in
:mod:`churnlab.demo.simulate` moves only the state that events change); before the
simulation starts, :mod:`churnlab.demo.history` redraws, in place, the attributes of existing
customers who would not have survived their tenure. Categories are small integer codes;
:mod:`churnlab.demo.vocab` turns them into words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from churnlab.demo.spec import DemoSpec, month_start

EPOCH = dt.date(1970, 1, 1)
DAYS_PER_MONTH = 30.4375

EXISTING_SHARE = 0.6
"""Share of customers who already exist when the simulation starts."""
HISTORY_DAYS = 6 * 365
"""Existing customers signed up within this many days before the start."""

REGION_SHARES = np.array([0.25, 0.20, 0.18, 0.12, 0.10, 0.08, 0.07])
REGION_NETWORK = np.array([0.8, 0.9, 1.0, 1.0, 1.3, 1.2, 1.6])
"""Failure-rate multiplier of each region's network (east best, northwest worst)."""
REGION_OUTAGES = np.array([0.25, 0.30, 0.30, 0.35, 0.45, 0.40, 0.55])
"""Expected regional outage episodes per month in each region."""

NATURAL_HAZARD = 0.0012
"""Mean monthly hazard of leaving for reasons no operator controls."""
PLAN_FEES = np.array([29.0, 49.0, 79.0, 109.0])
PLAN_CAPS = np.array([1.0, 3.0, 8.0, np.inf])
"""Usage allowance of each plan (in the units of a customer's ``need``)."""
CONTRACT_SHARES = np.array([0.5, 0.3, 0.2])
PAYMENT_SHARES = np.array([0.40, 0.30, 0.15, 0.15])
PAYMENT_LATENESS = np.array([0.3, 0.6, 1.3, 2.0])
"""Late-payment multiplier of each payment method (direct debit is rarely late, cash often)."""


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """Month boundaries of a simulation, as days since 1970-01-01."""

    month_days: np.ndarray
    """First day of each simulated month, plus the first day after the last month."""
    first_month_index: int
    """``year * 12 + month - 1`` of the first simulated month."""

    @classmethod
    def from_spec(cls, spec: DemoSpec) -> Calendar:
        days = [(month_start(spec.start, m) - EPOCH).days for m in range(spec.months + 1)]
        return cls(
            month_days=np.array(days, dtype=np.int64),
            first_month_index=spec.start.year * 12 + spec.start.month - 1,
        )

    @property
    def months(self) -> int:
        return len(self.month_days) - 1

    @property
    def extract_day(self) -> int:
        """The last day of the last month."""
        return int(self.month_days[-1]) - 1


@dataclass(frozen=True, kw_only=True)
class Population:
    """Per-customer constants, one array entry per customer in ``customer_id`` order."""

    signup_day: np.ndarray
    first_month: np.ndarray
    """First month at risk: 0 for existing customers, the sign-up month for a sign-up on the
    first day of a month, else the month after (``months`` means never at risk)."""
    signup_month_index: np.ndarray
    region: np.ndarray
    plan: np.ndarray
    contract: np.ndarray
    payment: np.ndarray
    fee: np.ndarray
    log_cap: np.ndarray
    """Log of the plan's usage allowance (infinite for the unlimited plan)."""
    log_need: np.ndarray
    """Log of the usage need when the customer enters the simulation."""
    need_growth: np.ndarray
    """Monthly growth of the log usage need."""
    addon_level: np.ndarray
    """Spend on top of the plan fee, as a share of the fee."""
    addon_trend: np.ndarray
    shock_rate: np.ndarray
    late_rate: np.ndarray
    network: np.ndarray
    """Failure-rate multiplier of the customer's network (region and local coverage)."""
    complain_rate: np.ndarray
    service_sensitivity: np.ndarray
    price_sensitivity: np.ndarray
    payment_sensitivity: np.ndarray
    frailty: np.ndarray
    """Unobserved churn proneness (multiplies the non-natural hazard)."""
    natural: np.ndarray
    """Monthly hazard of leaving for reasons no operator controls (moving, closing a business)."""
    points: np.ndarray
    """Loyalty points when the customer enters the simulation."""

    @property
    def size(self) -> int:
        return len(self.signup_day)


def _lognormal_mean_one(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    return rng.lognormal(-(sigma**2) / 2, sigma, size)


def _signup_days(rng: np.random.Generator, n: int, calendar: Calendar) -> np.ndarray:
    """Sorted sign-up days: existing customers over the previous years, then new sign-ups."""
    existing = round(n * EXISTING_SHARE) if n > 1 else n
    start = int(calendar.month_days[0])
    # Tenure of existing customers: truncated exponential (older cohorts have thinned out).
    scale = 1100.0
    u = rng.random(existing)
    tenure = -scale * np.log1p(-u * (1 - np.exp(-HISTORY_DAYS / scale)))
    old = start - 1 - np.floor(tenure).astype(np.int64)
    new = rng.integers(start, calendar.extract_day + 1, n - existing)
    return np.sort(np.concatenate([old, new]))


def draw_population(rng: np.random.Generator, spec: DemoSpec, calendar: Calendar) -> Population:
    """Draw every customer's constants (vectorised; deterministic for one generator state)."""
    signup = _signup_days(rng, spec.customers, calendar)
    month_days = calendar.month_days
    month = np.searchsorted(month_days, signup, side="right") - 1
    first = np.where(month >= 0, month + (signup != month_days[np.maximum(month, 0)]), 0)
    dates = signup.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months_of_year = dates.astype("datetime64[M]").astype(np.int64) % 12
    return Population(
        signup_day=signup,
        first_month=first.astype(np.int32),
        signup_month_index=(years * 12 + months_of_year).astype(np.int64),
        **_draw_attributes(rng, tenure_at_start(signup, calendar)),
    )


def tenure_at_start(signup_day: np.ndarray, calendar: Calendar) -> np.ndarray:
    """Months between sign-up and the first simulated day (zero for new customers)."""
    return np.maximum(calendar.month_days[0] - signup_day, 0) / DAYS_PER_MONTH


def redraw_attributes(
    pop: Population, rng: np.random.Generator, idx: np.ndarray, tenure_months: np.ndarray
) -> None:
    """Replace every attribute of the customers ``idx`` (sign-up dates stay) in place."""
    for name, values in _draw_attributes(rng, tenure_months).items():
        getattr(pop, name)[idx] = values


def _draw_attributes(rng: np.random.Generator, tenure_months: np.ndarray) -> dict[str, np.ndarray]:
    """Plan, contract, region, behaviour and sensitivities of customers with these tenures."""
    n = len(tenure_months)
    region = rng.choice(len(REGION_SHARES), size=n, p=REGION_SHARES).astype(np.int8)
    need = rng.lognormal(0.7, 0.9, n)
    perceived = need * rng.lognormal(0.0, 0.5, n)
    plan = np.searchsorted(PLAN_CAPS[:-1], perceived).astype(np.int8)
    discount = rng.choice(np.array([1.0, 0.9, 0.8]), size=n, p=[0.7, 0.2, 0.1])
    fee = np.round(PLAN_FEES[plan] * discount, 2)
    contract = rng.choice(3, size=n, p=CONTRACT_SHARES).astype(np.int8)
    payment = rng.choice(len(PAYMENT_SHARES), size=n, p=PAYMENT_SHARES).astype(np.int8)

    drifter = rng.random(n) < 0.08
    addon_trend = np.where(drifter, rng.uniform(0.04, 0.09, n), rng.normal(0.0, 0.01, n))
    late_rate = np.minimum(rng.beta(0.6, 14.0, n) * PAYMENT_LATENESS[payment], 0.8)
    addon_level = rng.lognormal(np.log(0.12), 0.6, n)
    points_rate = 1.0 + fee * (1.0 + addon_level) / 10.0
    since_wipe = rng.geometric(np.maximum(late_rate, 1e-3))
    return {
        "region": region,
        "plan": plan,
        "contract": contract,
        "payment": payment,
        "fee": fee,
        "log_cap": np.log(PLAN_CAPS[plan]),
        "log_need": np.log(need),
        "need_growth": rng.normal(0.01, 0.015, n),
        "addon_level": addon_level,
        "addon_trend": addon_trend,
        "shock_rate": 0.015 * _lognormal_mean_one(rng, 0.8, n),
        "late_rate": late_rate,
        "network": REGION_NETWORK[region] * _lognormal_mean_one(rng, 0.9, n),
        "complain_rate": _lognormal_mean_one(rng, 0.6, n),
        "service_sensitivity": _lognormal_mean_one(rng, 0.7, n),
        "price_sensitivity": _lognormal_mean_one(rng, 0.6, n),
        "payment_sensitivity": _lognormal_mean_one(rng, 0.5, n),
        "frailty": _lognormal_mean_one(rng, 0.8, n),
        "natural": NATURAL_HAZARD * _lognormal_mean_one(rng, 0.3, n),
        "points": np.minimum(tenure_months, since_wipe) * points_rate,
    }
