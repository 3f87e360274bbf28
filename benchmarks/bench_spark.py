"""Benchmark: the Spark engine (local mode) against DuckDB and local scoring, and what it costs.

Each timing is a whole process (imports, Spark's start, reading, checks, features or scoring,
writing), run under ``/usr/bin/time -v``; the peak memory is that of the whole process tree
(the Python driver plus Spark's JVM and its Python workers, sampled every 0.2 s), which is what
a driver machine must hold in local mode. Figures are medians of ``--repeats`` runs, the Spark
and the reference runs alternating so that a busy spell of this shared machine slows both.

    .venv/bin/python benchmarks/bench_spark.py features --data benchmarks/out/demo_1000000_36
    .venv/bin/python benchmarks/bench_spark.py scoring --model benchmarks/out/model_demo_1000000_36 \\
        --features benchmarks/out/features_demo_1000000_36_2025-12-31.parquet --customers 100000
    .venv/bin/python benchmarks/bench_spark.py cost --data benchmarks/out/demo_50000_36 \\
        --data benchmarks/out/demo_1000000_36
    .venv/bin/python benchmarks/bench_spark.py sampling --data benchmarks/out/demo_50000_36 \\
        --seeds 5

Targets (issue "The same definitions on Spark"): one cutoff of features on Spark ``local[2]``
within 10x of DuckDB at 1,000,000 customers; scoring plus top-3 reasons for 100,000 customers
through ``mapInPandas`` against local scoring; the driver's peak memory; a model trained on a
frame sampled on Spark within 0.005 AUC of one trained on the whole frame.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
CLI = [sys.executable, "-c", "from churnlab.cli import app; app()"]


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-v", *cmd],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    done.set()
    thread.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-2000:]}\n{err[-3000:]}")
    largest = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return wall, max(peak[0], largest)


def paired(commands: dict[str, list[str]], repeats: int) -> dict[str, tuple[float, float]]:
    """Each command once per round, in turn; medians of wall seconds and peak MB."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for r in range(repeats):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd))
            wall, mb = runs[name][-1]
            print(f"  round {r + 1} {name}: {wall:.1f} s, {mb:,.0f} MB", flush=True)
    med = statistics.median
    return {n: (med(w for w, _ in v), med(m for _, m in v)) for n, v in runs.items()}


def event_rows(data: Path) -> int:
    import pyarrow.parquet as pq

    return sum(
        pq.ParquetFile(data / f"{t}.parquet").metadata.num_rows
        for t in ("bills", "complaints", "service_events")
        if (data / f"{t}.parquet").exists()
    )


def features(args: argparse.Namespace) -> None:
    data = Path(args.data[0])
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            engine: [
                *CLI,
                "features",
                str(data),
                "--out",
                f"{tmp}/{engine}.parquet",
                "--as-of",
                args.as_of,
                "--engine",
                engine,
            ]
            for engine in ("spark", "duckdb")
        }
        found = paired(commands, args.repeats)
    (sw, smb), (dw, dmb) = found["spark"], found["duckdb"]
    print(
        f"features, one cutoff, {data.name} ({event_rows(data):,} event rows): Spark local[2] "
        f"{sw:.1f} s, {smb:,.0f} MB; DuckDB {dw:.1f} s, {dmb:,.0f} MB; ratio {sw / dw:.1f}x "
        f"(target < 10x); medians of {args.repeats}"
    )


def cost(args: argparse.Namespace) -> None:
    """Spark's seconds and peak memory at two sizes: the cost per million event rows is the
    slope between them (what grows with the data, not Spark's start)."""
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in map(Path, args.data):
            cmd = [
                *CLI,
                "features",
                str(folder),
                "--out",
                f"{tmp}/f.parquet",
                "--as-of",
                args.as_of,
                "--engine",
                "spark",
            ]
            wall, mb = paired({folder.name: cmd}, args.repeats)[folder.name]
            rows = event_rows(folder)
            points.append((rows, wall, mb))
            print(f"{folder.name}: {rows:,} event rows, {wall:.1f} s, {mb:,.0f} MB")
    (r0, w0, m0), (r1, w1, m1) = points[0], points[-1]
    millions = (r1 - r0) / 1e6
    print(
        f"cost per million event rows (Spark local[2], one cutoff): {(w1 - w0) / millions:.2f} s "
        f"(x2 cores = {2 * (w1 - w0) / millions:.2f} core-s), {(m1 - m0) / millions:.0f} MB "
        f"of driver+executor memory; fixed part {w0 - (w1 - w0) / millions * r0 / 1e6:.1f} s"
    )


SCORE_SPARK = """
import sys, time
import pyarrow.parquet as pq
from churnlab.explanations.spark import batch_scorer, model_texts, typical_on_spark, _write_atomically
from churnlab.features.spark import spark_session
from churnlab.model import load_model
model_dir, features, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = load_model(model_dir)
card = model.card_
session = spark_session("local[2]")
rows = session.read.parquet(features).limit(n)
import pandas as pd
from pyspark.sql.pandas.types import from_arrow_schema
stamp = pd.Timestamp(pq.read_table(features, columns=["cutoff"]).column(0)[0].as_py())
texts = session.sparkContext.broadcast(model_texts(model))
typical = typical_on_spark(rows, card.features, card.vocabulary)
scorer = batch_scorer(texts, card.features, card.vocabulary, stamp, k=3, language="en", actions=None, typical=typical)
local = batch_scorer(model_texts(model), card.features, card.vocabulary, stamp, k=3, language="en", actions=None)
sample = next(local(iter([rows.limit(50).toPandas()])))
import pyarrow as pa
schema = from_arrow_schema(pa.Table.from_pandas(sample, preserve_index=False).schema, prefer_timestamp_ntz=True)
_write_atomically(session, rows.repartition(2).mapInPandas(scorer, schema), out, ["risk_band"])
print(session.read.parquet(out).count())
"""

SCORE_LOCAL = """
import sys
import pandas as pd, pyarrow.parquet as pq
from churnlab.explanations.compute import explain
from churnlab.explanations.scored import with_reasons
from churnlab.features.plan import frame_of
from churnlab.files import write_table
from churnlab.model import load_model
from churnlab.model.score import score_rows
model_dir, features, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = load_model(model_dir)
table = pq.read_table(features).slice(0, n)
frame = frame_of(table, model.card_.features, model.card_.vocabulary)
scores, _ = score_rows(model, frame, pd.Timestamp(frame["cutoff"].iloc[0]))
reasons = explain(model, frame, progress=False).reasons(3, "en")
write_table(with_reasons(scores, reasons), out)
print(len(scores))
"""


def scoring(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        common = [args.model, args.features, str(args.customers)]
        commands = {
            "spark": [sys.executable, "-c", SCORE_SPARK, *common, f"{tmp}/spark_scores"],
            "local": [sys.executable, "-c", SCORE_LOCAL, *common, f"{tmp}/local.parquet"],
        }
        found = paired(commands, args.repeats)
    (sw, smb), (lw, lmb) = found["spark"], found["local"]
    print(
        f"scoring + top-3 reasons, {args.customers:,} customers: Spark mapInPandas local[2] "
        f"{sw:.1f} s, {smb:,.0f} MB; local {lw:.1f} s, {lmb:,.0f} MB; ratio {sw / lw:.1f}x; "
        f"medians of {args.repeats}"
    )


def sampling(args: argparse.Namespace) -> None:
    """Models trained on frames sampled where they are built (by each engine, one draw per
    seed) against one trained on the whole frame, all scored on the same later cutoff (whole,
    unseen in training): the median difference in AUC over the seeds, and its spread."""
    import dataclasses

    import pandas as pd
    from sklearn.metrics import roc_auc_score

    sys.path.insert(0, str(ROOT))
    from churnlab.features import build_training_frame
    from churnlab.features.spark import SparkEngine
    from churnlab.labels import LabelSpec
    from churnlab.model import ModelSpec, train
    from churnlab.model.score import score_rows

    data = Path(args.data[0])
    spec = LabelSpec()
    probe = build_training_frame(data, spec, progress=False, engine="duckdb", cutoffs=None)
    cutoffs = [c.date().isoformat() for c in probe.cutoffs]
    fit, test = cutoffs[:-1], cutoffs[-1:]
    whole = probe.frame[probe.frame["cutoff"] < test[0]]
    whole_frame = dataclasses.replace(probe, frame=whole, cutoffs=probe.cutoffs[:-1])
    held = probe.frame[probe.frame["cutoff"] == test[0]].reset_index(drop=True)

    def auc(frame: object) -> float:
        model = train(frame, ModelSpec(), progress=False, created_at="2026-01-01T00:00:00")
        scores, _ = score_rows(model, held, held["cutoff"].iloc[0])
        return float(roc_auc_score(held["churned"], scores["churn_probability"]))

    base = auc(whole_frame)
    print(f"  whole: {len(whole):,} training rows, test AUC {base:.4f}", flush=True)
    seeds = range(1, args.seeds + 1)
    engines = args.engine or ["spark", "duckdb"]
    gaps: dict[str, list[float]] = {name: [] for name in engines}
    drawn: dict[tuple[str, int], pd.DataFrame] = {}
    for name in engines:
        engine = SparkEngine(master="local[2]") if name == "spark" else "duckdb"
        for seed in seeds:
            start = time.perf_counter()
            sampled = build_training_frame(
                data,
                spec,
                cutoffs=fit,
                engine=engine,
                negative_sample=args.fraction,
                sample_seed=seed,
                progress=False,
            )
            took = time.perf_counter() - start
            drawn[name, seed] = sampled.frame[["customer_id", "cutoff"]]
            gaps[name].append(auc(sampled) - base)
            print(
                f"  {name} seed {seed}: {len(sampled.frame):,} rows drawn in {took:.0f} s, "
                f"AUC difference {gaps[name][-1]:+.4f}",
                flush=True,
            )
    for name, found in gaps.items():
        print(
            f"sampling by {name}, {data.name}: {len(fit)} cutoffs, every churner + "
            f"{args.fraction:.0%} of the others, {len(found)} seeds: median AUC difference "
            f"{statistics.median(found):+.4f} (spread {min(found):+.4f}..{max(found):+.4f}; "
            f"target within 0.005) against {base:.4f} on the whole frame, {len(held):,} "
            f"customers at {test[0]}"
        )
    if len(engines) == 2:
        same = sum(drawn[engines[0], s].equals(drawn[engines[1], s]) for s in seeds)
        print(f"the engines drew the same rows for {same} of {len(seeds)} seeds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["features", "cost", "scoring", "sampling"])
    parser.add_argument("--data", action="append", default=[])
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--model")
    parser.add_argument("--features")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--engine",
        action="append",
        choices=["spark", "duckdb"],
        help="Where the sampled frames are built (repeat for both; default both).",
    )
    parser.add_argument("--seeds", type=int, default=5, help="Draws (seeds 1..N) per engine.")
    args = parser.parse_args()
    {"features": features, "cost": cost, "scoring": scoring, "sampling": sampling}[args.what](args)


if __name__ == "__main__":
    main()
