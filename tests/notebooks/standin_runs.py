"""Test-only stand-ins for ``churnlab.runs`` names other engineers are writing (issue 14):
``record_figures`` and ``latest_run`` (churnlab/runs/figures.py, run.py) and
``snapshot.write_snapshot`` (churnlab/runs/snapshot.py). Installed in a notebook's kernel only
while the real names are missing; remove this file once they are merged."""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path


def record_figures(output_dir, **figures):
    path = Path(output_dir) / "figures.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged.update(figures)
    path.write_text(json.dumps(merged, indent=2))
    return path


def latest_run(runs_dir, stem):
    pointer = Path(runs_dir) / stem / "latest"
    if not pointer.exists():
        return None
    return Path(runs_dir) / stem / pointer.read_text().strip()


def write_snapshot(target_list, features, directory, *, model_dir, data_dir):
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    scored = target_list.scored
    frame = scored[["customer_id", "churn_probability", "expected_gain", "listed"]].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame = frame.merge(
        features.assign(customer_id=features["customer_id"].astype(str)),
        on="customer_id",
        how="left",
    )
    frame.to_parquet(folder / "scores.parquet", index=False)
    (folder / "snapshot.json").write_text(
        json.dumps(
            {
                "as_of": str(target_list.as_of.date()),
                "model_dir": str(model_dir),
                "model_id": target_list.model_id,
                "data_dir": str(data_dir),
                "horizon_days": target_list.horizon_days,
            }
        )
    )
    return folder


def install() -> None:
    import churnlab

    try:
        runs = importlib.import_module("churnlab.runs")
    except ModuleNotFoundError:
        runs = types.ModuleType("churnlab.runs")
        runs.__path__ = []
        sys.modules["churnlab.runs"] = runs
        churnlab.runs = runs
    for name, value in (("record_figures", record_figures), ("latest_run", latest_run)):
        if not hasattr(runs, name):
            setattr(runs, name, value)
    try:
        importlib.import_module("churnlab.runs.snapshot")
    except ModuleNotFoundError:
        snapshot = types.ModuleType("churnlab.runs.snapshot")
        snapshot.write_snapshot = write_snapshot
        sys.modules["churnlab.runs.snapshot"] = snapshot
        runs.snapshot = snapshot
