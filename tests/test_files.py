"""Atomic writes: a failed write leaves the previous good file; outputs are readable by others."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from churnlab.errors import SpecError
from churnlab.files import atomic_path, write_table


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "scores.csv"
    target.write_text("good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_written_files_get_the_usual_permissions(tmp_path):
    target = tmp_path / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text("<p>ok</p>")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("name", ["out.parquet", "out.csv"])
def test_write_table_by_suffix(tmp_path, name):
    frame = pd.DataFrame({"customer_id": ["007"], "churn_probability": [0.25]})
    path = write_table(frame, tmp_path / name)
    back = pd.read_parquet(path) if name.endswith("parquet") else pd.read_csv(path, dtype=str)
    assert back["customer_id"].tolist() == ["007"]


def test_write_table_refuses_other_suffixes(tmp_path):
    with pytest.raises(SpecError, match=r"must end in \.parquet or \.csv, got 'out\.xlsx'"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.xlsx")
