"""Lapsed customers: who left in a window, who came back, and when they were last active.

The pieces of the win-back list (:mod:`churnlab.campaign.winback`) that read the customers
table by the ``contract`` label definition:

- :func:`lapsed`: the customers who left in ``(as_of - days, as_of]`` and, with the label's
  ``rejoin_key``, which of them came back by ``as_of`` (the grace period's rule,
  :func:`churnlab.labels.window.came_back`, with ``as_of`` as its last day);
- :func:`last_month_end_before`: the last month-end cutoff at which each was still active;
- :func:`leavers`: both, on a customers table: the customers a win-back list may hold, the
  day each left and their cutoff, and the counts of those left out;
- :func:`customers_only`: the tables narrowed to some customers, so that their features are
  computed without reading a million others'.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.features.prepare import coded_by_position
from churnlab.labels.window import came_back
from churnlab.tables import Tables


def last_month_end_before(day: pd.Series) -> pd.Series:
    """The last month end strictly before each day: the last month-end cutoff at which a
    customer who left on that day was still active (active at ``c`` means ``end_date > c``).

    >>> days = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-15", "2024-03-31"]))
    >>> last_month_end_before(days).dt.strftime("%Y-%m-%d").tolist()
    ['2024-02-29', '2024-02-29', '2024-02-29']
    """
    return day.dt.to_period("M").dt.start_time - pd.Timedelta(days=1)


def customers_only(tables: Tables, rows: np.ndarray) -> Tables:
    """The tables of the customers at positions ``rows`` of ``tables.customers`` only.

    Event tables whose ids are coded by customer position (as :func:`churnlab.load_tables`
    stores them) stay coded, over the kept customers, so the feature engine keeps its integer
    keys; a million customers' bills are narrowed with one array look-up, not a text match.
    """
    customers = tables.customers.iloc[rows].reset_index(drop=True)
    ids = customers["customer_id"]
    coded = coded_by_position(tables)
    position = np.full(len(tables.customers), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    dtype = pd.CategoricalDtype(pd.Index(ids, dtype="str")) if coded else None
    wanted = ids.astype("str")

    def narrow(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        if dtype is None:
            kept = frame["customer_id"].astype("str").isin(wanted).to_numpy()
            return frame.loc[kept].reset_index(drop=True)
        new = position[frame["customer_id"].cat.codes.to_numpy()]
        frame = frame.loc[new >= 0].reset_index(drop=True)
        frame["customer_id"] = pd.Categorical.from_codes(new[new >= 0], dtype=dtype)
        return frame

    return dataclasses.replace(
        tables,
        customers=customers,
        bills=narrow(tables.bills),
        complaints=narrow(tables.complaints),
        service_events=narrow(tables.service_events),
    )


def lapsed(
    customers: pd.DataFrame, as_of: pd.Timestamp, days: int, rejoin_key: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the customers who left in ``(as_of - days, as_of]``, and a mask of
    those who came back by ``as_of`` (another record of the same person)."""
    left_on = customers["end_date"].dt.normalize()
    in_window = (left_on > as_of - pd.Timedelta(days=days)) & (left_on <= as_of)
    rows = np.flatnonzero(in_window.fillna(False).to_numpy())
    back = np.zeros(len(rows), dtype=bool)
    if not rejoin_key or len(rows) == 0:
        return rows, back
    if rejoin_key not in customers.columns:
        raise SpecError(f"LabelSpec.rejoin_key {rejoin_key!r} is not a customers column.")
    lapsed = pd.DataFrame(
        {
            "row": rows,
            "customer_id": customers["customer_id"].to_numpy()[rows],
            "person": customers[rejoin_key].to_numpy()[rows],
            "left_on": left_on.to_numpy()[rows],
        }
    ).dropna(subset=["person"])
    others = customers.loc[customers[rejoin_key].isin(lapsed["person"]), :]
    others = pd.DataFrame(
        {
            "other_id": others["customer_id"].to_numpy(),
            "person": others[rejoin_key].to_numpy(),
            "signed_up": others["signup_date"].dt.normalize().to_numpy(),
        }
    )
    pairs = lapsed.merge(others, on="person")
    returned = (pairs["customer_id"] != pairs["other_id"]) & came_back(
        pairs["left_on"], pairs["signed_up"], as_of
    )
    back = np.isin(rows, pairs.loc[returned, "row"].to_numpy())
    return rows, back


@dataclass(frozen=True, kw_only=True, eq=False)
class Leavers:
    """The customers a win-back list may hold, found on a customers table by :func:`leavers`.

    Attributes
    ----------
    rows:
        Their row positions in the customers table.
    ids:
        Their customer ids (text), in the same order.
    left_on, cutoff:
        The day each left (midnight) and their last month-end cutoff as an active customer.
    left, already_won_back, too_new:
        Customers who left in the window; of those, who came back by ``as_of`` and who left
        before their first month end (both left out).
    """

    rows: np.ndarray
    ids: np.ndarray
    left_on: pd.Series
    cutoff: pd.Series
    left: int
    already_won_back: int
    too_new: int

    def counts(self) -> dict[str, int]:
        return {
            "left": self.left,
            "already_won_back": self.already_won_back,
            "too_new": self.too_new,
        }


def leavers(
    customers: pd.DataFrame, as_of: pd.Timestamp, days: int, rejoin_key: str | None
) -> Leavers:
    """The customers who left in ``(as_of - days, as_of]``, did not come back by ``as_of``
    (:func:`lapsed`) and were active at a month end before leaving
    (:func:`last_month_end_before`).

    Only the customers table is read, all of it: whoever came back is another row of it.

    >>> customers = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c"],
    ...     "signup_date": pd.to_datetime(["2023-01-10", "2024-05-02", "2023-03-01"]),
    ...     "end_date": pd.to_datetime(["2024-05-10", "2024-05-12", None])})
    >>> found = leavers(customers, pd.Timestamp("2024-05-20"), 30, None)
    >>> found.ids.tolist(), found.cutoff.dt.strftime("%Y-%m-%d").tolist(), found.counts()
    (['a'], ['2024-04-30'], {'left': 2, 'already_won_back': 0, 'too_new': 1})
    """
    rows, back = lapsed(customers, as_of, days, rejoin_key)
    rows = rows[~back]
    left_on = customers["end_date"].iloc[rows].dt.normalize().reset_index(drop=True)
    cutoff = last_month_end_before(left_on)
    signed_up = customers["signup_date"].iloc[rows].dt.normalize().reset_index(drop=True)
    has_cutoff = (signed_up <= cutoff).to_numpy()
    rows = rows[has_cutoff]
    return Leavers(
        rows=rows,
        ids=customers["customer_id"].iloc[rows].astype("str").to_numpy(),
        left_on=left_on[has_cutoff].reset_index(drop=True),
        cutoff=cutoff[has_cutoff].reset_index(drop=True),
        left=len(has_cutoff) + int(back.sum()),
        already_won_back=int(back.sum()),
        too_new=int((~has_cutoff).sum()),
    )
