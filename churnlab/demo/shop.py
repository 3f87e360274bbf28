"""A synthetic online shop: customers, order lines with returns, and when each customer lapsed.

Each customer buys in a rhythm of their own (a mean gap between orders, drawn per customer),
regularly or irregularly (gamma-distributed gaps of shape 4 or 1), more before Christmas and in
early summer. Most stay; the others lapse at a drawn day for one of three reasons:

- ``faded``: the gaps stretch over the last four gaps before the lapse (up to 2.5 times);
- ``bad_experience``: the last order is returned in full, then nothing;
- ``abrupt``: no warning at all.

Besides, 6% of the orders have a line returned (a line with a negative amount and ``kind``
``return``, 3 to 20 days later). The truth file ``truth/shop_customers.parquet`` holds each
customer's mean gap, whether they buy irregularly, and the lapse day (the first day of no
purchases for good) and reason (empty for those still buying at the extract date). The ``churnlab.toml`` states the extract date and the churn
definition, ``[label] definition = "inactivity"`` (no purchase in the horizon).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.demo.files import CONFIG_HEADER, check_demo_folder, customer_ids
from churnlab.demo.spec import DemoSpec
from churnlab.errors import SpecError
from churnlab.files import atomic_path

REASONS = ("faded", "bad_experience", "abrupt")
REASON_SHARES = (0.6, 0.25, 0.15)
LAPSE_MONTHS = 30.0
"""Mean months from signup to a lapse (exponential); many outlive the simulation."""
FADE_GAPS = 4
"""A fading customer's gaps stretch over this many gaps before the lapse."""
RETURN_SHARE = 0.06
"""Share of orders with one line returned."""
CHANNELS = ("web", "app", "marketplace")
REGIONS = ("north", "south", "east", "west")
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, kw_only=True)
class ShopResult:
    """What :func:`generate_shop` wrote."""

    out_dir: Path
    customers: int
    order_lines: int
    lapsed: int
    extract_date: pd.Timestamp

    def __repr__(self) -> str:
        return (
            f"<ShopResult {self.out_dir}: {self.customers:,} customers, {self.order_lines:,} "
            f"order lines, {self.lapsed:,} lapsed by {self.extract_date.date()}>"
        )


def _season(days: np.ndarray | float) -> np.ndarray:
    """How much more than usual customers buy on these days (days since 1970-01-01)."""
    doy = (np.asarray(days) + 0.0) % 365.25
    summer = 0.25 * np.exp(-(((doy - 160) / 25) ** 2))
    christmas = 0.9 * np.exp(-(((doy - 345) / 12) ** 2))
    return 1.0 + summer + christmas


@dataclass(frozen=True)
class _Buyer:
    signup: float
    gap: float
    shape: float
    lapse: float
    reason: int
    basket: float


def _orders_of(b: _Buyer, end: float, rng: np.random.Generator) -> Iterator[tuple[float, bool]]:
    """Order days of one customer up to ``end`` (exclusive), each with whether it is their
    last before a bad-experience lapse."""
    day, last = b.signup + rng.uniform(0, 3), None
    stop = min(b.lapse, end)
    while day < stop:
        stretch = 1.0
        if b.reason == 0 and b.lapse < np.inf:  # faded: gaps stretch as the lapse nears
            nearness = 1.0 - (b.lapse - day) / (FADE_GAPS * b.gap)
            stretch = 1.0 + 1.5 * float(np.clip(nearness, 0.0, 1.0))
        step = rng.gamma(b.shape, b.gap * stretch / b.shape) / float(_season(day))
        last, day = day, day + max(step, 0.5)
        yield last, False
    if b.reason == 1 and b.lapse < end and last is not None:
        yield last, True  # the order that went wrong: returned in full


def _lines(
    cid: int, b: _Buyer, end: float, rng: np.random.Generator, first_order: int
) -> list[tuple[int, str, float, float, int, str, float]]:
    """``(customer, order_id, ordered_at, amount, quantity, kind, recorded_at)`` rows."""
    rows: list[tuple[int, str, float, float, int, str, float]] = []
    orders = list(_orders_of(b, end, rng))
    if orders and orders[-1][1]:
        orders = [*orders[:-2], (orders[-1][0], True)]  # the final order is the bad one
    for k, (day, bad) in enumerate(orders):
        oid = f"O{first_order + k:08d}"
        at = np.floor(day) + rng.uniform(0.3, 0.95)  # the order's day, in the day
        if at >= end:
            break
        n = int(rng.integers(1, 5))
        amounts = np.round(rng.lognormal(np.log(b.basket / n), 0.4, n), 2)
        lag = 0.0 if rng.random() < 0.9 else float(rng.integers(1, 4))
        for amount in amounts:
            rows.append((cid, oid, at, float(amount), int(rng.integers(1, 4)), "sale", at + lag))
        if bad or rng.random() < RETURN_SHARE:
            back = at + float(rng.integers(3, 21))
            if back < end:
                returned = amounts if bad else amounts[:1]
                for amount in returned:
                    rows.append((cid, oid, back, -float(amount), 1, "return", back))
    return rows


def _buyers(rng: np.random.Generator, spec: DemoSpec, start: float, end: float) -> list[_Buyer]:
    n = spec.customers
    signup = np.where(
        rng.random(n) < 0.5, rng.uniform(start - 730, start, n), rng.uniform(start, end - 30, n)
    )
    gap = np.clip(rng.lognormal(np.log(35), 0.6, n), 5, 200)
    shape = np.where(rng.random(n) < 0.3, 1.0, 4.0)
    lapse = signup + rng.exponential(LAPSE_MONTHS * 30.4375, n) + gap
    reason = rng.choice(len(REASONS), n, p=REASON_SHARES)
    basket = rng.lognormal(np.log(45), 0.5, n)
    return [
        _Buyer(float(s), float(g), float(k), float(x), int(r), float(v))
        for s, g, k, x, r, v in zip(signup, gap, shape, lapse, reason, basket, strict=True)
    ]


def _stamp(days: np.ndarray) -> np.ndarray:
    return (np.asarray(days) * 86_400_000_000).astype("int64").astype("datetime64[us]")


def _write(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as partial:
        pq.write_table(table, partial)


def generate_shop(out_dir: str | Path, spec: DemoSpec | None = None) -> ShopResult:
    """Simulate an online shop and write ``customers.parquet``, ``orders.parquet`` (order
    lines), ``truth/shop_customers.parquet`` and ``churnlab.toml``.

    Deterministic for a seed. A folder holding anything but an earlier demo is refused
    (:class:`~churnlab.errors.SpecError`), as for :func:`~churnlab.demo.generate_demo`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = generate_shop(tmp, DemoSpec(customers=200, months=12, seed=1))
    ...     print(result.customers, result.extract_date.date())
    200 2023-12-31
    """
    spec = DemoSpec() if spec is None else spec
    if not isinstance(spec, DemoSpec):
        raise SpecError(f"generate_shop needs a DemoSpec, got {type(spec).__name__}.")
    out = Path(out_dir)
    check_demo_folder(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    start = float((pd.Timestamp(spec.start) - pd.Timestamp(0)).days)
    extract = pd.Timestamp(spec.extract_date)
    end = float((extract - pd.Timestamp(0)).days) + 1.0
    rng = np.random.default_rng(spec.seed)
    buyers = _buyers(rng, spec, start, end)
    rows: list[tuple[int, str, float, float, int, str, float]] = []
    for cid, buyer in enumerate(buyers):
        rows += _lines(cid, buyer, end, rng, len(rows))
    lines = pd.DataFrame(
        rows, columns=["c", "order_id", "at", "amount", "quantity", "kind", "recorded"]
    )
    ids = customer_ids(len(buyers))
    orders = pa.table(
        {
            "customer_id": ids.take(pa.array(lines["c"].to_numpy())),
            "ordered_at": _stamp(lines["at"].to_numpy()),
            "order_id": lines["order_id"],
            "amount": lines["amount"],
            "quantity": lines["quantity"].astype("int32"),
            "kind": lines["kind"],
            "recorded_at": _stamp(np.minimum(lines["recorded"].to_numpy(), end - 1e-6)),
        }
    )
    rng_attr = np.random.default_rng([spec.seed, 1])
    signup = np.array([b.signup for b in buyers])
    customers = pa.table(
        {
            "customer_id": ids,
            "signup_date": _stamp(np.floor(signup)),
            "end_date": pa.nulls(len(buyers), pa.timestamp("us")),
            "channel": np.array(CHANNELS)[rng_attr.integers(0, len(CHANNELS), len(buyers))],
            "region": np.array(REGIONS)[rng_attr.integers(0, len(REGIONS), len(buyers))],
        }
    )
    lapse = np.array([b.lapse for b in buyers])
    lapsed = lapse < end
    truth = pa.table(
        {
            "customer_id": ids,
            "mean_gap_days": np.round([b.gap for b in buyers], 1),
            "irregular": np.array([b.shape == 1.0 for b in buyers]),
            "lapsed_on": pa.array(_stamp(np.floor(lapse) + 1), mask=~lapsed),
            "reason": pa.array(np.array(REASONS)[[b.reason for b in buyers]], mask=~lapsed),
        }
    )
    _write(customers, out / "customers.parquet")
    _write(orders, out / "orders.parquet")
    _write(truth, out / "truth" / "shop_customers.parquet")
    _write_config(out, extract)
    return ShopResult(
        out_dir=out,
        customers=len(buyers),
        order_lines=orders.num_rows,
        lapsed=int(lapsed.sum()),
        extract_date=extract,
    )


def _write_config(out: Path, extract: pd.Timestamp) -> None:
    with atomic_path(out / "churnlab.toml") as partial:
        partial.write_text(
            f"{CONFIG_HEADER}\n"
            "# An online shop: churn is inactivity (no purchase in the horizon); every command\n"
            "# that builds labels reads it from [label] (--churn-definition overrides it).\n"
            "[data]\n"
            f'extract_date = "{extract.date()}"   # last day of the last simulated month\n'
            "\n[label]\n"
            'definition = "inactivity"\n',
            encoding="utf-8",
        )
