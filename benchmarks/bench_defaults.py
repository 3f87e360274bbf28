"""Benchmark: do the default model settings match a grid-searched LightGBM on data they never saw?

The defaults of ``ModelSpec`` were chosen on the demo operator (seed 7, 90-day contract churn).
Here each task is data and a label they were not chosen on: other seeds and sizes of the demo,
a 30-day horizon (rare churn, about 2%) up to a 600-day horizon (common churn, about 25%). For each task the training
cutoffs are split out of time: the model is fitted on the older cutoffs (its own hold-out, the
latest of them, picks the rounds), and every setting of the grid is scored on a *validation*
cutoff; the best one by validation AUC is then compared with the defaults on a *test* cutoff
that neither saw. Each evaluation cutoff is fitted on the twelve month ends (the default) that
end at least a label window before it, so no label window overlaps what it is scored on.

    .venv/bin/python benchmarks/bench_defaults.py                  # 20,000 customers per task
    .venv/bin/python benchmarks/bench_defaults.py --customers 8000     # quicker, noisier

Target (issue "LightGBM churn models"): the defaults match the grid-searched model. Printed: is
the test AUC within 0.005 of it on every task, is it within one standard error (Hanley and
McNeil: the noise of a test set of that size), the mean difference over the tasks, and whether
the difference is within two standard errors of a paired bootstrap (both models score the same
rows, so their difference is less noisy than either AUC).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import churnlab
from churnlab.demo import DemoSpec, generate_demo
from churnlab.labels import LabelSpec
from churnlab.metrics import expected_calibration_error, roc_auc
from churnlab.model import GapWarning, ModelSpec

GRID = [
    {"num_leaves": leaves, "max_depth": depth, "min_child_samples": child, "learning_rate": 0.05}
    for leaves, depth, child in itertools.product((7, 15, 31, 63), (5, 12), (50, 200, 800))
]


@dataclass(frozen=True)
class Task:
    name: str
    seed: int
    months: int
    horizon_days: int


TASKS = (
    Task("seed 11, 30-day horizon (rare churn)", seed=11, months=30, horizon_days=30),
    Task("seed 23, 90-day horizon", seed=23, months=24, horizon_days=90),
    Task("seed 31, 180-day horizon", seed=31, months=36, horizon_days=180),
    Task("seed 41, 365-day horizon (common churn)", seed=41, months=60, horizon_days=365),
    Task("seed 53, 600-day horizon (about 25% churn)", seed=53, months=96, horizon_days=600),
)


def auc_standard_error(auc: float, churned: pd.Series) -> float:
    """Hanley and McNeil's standard error of an AUC on these labels: the test set's noise."""
    n1, n0 = int(churned.sum()), int((~churned).sum())
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)
    return float((var / (n1 * n0)) ** 0.5)


def paired_difference_se(
    churned: pd.Series, first: np.ndarray, second: np.ndarray, *, resamples: int = 400
) -> float:
    """Standard error of AUC(first) - AUC(second) on the same rows (paired bootstrap): the
    two models share the test set, so their difference is less noisy than either AUC."""
    y = churned.to_numpy(dtype=bool)
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        if y[rows].all() or not y[rows].any():
            continue
        diffs.append(roc_auc(y[rows], first[rows]) - roc_auc(y[rows], second[rows]))
    return float(np.std(diffs, ddof=1))


def month_ends(last: pd.Timestamp, count: int) -> list[pd.Timestamp]:
    end = last if last.is_month_end else last - pd.offsets.MonthEnd(1)
    return [(end - pd.offsets.MonthEnd(k)).normalize() for k in range(count - 1, -1, -1)]


def run_task(task: Task, customers: int, folder: Path) -> dict[str, object]:
    generate_demo(folder, DemoSpec(customers=customers, months=task.months, seed=task.seed))
    spec = LabelSpec(horizon_days=task.horizon_days)
    tables = churnlab.load_tables(folder)
    last = tables.extract_date - pd.Timedelta(days=spec.window_days)
    gap = -(-spec.window_days // 28)  # whole months between a label window and later cutoffs
    test = month_ends(last, 1)[0]
    validation = (test - pd.offsets.MonthEnd(gap)).normalize()

    def twelve_before(cutoff: pd.Timestamp) -> list[pd.Timestamp]:
        return month_ends((cutoff - pd.offsets.MonthEnd(gap)).normalize(), 12)

    wanted = sorted({*twelve_before(validation), *twelve_before(test), validation, test})
    frame = churnlab.build_training_frame(tables, spec, cutoffs=wanted, progress=False)
    rows = frame.frame

    def part(keep: list[pd.Timestamp]) -> churnlab.FeatureFrame:
        chosen = rows[rows["cutoff"].isin(keep)].reset_index(drop=True)
        return churnlab.FeatureFrame(
            frame=chosen,
            spec=frame.spec,
            cutoffs=tuple(keep),
            features=frame.features,
            vocabulary=frame.vocabulary,
            labelled=True,
        )

    fit_for_validation, fit_for_test = part(twelve_before(validation)), part(twelve_before(test))
    valid_rows, test_rows = part([validation]).frame, part([test]).frame

    def fit(settings: dict[str, object], data: churnlab.FeatureFrame) -> churnlab.ChurnModel:
        return churnlab.train(data, ModelSpec(**settings), progress=False)  # type: ignore[arg-type]

    start = time.perf_counter()
    scored = []
    for settings in GRID:
        model = fit(settings, fit_for_validation)
        scored.append((roc_auc(valid_rows["churned"], model.predict_proba(valid_rows)), settings))
    best_valid, best = max(scored, key=lambda s: s[0])
    search_s = time.perf_counter() - start
    result: dict[str, object] = {
        "task": task.name,
        "test rows": len(test_rows),
        "test churn": float(test_rows["churned"].mean()),
        "search s": search_s,
        "best": best,
        "best validation AUC": best_valid,
    }
    predictions = {}
    for label, settings in (("default", {}), ("grid", best)):
        model = fit(settings, fit_for_test)
        p = predictions[label] = np.asarray(model.predict_proba(test_rows))
        result[f"{label} AUC"] = roc_auc(test_rows["churned"], p)
        result[f"{label} ECE"] = expected_calibration_error(test_rows["churned"], p, bins=15)
        result[f"{label} trees"] = model.n_trees
    result["AUC SE"] = auc_standard_error(float(result["default AUC"]), test_rows["churned"])  # type: ignore[arg-type]
    result["paired SE"] = paired_difference_se(
        test_rows["churned"], predictions["default"], predictions["grid"]
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, nargs="*", help="run only these tasks (0-based)")
    args = parser.parse_args()
    # Long horizons leave no cutoff a label window before the hold-out: train says so each time.
    warnings.simplefilter("ignore", GapWarning)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, task in enumerate(TASKS):
            if args.tasks and i not in args.tasks:
                continue
            results.append(run_task(task, args.customers, Path(tmp) / f"task{i}"))
    print(f"\n{args.customers:,} customers per task; grid of {len(GRID)} settings (+ defaults)")
    print(
        f"{'task':42} {'test rows':>9} {'churn':>6} {'default AUC':>11} {'grid AUC':>9} "
        f"{'diff':>7} {'AUC SE':>7} {'paired':>7} {'def ECE':>8} {'grid ECE':>8}  "
        "best setting by validation AUC"
    )
    for r in results:
        diff = float(r["default AUC"]) - float(r["grid AUC"])  # type: ignore[arg-type]
        print(
            f"{r['task']:42} {r['test rows']:9,} {r['test churn']:6.1%} "
            f"{r['default AUC']:11.4f} {r['grid AUC']:9.4f} {diff:+7.4f} {r['AUC SE']:7.4f} "
            f"{r['paired SE']:7.4f} "
            f"{r['default ECE']:8.4f} {r['grid ECE']:8.4f}  {r['best']}"
        )
    worst = min(
        float(r["default AUC"]) - float(r["grid AUC"])  # type: ignore[arg-type]
        for r in results
    )
    mean = sum(
        float(r["default AUC"]) - float(r["grid AUC"])  # type: ignore[arg-type]
        for r in results
    ) / len(results)
    within_noise = all(
        float(r["default AUC"]) - float(r["grid AUC"]) >= -float(r["AUC SE"])  # type: ignore[arg-type]
        for r in results
    )
    not_worse = all(
        float(r["default AUC"]) - float(r["grid AUC"]) >= -2 * float(r["paired SE"])  # type: ignore[arg-type]
        for r in results
    )
    print(
        f"\nworst default - grid test AUC: {worst:+.4f}; within 0.005 on every task: "
        f"{'met' if worst >= -0.005 else 'NOT met'}; within one standard error on every task: "
        f"{'met' if within_noise else 'NOT met'}; mean over the tasks {mean:+.4f}\n"
        f"not significantly worse on any task (difference above -2 paired standard errors): "
        f"{'met' if not_worse else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
