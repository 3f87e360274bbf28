"""kill -9 and SIGTERM during the write of every writing command: the previous output survives,
and no temporary file is left (after SIGTERM at once; after kill -9 once the next run on the
same path has run). The runs themselves happen once, in ``writers.killed``."""

from __future__ import annotations

import pytest
from cases import case
from writers import WRITERS, bench_fixture, killed_fixture  # noqa: F401  (fixtures)

COMMANDS = [w.name for w in WRITERS]


@pytest.mark.parametrize(
    "command", [case(f"kill -9 during {name}", name, verdict="ok") for name in COMMANDS]
)
def test_kill_9_keeps_the_previous_output_and_the_next_run_cleans_up(killed, command):
    found = killed[command]
    assert found.a_returncode == -9
    assert found.a_after == found.before  # the previous output, byte for byte
    assert found.a_leftovers, "the killed run left nothing: it was not killed during its write"
    assert found.a_left_at_b == []  # the next run on the same path removed them first
    assert found.b_leftovers == []
    assert found.b_after == found.before


@pytest.mark.parametrize(
    "command",
    [case(f"SIGTERM during {name}", name, verdict="error", code="exit143") for name in COMMANDS],
)
def test_sigterm_stops_cleanly_and_leaves_no_temporary(killed, command):
    found = killed[command]
    assert found.b_returncode == 143
    assert "Stopped by SIGTERM" in found.b_stderr
    assert "Traceback" not in found.b_stderr
    assert found.b_leftovers == []
    assert found.b_after == found.before


# ---- what a killed run leaves is cleaned up by the next write to the same path -----------

DEAD = 2**22 + 12_345  # above Linux's pid_max (4,194,304): no process has this id


@pytest.mark.parametrize(
    ("leftover", "kept"),
    [
        case(
            "a temporary file of a dead process",
            f".scores.csv.{DEAD}-0a1b2c3d.tmp",
            False,
            verdict="ok",
        ),
        case(
            "a temporary file of a running process",
            ".scores.csv.1-0a1b2c3d.tmp",
            True,
            verdict="ok",
        ),
        case("a file that only looks temporary", ".scores.csv.backup.tmp", True, verdict="ok"),
        case(
            "another output's temporary file", f".other.csv.{DEAD}-0a1b2c3d.tmp", True, verdict="ok"
        ),
    ],
)
def test_the_next_write_removes_the_temporaries_of_dead_runs(tmp_path, leftover, kept):
    from churnlab.files import atomic_path

    (tmp_path / leftover).write_text("half", encoding="utf-8")
    with atomic_path(tmp_path / "scores.csv") as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert (tmp_path / leftover).exists() is kept
    assert (tmp_path / "scores.csv").read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize(
    "target_there",
    [
        case("an old model moved aside, the new one never renamed", False, verdict="ok"),
        case("an old model moved aside, the new one in place", True, verdict="ok"),
    ],
)
def test_a_directory_moved_aside_by_a_killed_run_is_put_back(tmp_path, target_there):
    from churnlab.files import clean_leftovers

    old = tmp_path / f".model.{DEAD}-0a1b2c3d.old"
    old.mkdir()
    (old / "card.json").write_text("old", encoding="utf-8")
    (tmp_path / f".model.{DEAD}-99999999.tmp").mkdir()  # the killed run's new, unfinished one
    if target_there:
        (tmp_path / "model").mkdir()
        (tmp_path / "model" / "card.json").write_text("new", encoding="utf-8")
    clean_leftovers(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    expected = "new" if target_there else "old"
    assert (tmp_path / "model" / "card.json").read_text(encoding="utf-8") == expected
