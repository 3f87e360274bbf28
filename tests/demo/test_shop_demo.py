"""The shop demo: deterministic, loadable, with returns, and lapses that show in the gaps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.demo import DemoSpec
from churnlab.demo.shop import generate_shop
from churnlab.tables import load_tables

SMALL = DemoSpec(customers=300, months=12, seed=3)


def test_the_cli_writes_a_shop_that_loads_with_refunds(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    args = ["demo-data", str(out), "--kind", "shop", "--customers", "150", "--months", "6"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ShopResult" in result.output
    tables = load_tables(out)
    assert tables.bills is not None and tables.complaints is None
    assert tables.bills["refund"].any() and (tables.bills["amount"] >= 0).all()
    assert "inactivity" in (out / "churnlab.toml").read_text()


def test_the_same_seed_writes_the_same_shop(tmp_path: Path) -> None:
    generate_shop(tmp_path / "a", SMALL)
    generate_shop(tmp_path / "b", SMALL)
    for name in ("customers.parquet", "orders.parquet", "truth/shop_customers.parquet"):
        assert pq.read_table(tmp_path / "a" / name).equals(pq.read_table(tmp_path / "b" / name))
    other = generate_shop(tmp_path / "c", DemoSpec(customers=300, months=12, seed=4))
    assert not pq.read_table(other.out_dir / "orders.parquet").equals(
        pq.read_table(tmp_path / "a" / "orders.parquet")
    )


def test_lapsed_customers_buy_nothing_after_their_lapse_and_faders_slow_down(
    tmp_path: Path,
) -> None:
    result = generate_shop(tmp_path / "s", DemoSpec(customers=600, months=24, seed=5))
    truth = pd.read_parquet(result.out_dir / "truth" / "shop_customers.parquet")
    orders = pd.read_parquet(result.out_dir / "orders.parquet")
    sales = orders[orders["kind"] == "sale"].drop_duplicates("order_id")
    last = sales.groupby("customer_id")["ordered_at"].max()
    lapsed = truth.dropna(subset=["lapsed_on"]).set_index("customer_id")
    bought = lapsed.index.intersection(last.index)
    assert (last[bought] < lapsed.loc[bought, "lapsed_on"]).all()
    assert set(lapsed["reason"]) <= {"faded", "bad_experience", "abrupt"}
    # A fading customer's last gap is longer than their mean gap, more often than not.
    faded = lapsed.index[lapsed["reason"] == "faded"]
    days = sales[sales["customer_id"].isin(faded)].groupby("customer_id")["ordered_at"]
    gaps = days.apply(lambda s: s.sort_values().diff().dt.days.dropna())
    ratio = gaps.groupby(level=0).apply(lambda g: g.iloc[-1] / g.mean() if len(g) > 2 else None)
    assert ratio.dropna().median() > 1.2
