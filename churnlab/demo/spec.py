"""What demo to generate (:class:`DemoSpec`) and what was generated (:class:`DemoResult`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from churnlab.demo.vocab import LOCALES
from churnlab.errors import SpecError, did_you_mean

MAX_CUSTOMERS = 100_000_000
MAX_MONTHS = 240


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, kw_only=True)
class DemoSpec:
    """The size, seed and language of a synthetic demo operator.

    Parameters
    ----------
    customers : int, default 20_000
        Customers ever seen: those existing when the simulation starts (about 60%) plus the
        new sign-ups spread over the simulated months.
    months : int, default 36
        Number of simulated calendar months.
    seed : int, default 7
        Seed of the random generator; one spec always gives identical files.
    locale : {"en", "zh"}, default "en"
        Language of the category values (plans, regions, contracts, complaint categories ...).
        The locale changes words only: both locales of one seed hold the same rows.
    start : datetime.date, default 2023-01-01
        First day of the first simulated month (must be the first day of a month).

    Examples
    --------
    >>> spec = DemoSpec(customers=1_000, months=12)
    >>> spec.extract_date
    datetime.date(2023, 12, 31)
    >>> DemoSpec.from_dict(spec.to_dict()) == spec
    True
    """

    customers: int = 20_000
    months: int = 36
    seed: int = 7
    locale: Literal["en", "zh"] = "en"
    start: dt.date = field(default=dt.date(2023, 1, 1))

    def __post_init__(self) -> None:
        if not _is_whole(self.customers) or not 0 < self.customers <= MAX_CUSTOMERS:
            raise SpecError(
                f"DemoSpec.customers must be a positive whole number up to {MAX_CUSTOMERS:,}, "
                f"got {self.customers!r}."
            )
        if not _is_whole(self.months) or not 0 < self.months <= MAX_MONTHS:
            raise SpecError(
                f"DemoSpec.months must be a positive whole number up to {MAX_MONTHS}, "
                f"got {self.months!r}."
            )
        if not _is_whole(self.seed) or self.seed < 0:
            raise SpecError(
                f"DemoSpec.seed must be a non-negative whole number, got {self.seed!r}."
            )
        if self.locale not in LOCALES:
            raise SpecError(
                f"DemoSpec.locale must be one of {', '.join(map(repr, LOCALES))}, "
                f"got {self.locale!r}."
            )
        if not isinstance(self.start, dt.date) or isinstance(self.start, dt.datetime):
            raise SpecError(f"DemoSpec.start must be a datetime.date, got {self.start!r}.")
        if self.start.day != 1:
            raise SpecError(
                f"DemoSpec.start must be the first day of a month, got {self.start.isoformat()}."
            )
        if self.start.year + (self.start.month - 1 + self.months) // 12 > dt.MAXYEAR:
            raise SpecError(f"DemoSpec.months runs past the year {dt.MAXYEAR}: {self.months!r}.")

    @property
    def extract_date(self) -> dt.date:
        """The last day of the last simulated month: no event is dated after it."""
        return month_start(self.start, self.months) - dt.timedelta(days=1)

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON-ready values (``start`` as an ISO date)."""
        return {
            "customers": self.customers,
            "months": self.months,
            "seed": self.seed,
            "locale": self.locale,
            "start": self.start.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoSpec:
        """Build a spec from :meth:`to_dict` output; unknown keys are an error."""
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        if unknown:
            hint = did_you_mean(unknown[0], known)
            raise SpecError(
                f"DemoSpec has no setting {unknown[0]!r} (known: {', '.join(known)}).{hint}"
            )
        values = dict(data)
        if isinstance(values.get("start"), str):
            try:
                values["start"] = dt.date.fromisoformat(values["start"])
            except ValueError:
                raise SpecError(
                    f"DemoSpec.start must be an ISO date such as '2023-01-01', "
                    f"got {values['start']!r}."
                ) from None
        return cls(**values)


def month_start(start: dt.date, offset: int) -> dt.date:
    """The first day of the month ``offset`` months after ``start``'s month.

    Examples
    --------
    >>> month_start(dt.date(2023, 11, 1), 3)
    datetime.date(2024, 2, 1)
    """
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


TABLES = ("customers", "bills", "complaints", "service_events")
EVENT_TABLES = ("bills", "complaints", "service_events")


@dataclass(frozen=True, kw_only=True)
class DemoResult:
    """What :func:`churnlab.demo.generate_demo` wrote.

    Attributes
    ----------
    out_dir : Path
        The folder holding the four tables, ``churnlab.toml`` and ``truth/``.
    spec : DemoSpec
        The spec that was generated.
    rows : dict of str to int
        Row counts of ``customers``, ``bills``, ``complaints`` and ``service_events``.
    truth_rows : int
        Rows of ``truth/customer_month.parquet`` (active customer-months).
    churned : int
        Customers whose ``end_date`` is set.
    extract_date : datetime.date
        Last day of the last simulated month.
    churn_rate : float
        Observed monthly churn rate: churned customers per active customer-month.
    """

    out_dir: Path
    spec: DemoSpec
    rows: dict[str, int]
    truth_rows: int
    churned: int
    extract_date: dt.date
    churn_rate: float

    @property
    def event_rows(self) -> int:
        """Rows of the three event tables together."""
        return sum(self.rows[t] for t in EVENT_TABLES)

    def __repr__(self) -> str:
        return (
            f"<DemoResult: {self.spec.customers:,} customers, {self.spec.months} months, "
            f"{len(self.rows)} tables, {self.event_rows:,} event rows in {self.out_dir}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values."""
        return {
            "out_dir": str(self.out_dir),
            "spec": self.spec.to_dict(),
            "rows": dict(self.rows),
            "truth_rows": self.truth_rows,
            "churned": self.churned,
            "extract_date": self.extract_date.isoformat(),
            "churn_rate": self.churn_rate,
        }
