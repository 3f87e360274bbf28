"""Benchmark: what `churnlab run 03_target_list` adds on top of the library calls it makes.

Two whole processes, each under ``/usr/bin/time -v``, medians of ``--repeats`` runs:

a. the library calls of ``notebooks/03_target_list`` in a plain Python process (load the data
   and the model, the scoring frame, ``target_list``, the export, the snapshot, the figures);
b. ``churnlab run 03_target_list`` with the same parameters: parameter checks, the lock,
   kernel start, parameter injection, the same calls, the HTML report, the manifest and the
   run index.

Target (issue "Parameterised notebooks, scheduled papermill runs..."): b − a < 10 s.

    .venv/bin/python benchmarks/bench_runs.py --data data/demo --model reports/runs/02_train_model/<run>/outputs/model
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench_explain import medians

BIN = Path(sys.executable).parent


def library(data: str, model_dir: str, out: str) -> None:
    """The calls 03_target_list makes, in the notebook's order."""
    import churnlab
    from churnlab.model import scoring_frame
    from churnlab.runs import record_figures, write_snapshot

    tables = churnlab.load_tables(data)
    model = churnlab.load_model(model_dir)
    features = scoring_frame(model, tables)
    found = churnlab.target_list(tables, model)
    found.export(Path(out) / "target_list", protect=[data, model_dir])
    write_snapshot(found, features.frame, out, model_dir=model_dir, data_dir=data)
    totals = found.totals()
    record_figures(out, listed=totals["listed"], expected_gain=totals["expected_gain"])
    print("{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", default="data/demo")
    parser.add_argument("--model", required=False, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("DATA", "MODEL", "OUT"))
    args = parser.parse_args()
    if args.child:
        library(*args.child)
        return
    if args.model is None:
        raise SystemExit("--model: a model directory (e.g. the latest 02_train_model run's).")
    with tempfile.TemporaryDirectory() as tmp:
        plain = [sys.executable, __file__, "--child", args.data, args.model, f"{tmp}/out"]
        lib_wall, lib_peak, _ = medians(plain, args.repeats)
        run = [
            str(BIN / "churnlab"),
            *("run", "03_target_list", "--runs-dir", f"{tmp}/runs", "--wait"),
            *("-p", "data_dir", args.data, "-p", "model_dir", args.model),
            *("-p", "make_demo", "false"),
        ]
        run_wall, run_peak, _ = medians(run, args.repeats)
    print(f"a. library calls, plain process:  median {lib_wall:5.1f} s, peak {lib_peak:,.0f} MB")
    print(f"b. churnlab run 03_target_list:   median {run_wall:5.1f} s, peak {run_peak:,.0f} MB")
    verdict = "meets" if run_wall - lib_wall < 10 else "MISSES"
    print(
        f"the run adds {run_wall - lib_wall:.1f} s (target < 10 s: {verdict}); "
        f"ratio {run_wall / lib_wall:.2f}"
    )


if __name__ == "__main__":
    main()
