"""One simulated month of the demo operator: hazard, churn, bills, service events, complaints.

The order inside a month is what makes the truth honest. At the first day of month ``m``
the hazard of every customer at risk is computed from the state the earlier months left
behind (complaints opened before and their resolution status on that day, service failures,
bills and payments, tenure, contract, plan fit); the customer then churns on a random day of
the month with that probability. Only after that are the month's events drawn, and they
move the state that the next month's hazard reads.

Customers at risk in month ``m`` are those whose ``signup_date`` is on or before the month's
first day and whose ``end_date`` is empty or on or after it. Their events of the month lie in
``[first day 00:00, min(end_date, extract_date, next month's first day) 00:00)``: a customer
has no timed events on the day they leave, nothing is stamped later than the extract date
at midnight, and every at-risk month has exactly one bill, dated the month's first day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from churnlab.demo.hazard import hazard_components, hazard_parts, plan_fit, total_and_cause
from churnlab.demo.population import REGION_OUTAGES, Calendar, Population
from churnlab.demo.truth import add_fix_causes, truth_columns

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
NULL_TS = np.iinfo(np.int64).min
"""Marks an empty timestamp in a chunk (written as a Parquet null)."""

Chunk = dict[str, np.ndarray]

CATEGORY_HOURS = np.array([10.0, 72.0, 24.0, 48.0, 24.0])
"""Median resolution time of network, billing, service, product and other complaints."""
CHANNEL_SHARES = np.array([0.45, 0.30, 0.15, 0.10])
CHANNEL_SLOWNESS = np.array([1.0, 0.8, 0.7, 1.6])
LATE_RECORDED_SHARE = 0.04
CORRECTED_BILL_SHARE = 0.01
OUTAGE, DROPPED_CALL, SLOW_DATA = 0, 1, 2
BLOCK = 65_536
"""Customers simulated together (a block's arrays stay in the CPU cache)."""
FAILURE_WEIGHTS = np.array([1.0, 0.3, 0.3])
"""Weight of an outage, a dropped call and a slow-data episode in the failure load."""
FAILURE_DECAY = 0.55
"""Share of last month's failure load (and complaint count) that carries into this month."""
SHOCK_DECAY = 0.5
"""Share of last month's bill-shock memory that carries into this month."""
EPISODE_SHARE = (2.0, 4.0)
"""Beta distribution of the share of a region's customers one outage episode hits."""
EPISODE_SHARE_MEAN = EPISODE_SHARE[0] / (EPISODE_SHARE[0] + EPISODE_SHARE[1])


@dataclass(kw_only=True)
class State:
    """What earlier months left behind, one entry per customer (mutated month by month)."""

    points: np.ndarray
    ema_ratio: np.ndarray
    shock: np.ndarray
    lost_points: np.ndarray
    arrears: np.ndarray
    failure_load: np.ndarray
    """Recent service failures, weighted by kind (see :data:`FAILURE_WEIGHTS`), decaying."""
    complaints: np.ndarray
    end_day: np.ndarray
    pending_customer: np.ndarray
    pending_opened: np.ndarray
    pending_resolved: np.ndarray

    @classmethod
    def initial(cls, pop: Population, start_day: int) -> State:
        """The state on the first day: customers who exist already carry the failure load
        and bill shocks of an average month of their own, new customers start afresh."""
        n = pop.size
        state = cls(
            points=pop.points.copy(),
            ema_ratio=1.0 + pop.addon_level,
            shock=np.zeros(n),
            lost_points=np.zeros(n),
            arrears=np.zeros(n),
            failure_load=np.zeros(n),
            complaints=np.zeros(n),
            end_day=np.full(n, -1, dtype=np.int64),
            pending_customer=np.empty(0, dtype=np.int32),
            pending_opened=np.empty(0, dtype=np.int64),
            pending_resolved=np.empty(0, dtype=np.int64),
        )
        state.warm_up(pop, np.flatnonzero(pop.signup_day < start_day))
        return state

    def warm_up(self, pop: Population, idx: np.ndarray) -> None:
        """Give existing customers ``idx`` the history of an average month of their own."""
        over, _ = plan_fit(pop, idx, 0)
        own = FAILURE_WEIGHTS @ np.stack(_failure_rates(pop, idx, over))
        regional = REGION_OUTAGES[pop.region[idx]] * EPISODE_SHARE_MEAN * FAILURE_WEIGHTS[OUTAGE]
        self.failure_load[idx] = (own + regional) / (1 - FAILURE_DECAY)
        self.shock[idx] = pop.shock_rate[idx] / (1 - SHOCK_DECAY)
        self.points[idx] = pop.points[idx]
        self.ema_ratio[idx] = 1.0 + pop.addon_level[idx]


@dataclass(frozen=True, kw_only=True)
class Month:
    """Where one month lies, and the customers at risk in it."""

    index: int
    previous_start_day: int
    start_day: int
    next_day: int
    extract_us: int
    month_of_year: int
    first_month_index: int
    at_risk: np.ndarray
    """The customers at risk being simulated (all of them, or one block)."""

    @property
    def start_us(self) -> int:
        return self.start_day * DAY_US

    @property
    def length_us(self) -> int:
        return (self.next_day - self.start_day) * DAY_US


@dataclass(frozen=True, kw_only=True)
class Episode:
    """A regional outage: one moment at which a share of a region's customers lose service."""

    region: int
    start_us: int
    share: float
    minutes: float


@dataclass(frozen=True, kw_only=True)
class MonthResult:
    """The rows one month (or one block of it) adds to each output table, in chunks."""

    truth: list[Chunk]
    bills: list[Chunk]
    complaints: list[Chunk]
    service_events: list[Chunk]
    churned: int


def complaint_status(state: State, month: Month, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Open complaints on the month's first day, and those resolved slowly last month.

    A complaint is open on a day when it was opened before it and resolved on or after it.
    Complaints resolved before the day leave the pending list.
    """
    resolved = state.pending_resolved
    still_open = resolved >= month.start_us
    took = resolved - state.pending_opened
    last_month = month.previous_start_day * DAY_US
    slow = ~still_open & (resolved >= last_month) & (took > 7 * DAY_US)
    open_now = np.bincount(state.pending_customer[still_open], minlength=size)
    slow_resolved = np.bincount(state.pending_customer[slow], minlength=size)
    state.pending_customer = state.pending_customer[still_open]
    state.pending_opened = state.pending_opened[still_open]
    state.pending_resolved = resolved[still_open]
    return open_now, slow_resolved


def simulate_month(
    m: int, pop: Population, state: State, calendar: Calendar, rng: np.random.Generator
) -> MonthResult:
    """Simulate month ``m``: hazards first, then churn, then the month's events.

    Customers are simulated in blocks of :data:`BLOCK` (in ``customer_id`` order), which
    keeps each block's arrays in the CPU cache; the rows come out in the same order.
    """
    start_day = int(calendar.month_days[m])
    at_risk = np.flatnonzero((pop.first_month <= m) & (state.end_day < 0))
    month = Month(
        index=m,
        previous_start_day=int(calendar.month_days[m - 1]) if m else start_day - 31,
        start_day=start_day,
        next_day=int(calendar.month_days[m + 1]),
        extract_us=calendar.extract_day * DAY_US,
        month_of_year=(calendar.first_month_index + m) % 12,
        first_month_index=calendar.first_month_index,
        at_risk=at_risk,
    )
    open_all, slow_all = complaint_status(state, month, pop.size)
    episodes = _outage_episodes(rng, month)
    blocks = [
        _simulate_block(
            pop,
            state,
            replace(month, at_risk=at_risk[start : start + BLOCK]),
            rng,
            open_complaints=open_all,
            slow_resolved=slow_all,
            episodes=episodes,
        )
        for start in range(0, max(len(at_risk), 1), BLOCK)
    ]
    truth = [c for b in blocks for c in b.truth]
    add_fix_causes(truth)  # the month means of the drivers span every block
    return MonthResult(
        truth=truth,
        bills=[c for b in blocks for c in b.bills],
        complaints=[c for b in blocks for c in b.complaints],
        service_events=[c for b in blocks for c in b.service_events],
        churned=sum(b.churned for b in blocks),
    )


def _simulate_block(
    pop: Population,
    state: State,
    month: Month,
    rng: np.random.Generator,
    *,
    open_complaints: np.ndarray,
    slow_resolved: np.ndarray,
    episodes: list[Episode],
) -> MonthResult:
    """Hazard, churn and events of one block of the customers at risk in a month."""
    at_risk = month.at_risk
    n = len(at_risk)
    open_now = open_complaints[at_risk]
    over, under = plan_fit(pop, at_risk, month.index)
    moments = {
        "months_since_signup": month.first_month_index
        + month.index
        - pop.signup_month_index[at_risk],
        "tenure_months": (month.start_day - pop.signup_day[at_risk]) / 30.4375,
        "open_complaints": open_now,
        "slow_resolved": slow_resolved[at_risk],
        "over": over,
        "under": under,
    }
    hazard, cause = total_and_cause(hazard_components(pop, state, at_risk, **moments))
    seen = hazard_parts(pop, state, at_risk, observable=True, **moments)
    observable, _ = total_and_cause(seen.components())
    churn = rng.random(n) < hazard
    days = month.next_day - month.start_day
    end_day = month.start_day + np.floor(rng.random(n) * days).astype(np.int64)
    state.end_day[at_risk[churn]] = end_day[churn]
    window_end = np.full(n, min(month.next_day * DAY_US, month.extract_us))
    window_end[churn] = np.minimum(end_day[churn] * DAY_US, window_end[churn])

    ids = at_risk.astype(np.int32)  # shared by truth and bills: converted to text once
    truth: Chunk = {
        "customer_id": ids,
        "month": np.full(n, month.start_us, dtype=np.int64),
        "hazard": hazard,
        "hazard_observable": observable,
        "cause": cause,
        **truth_columns(seen),
    }
    bills, shock, late = _bills(pop, state, month, rng, over)
    bills["customer_id"] = ids
    service, failures = _service_events(pop, state, month, rng, window_end, over, episodes)
    complaints = _complaints(
        pop, state, month, rng, window_end, failures, shock, late, open_now, over + under
    )
    return MonthResult(
        truth=[truth],
        bills=[bills],
        complaints=[complaints],
        service_events=[service],
        churned=int(churn.sum()),
    )


def _bills(
    pop: Population, state: State, month: Month, rng: np.random.Generator, over: np.ndarray
) -> tuple[Chunk, np.ndarray, np.ndarray]:
    """One bill per customer at risk; update spend, shock, loyalty points and arrears."""
    idx = month.at_risk
    n = len(idx)
    fee = pop.fee[idx]
    age = month.index - pop.first_month[idx]
    level = np.minimum(pop.addon_level[idx] * np.exp(pop.addon_trend[idx] * age), 1.5)
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (month.month_of_year - 11) / 12)
    noise = 0.8 + 0.4 * rng.random(n)
    amount = fee * (1.0 + 0.4 * np.minimum(over, 2.0) + level * season * noise)
    shock = rng.random(n) < pop.shock_rate[idx]
    shocked = np.flatnonzero(shock)
    amount[shocked] += fee[shocked] * rng.uniform(0.6, 2.5, len(shocked))
    amount = np.round(amount, 2)

    late = rng.random(n) < pop.late_rate[idx]
    paid_day = month.start_day + rng.integers(0, 15, n)
    overdue = np.flatnonzero(late)
    paid_day[overdue] = month.start_day + 14 + rng.geometric(1 / 12, len(overdue))
    never = np.zeros(n, dtype=bool)
    never[overdue] = rng.random(len(overdue)) < 0.12
    extract_day = month.extract_us // DAY_US
    paid = ~never & (paid_day <= extract_day)
    recorded_day = np.full(n, month.start_day, dtype=np.int64)
    corrected = np.flatnonzero(rng.random(n) < CORRECTED_BILL_SHARE)
    recorded_day[corrected] = np.minimum(
        month.start_day + rng.integers(3, 46, len(corrected)), extract_day
    )

    state.ema_ratio[idx] = 0.6 * state.ema_ratio[idx] + 0.4 * amount / fee
    state.shock[idx] = SHOCK_DECAY * state.shock[idx] + shock
    points = state.points[idx]  # a late payment wipes them
    state.lost_points[idx] = 0.5 * state.lost_points[idx] + points * late
    state.points[idx] = (points + 1.0 + amount / 10.0) * ~late
    outstanding = never | (paid_day >= month.next_day)
    state.arrears[idx] = (state.arrears[idx] + 1.0) * outstanding
    paid_us = paid_day * DAY_US
    paid_us[~paid] = NULL_TS

    chunk = {
        "bill_date": np.full(n, month.start_us, dtype=np.int64),
        "amount": amount,
        "due_date": np.full(n, (month.start_day + 14) * DAY_US, dtype=np.int64),
        "paid_date": paid_us,
        "recorded_at": recorded_day * DAY_US,
    }
    return chunk, shock, late


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse transform: one uniform per count, cheap for small means.

    Examples
    --------
    >>> counts = poisson(np.random.default_rng(0), np.full(100_000, 0.3))
    >>> round(float(counts.mean()), 2), round(float(counts.var()), 2)
    (0.3, 0.3)
    """
    u = rng.random(len(lam))
    term = np.exp(-lam)
    counts = np.zeros(len(lam), dtype=np.int64)
    more = np.flatnonzero(u >= term)
    u, term, lam = u[more], term[more], lam[more]
    cdf = term.copy()
    k = 0
    while len(more) and k < 1_000:
        k += 1
        term *= lam / k
        cdf += term
        done = u < cdf
        counts[more[done]] = k
        more, u, term, lam, cdf = (a[~done] for a in (more, u, term, lam, cdf))
    counts[more] = k  # only reached through rounding at the far tail
    return counts


def _split_poisson(
    rng: np.random.Generator, rates: tuple[np.ndarray, ...], share: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events of several types per customer: positions and type codes, by position.

    One Poisson draw of the total per customer, then each event's type drawn in proportion
    to the type rates (the same distribution as one Poisson draw per type, for less work).
    """
    total = rates[0].copy()
    for rate in rates[1:]:
        total += rate
    pos = np.repeat(np.arange(len(total)), poisson(rng, total * share))
    pick = rng.random(len(pos)) * total[pos]
    code = np.zeros(len(pos), dtype=np.int8)
    bound = np.zeros(len(pos))
    for rate in rates[:-1]:
        bound += rate[pos]
        code += pick >= bound
    return pos, code


def _by_customer_and_time(pos: np.ndarray, times: np.ndarray, month: Month) -> np.ndarray:
    """The order that sorts a month's events by customer, then time (one int64 sort key)."""
    span = month.length_us + 1
    if (int(pos.max(initial=0)) + 1) * span >= 2**63:
        return np.lexsort((times, pos))
    return np.argsort(pos.astype(np.int64) * span + (times - month.start_us), kind="stable")


def _uniform_times(
    rng: np.random.Generator, month: Month, window_end: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    """Microsecond timestamps drawn uniformly in each event's customer window."""
    width = (window_end[pos] - month.start_us).astype(np.float64)
    return month.start_us + np.floor(rng.random(len(pos)) * width).astype(np.int64)


def _outage_episodes(rng: np.random.Generator, month: Month) -> list[Episode]:
    """The month's regional outage episodes: region, start, share of customers hit, length."""
    episodes = []
    for region, count in enumerate(rng.poisson(REGION_OUTAGES)):
        for _ in range(count):
            episodes.append(
                Episode(
                    region=region,
                    start_us=month.start_us + int(rng.random() * month.length_us),
                    share=float(rng.beta(*EPISODE_SHARE)),
                    minutes=float(rng.lognormal(np.log(240.0), 0.8)),
                )
            )
    return episodes


def _regional_outages(
    pop: Population,
    month: Month,
    rng: np.random.Generator,
    window_end: np.ndarray,
    episodes: list[Episode],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each episode hits a share of its region's customers at the same moment."""
    region = pop.region[month.at_risk]
    positions, times, minutes = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0)]
    for episode in episodes:
        members = np.flatnonzero(region == episode.region)
        chosen = rng.random(len(members)) < episode.share
        hit = members[chosen & (window_end[members] > episode.start_us)]
        positions.append(hit)
        times.append(np.full(len(hit), episode.start_us, dtype=np.int64))
        minutes.append(episode.minutes * rng.uniform(0.7, 1.3, len(hit)))
    return np.concatenate(positions), np.concatenate(times), np.concatenate(minutes)


def _failure_rates(
    pop: Population, idx: np.ndarray, over: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly rates of a customer's own outages, dropped calls and slow-data episodes.

    A poor local network raises all three; usage above the plan's allowance is throttled
    (slow data).
    """
    network = pop.network[idx]
    return 0.012 * network, 0.12 * network, 0.05 * network + 0.3 * over


def _service_events(
    pop: Population,
    state: State,
    month: Month,
    rng: np.random.Generator,
    window_end: np.ndarray,
    over: np.ndarray,
    episodes: list[Episode],
) -> tuple[Chunk, np.ndarray]:
    """Dropped calls, slow data and outages (own and regional); update the failure state."""
    idx = month.at_risk
    n = len(idx)
    share = (window_end - month.start_us) / month.length_us
    pos, kind = _split_poisson(rng, _failure_rates(pop, idx, over), share)
    times = _uniform_times(rng, month, window_end, pos)
    minutes = rng.exponential(1.0, len(pos)) * np.array([90.0, 4.0, 50.0])[kind]
    own_outage = np.flatnonzero(kind == OUTAGE)
    minutes[own_outage] = rng.lognormal(np.log(90.0), 0.9, len(own_outage))
    reg_pos, reg_times, reg_minutes = _regional_outages(pop, month, rng, window_end, episodes)
    pos = np.concatenate([pos, reg_pos])
    kind = np.concatenate([kind, np.zeros(len(reg_pos), np.int8)])
    times = np.concatenate([times, reg_times])
    minutes = np.round(np.concatenate([minutes, reg_minutes]), 1)

    failures = np.bincount(kind.astype(np.int64) * n + pos, minlength=3 * n).reshape(3, n)
    load = FAILURE_WEIGHTS @ failures
    state.failure_load[idx] = FAILURE_DECAY * state.failure_load[idx] + load

    order = _by_customer_and_time(pos, times, month)
    chunk = {
        "customer_id": idx[pos[order]].astype(np.int32),
        "occurred_at": times[order],
        "kind": kind[order],
        "duration_minutes": minutes[order],
    }
    return chunk, failures


def _complaints(
    pop: Population,
    state: State,
    month: Month,
    rng: np.random.Generator,
    window_end: np.ndarray,
    failures: np.ndarray,
    shock: np.ndarray,
    late: np.ndarray,
    open_now: np.ndarray,
    misfit: np.ndarray,
) -> Chunk:
    """Complaints, more of them after failures, bill shocks and late payments."""
    idx = month.at_risk
    n = len(idx)
    share = pop.complain_rate[idx] * (window_end - month.start_us) / month.length_us
    drift = np.maximum(state.ema_ratio[idx] - 1.2, 0.0)
    rates = (
        0.002
        + 0.10 * failures[OUTAGE]
        + 0.03 * failures[DROPPED_CALL]
        + 0.02 * failures[SLOW_DATA],
        0.003 + 0.30 * shock + 0.12 * late + 0.02 * drift,
        0.004 + 0.10 * np.minimum(open_now, 3),
        0.002 + 0.02 * np.minimum(misfit, 2.0),
        np.full(n, 0.003),
    )
    pos, category = _split_poisson(rng, rates, share)
    k = len(pos)
    opened = _uniform_times(rng, month, window_end, pos)
    channel = rng.choice(len(CHANNEL_SHARES), size=k, p=CHANNEL_SHARES).astype(np.int8)
    bounced = rng.random(k) < 0.06
    hours = rng.lognormal(np.log(CATEGORY_HOURS[category]), 1.3) * CHANNEL_SLOWNESS[channel]
    hours = np.clip(np.where(bounced, hours * 4.0, hours), 0.25, 45 * 24.0)
    resolved = opened + (hours * HOUR_US).astype(np.int64)
    late_recorded = rng.random(k) < LATE_RECORDED_SHARE
    delay = ((1.0 + rng.exponential(8.0, k)) * DAY_US).astype(np.int64)
    recorded = np.where(late_recorded, np.minimum(opened + delay, month.extract_us), opened)

    customers = idx[pos].astype(np.int32)
    state.complaints[idx] = FAILURE_DECAY * state.complaints[idx] + np.bincount(pos, minlength=n)
    state.pending_customer = np.concatenate([state.pending_customer, customers])
    state.pending_opened = np.concatenate([state.pending_opened, opened])
    state.pending_resolved = np.concatenate([state.pending_resolved, resolved])

    order = _by_customer_and_time(pos, opened, month)
    return {
        "customer_id": customers[order],
        "opened_at": opened[order],
        "category": category[order],
        "resolved_at": np.where(resolved <= month.extract_us, resolved, NULL_TS)[order],
        "channel": channel[order],
        "recorded_at": recorded[order],
    }
