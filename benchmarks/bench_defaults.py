"""Benchmark: do the default model settings match a grid-searched LightGBM at every data size?

The defaults (``min_child_samples`` scaled with the training rows and churners, the rest
fixed) must stay within 0.005 test AUC of a grid search at 3,000, 10,000 and 100,000
training rows, and with rare (2%) and common (25%) churn. The data are a demo operator with a
seed the defaults were not chosen on (``--seed``, default 29: the fixed settings were chosen
on seed 7, the churners per leaf of ``min_child_samples`` on seed 19) at several quarterly
cutoffs. Its customers are split three ways (60% train, 20% validation, 20% test), so one
customer never sits on two sides. Each task draws its training rows from the train customers
(churners and others drawn separately for the task's churn rate; "snapshot" tasks from one
cutoff, so :func:`churnlab.train` uses its nested stratified folds), and the validation and
test rows from theirs at the same churn rate. Every grid setting is trained on the training
rows and scored on validation; the best by validation AUC and the defaults are then compared
on the test rows, which neither saw.

    .venv/bin/python benchmarks/bench_defaults.py                        # 40,000 customers
    .venv/bin/python benchmarks/bench_defaults.py --customers 8000 --tasks 0 1   # quicker

Tasks under 20,000 rows are repeated over ``--draws`` draws of the training rows (a grid of
12 fits of a 3,000-row sample also picks the luckiest fit: one draw overstates the gap).
Printed per task (means over the draws): the test AUC of the defaults and of the grid's pick,
their difference and its standard error (over the draws; with one draw the paired bootstrap
one), the test AUC's standard error (Hanley and McNeil), the paired bootstrap standard error
of the difference on one test set (both models score the same rows), and the defaults'
``min_child_samples``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

import churnlab
from churnlab.demo import DemoSpec, generate_demo
from churnlab.errors import ChurnlabWarning
from churnlab.labels import LabelSpec
from churnlab.metrics import roc_auc
from churnlab.model import ModelSpec

GRID = [
    {"min_child_samples": child, "num_leaves": leaves}
    for leaves in (15, 31)
    for child in (5, 20, 50, 100, 200, 400)
]
"""A modest grid around the defaults: leaf size (the setting that scales) and leaf count."""
CUTOFFS = 6
SHARES = (0.6, 0.2, 0.2)
TEST_ROWS = 30_000
"""Validation and test rows at most per task (their noise is printed beside each figure)."""


@dataclass(frozen=True)
class Task:
    name: str
    rows: int
    churn: float | None  # None: the data's own rate
    snapshot: bool = False


TASKS = (
    Task("3,000 rows, one cutoff (snapshot)", 3_000, None, snapshot=True),
    Task("3,000 rows", 3_000, None),
    Task("10,000 rows", 10_000, None),
    Task("100,000 rows", 100_000, None),
    Task("10,000 rows, rare churn (2%)", 10_000, 0.02),
    Task("10,000 rows, common churn (25%)", 10_000, 0.25),
)


def auc_standard_error(auc: float, churned: np.ndarray) -> float:
    """Hanley and McNeil's standard error of an AUC on these labels: the test set's noise."""
    n1, n0 = int(churned.sum()), int((~churned).sum())
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)
    return float((var / (n1 * n0)) ** 0.5)


def paired_difference_se(
    y: np.ndarray, first: np.ndarray, second: np.ndarray, *, resamples: int = 300
) -> float:
    """Standard error of AUC(first) - AUC(second) on the same rows (paired bootstrap)."""
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        if y[rows].all() or not y[rows].any():
            continue
        diffs.append(roc_auc(y[rows], first[rows]) - roc_auc(y[rows], second[rows]))
    return float(np.std(diffs, ddof=1))


def build(folder: Path, customers: int, seed: int) -> churnlab.FeatureFrame:
    """The demo operator's training frame at quarterly cutoffs (90-day contract churn)."""
    generate_demo(folder, DemoSpec(customers=customers, months=36, seed=seed))
    tables = churnlab.load_tables(folder)
    spec = LabelSpec()
    last = tables.extract_date - pd.Timedelta(days=spec.window_days)
    last = last if last.is_month_end else last - pd.offsets.MonthEnd(1)
    cutoffs = [(last - pd.offsets.MonthEnd(3 * k)).normalize() for k in range(CUTOFFS)][::-1]
    return churnlab.build_training_frame(tables, spec, cutoffs=cutoffs, progress=False)


def draw(rows: pd.DataFrame, n: int, churn: float | None, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` rows (at most) at churn rate ``churn``, churners and others drawn separately."""
    y = rows["churned"].to_numpy(dtype=bool)
    rate = float(y.mean()) if churn is None else churn
    churners, others = np.flatnonzero(y), np.flatnonzero(~y)
    n = min(n, int(len(churners) / rate), int(len(others) / (1 - rate)))
    k = round(n * rate)
    chosen = np.concatenate(
        [rng.choice(churners, k, replace=False), rng.choice(others, n - k, replace=False)]
    )
    return rows.iloc[np.sort(chosen)].reset_index(drop=True)


def run_task(
    task: Task, frame: churnlab.FeatureFrame, part: pd.Series, seeds: tuple[int, int]
) -> dict[str, object]:
    rng = np.random.default_rng(seeds)
    rows = frame.frame
    train_rows = rows[part == 0]
    if task.snapshot:
        train_rows = train_rows[train_rows["cutoff"] == train_rows["cutoff"].max()]
    fit_rows = draw(train_rows, task.rows, task.churn, rng)
    valid = draw(rows[part == 1], TEST_ROWS, task.churn, rng)
    test = draw(rows[part == 2], TEST_ROWS, task.churn, rng)
    fit_frame = replace(
        frame,
        frame=fit_rows,
        cutoffs=tuple(sorted(pd.DatetimeIndex(fit_rows["cutoff"].unique()))),
    )

    def fit(settings: dict[str, int]) -> churnlab.ChurnModel:
        return churnlab.train(fit_frame, ModelSpec(**settings), progress=False)  # type: ignore[arg-type]

    start = time.perf_counter()
    scored = []
    for settings in GRID:
        model = fit(settings)
        scored.append((roc_auc(valid["churned"], model.predict_proba(valid)), settings))
    best_valid, best = max(scored, key=lambda s: s[0])
    search_s = time.perf_counter() - start
    y = test["churned"].to_numpy(dtype=bool)
    default_model = fit({})
    grid_model = fit(best)
    p_default = np.asarray(default_model.predict_proba(test))
    p_grid = np.asarray(grid_model.predict_proba(test))
    auc_default, auc_grid = roc_auc(y, p_default), roc_auc(y, p_grid)
    return {
        "task": task.name,
        "train rows": len(fit_rows),
        "train churn": float(fit_rows["churned"].mean()),
        "test rows": len(test),
        "default AUC": auc_default,
        "grid AUC": auc_grid,
        "diff": auc_default - auc_grid,
        "AUC SE": auc_standard_error(auc_default, y),
        "paired SE": paired_difference_se(y, p_default, p_grid),
        "default leaf": default_model.card_.lightgbm_params["min_data_in_leaf"],
        "best": best,
        "best validation AUC": best_valid,
        "search s": search_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--tasks", type=int, nargs="*", help="run only these tasks (0-based)")
    parser.add_argument("--seed", type=int, default=29, help="the demo's seed")
    parser.add_argument(
        "--draws", type=int, default=3, help="draws of the training rows per task under 20,000"
    )
    args = parser.parse_args()
    # Small tasks warn (too little data, no gap before the hold-out): expected here.
    warnings.simplefilter("ignore", ChurnlabWarning)
    with tempfile.TemporaryDirectory() as tmp:
        frame = build(Path(tmp), args.customers, args.seed)
    customers = frame.frame["customer_id"].astype(str)
    codes, unique = pd.factorize(customers)
    share = np.random.default_rng(args.seed).permutation(len(unique)) / len(unique)
    part = pd.Series(np.digitize(share, np.cumsum(SHARES)[:-1])[codes], index=frame.frame.index)
    results = []
    for i, task in enumerate(TASKS):
        if args.tasks and i not in args.tasks:
            continue
        draws = 1 if task.rows > 20_000 else args.draws
        runs = [run_task(task, frame, part, (args.seed, k)) for k in range(draws)]
        diffs = np.array([float(r["diff"]) for r in runs])  # type: ignore[arg-type]
        r = dict(runs[0])
        for key in ("default AUC", "grid AUC", "diff", "AUC SE", "paired SE", "search s"):
            r[key] = float(np.mean([float(x[key]) for x in runs]))  # type: ignore[arg-type]
        # Over several draws of the training rows, the noise of the mean difference is the
        # spread of the draws' differences (training luck and test noise together).
        r["draws"] = draws
        r["diff SE"] = float(diffs.std(ddof=1) / np.sqrt(draws)) if draws > 1 else r["paired SE"]
        r["best"] = "; ".join(str(x["best"]) for x in runs)
        results.append(r)
        print(f"  {r['task']}: {diffs.round(4).tolist()} ({r['search s']:.0f} s each)", flush=True)
    print(
        f"\ndemo seed {args.seed}, {args.customers:,} customers, {CUTOFFS} quarterly cutoffs; "
        f"grid of {len(GRID)} settings (+ defaults)"
    )
    print(
        f"{'task':36} {'train':>7} {'churn':>6} {'test':>6} {'draws':>5} {'default':>8} "
        f"{'grid':>7} {'diff':>7} {'diff SE':>7} {'AUC SE':>7} {'paired':>7} {'leaf':>5}  "
        "grid's pick by validation AUC (per draw)"
    )
    for r in results:
        print(
            f"{r['task']:36} {r['train rows']:7,} {r['train churn']:6.1%} {r['test rows']:6,} "
            f"{r['draws']:5} {r['default AUC']:8.4f} {r['grid AUC']:7.4f} {r['diff']:+7.4f} "
            f"{r['diff SE']:7.4f} {r['AUC SE']:7.4f} {r['paired SE']:7.4f} "
            f"{r['default leaf']:5}  {r['best']}"
        )
    worst = min(float(r["diff"]) for r in results)  # type: ignore[arg-type]
    significant = [
        r["task"]
        for r in results
        if float(r["diff"]) < -2 * float(r["diff SE"])  # type: ignore[arg-type]
    ]
    print(
        f"\nworst mean default - grid test AUC: {worst:+.4f}; within 0.005 on every task: "
        f"{'met' if worst >= -0.005 else 'NOT met'}; significantly worse (below -2 standard "
        f"errors of the difference) on: {', '.join(map(str, significant)) or 'no task'}"
    )


if __name__ == "__main__":
    main()
