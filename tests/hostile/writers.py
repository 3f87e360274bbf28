"""What the output, interruption and concurrency cases share: a tiny demo operator and its
model, every command that writes, and one batch of killed runs observed once per session.

The killed runs need a process to kill "during the write" without a hook in churnlab: each
command runs as a subprocess with a ``sitecustomize.py`` (written to a temporary folder put
first on ``PYTHONPATH``) that wraps ``os.replace`` and ``os.rename``. When a rename touches the
output path, the wrapper creates a marker file and sleeps; the test waits for the marker, sends
the signal, and looks at what is left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from churnlab.cli import app

ROOT = Path(__file__).resolve().parents[2]
CUTOFFS = "2023-10-31:2023-12-31:1M"
"""Three training cutoffs of the tiny demo (a quick training)."""
LEFTOVER_MARKS = (".tmp", ".old", ".lock")

LAUNCHER = """
import json, os, pathlib, sys, time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: F401
import churnlab.campaign, churnlab.demo, churnlab.evaluate, churnlab.explanations  # noqa: F401
import churnlab.features, churnlab.model  # noqa: F401
import duckdb, ibis, ibis.backends.duckdb, numba, pandera.pandas, PIL.Image  # noqa: F401  (lazy)
from churnlab.cli import app


def held(real, hold, marker):
    def rename(src, dst, *args, **kwargs):
        if hold in os.fspath(src) or hold in os.fspath(dst):
            pathlib.Path(marker).touch()
            time.sleep(120)
        return real(src, dst, *args, **kwargs)

    return rename


def child(job):
    out = os.open(job["log"] + ".out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(job["log"] + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.chdir(job["cwd"])
    os.replace = held(os.replace, job["hold"], job["marker"])
    os.rename = held(os.rename, job["hold"], job["marker"])
    code = 0
    try:
        app(job["args"], prog_name="churnlab")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 99
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


print("ready", flush=True)
for line in sys.stdin:
    verb, data = line.split(" ", 1)
    if verb == "run":
        pid = os.fork()
        if pid == 0:
            child(json.loads(data))
        print(pid, flush=True)
    else:
        _, status = os.waitpid(int(data), 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Launcher:
    """A process that imports churnlab once and forks one process per command (each run is
    a real process, killed with real signals, without paying the imports each time)."""

    def __init__(self, folder: Path) -> None:
        script = folder / "launcher.py"
        script.write_text(textwrap.dedent(LAUNCHER), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
        self.process = subprocess.Popen(
            [sys.executable, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def _send(self, line: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._read()

    def run(self, args: list[str], *, cwd: Path, hold: Path, marker: Path, log: Path) -> int:
        """Start ``churnlab ARGS`` in a new process; it sleeps when it renames ``hold``."""
        job = {
            "args": args,
            "cwd": str(cwd),
            "hold": str(hold),
            "marker": str(marker),
            "log": str(log),
        }
        return int(self._send("run " + json.dumps(job)))

    def wait(self, pid: int) -> int:
        """The process's exit code (``-N`` when a signal N ended it)."""
        return int(self._send(f"wait {pid}"))

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@dataclass(frozen=True)
class Bench:
    """The tiny demo operator (``data``), its model (``model``) and a scratch folder."""

    data: Path
    model: Path
    root: Path


ONCE: dict[str, Any] = {}
"""What the session fixtures made: each test module imports them, and pytest would otherwise
make them once per module."""


@pytest.fixture(scope="session", name="bench")
def bench_fixture(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    """A 300-customer, 15-month demo and a model trained on three cutoffs, shared read-only."""
    if "bench" not in ONCE:
        ONCE["bench"] = _make_bench(tmp_path_factory)
    return ONCE["bench"]


def _make_bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    from churnlab.demo import DemoSpec, generate_demo
    from churnlab.features import build_training_frame
    from churnlab.labels import parse_cutoffs
    from churnlab.model import ModelSpec, save_model, train

    root = tmp_path_factory.mktemp("hostile_outputs")
    data = root / "data"
    generate_demo(data, DemoSpec(customers=300, months=15, seed=5))
    frame = build_training_frame(data, cutoffs=parse_cutoffs(CUTOFFS), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a tiny model: its warnings are not under test here
        model = train(
            frame, ModelSpec(max_rounds=20), created_at="2024-04-01T00:00:00", progress=False
        )
    save_model(model, root / "model")
    return Bench(data=data, model=root / "model", root=root)


def invoke(*args: object) -> object:
    """Run the CLI in this process (``result.exit_code``, ``.stdout``, ``.stderr``)."""
    return CliRunner().invoke(app, [str(a) for a in args])


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (or ``path`` itself) with its bytes."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    if not path.is_dir():
        return {}
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and not _leftover(p)
    }


def _leftover(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(LEFTOVER_MARKS)


def leftovers(folder: Path) -> list[str]:
    """Names under ``folder`` that a write leaves only when interrupted (temporaries, locks)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*") if _leftover(p))


@dataclass(frozen=True)
class Writer:
    """A command that writes ``target`` (under its own folder), and an earlier output there."""

    name: str
    target: str
    args: tuple[str, ...]
    previous: str
    """``file``: a stand-in file; ``explain``/``list``/``report``: a stand-in folder of that
    kind; ``model``/``demo``: a copy of the bench's model or data folder."""

    def command(self, bench: Bench, out: Path) -> list[str]:
        values = {"data": bench.data, "model": bench.model, "out": out / self.target}
        return [a.format(**values) for a in self.args]

    def write_previous(self, bench: Bench, out: Path) -> None:
        target = out / self.target
        out.mkdir(parents=True, exist_ok=True)
        if self.previous == "file":
            target.write_text("the previous output\n", encoding="utf-8")
        elif self.previous in ("model", "demo"):
            shutil.copytree(bench.model if self.previous == "model" else bench.data, target)
        else:
            target.mkdir()
            stand_in = {
                "explain": {"explanation.json": "{}", "beeswarm.png": "previous"},
                "list": {
                    "manifest.json": json.dumps({"kind": "target_list", "files": {}}),
                    "target_list.csv": "customer_id\n00001\n",
                },
                "report": {"report.html": "<p>previous</p>", "evaluation.json": "{}"},
            }[self.previous]
            for name, text in stand_in.items():
                (target / name).write_text(text, encoding="utf-8")


WRITERS = (
    Writer("features", "features.parquet", ("features", "{data}", "--out", "{out}"), "file"),
    Writer(
        "train",
        "model",
        ("train", "{data}", "--out", "{out}", "--cutoffs", CUTOFFS),
        "model",
    ),
    Writer(
        "score", "scores.csv", ("score", "{data}", "--model", "{model}", "--out", "{out}"), "file"
    ),
    Writer("evaluate", "evaluation", ("evaluate", "{model}", "--out", "{out}"), "report"),
    Writer("explain", "explanation", ("explain", "{model}", "{data}", "--out", "{out}"), "explain"),
    Writer(
        "target-list",
        "list",
        ("target-list", "{data}", "--model", "{model}", "--out", "{out}", "--format", "csv"),
        "list",
    ),
    Writer(
        "demo-data", "demo", ("demo-data", "{out}", "--customers", "300", "--months", "15"), "demo"
    ),
)


@dataclass
class Killed:
    """What one command left: killed with -9 (run A), then run again and stopped with SIGTERM
    (run B), with a second writer tried while B held the output."""

    before: dict[str, bytes]
    a_returncode: int | None = None
    a_leftovers: list[str] = field(default_factory=list)
    a_after: dict[str, bytes] = field(default_factory=dict)
    a_left_at_b: list[str] = field(default_factory=list)
    second_exit: int | None = None
    second_stderr: str = ""
    b_returncode: int | None = None
    b_stderr: str = ""
    b_leftovers: list[str] = field(default_factory=list)
    b_after: dict[str, bytes] = field(default_factory=dict)


def _wait_for(markers: dict[str, Path], pids: dict[str, int]) -> None:
    deadline = time.monotonic() + 120
    waiting = dict(markers)
    while waiting and time.monotonic() < deadline:
        for name, marker in list(waiting.items()):
            if marker.exists():
                del waiting[name]
            elif not _alive(pids[name]):
                log = marker.with_name(marker.name + ".err")
                said = log.read_text(encoding="utf-8")[-3000:] if log.exists() else ""
                raise AssertionError(f"{name} ended before its write:\n{said}")
        time.sleep(0.05)
    if waiting:
        raise AssertionError(f"no write reached in 120 s: {sorted(waiting)}")


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped, counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture(scope="session", name="killed")
def killed_fixture(bench: Bench, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Killed]:
    """Every writing command killed with -9 during its write, then run again on the same path
    and stopped with SIGTERM during its write; all commands at once, one process per run."""
    if "killed" not in ONCE:
        ONCE["killed"] = _kill_every_writer(bench, tmp_path_factory)
    return ONCE["killed"]


def _kill_every_writer(bench: Bench, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Killed]:
    root = tmp_path_factory.mktemp("killed")
    outs = {w.name: root / w.name for w in WRITERS}
    seen = {}
    for writer in WRITERS:
        writer.write_previous(bench, outs[writer.name])
        seen[writer.name] = Killed(before=snapshot(outs[writer.name] / writer.target))
    launcher = Launcher(root)
    try:
        for run, signal_number in (("a", signal.SIGKILL), ("b", signal.SIGTERM)):
            markers = {w.name: root / f"{w.name}.{run}" for w in WRITERS}
            pids = {
                w.name: launcher.run(
                    w.command(bench, outs[w.name]),
                    cwd=outs[w.name],
                    hold=outs[w.name] / w.target,
                    marker=markers[w.name],
                    log=root / f"{w.name}.{run}",
                )
                for w in WRITERS
            }
            try:
                _wait_for(markers, pids)
                if run == "b":
                    _while_held(bench, outs, seen)
            finally:
                for pid in pids.values():
                    os.kill(pid, signal_number)
            for writer in WRITERS:
                _after(
                    seen[writer.name],
                    run,
                    launcher.wait(pids[writer.name]),
                    outs[writer.name],
                    writer,
                    root,
                )
    finally:
        launcher.close()
    return seen


def _while_held(bench: Bench, outs: dict[str, Path], seen: dict[str, Killed]) -> None:
    """While every run B holds its output: are run A's temporaries gone, and is a second
    writer of the same output refused?"""
    for writer in WRITERS:
        found = seen[writer.name]
        found.a_left_at_b = [
            name
            for name in found.a_leftovers
            if not name.endswith(".lock") and (outs[writer.name] / name).exists()
        ]
        second = invoke(*writer.command(bench, outs[writer.name]))
        found.second_exit = second.exit_code  # type: ignore[attr-defined]
        found.second_stderr = second.stderr  # type: ignore[attr-defined]


def _after(found: Killed, run: str, code: int, out: Path, writer: Writer, root: Path) -> None:
    if run == "a":
        found.a_returncode = code
        found.a_leftovers = leftovers(out)
        found.a_after = snapshot(out / writer.target)
    else:
        found.b_returncode = code
        found.b_stderr = (root / f"{writer.name}.b.err").read_text(encoding="utf-8")
        found.b_leftovers = leftovers(out)
        found.b_after = snapshot(out / writer.target)
