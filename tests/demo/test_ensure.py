"""ensure_demo: generate once, reuse the same size, refuse another size."""

from __future__ import annotations

import json

import pytest

from churnlab.demo import DemoSpec, ensure_demo
from churnlab.errors import SpecError

SMALL = DemoSpec(customers=200, months=13, seed=3)


def test_generates_once_then_reuses(tmp_path):
    folder = ensure_demo(tmp_path / "demo", SMALL)
    assert json.loads((folder / "demo_spec.json").read_text())["customers"] == 200
    stamp = (folder / "customers.parquet").stat().st_mtime_ns
    ensure_demo(folder, SMALL)
    assert (folder / "customers.parquet").stat().st_mtime_ns == stamp


def test_refuses_a_demo_of_another_size(tmp_path):
    ensure_demo(tmp_path / "demo", SMALL)
    with pytest.raises(
        SpecError,
        match=r"holds the demo of 200 customers × 13 months \(seed 3\); "
        r"this asks for 20,000 customers × 36 months \(seed 7\)",
    ):
        ensure_demo(tmp_path / "demo")


def test_leaves_a_folder_of_real_data_alone(tmp_path):
    (tmp_path / "churnlab.toml").write_text("[data]\n")
    assert ensure_demo(tmp_path, SMALL) == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["churnlab.toml"]
