"""``generate_demo``: write the synthetic demo operator and its ground truth to a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from churnlab.demo.files import (
    ParquetSinks,
    check_demo_folder,
    customer_ids,
    fake_phones,
    write_config,
)
from churnlab.demo.history import keep_survivors
from churnlab.demo.population import Calendar, Population, draw_population
from churnlab.demo.simulate import DAY_US, NULL_TS, Chunk, State, simulate_month
from churnlab.demo.spec import TABLES, DemoResult, DemoSpec
from churnlab.errors import SpecError


def generate_demo(
    out_dir: str | Path, spec: DemoSpec | None = None, *, progress: bool = False
) -> DemoResult:
    """Simulate a telecom operator's customers month by month and write its data.

    The folder receives ``customers.parquet``, ``bills.parquet``, ``complaints.parquet``,
    ``service_events.parquet``, a ``churnlab.toml`` holding the extract date (the last day
    of the last simulated month) and ``truth/customer_month.parquet``: for every month a
    customer was at risk, the true probability that they churned in it, its main cause, its
    split by cause and the cause whose fix lowers it most (see :mod:`churnlab.demo.truth`).
    The hazard of a month depends only on what happened before the month began (see
    :mod:`churnlab.demo.hazard`), so it is the best prediction any model can make.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into: created when missing; an earlier demo's files are replaced.
        A folder holding anything else is refused (:class:`~churnlab.errors.SpecError`), so
        the demo never replaces a user's ``churnlab.toml`` nor adds to their tables.
    spec : DemoSpec, optional
        Size, seed and language; ``DemoSpec()`` when omitted.
    progress : bool, default False
        Show a progress bar over the simulated months.

    Returns
    -------
    DemoResult
        Row counts, the extract date and the observed monthly churn rate.

    Notes
    -----
    A customer is *at risk* in a month when their ``signup_date`` is on or before the
    month's first day and their ``end_date`` is empty or on or after it; the truth table and
    the bills hold exactly one row per at-risk customer-month (a bill is dated the month's
    first day). A churn in month ``m`` sets ``end_date`` to a day of that month. Timed events
    (complaints, service events) fall between the month's first day and the earlier of the
    customer's ``end_date`` and the extract date, both at midnight, so nothing is stamped
    after the extract date and nobody has events on the day they leave. About 60% of the
    customers exist at the start (signed up over the previous six years, and kept only if
    they would have survived their tenure); the others sign up over the simulated months.
    Ids are zero-padded in sign-up order (``"00001"``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = generate_demo(tmp, DemoSpec(customers=300, months=6, seed=1))
    ...     print(result.rows["customers"], result.extract_date)
    300 2023-06-30
    """
    spec = DemoSpec() if spec is None else spec
    if not isinstance(spec, DemoSpec):
        raise SpecError(f"generate_demo needs a DemoSpec, got {type(spec).__name__}.")
    out = Path(out_dir)
    check_demo_folder(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    calendar = Calendar.from_spec(spec)
    population_seed, history_seed, phone_seed, *month_seeds = np.random.SeedSequence(
        spec.seed
    ).spawn(spec.months + 3)
    pop = draw_population(np.random.default_rng(population_seed), spec, calendar)
    state = State.initial(pop, int(calendar.month_days[0]))
    keep_survivors(pop, state, np.random.default_rng(history_seed), calendar)
    churned = 0
    with ParquetSinks(out, customer_ids(pop.size), spec.locale) as sinks:
        months = tqdm(
            range(spec.months), disable=not progress, desc="Simulating months", unit="month"
        )
        for m in months:
            month = simulate_month(m, pop, state, calendar, np.random.default_rng(month_seeds[m]))
            sinks.write("truth/customer_month", month.truth)
            sinks.write("bills", month.bills)
            sinks.write("complaints", month.complaints)
            sinks.write("service_events", month.service_events)
            churned += month.churned
            del month
        phones = fake_phones(np.random.default_rng(phone_seed), pop.size, spec.locale)
        sinks.write("customers", [_customers_chunk(pop, state, phones)])
    write_config(out, spec.extract_date.isoformat())
    truth_rows = sinks.rows["truth/customer_month"]
    return DemoResult(
        out_dir=out,
        spec=spec,
        rows={table: sinks.rows[table] for table in TABLES},
        truth_rows=truth_rows,
        churned=churned,
        extract_date=spec.extract_date,
        churn_rate=churned / truth_rows if truth_rows else 0.0,
    )


def _customers_chunk(pop: Population, state: State, phones: np.ndarray) -> Chunk:
    ended = state.end_day >= 0
    return {
        "customer_id": np.arange(pop.size, dtype=np.int32),
        "signup_date": pop.signup_day * DAY_US,
        "end_date": np.where(ended, state.end_day * DAY_US, NULL_TS),
        "plan": pop.plan,
        "region": pop.region,
        "contract": pop.contract,
        "payment_method": pop.payment,
        "monthly_fee": pop.fee,
        "phone": phones,
    }
