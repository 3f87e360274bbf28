"""Benchmark ``churnlab.demo.generate_demo`` against a plain NumPy generator of the same tables.

Each run is a separate process wrapped in ``/usr/bin/time -v``, which reports its wall time and
peak resident memory. The reference writes the same four tables with similar row counts from
independent random draws (no causal model, no state, no truth table), so the ratio shows what
the causal simulation costs on top of producing and writing the rows at all.

Usage::

    python benchmarks/bench_demo_data.py                       # 1,000,000 customers x 36 months
    python benchmarks/bench_demo_data.py --customers 50000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

TIME = "/usr/bin/time"
WALL_TARGET_S = 60.0
MEMORY_TARGET_MB = 4096.0
RATIO_TARGET = 2.0
DAY_US = 86_400_000_000


# --- the reference: independent draws, same tables, similar sizes --------------------------


def _ids(count: int) -> pa.Array:
    width = len(str(count)) + 1
    return pa.array(np.char.zfill(np.arange(1, count + 1).astype(str), width))


def _timestamps(us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(us.view("datetime64[us]"), type=pa.timestamp("us"), mask=mask)


def _words(rng: np.random.Generator, options: list[str], size: int) -> pa.Array:
    return pa.array(options).take(pa.array(rng.integers(0, len(options), size)))


def reference_generate(out: Path, customers: int, months: int, seed: int = 0) -> dict[str, int]:
    """Write customers, bills, complaints and service events from independent random draws."""
    rng = np.random.default_rng(seed)
    ids = _ids(customers)
    start = int(np.datetime64("2023-01-01", "D").astype(np.int64))
    month_days = np.array(
        [np.datetime64("2023-01", "M") + m for m in range(months + 1)], dtype="datetime64[D]"
    ).astype(np.int64)
    existing = rng.random(customers) < 0.6
    signup = np.where(
        existing,
        start - rng.integers(1, 6 * 365, customers),
        rng.integers(start, month_days[-1], customers),
    )
    ends = rng.random(customers) < 0.4
    end = np.where(ends, rng.integers(np.maximum(signup, start), month_days[-1]), -1)
    rows = {"customers": customers, "bills": 0, "complaints": 0, "service_events": 0}
    writers: dict[str, pq.ParquetWriter] = {}

    def write(name: str, columns: dict[str, pa.Array]) -> None:
        table = pa.table(columns)
        if name not in writers:
            writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
        writers[name].write_table(table)
        rows[name] += len(table)

    for m in range(months):
        first, nxt = month_days[m], month_days[m + 1]
        active = np.flatnonzero((signup <= first) & ((end < 0) | (end >= first)))
        n = len(active)
        take = pa.array(active)
        write(
            "bills",
            {
                "customer_id": ids.take(take),
                "bill_date": _timestamps(np.full(n, first * DAY_US)),
                "amount": np.round(rng.lognormal(4.0, 0.4, n), 2),
                "due_date": _timestamps(np.full(n, (first + 14) * DAY_US)),
                "paid_date": _timestamps(
                    (first + rng.integers(0, 30, n)) * DAY_US, rng.random(n) > 0.01
                ),
                "recorded_at": _timestamps(np.full(n, first * DAY_US)),
            },
        )
        span = (nxt - first) * DAY_US
        for name, rate in (("complaints", 0.04), ("service_events", 0.3)):
            pos = active[np.repeat(np.arange(n), rng.poisson(rate, n))]
            k = len(pos)
            when = first * DAY_US + (rng.random(k) * span).astype(np.int64)
            columns = {"customer_id": ids.take(pa.array(pos)), "at": _timestamps(when)}
            if name == "complaints":
                columns = {
                    "customer_id": columns["customer_id"],
                    "opened_at": columns["at"],
                    "category": _words(rng, ["billing", "network", "service", "other"], k),
                    "resolved_at": _timestamps(
                        when + (rng.exponential(48, k) * 3_600_000_000).astype(np.int64)
                    ),
                    "channel": _words(rng, ["phone", "app", "store", "email"], k),
                    "recorded_at": _timestamps(when),
                }
            else:
                columns = {
                    "customer_id": columns["customer_id"],
                    "occurred_at": columns["at"],
                    "kind": _words(rng, ["outage", "dropped_call", "slow_data"], k),
                    "duration_minutes": rng.exponential(30.0, k),
                }
            write(name, columns)
    for writer in writers.values():
        writer.close()
    pq.write_table(
        pa.table(
            {
                "customer_id": ids,
                "signup_date": _timestamps(signup * DAY_US),
                "end_date": _timestamps(np.maximum(end, 0) * DAY_US, end >= 0),
                "plan": _words(rng, ["basic", "standard", "premium", "unlimited"], customers),
                "region": _words(rng, ["east", "south", "north", "west"], customers),
                "contract": _words(rng, ["month-to-month", "one-year", "two-year"], customers),
                "payment_method": _words(rng, ["direct debit", "card", "cash"], customers),
                "monthly_fee": rng.choice([29.0, 49.0, 79.0, 109.0], customers),
                "phone": _ids(customers),
            }
        ),
        out / "customers.parquet",
    )
    return rows


def churnlab_generate(out: Path, customers: int, months: int) -> dict[str, int]:
    """Run ``churnlab.demo.generate_demo`` (seed 7)."""
    from churnlab.demo import DemoSpec, generate_demo

    result = generate_demo(out, DemoSpec(customers=customers, months=months, seed=7))
    return dict(result.rows)


# --- measuring ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Run:
    wall_s: float
    peak_mb: float
    rows: dict[str, int]


def _seconds(text: str) -> float:
    """``h:mm:ss`` or ``m:ss.ss`` from ``time -v`` as seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def measure(which: str, customers: int, months: int) -> Run:
    """Run one generator in a fresh process under ``/usr/bin/time -v``."""
    out = Path(tempfile.mkdtemp(prefix=f"bench_demo_{which}_"))
    try:
        command = [TIME, "-v", sys.executable, __file__, f"--{which}", str(out)]
        command += ["--customers", str(customers), "--months", str(months)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{which} run failed:\n{done.stderr[-3000:]}")
        wall = re.search(r"Elapsed \(wall clock\) time .*: (\S+)", done.stderr)
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        if wall is None or peak is None:
            raise SystemExit(f"could not read the output of {TIME} -v:\n{done.stderr[-2000:]}")
        rows = json.loads(done.stdout.strip().splitlines()[-1])
        return Run(wall_s=_seconds(wall.group(1)), peak_mb=int(peak.group(1)) / 1024, rows=rows)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def report(customers: int, months: int, runs: dict[str, list[Run]]) -> str:
    """The comparison table: medians of wall time and peak memory, ratios and targets."""
    wall = {k: statistics.median(r.wall_s for r in v) for k, v in runs.items()}
    peak = {k: statistics.median(r.peak_mb for r in v) for k, v in runs.items()}
    repeats = len(runs["churnlab"])
    lines = [
        f"demo data: {customers:,} customers x {months} months, median of {repeats} run(s)",
        f"{'generator':<12}{'wall s':>9}{'peak MB':>10}{'event rows':>14}{'customers':>12}",
    ]
    for name, result in runs.items():
        rows = result[0].rows
        events = rows["bills"] + rows["complaints"] + rows["service_events"]
        lines.append(
            f"{name:<12}{wall[name]:>9.1f}{peak[name]:>10.0f}{events:>14,}{rows['customers']:>12,}"
        )
    ratio_wall = wall["churnlab"] / wall["reference"]
    ratio_peak = peak["churnlab"] / peak["reference"]
    lines.append(f"{'ratio':<12}{ratio_wall:>8.2f}x{ratio_peak:>9.2f}x")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines += [
        f"target wall < {WALL_TARGET_S:.0f} s: {verdict(wall['churnlab'] < WALL_TARGET_S)}",
        f"target peak < {MEMORY_TARGET_MB:.0f} MB: {verdict(peak['churnlab'] < MEMORY_TARGET_MB)}",
        f"target wall ratio <= {RATIO_TARGET:.0f}: {verdict(ratio_wall <= RATIO_TARGET)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reference", type=Path, metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--churnlab", type=Path, metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference is not None:
        print(json.dumps(reference_generate(args.reference, args.customers, args.months)))
        return 0
    if args.churnlab is not None:
        print(json.dumps(churnlab_generate(args.churnlab, args.customers, args.months)))
        return 0
    if shutil.which(TIME) is None:
        parser.error(f"{TIME} is needed to measure peak memory (apt-get install time)")
    runs: dict[str, list[Run]] = {"churnlab": [], "reference": []}
    for _ in range(args.repeats):
        for name, measured in runs.items():
            measured.append(measure(name, args.customers, args.months))
    print(report(args.customers, args.months, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
