"""Benchmark: exact SHAP values (and top-3 reasons, where this checkout has them) of the default
churn model on the demo operator, beside the plain ``predict`` of the same rows.

Each timed step is a whole process (Python start, imports, loading the model and the features,
SHAP values, reasons) run under ``/usr/bin/time -v`` for its peak memory; figures are medians
of ``--repeats`` runs. The features of every active customer at the extract date are built once
and kept in a Parquet file (their build time is printed), so that the SHAP runs time the
explanation, not the feature query; ``churnlab explain`` is also timed end to end (features,
SHAP values, pictures and tables). The model is trained once (``churnlab train``, default
settings) and kept under benchmarks/out/.

    .venv/bin/python benchmarks/bench_explain.py                 # the 1,000,000-customer demo
    .venv/bin/python benchmarks/bench_explain.py --data benchmarks/out/demo_50000_36 --repeats 1

Targets (issue "SHAP explanations and per-customer reasons"):
- SHAP values plus top-3 reasons for 100,000 customers < 30 s (default model, 1M customers);
- all ~1,000,000 active customers < 5 min and < 4 GB, in chunks with a progress bar;
- values plus base value equal the raw score to 1e-6 on every customer.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_DATA = HERE / "out" / "demo_1000000_36"
SAMPLE = 100_000


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and standard output of one process."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    peak_kb = int(match.group(1)) if match else 0
    return wall, peak_kb / 1024, proc.stdout


def medians(cmd: list[str], repeats: int) -> tuple[float, float, list[dict]]:
    """Median wall seconds and peak MB, and the JSON line each run printed last (if any)."""
    runs = [timed(cmd) for _ in range(repeats)]
    printed = []
    for _, _, out in runs:
        lines = [line for line in out.strip().splitlines() if line.startswith("{")]
        printed.append(json.loads(lines[-1]) if lines else {})
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        printed,
    )


def child(model_dir: str, features: str, rows: int, method: str) -> None:
    """One measured process: load, explain ``rows`` customers (0: all), reasons, predict."""
    import numpy as np
    import pandas as pd

    from churnlab.explanations import explain
    from churnlab.model import load_model

    start = time.perf_counter()
    model = load_model(model_dir)
    frame = pd.read_parquet(features)
    if rows:
        frame = frame.head(rows)
    loaded = time.perf_counter()
    explanation = explain(model, frame, method=method, progress=True)  # type: ignore[arg-type]
    explained = time.perf_counter()
    reasons_s = None
    if hasattr(explanation, "reasons"):
        explanation.reasons(k=3)
        reasons_s = time.perf_counter() - explained
    matrix = model.features_matrix(frame)
    before = time.perf_counter()
    raw = model.booster_.predict(matrix, raw_score=True)
    predict_s = time.perf_counter() - before
    gap = np.abs(explanation.values.to_numpy().sum(axis=1) + explanation.base_value - raw)
    print(
        json.dumps(
            {
                "rows": len(frame),
                "load_s": loaded - start,
                "explain_s": explained - loaded,
                "reasons_s": reasons_s,
                "predict_s": predict_s,
                "adds_up": float(gap.max()),
                "method": explanation.method,
                "trees": model.n_trees,
                "leaves": model.booster_.dump_model()["tree_info"][0]["num_leaves"],
            }
        )
    )


def build_features(model_dir: Path, data: Path, as_of: str, out: Path) -> None:
    """Write the scoring frame of every active customer at ``as_of`` (run as its own process)."""
    from churnlab.features import build_scoring_frame, load_families
    from churnlab.model import load_model

    card = load_model(model_dir).card_
    frame = build_scoring_frame(
        data,
        as_of=as_of,
        spec=card.label_spec,
        vocabulary=card.vocabulary,
        families=load_families(card.feature_families),
    ).frame
    frame.to_parquet(out, index=False)
    print(json.dumps({"rows": len(frame)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="demo folder (read only)")
    parser.add_argument("--model", type=Path, default=None, help="model directory (kept)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=SAMPLE)
    parser.add_argument("--skip-lightgbm", action="store_true", help="do not time pred_contrib")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--features", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), args.child[3])
        return
    if args.features:
        build_features(Path(args.features[0]), Path(args.features[1]), *args.features[2:])
        return

    data = args.data
    toml = (data / "churnlab.toml").read_text()
    match = re.search(r'extract_date = "([\d-]+)"', toml)
    if match is None:
        raise SystemExit(f"No extract_date in {data / 'churnlab.toml'}")
    as_of = match.group(1)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    model_dir = args.model or out / f"model_{data.name}"
    notes = []
    if not (model_dir / "card.json").exists():
        wall, peak, _ = timed([str(BIN / "churnlab"), "train", str(data), "--out", str(model_dir)])
        notes.append(f"trained the default model once: {wall:.0f} s, {peak:,.0f} MB peak")
    features = out / f"features_{data.name}_{as_of}.parquet"
    if not features.exists():
        wall, peak, printed = timed(
            [
                sys.executable,
                __file__,
                "--features",
                str(model_dir),
                str(data),
                as_of,
                str(features),
            ]
        )
        notes.append(
            f"built the features of every active customer at {as_of} once: {wall:.1f} s, "
            f"{peak:,.0f} MB peak"
        )
    me = [sys.executable, __file__, "--child", str(model_dir), str(features)]
    rows = []
    sample = medians([*me, str(args.rows), "auto"], args.repeats)
    every = medians([*me, "0", "auto"], args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        cli = medians(
            [
                *(str(BIN / "churnlab"), "explain", str(model_dir), str(data)),
                *("--as-of", as_of, "--out", f"{tmp}/why"),
            ],
            args.repeats,
        )
    first = sample[2][0]
    for name, (wall, peak, printed), target in (
        (f"SHAP + reasons, {first['rows']:,} customers", sample, "< 30 s"),
        (f"SHAP + reasons, all {every[2][0]['rows']:,} active", every, "< 300 s, < 4,096 MB"),
    ):
        shap_s = statistics.median(p["explain_s"] for p in printed)
        predict_s = statistics.median(p["predict_s"] for p in printed)
        reasons = printed[0]["reasons_s"]
        rows.append((name, wall, peak, shap_s, reasons, predict_s, target))
    lightgbm = None
    if not args.skip_lightgbm:  # LightGBM's own TreeSHAP on the same sample, once
        lightgbm = timed([*me, str(args.rows), "lightgbm"])

    print(
        f"\n{first['trees']} trees x {first['leaves']} leaves ({model_dir}); "
        f"data {data}; as of {as_of}; medians of {args.repeats} run(s)"
    )
    for note in notes:
        print(f"  ({note})")
    header = f"{'what (whole process)':40} {'wall s':>7} {'peak MB':>8} {'SHAP s':>7} "
    print(header + f"{'reasons s':>9} {'predict s':>9}  target")
    for name, wall, peak, shap_s, reasons, predict_s, target in rows:
        reasons_text = "n/a" if reasons is None else f"{reasons:.1f}"
        print(
            f"{name:40} {wall:7.1f} {peak:8,.0f} {shap_s:7.1f} {reasons_text:>9} "
            f"{predict_s:9.2f}  {target}"
        )
    print(f"{'churnlab explain, all (features incl.)':40} {cli[0]:7.1f} {cli[1]:8,.0f}")
    if lightgbm is not None:
        result = json.loads(lightgbm[2].strip().splitlines()[-1])
        print(
            f"{'same sample, LightGBM pred_contrib':40} {lightgbm[0]:7.1f} {lightgbm[1]:8,.0f} "
            f"{result['explain_s']:7.1f} {'':>9} {result['predict_s']:9.2f}  (once)"
        )
    print(
        "SHAP values by "
        + ", ".join(sorted({p["method"] for r in (sample, every) for p in r[2]}))
        + "; max |base + sum of SHAP values - raw score| over all customers: "
        + f"{max(p['adds_up'] for p in every[2]):.1e} (target < 1e-6)"
    )
    if first["reasons_s"] is None:
        print("reasons: not in this checkout (Explanation.reasons is missing)")


if __name__ == "__main__":
    main()
