"""Two writers of one output: the second is refused at once (exit 2, naming the process that
holds the path), and the lock dies with its process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cases import case
from writers import WRITERS, bench_fixture, killed_fixture  # noqa: F401  (fixtures)

from churnlab.errors import SpecError
from churnlab.files import output_lock

COMMANDS = [w.name for w in WRITERS]


@pytest.mark.parametrize(
    "command",
    [
        case(f"a second {name} into an output being written", name, verdict="error", code="exit2")
        for name in COMMANDS
    ],
)
def test_a_second_writer_is_refused_while_the_first_writes(killed, command):
    found = killed[command]
    assert found.second_exit == 2
    assert "is being written by churnlab process" in found.second_stderr
    assert "wait for it to end" in found.second_stderr
    assert "Traceback" not in found.second_stderr
    assert found.b_after == found.before  # neither writer replaced the output


@pytest.mark.parametrize(
    "name", [case("a second lock on one path", "model", verdict="error", code="SpecError")]
)
def test_two_locks_on_one_path_conflict(tmp_path, name):
    with (
        output_lock(tmp_path / name),
        pytest.raises(SpecError, match="being written by"),
        output_lock(tmp_path / name),
    ):
        pass


@pytest.mark.parametrize(
    ("first", "second"),
    [
        case("two outputs in one folder", "scores.csv", "features.parquet", verdict="ok"),
        case("a file and its folder's sibling", "model", "model.csv", verdict="ok"),
    ],
)
def test_different_outputs_do_not_block_each_other(tmp_path, first, second):
    with output_lock(tmp_path / first), output_lock(tmp_path / second):
        pass
    assert list(tmp_path.iterdir()) == []  # the lock files are removed


@pytest.mark.parametrize(
    "path", [case("the same path written twice in a row", "scores.csv", verdict="ok")]
)
def test_a_released_lock_can_be_taken_again(tmp_path, path):
    for _ in range(2):
        with output_lock(tmp_path / path):
            assert [p.name for p in tmp_path.iterdir()] == [f".{path}.lock"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "signal_name", [case("a lock left by a process killed with -9", "SIGKILL", verdict="ok")]
)
def test_the_lock_of_a_killed_process_is_free(tmp_path, signal_name):
    holder = (
        "import sys, time; from churnlab.files import output_lock\n"
        "with output_lock(sys.argv[1]):\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path / "model")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        with (
            pytest.raises(SpecError, match=rf"churnlab process {process.pid}"),
            output_lock(tmp_path / "model"),
        ):
            pass
    finally:
        process.kill()
        process.wait()
    assert (tmp_path / ".model.lock").exists()  # a kill -9 leaves the file...
    with output_lock(tmp_path / "model"):  # ...but not the lock
        pass
    assert list(tmp_path.iterdir()) == []
