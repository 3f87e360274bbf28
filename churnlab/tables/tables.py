"""``Tables``: the typed input tables of one data directory, and their summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import jinja2
import numpy as np
import pandas as pd

from churnlab.tables.config import SnapshotSpec
from churnlab.tables.contract import CONTRACTS, DATE


@dataclass(frozen=True, kw_only=True, eq=False)
class Tables:
    """The input tables, typed and validated.

    Attributes
    ----------
    customers:
        One row per customer: ``customer_id`` (text), ``signup_date``, ``end_date`` (empty while
        active) and attribute columns; for a snapshot extract also ``churned`` (bool).
    bills, complaints, service_events:
        Event tables, or ``None`` where the data directory has none.
    extract_date:
        When the data were extracted: nothing may be dated after it.
    attribute_columns:
        Customer attributes usable as model inputs (personal data excluded).
    personal_columns:
        Customer columns that hold personal data: kept for exports, never used as features.
    snapshot:
        The snapshot settings when the data are a one-row-per-customer extract.
    repairs:
        Safe repairs applied while loading (each was also issued as a warning).
    """

    customers: pd.DataFrame
    bills: pd.DataFrame | None = None
    complaints: pd.DataFrame | None = None
    service_events: pd.DataFrame | None = None
    extract_date: pd.Timestamp
    extract_date_source: str = "config"
    attribute_columns: tuple[str, ...] = ()
    personal_columns: tuple[str, ...] = ()
    snapshot: SnapshotSpec | None = None
    source: str = "<memory>"
    repairs: tuple[str, ...] = field(default=())

    @property
    def is_snapshot(self) -> bool:
        return self.snapshot is not None

    def table(self, name: str) -> pd.DataFrame | None:
        """The table called ``name`` (``customers``, ``bills``, ...)."""
        if name not in CONTRACTS:
            raise KeyError(f"Unknown table {name!r}; tables are {', '.join(CONTRACTS)}.")
        return getattr(self, name, None)  # orders are loaded as bills

    @property
    def customer_columns(self) -> list[str]:
        return list(self.customers.columns)

    @cached_property
    def first_date(self) -> pd.Timestamp | None:
        """The earliest date anywhere in the tables (the day it falls on); computed once."""
        earliest = [
            frame[column].min()
            for name, frame in self.present().items()
            for column, kind in CONTRACTS[name].columns.items()
            if kind == DATE and column in frame and frame[column].notna().any()
        ]
        return min(earliest).normalize() if earliest else None

    def present(self) -> dict[str, pd.DataFrame]:
        """The tables this data directory has, by name."""
        return {n: t for n in CONTRACTS if (t := getattr(self, n, None)) is not None}

    def summary(self) -> TableSummary:
        """Row counts, date ranges, active and churned customers and churn by month."""
        return TableSummary.from_tables(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {len(t):,}" for n, t in self.present().items())
        kind = "snapshot " if self.is_snapshot else ""
        return f"<Tables {kind}{self.source}: {counts}; extract date {self.extract_date.date()}>"

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


def month_starts(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """First days of the months from ``first``'s month to ``last``'s month, inclusive."""
    return pd.date_range(first.to_period("M").start_time, last, freq="MS")


def churn_by_month(customers: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
    """Customers active at each month's start, how many left during it, and the rate.

    Months that are not complete by the extract date are left out. A description of the whole
    table by calendar month, not a cutoff's label: it does not use
    :mod:`churnlab.labels.window` (which ``tables`` may not import).
    """
    signup = np.sort(customers["signup_date"].dropna().to_numpy("datetime64[us]"))
    ends = np.sort(customers["end_date"].dropna().to_numpy("datetime64[us]"))
    if len(signup) == 0:
        return pd.DataFrame(columns=["month", "active_at_start", "churned", "churn_rate"])
    months = month_starts(pd.Timestamp(signup[0]), extract_date)
    bounds = months.append(pd.DatetimeIndex([months[-1] + pd.offsets.MonthBegin(1)]))
    edges = bounds.to_numpy("datetime64[us]")
    signed = np.searchsorted(signup, edges[:-1], side="left")  # signed up before the month
    ended_before = np.searchsorted(ends, edges, side="left")
    active = signed - ended_before[:-1]
    # Leavers of a month who were active at its start (not those who joined during it).
    ended = customers.loc[customers["end_date"].notna(), ["signup_date", "end_date"]]
    end_month = ended["end_date"].dt.to_period("M").dt.start_time
    leavers = np.sort(end_month[ended["signup_date"] < end_month].to_numpy("datetime64[us]"))
    churned = np.diff(np.searchsorted(leavers, edges, side="left"))
    frame = pd.DataFrame(
        {"month": months, "active_at_start": active, "churned": churned},
    )
    complete = bounds[1:] <= extract_date + pd.Timedelta(days=1)
    frame = frame[complete & (frame["active_at_start"] > 0)].reset_index(drop=True)
    frame["churn_rate"] = frame["churned"] / frame["active_at_start"]
    return frame


BY_MONTH_HEADING = "Churn by month (last 12 complete months)"
"""The heading of the summary's churn by month by end date (the contract definition)."""


@dataclass(frozen=True, kw_only=True)
class TableSummary:
    """What a data directory holds, computed once, rendered as text or HTML."""

    source: str
    extract_date: pd.Timestamp
    extract_date_source: str
    tables: pd.DataFrame
    customers: int
    active: int
    churned: int
    by_month: pd.DataFrame
    attribute_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    snapshot: SnapshotSpec | None
    repairs: tuple[str, ...]
    by_month_heading: str = BY_MONTH_HEADING
    """What ``by_month`` counts: churn by end date unless a churn definition replaced it
    (:func:`churnlab.labels.monthly.validation_summary`)."""

    @classmethod
    def from_tables(cls, tables: Tables) -> TableSummary:
        rows = []
        for name, frame in tables.present().items():
            column = CONTRACTS[name].date_column
            dates = (
                frame[column] if column and column in frame else pd.Series(dtype="datetime64[us]")
            )
            rows.append(
                {
                    "table": name,
                    "rows": len(frame),
                    "customers": frame["customer_id"].nunique(),
                    "first_date": dates.min(),
                    "last_date": dates.max(),
                }
            )
        customers = tables.customers
        if tables.snapshot is not None:
            churned = int(customers["churned"].sum())
            active = len(customers) - churned
            by_month = pd.DataFrame(columns=["month", "active_at_start", "churned", "churn_rate"])
        else:
            ended = customers["end_date"].notna() & (customers["end_date"] <= tables.extract_date)
            churned = int(ended.sum())
            active = len(customers) - churned
            by_month = churn_by_month(customers, tables.extract_date)
        return cls(
            source=tables.source,
            extract_date=tables.extract_date,
            extract_date_source=tables.extract_date_source,
            tables=pd.DataFrame(rows),
            customers=len(customers),
            active=active,
            churned=churned,
            by_month=by_month,
            attribute_columns=tables.attribute_columns,
            personal_columns=tables.personal_columns,
            snapshot=tables.snapshot,
            repairs=tables.repairs,
        )

    @property
    def headline(self) -> str:
        if self.snapshot is not None:
            rate = self.churned / max(self.customers, 1)
            return (
                f"snapshot as of {self.snapshot.as_of}: {self.customers:,} customers, "
                f"{self.churned:,} churned ({rate:.1%}) by column {self.snapshot.label_column!r}"
            )
        return (
            f"{self.customers:,} customers: {self.active:,} active and {self.churned:,} churned "
            f"by the extract date {self.extract_date.date()} ({self.extract_date_source})"
        )

    def _months_shown(self) -> pd.DataFrame:
        shown = self.by_month.tail(12).copy()
        shown["month"] = shown["month"].dt.strftime("%Y-%m")
        shown["churn_rate"] = shown["churn_rate"].map("{:.2%}".format)
        return shown

    def _tables_shown(self) -> pd.DataFrame:
        """The tables with their first and last dates as dates (``YYYY-MM-DD``)."""
        tables = self.tables.copy()
        for col in ("first_date", "last_date"):
            tables[col] = tables[col].dt.strftime("%Y-%m-%d").fillna("")
        return tables

    def __str__(self) -> str:
        tables = self._tables_shown()
        lines = [
            f"churnlab data in {self.source}",
            f"  {self.headline}",
            "",
            tables.to_string(index=False),
        ]
        if len(self.by_month):
            lines += ["", f"{self.by_month_heading}:"]
            lines.append(self._months_shown().to_string(index=False))
        lines += [
            "",
            f"Attributes used as features: {', '.join(self.attribute_columns) or '(none)'}",
        ]
        if self.personal_columns:
            lines.append(f"Personal data, never features: {', '.join(self.personal_columns)}")
        lines += [f"Repaired: {r}" for r in self.repairs]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<TableSummary {self.source}: {self.headline}>"

    def _repr_html_(self) -> str:
        tables = self._tables_shown().to_html(index=False, border=0, na_rep="")
        months = self._months_shown().to_html(index=False, border=0) if len(self.by_month) else ""
        return _HTML.render(
            summary=self, tables_html=tables, months_html=months, heading=self.by_month_heading
        )


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-summary">
<h4>churnlab data in {{ summary.source }}</h4>
<p>{{ summary.headline }}</p>
{{ tables_html | safe }}
{% if months_html %}<p>{{ heading }}</p>{{ months_html | safe }}{% endif %}
<p>Attributes used as features: {{ summary.attribute_columns | join(", ") or "(none)" }}</p>
{% if summary.personal_columns %}<p>Personal data, never features:
{{ summary.personal_columns | join(", ") }}</p>{% endif %}
{% for r in summary.repairs %}<p>Repaired: {{ r }}</p>{% endfor %}
</div>"""
)
