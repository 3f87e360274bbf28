"""Purchases: an online shop's buying rhythm (recency, frequency, money and the gaps between
purchases), for shop-shaped data.

Its features read bills made from order lines (:mod:`churnlab.tables.orders`): they need the
``order_lines`` column those bills carry, so the family is off for a telecom's monthly bills
(where a purchase rhythm says nothing: every bill is a month apart). A purchase is a bill that
is not a refund; purchase *days* (one or more purchases on a day) make the gaps. Every window
keeps to the rows dated and recorded up to the cutoff (the scans' helpers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from churnlab.features.definitions import known_at
from churnlab.features.family import Feature, FeatureFamily, Scans, counted, entry, say
from churnlab.labels.window import CutoffBounds

if TYPE_CHECKING:
    from churnlab.features.prepare import Prepared

PURCHASE_WINDOWS = (30, 90, 365)
"""Purchases are counted over these many days up to the cutoff."""
_NEEDS = ("order_lines",)
_FEW = ("fewer than two purchase days yet", "购买天数不足两天")
_NONE = ("no purchase on record", "没有购买记录")


def _purchase(
    name: str,
    description: str,
    texts: dict[str, dict[str, str]],
    *,
    category: str = "engagement",
    **options: Any,
) -> Feature:
    return entry(
        "purchases", "bills", category, name, description, texts, requires=_NEEDS, **options
    )


def _windows() -> tuple[Feature, ...]:
    return tuple(
        _purchase(
            f"purchases_{days}d",
            f"purchases (orders, refunds aside) in the last {days} days",
            counted("purchase", "purchases", "购买", f"in the last {days} days", f"近{days}天"),
            group="purchase_frequency",
            kind="count",
        )
        for days in PURCHASE_WINDOWS
    )


def _sales(rows: ir.Table, condition: ir.BooleanValue | None = None) -> ir.BooleanValue | None:
    """``condition`` on the purchases (bills that are not refunds); ``None``: every row."""
    if "refund" not in rows.columns:  # no refunds in the data
        return condition
    sale = ~rows.refund
    return sale if condition is None else sale & condition


class Purchases(FeatureFamily):
    """Purchases in 30, 90 and 365 days; spend over a year and a lifetime; the average order;
    the mean and the last gap between purchase days, the last against the mean and the time
    since the last purchase against the mean; the share of refunds; days since the first
    purchase (the time since the last is ``months_since_last_bill``)."""

    name = "purchases"
    table = "bills"
    entries = (
        *_windows(),
        _purchase(
            "purchase_spend_365d",
            "spend on purchases in the last 365 days",
            say(
                "spent {value} in the last year",
                "近一年消费{value}",
                zero=("no purchase in the last year", "近一年没有购买"),
            ),
            unit="money",
            group="purchase_value",
            category="price",
        ),
        _purchase(
            "purchase_spend_lifetime",
            "spend on purchases since the first",
            say("spent {value} in all", "累计消费{value}", zero=_NONE),
            unit="money",
            group="purchase_value",
            category="price",
        ),
        _purchase(
            "average_order_value",
            "average amount of a purchase",
            say("orders {value} on average", "平均每单{value}", missing=_NONE),
            unit="money",
            group="purchase_value",
            category="price",
        ),
        _purchase(
            "purchase_gap_mean_days",
            "mean days between purchase days",
            say("buys every {value} days on average", "平均每{value}天购买一次", missing=_FEW),
            unit="days",
            group="purchase_rhythm",
        ),
        _purchase(
            "purchase_gap_last_days",
            "days between the last two purchase days",
            say(
                "last gap between purchases {value} days", "最近两次购买相隔{value}天", missing=_FEW
            ),
            unit="days",
            group="purchase_rhythm",
        ),
        _purchase(
            "purchase_gap_last_ratio",
            "the last gap between purchase days over the customer's mean gap",
            say(
                "last gap between purchases {direction} {pct_change} on their usual",
                "最近购买间隔较平时{direction}{pct_change}",
                missing=_FEW,
            ),
            unit="ratio",
            group="purchase_rhythm",
        ),
        _purchase(
            "purchase_overdue_ratio",
            "days since the last purchase over the customer's mean gap between purchase days",
            say(
                "{value} times their usual gap since the last purchase",
                "距上次购买已达平时间隔的{value}倍",
                missing=_FEW,
            ),
            unit="number",
            group="purchase_rhythm",
        ),
        _purchase(
            "refund_share",
            "refunds per purchase since the first",
            say(
                "{value} refunds per purchase",
                "每次购买退款{value}次",
                zero=("no refund", "没有退款"),
                missing=_NONE,
            ),
            unit="ratio",
            group="refunds",
            category="product",
        ),
        _purchase(
            "days_since_first_purchase",
            "days since the first purchase",
            say(
                "first purchase {value} days ago",
                "首次购买在{value}天前",
                en_one="first purchase {value} day ago",
                missing=_NONE,
            ),
            unit="days",
            group="purchase_age",
            category="tenure",
        ),
    )

    def aggregate(self, scans: Scans, c: CutoffBounds) -> None:
        bills = scans["bills"]
        b = bills.rows
        sale = _sales(b)
        bills.add(
            **{
                f"purchases_{days}d": bills.count(_sales(b, bills.in_last_days(days)))
                for days in PURCHASE_WINDOWS
            },
            purchase_spend_365d=bills.only(b.amount, _sales(b, bills.in_last_days(365))).sum(),
            purchase_spend_lifetime=bills.only(b.amount, sale).sum(),
            purchase_count=bills.only(b.day, sale).count(),  # count(None) has no column
            purchase_day_count=bills.only(b.day, sale).nunique(),
            first_purchase_day=bills.only(b.day, sale).min(),
            last_purchase_day=bills.only(b.day, sale).max(),
        )

    def second_pass(
        self, prep: Prepared, c: CutoffBounds, first: Mapping[str, ir.Table]
    ) -> ir.Table | None:
        """Per customer, the purchase day before the last (with two purchase days or more)
        and the refunds known at the cutoff (``prep.refunds``: the loaded bills' refund rows,
        which every other family leaves out)."""
        last = first.get("bills")
        if prep.bills is None or last is None or "last_purchase_day" not in last.columns:
            return None
        bills = prep.bills
        many = last.filter(last.purchase_day_count >= 2).select("key", "last_purchase_day")
        joined = bills.inner_join(many, "key")
        before = joined.filter(
            _sales(joined, known_at(joined, c) & (joined.day < joined.last_purchase_day))
        )
        day_type = before.day.type()
        parts = [before.select("key", day=before.day, refund=ibis.literal(0))]
        if prep.refunds is not None:
            refunds = prep.refunds.filter(known_at(prep.refunds, c))
            parts.append(refunds.select("key", day=ibis.null(day_type), refund=ibis.literal(1)))
        rows = ibis.union(*parts) if len(parts) > 1 else parts[0]
        return rows.group_by("key").aggregate(
            previous_purchase_day=rows.day.max(), refund_count=rows.refund.sum()
        )

    def derive(self, t: ir.Table, c: CutoffBounds) -> dict[str, ir.Value]:
        if "last_purchase_day" not in t.columns:
            return {}
        nothing = ibis.null("float64")
        bought = t.purchase_count.fill_null(0)
        days = t.purchase_day_count.fill_null(0)
        refunds = t.refund_count.fill_null(0) if "refund_count" in t.columns else ibis.literal(0)
        several = days >= 2
        mean_gap = several.ifelse(
            (t.last_purchase_day - t.first_purchase_day) / (days - 1).cast("float64"), nothing
        )
        last_gap = several.ifelse(
            (t.last_purchase_day - t.previous_purchase_day).cast("float64"), nothing
        )
        return {
            "purchase_spend_365d": t.purchase_spend_365d.fill_null(0.0),
            "purchase_spend_lifetime": t.purchase_spend_lifetime.fill_null(0.0),
            "average_order_value": (bought > 0).ifelse(
                t.purchase_spend_lifetime / bought.cast("float64"), nothing
            ),
            "purchase_gap_mean_days": mean_gap,
            "purchase_gap_last_days": last_gap,
            "purchase_gap_last_ratio": last_gap / mean_gap,
            "purchase_overdue_ratio": (ibis.literal(c.day) - t.last_purchase_day) / mean_gap,
            "refund_share": (bought > 0).ifelse(refunds / bought.cast("float64"), nothing),
            "days_since_first_purchase": (ibis.literal(c.day) - t.first_purchase_day).cast(
                "float64"
            ),
        }
