"""Tiny snapshot extracts for the model cases: one row per customer with a churn flag."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

import churnlab
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.model import ModelSpec

FAST = ModelSpec(max_rounds=8, early_stopping_rounds=3)
Column = Callable[[np.random.Generator, np.ndarray, int], object]


def snapshot_data(
    folder: Path,
    columns: Mapping[str, Column] | None = None,
    *,
    rows: int = 400,
    churn: float = 0.3,
    seed: int = 0,
    suffix: str = ".csv",
) -> Path:
    """A customers file with ``Exited`` (the flag), ``plan``, ``balance`` and ``columns``
    (each made from the random generator, the flags and the row count), and its churnlab.toml."""
    rng = np.random.default_rng(seed)
    flags = (rng.uniform(size=rows) < churn).astype(int)
    data: dict[str, object] = {
        "customer_id": [f"C{i:04d}" for i in range(rows)],
        "Exited": flags,
        "plan": rng.choice(["basic", "gold", "silver"], rows),
        "balance": (rng.gamma(2, 500, rows) + 300 * flags).round(2),
    }
    for name, make in (columns or {}).items():
        data[name] = make(rng, flags, rows)
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(data)
    if suffix == ".csv":
        frame.to_csv(folder / "customers.csv", index=False)
    else:
        frame.to_parquet(folder / "customers.parquet", index=False)
    (folder / "churnlab.toml").write_text(
        '[snapshot]\nlabel_column = "Exited"\nas_of = "2024-06-30"\n', encoding="utf-8"
    )
    return folder


def snapshot_frame(folder: Path, **kwargs: object) -> FeatureFrame:
    """The training frame of :func:`snapshot_data`."""
    snapshot_data(folder, **kwargs)  # type: ignore[arg-type]
    return build_training_frame(churnlab.load_tables(folder), progress=False)
