"""The demo's ground truth, ``truth/customer_month.parquet``: one row per customer-month at risk.

Columns (see :mod:`churnlab.demo.hazard` for the hazard's formula):

* ``customer_id``, ``month``: the customer and the first day of a month they were at risk in.
* ``hazard``: the true probability that they churned in that month, with their unobserved
  proneness (frailty, sensitivities, own natural hazard):
  ``clip(service + price + product + payment + natural, 0.0001, 0.6)``.
* ``cause``: the largest of those five true terms (the first on ties).

The other columns hold the same hazard with the unobserved proneness at its population mean
(frailty and sensitivities 1, natural hazard 0.0012): what a model that sees only the data
can know.

* ``hazard_moderator``: ``LEVEL x contract x tenure x loyalty``, the factor that multiplies
  every cause (``LEVEL`` 1.7; contract 1, 0.25 or 0.1, and 2.5 in the month a term ends;
  tenure ``1 + 2 exp(-months / 6)``; loyalty ``(1 + points / 100) ** -0.4``).
* ``hazard_service``, ``hazard_price``, ``hazard_product``, ``hazard_payment``: each cause's
  term, ``hazard_moderator x driver``, where the *driver* is the cause's own sum in
  :mod:`churnlab.demo.hazard` (network quality, failures and complaints; bill shocks and spend
  above the fee; plan misfit; lost points and arrears) with its sensitivity at 1. So
  ``driver = hazard_<cause> / hazard_moderator``. Service has a floor (network quality) for
  everyone.
* ``hazard_natural``: 0.0012, leaving for reasons no operator controls (no moderator).
* ``hazard_observable``: ``clip(hazard_service + hazard_price + hazard_product +
  hazard_payment + hazard_natural, 0.0001, 0.6)``. The lower bound never binds (the natural
  hazard alone is above it); the upper one binds for about 0.1% of the rows, the riskiest.
* ``fix_cause``: ``service``, ``price``, ``product`` or ``payment``: the cause whose fix
  lowers the hazard most, or ``none`` when no fix lowers it.

*Fixing* a cause brings its driver down to that month's mean over the customers at risk in
the month (the rows of that month), never up. The hazard then drops by
``drop_<cause> = hazard_moderator x max(driver - month mean, 0)``; :func:`fix_drops` computes
these from the table. ``fix_cause`` is the cause with the largest drop (the first of service,
price, product, payment on ties) and ``none`` when every drop is 0.

Where the clip binds this differs from the drop of ``hazard_observable`` itself: with ``S``
the unclipped sum, fixing a cause lowers ``hazard_observable`` by
``min(S, 0.6) - min(S - drop, 0.6)`` (``fix_drops(..., clipped=True)``), which is smaller,
and zero for every cause when ``S`` stays above 0.6 after any single fix. That clipped drop
never decreases as ``drop`` grows, so ``fix_cause`` lowers ``hazard_observable`` at least as
much as any other single fix; where the clip absorbs every fix it still names the cause with
the largest unclipped drop, not ``none``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlab.demo.hazard import HazardParts
from churnlab.demo.vocab import FIX_CAUSES

FIXABLE = FIX_CAUSES[:4]
"""The causes a retention action can fix, in ``fix_cause`` code order."""
NO_FIX = len(FIXABLE)
"""The ``fix_cause`` code of ``none``."""
HAZARD_CAP = 0.6
"""The hazard's upper clip."""
DRIVERS_KEY = "_drivers"
"""A truth chunk's private ``(rows, 4)`` drivers until :func:`add_fix_causes` consumes them."""

Chunk = dict[str, np.ndarray]


def truth_columns(parts: HazardParts) -> Chunk:
    """The observable per-cause columns of a truth chunk, and its drivers (not written).

    ``parts`` is the hazard with the unobserved proneness at its mean.
    """
    service, price, product, payment, natural = parts.components()
    return {
        "hazard_service": service,
        "hazard_price": price,
        "hazard_product": product,
        "hazard_payment": payment,
        "hazard_natural": natural,
        "hazard_moderator": parts.moderator,
        DRIVERS_KEY: np.column_stack(parts.drivers),
    }


def drops(drivers: np.ndarray, moderator: np.ndarray, month_mean: np.ndarray) -> np.ndarray:
    """The hazard drop from fixing each cause: ``moderator x max(driver - month mean, 0)``.

    Examples
    --------
    >>> drops(np.array([[0.05, 0.0, 0.0, 0.02]]), np.array([2.0]), np.array([0.03, 0, 0, 0.01]))
    array([[0.04, 0.  , 0.  , 0.02]])
    """
    return moderator[:, None] * np.maximum(drivers - month_mean, 0.0)


def fix_cause_codes(cause_drops: np.ndarray) -> np.ndarray:
    """Per row, the code of the largest drop (the first on ties), :data:`NO_FIX` when all are 0.

    Examples
    --------
    >>> fix_cause_codes(np.array([[0.0, 0.3, 0.0, 0.3], [0.0, 0.0, 0.0, 0.0]])).tolist()
    [1, 4]
    """
    best = cause_drops.argmax(axis=1)
    return np.where(cause_drops.max(axis=1) > 0.0, best, NO_FIX).astype(np.int8)


def add_fix_causes(chunks: list[Chunk]) -> None:
    """Set ``fix_cause`` of one month's truth chunks (every block of the month), in place.

    The month mean of each driver is taken over all the chunks' rows (the customers at risk
    in the month); each chunk's private drivers are removed.

    Examples
    --------
    >>> a = {"hazard_moderator": np.array([1.0]), DRIVERS_KEY: np.array([[0.4, 0.0, 0.0, 0.1]])}
    >>> b = {"hazard_moderator": np.array([1.0]), DRIVERS_KEY: np.array([[0.0, 0.0, 0.0, 0.3]])}
    >>> add_fix_causes([a, b])
    >>> a["fix_cause"].tolist(), b["fix_cause"].tolist(), DRIVERS_KEY in a
    ([0], [3], False)
    """
    drivers = [chunk.pop(DRIVERS_KEY) for chunk in chunks]
    rows = sum(len(d) for d in drivers)
    mean = sum((d.sum(axis=0) for d in drivers), np.zeros(len(FIXABLE))) / max(rows, 1)
    for chunk, d in zip(chunks, drivers, strict=True):
        chunk["fix_cause"] = fix_cause_codes(drops(d, chunk["hazard_moderator"], mean))


def fix_drops(truth: pd.DataFrame, *, clipped: bool = False) -> pd.DataFrame:
    """The hazard drop from fixing each cause, per row of the truth table.

    Parameters
    ----------
    truth : DataFrame
        ``truth/customer_month.parquet`` (every row of each month that is to be used: the
        month means are taken over the rows given), or at least its ``month``,
        ``hazard_moderator``, ``hazard_<cause>`` (and with ``clipped``, ``hazard_natural``)
        columns.
    clipped : bool, default False
        False: ``hazard_moderator x max(driver - month mean, 0)``, the drop that defines
        ``fix_cause``. True: the drop of ``hazard_observable`` itself, which the 0.6 cap
        shrinks for the riskiest rows.

    Returns
    -------
    DataFrame
        Columns ``service``, ``price``, ``product``, ``payment``, on ``truth``'s index.

    Examples
    --------
    >>> truth = pd.DataFrame({
    ...     "month": ["2024-01-01"] * 2, "hazard_moderator": [2.0, 1.0],
    ...     "hazard_service": [0.2, 0.0], "hazard_price": [0.0, 0.0],
    ...     "hazard_product": [0.0, 0.0], "hazard_payment": [0.02, 0.0]})
    >>> fix_drops(truth).round(3).to_dict("records")[0]
    {'service': 0.1, 'price': 0.0, 'product': 0.0, 'payment': 0.01}
    """
    moderator = truth["hazard_moderator"].to_numpy()
    components = truth[[f"hazard_{cause}" for cause in FIXABLE]].to_numpy()
    drivers = components / moderator[:, None]
    month = truth["month"].to_numpy()
    means = pd.DataFrame(drivers).groupby(month).transform("mean").to_numpy()
    result = moderator[:, None] * np.maximum(drivers - means, 0.0)
    if clipped:
        total = components.sum(axis=1) + truth["hazard_natural"].to_numpy()
        capped = np.minimum(total, HAZARD_CAP)[:, None]
        result = capped - np.minimum(total[:, None] - result, HAZARD_CAP)
    return pd.DataFrame(result, index=truth.index, columns=list(FIXABLE))
