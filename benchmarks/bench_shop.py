"""Benchmark: what the purchases family adds, on the shop demo and on the telecom demo.

For each data set, the out-of-time hold-out ROC-AUC (the latest cutoff, as ``churnlab train``
holds it out) of:

- the default model (:func:`churnlab.model.train`) with the purchases family;
- the default model without it (its columns dropped from the same frame);
- recency alone: a logistic regression on ``months_since_last_bill`` (the time since the last
  purchase), fitted on the earlier cutoffs;
- a plain RFM logistic regression: recency, purchases in 365 days, spend in 365 days.

The telecom demo's bills are monthly and carry no order lines, so the family is off there; to
measure it anyway the bills are given ``order_lines = 1`` in memory (each bill one purchase).
The same run times the telecom training frame's build with and without the family (median of
``--repeats`` builds).

    .venv/bin/python benchmarks/bench_shop.py                     # shop 20,000 x 36 months
    .venv/bin/python benchmarks/bench_shop.py --telecom benchmarks/out/demo_50000_36
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from churnlab.demo import DemoSpec, generate_demo
from churnlab.demo.shop import generate_shop
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.features.families import Purchases
from churnlab.labels import LabelSpec
from churnlab.metrics import roc_auc
from churnlab.model import ModelSpec, train
from churnlab.tables import Tables, load_tables

HERE = Path(__file__).resolve().parent
FAMILY = {f.name for f in Purchases.entries}
RECENCY = ["months_since_last_bill"]
RFM = ["months_since_last_bill", "purchases_365d", "purchase_spend_365d"]


def without_family(frame: FeatureFrame) -> FeatureFrame:
    kept = tuple(f for f in frame.features if f.name not in FAMILY)
    return dataclasses.replace(
        frame, frame=frame.frame.drop(columns=sorted(FAMILY & set(frame.frame))), features=kept
    )


def logistic_auc(frame: pd.DataFrame, columns: list[str]) -> float:
    """Hold-out AUC of a logistic regression on ``columns`` (missing: the column's maximum,
    i.e. no purchase yet is the longest wait), fitted on the cutoffs before the last."""
    last = frame["cutoff"].max()
    x = frame[columns].astype("float64")
    x = x.fillna(x.max())
    y = frame["churned"].to_numpy()
    fit, held = (frame["cutoff"] < last).to_numpy(), (frame["cutoff"] == last).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(x[fit], y[fit])
    return float(roc_auc(y[held], model.predict_proba(x[held])[:, 1]))


def figures(name: str, frame: FeatureFrame) -> dict[str, float]:
    spec = ModelSpec()
    with_auc = train(frame, spec, progress=False).card_.auc("model")
    without_auc = train(without_family(frame), spec, progress=False).card_.auc("model")
    out = {
        "with family": float(with_auc or np.nan),
        "without family": float(without_auc or np.nan),
        "recency alone": logistic_auc(frame.frame, RECENCY),
        "RFM logistic": logistic_auc(frame.frame, RFM),
    }
    rows, churn = len(frame.frame), frame.frame["churned"].mean()
    print(f"\n{name}: {rows:,} rows over {len(frame.cutoffs)} cutoffs, churn {churn:.1%}")
    for label, auc in out.items():
        print(f"  {label:<16} hold-out AUC {auc:.4f}")
    print(
        f"  margin of the model with the family over recency alone: "
        f"{out['with family'] - out['recency alone']:+.4f}"
    )
    return out


def as_shop(tables: Tables) -> Tables:
    """The telecom bills as purchases (one order line each): the family turns on."""
    assert tables.bills is not None
    return dataclasses.replace(tables, bills=tables.bills.assign(order_lines=np.int32(1)))


def build_seconds(tables: Tables, spec: LabelSpec, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        build_training_frame(tables, spec, progress=False)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000, help="shop customers")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--telecom", type=Path, default=None, help="a telecom demo folder")
    parser.add_argument("--telecom-customers", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3, help="timed feature builds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shop_dir = Path(tmp) / "shop"
        generate_shop(shop_dir, DemoSpec(customers=args.customers, months=args.months))
        shop = load_tables(shop_dir)
        inactivity = LabelSpec(definition="inactivity")
        figures(
            f"shop {args.customers:,} x {args.months}",
            build_training_frame(shop, inactivity, progress=False),
        )
        telecom_dir = args.telecom
        if telecom_dir is None:
            telecom_dir = Path(tmp) / "telecom"
            generate_demo(telecom_dir, DemoSpec(customers=args.telecom_customers, months=36))
        telecom = load_tables(telecom_dir)
        contract = LabelSpec()
        forced = as_shop(telecom)
        figures(
            f"telecom {telecom_dir.name} (bills as purchases)",
            build_training_frame(forced, contract, progress=False),
        )
        plain_s = build_seconds(telecom, contract, args.repeats)
        forced_s = build_seconds(forced, contract, args.repeats)
        print(
            f"\ntelecom training frame build (12 cutoffs), median of {args.repeats}: "
            f"{plain_s:.2f} s without the family, {forced_s:.2f} s with it "
            f"({forced_s / plain_s - 1:+.0%})"
        )


if __name__ == "__main__":
    main()
