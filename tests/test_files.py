"""Atomic writes: a failed write leaves the previous good file or directory; what is written
follows the user's umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

import pandas as pd
import pytest

import churnlab.files as files_module
from churnlab.errors import SpecError
from churnlab.files import atomic_directory, atomic_path, write_table


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


@pytest.fixture(params=[0o022, 0o077], ids=["umask 022", "umask 077"])
def umask(request) -> Iterator[int]:
    """The process's umask set for the test, restored after it."""
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_follow_the_umask(tmp_path, umask):
    with atomic_path(tmp_path / "report.html") as tmp:
        tmp.write_text("<p>ok</p>")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "scores.parquet")

    assert mode(tmp_path / "report.html") == 0o666 & ~umask
    assert mode(tmp_path / "scores.parquet") == 0o666 & ~umask


def test_directories_and_their_files_follow_the_umask(tmp_path, umask):
    with atomic_directory(tmp_path / "model") as tmp:
        (tmp / "card.json").write_text("{}")
        (tmp / "plots").mkdir()

    assert mode(tmp_path / "model") == 0o777 & ~umask
    assert mode(tmp_path / "model" / "plots") == 0o777 & ~umask
    assert mode(tmp_path / "model" / "card.json") == 0o666 & ~umask


def test_the_umask_is_read_without_changing_it(umask):
    assert files_module._umask() == umask
    assert os.umask(umask) == umask


def contents(folder) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_a_directory_is_written_in_place(tmp_path):
    with atomic_directory(tmp_path / "runs" / "2024-06-30") as tmp:
        assert tmp.parent == tmp_path / "runs"
        assert list(tmp.iterdir()) == []
        (tmp / "scores.csv").write_text("new")
        assert not (tmp_path / "runs" / "2024-06-30").exists(), "nothing visible until the end"

    assert contents(tmp_path / "runs" / "2024-06-30") == {"scores.csv": "new"}
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["2024-06-30"]


def test_success_replaces_the_whole_previous_directory(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "model.txt").write_text("old")
    (target / "stale.json").write_text("old")

    with atomic_directory(target) as tmp:
        (tmp / "model.txt").write_text("new")

    assert contents(target) == {"model.txt": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"], "no temporary folder left"


def test_an_interrupted_write_keeps_the_old_directory_whole(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "model.txt").write_text("old")

    with pytest.raises(KeyboardInterrupt), atomic_directory(target) as tmp:
        (tmp / "model.txt").write_text("half")
        raise KeyboardInterrupt

    assert contents(target) == {"model.txt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"], "no temporary folder left"


def test_a_failed_first_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError, match="disk full"), atomic_directory(tmp_path / "m") as tmp:
        (tmp / "model.txt").write_text("half")
        raise RuntimeError("disk full")

    assert list(tmp_path.iterdir()) == []


def test_a_failed_swap_puts_the_old_directory_back(tmp_path, monkeypatch):
    target = tmp_path / "model"
    target.mkdir()
    (target / "model.txt").write_text("old")
    rename = os.rename

    def rename_but_not_into_place(src, dst):
        if str(src).endswith(".tmp"):
            raise OSError("device busy")
        rename(src, dst)

    monkeypatch.setattr(files_module.os, "rename", rename_but_not_into_place)
    with pytest.raises(OSError, match="device busy"), atomic_directory(target) as tmp:
        (tmp / "model.txt").write_text("new")

    assert contents(target) == {"model.txt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"], "no temporary folder left"


def test_a_file_is_not_replaced_by_a_directory(tmp_path):
    (tmp_path / "model").write_text("a file")

    with (
        pytest.raises(SpecError, match=r"model exists and is not a directory"),
        atomic_directory(tmp_path / "model"),
    ):
        pass

    assert (tmp_path / "model").read_text() == "a file"
