"""Order lines into bills: what an online shop's ``orders`` table becomes once loaded.

A shop exports one row per order line (``customer_id``, ``ordered_at``, ``amount``; optionally
``order_id``, ``quantity``, ``kind``, ``recorded_at``). churnlab makes them bills, the table
every feature and label reads: one bill per customer and order (per customer and day when the
lines carry no ``order_id``), its amount the sum of the order's line amounts. Lines that
return money (a negative ``amount``, or a ``kind`` such as ``refund``) make refund bills of
their own, with a positive amount and ``refund`` true (the shared convention: a bill's amount
is never negative). Each bill also keeps ``order_lines``, how many lines made it: the mark of
shop-shaped data, which turns on the purchases family
(:mod:`churnlab.features.families.purchases`).
"""

from __future__ import annotations

import pandas as pd

from churnlab.tables.config import DEFAULT_REFUND_KINDS


def refund_lines(orders: pd.DataFrame, kinds: tuple[str, ...] = DEFAULT_REFUND_KINDS) -> pd.Series:
    """Which order lines return money: a negative amount, or a ``kind`` among ``kinds``
    (``[data] refund_kinds``, trimmed, any case).

    >>> lines = pd.DataFrame({"amount": [10.0, -4.0, 3.0], "kind": ["sale", "sale", "Return"]})
    >>> refund_lines(lines).tolist()
    [False, True, True]
    """
    refund = orders["amount"] < 0
    if "kind" in orders:
        words = orders["kind"].astype("str").str.strip().str.lower()
        refund |= words.isin([k.lower() for k in kinds]) & orders["kind"].notna()
    return refund.fillna(False).astype(bool)


def bills_from_orders(
    orders: pd.DataFrame, kinds: tuple[str, ...] = DEFAULT_REFUND_KINDS
) -> pd.DataFrame:
    """Bills from order lines: one per customer, order (or day) and direction (sale or refund).

    ``bill_date`` is the order's first line time, ``amount`` the absolute sum of its lines,
    ``recorded_at`` (when the lines carry it) the last line's, so that a bill counts only
    once every line of it was known. Rows come in customer, date order.

    Examples
    --------
    >>> lines = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "ordered_at": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-09", "2024-01-03"]),
    ...     "order_id": ["o1", "o1", "o1", "o2"],
    ...     "amount": [20.0, 5.0, -5.0, 12.5]})
    >>> bills_from_orders(lines)[["customer_id", "bill_date", "amount", "refund", "order_lines"]]
      customer_id  bill_date  amount  refund  order_lines
    0           a 2024-01-02    25.0   False            2
    1           a 2024-01-09     5.0    True            1
    2           b 2024-01-03    12.5   False            1
    """
    lines = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].astype("str"),
            "order": (
                orders["order_id"].astype("str")
                if "order_id" in orders
                else orders["ordered_at"].dt.normalize().astype("str")
            ),
            "refund": refund_lines(orders, kinds).to_numpy(),
            "bill_date": orders["ordered_at"],
            "amount": orders["amount"].astype("float64").abs(),
        },
        index=orders.index,
    )
    how: dict[str, tuple[str, str]] = {
        "bill_date": ("bill_date", "min"),
        "amount": ("amount", "sum"),
        "order_lines": ("amount", "size"),
    }
    if "recorded_at" in orders:
        lines["recorded_at"] = orders["recorded_at"].fillna(orders["ordered_at"])
        how["recorded_at"] = ("recorded_at", "max")
    bills = lines.groupby(["customer_id", "order", "refund"], sort=False, observed=True).agg(**how)
    bills = bills.reset_index().drop(columns="order")
    bills["order_lines"] = bills["order_lines"].astype("int32")
    columns = ["customer_id", "bill_date", "amount", *(["recorded_at"] * ("recorded_at" in how))]
    out = bills[[*columns, "refund", "order_lines"]]
    return out.sort_values(["customer_id", "bill_date", "refund"], kind="stable").reset_index(
        drop=True
    )


def with_order_bills(
    bills: pd.DataFrame | None,
    orders: pd.DataFrame,
    kinds: tuple[str, ...] = DEFAULT_REFUND_KINDS,
) -> pd.DataFrame:
    """The bills of a data directory together with those its order lines make.

    Bills of their own (a shop exporting both) keep their rows; ``refund`` is false and
    ``order_lines`` missing where they lacked them.

    >>> lines = pd.DataFrame({"customer_id": ["a"], "ordered_at": pd.to_datetime(["2024-01-02"]),
    ...                       "amount": [9.0]})
    >>> with_order_bills(None, lines)[["customer_id", "amount", "refund"]].to_dict("records")
    [{'customer_id': 'a', 'amount': 9.0, 'refund': False}]
    """
    made = bills_from_orders(orders, kinds)
    if bills is None or bills.empty:
        return made
    own = bills.assign(customer_id=bills["customer_id"].astype("str"))
    if "refund" not in own:
        own["refund"] = False
    both = pd.concat([own, made], ignore_index=True)
    both["refund"] = both["refund"].fillna(False).astype(bool)
    both["order_lines"] = both["order_lines"].astype("Int32")
    return both
