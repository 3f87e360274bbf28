"""The truth measure of benchmarks/bench_target_list.py, on tiny hand-made frames."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))  # it imports its sibling scripts by name
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_target_list", ROOT / "benchmarks" / "bench_target_list.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


bench = _load()


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(bench)
    assert result.attempted >= 1 and result.failed == 0


def test_the_true_probability_carries_the_last_hazard_after_a_customer_leaves() -> None:
    hazards = pd.DataFrame(
        {"customer_id": ["a", "b", "b", "b"], "month": [1, 1, 2, 3], "h": [0.1, 0.1, 0.2, 0.3]}
    )
    p = bench.true_probability(hazards, "h", months=3)
    assert p["a"] == pytest.approx(1 - 0.9**3)
    assert p["b"] == pytest.approx(1 - 0.9 * 0.8 * 0.7)


def test_the_true_gain_counts_only_the_contacted_customers() -> None:
    scored = pd.DataFrame(
        {
            "value": [500.0, 500.0],
            "offer_cost": [10.0, 10.0],
            "acceptance": [0.3, 0.3],
            "take_up": [1.0, 1.0],
            "contact_cost": [1.0, 1.0],
        }
    )
    gain = bench.true_gain(scored, np.array([0.2, 0.2]), np.array([True, False]))
    assert gain == pytest.approx(0.2 * 0.3 * 490 - 0.8 * 10 - 1)


def test_ranked_by_takes_the_best_and_breaks_ties_by_id() -> None:
    mask = bench.ranked_by(np.array([1.0, 3.0, 3.0]), np.array(["c", "b", "a"]), 2)
    assert mask.tolist() == [False, True, True]
