"""``run_notebook``: execute a notebook with papermill into a run folder of its own.

A run folder ``<runs_dir>/<stem>/<YYYY-MM-DD>T<HHMMSS>-<6 hex>/`` holds ``notebook.ipynb``
(executed), ``report.html``, ``outputs/`` and ``manifest.json``. It is written under a
temporary name (``.<name>.<random>.tmp``) and renamed when the run ends, failed or not.
``<runs_dir>/<stem>/latest`` (a text file) names the latest successful run and moves only on
success. A lock on ``<runs_dir>/<stem>/.lock`` stops two runs of one notebook at once: the
second is refused at once, or waits with ``wait=True`` (``--wait``).

The injected ``output_dir`` is the outputs folder under the temporary name (where the files
are written during the run); after the rename they are in ``<run folder>/outputs``, the path
the manifest records. Write paths relative to ``output_dir`` into your outputs, not absolute
ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churnlab.errors import SpecError
from churnlab.files import atomic_directory, read_json, write_json
from churnlab.runs.figures import read_figures
from churnlab.runs.params import (
    RUN_PARAMETERS,
    read_parameters,
    read_params_file,
    resolve_parameters,
)

NOTEBOOKS = "notebooks"
RUNS_DIR = "reports/runs"


@dataclass(frozen=True, kw_only=True)
class Run:
    """One notebook run, as its manifest describes it."""

    run_id: str
    folder: Path
    notebook: str
    status: str
    started_at: str
    duration_s: float
    parameters: dict[str, Any] = field(repr=False)
    figures: dict[str, Any] = field(repr=False)
    error: dict[str, Any] | None = field(repr=False, default=None)
    manifest: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_folder(cls, folder: str | Path) -> Run:
        """The run in ``folder`` (its ``manifest.json``)."""
        folder = Path(folder)
        m = read_json(folder / "manifest.json")
        return cls(
            run_id=m["run_id"],
            folder=folder,
            notebook=m["notebook"],
            status=m["status"],
            started_at=m["started_at"],
            duration_s=m["duration_s"],
            parameters=m["parameters"],
            figures=m.get("figures", {}),
            error=m.get("error"),
            manifest=m,
        )

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def report(self) -> Path:
        return self.folder / "report.html"

    @property
    def outputs(self) -> Path:
        return self.folder / "outputs"

    def __repr__(self) -> str:
        why = ""
        if self.error:
            cell = self.error["cell"]
            why = (f" at cell {cell}" if cell is not None else "") + f" ({self.error['ename']})"
        return f"<Run {self.run_id}: {self.status}{why} in {self.duration_s:.1f} s>"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.manifest)

    def _repr_html_(self) -> str:
        from churnlab.runs.report import summary_html

        return summary_html(self.manifest)


def find_notebook(notebook: str | Path, *, root: str | Path = ".") -> Path:
    """A notebook path, or a name such as ``03_target_list`` looked up in ``notebooks/``."""
    path = Path(notebook)
    candidates = [path, path.with_suffix(".ipynb")] if path.suffix != ".ipynb" else [path]
    folder = Path(root) / NOTEBOOKS
    candidates += [folder / path.name, folder / f"{path.stem}.ipynb"]
    for candidate in candidates:
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate
    known = sorted(p.stem for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    from churnlab.errors import did_you_mean

    raise SpecError(
        f"No notebook {str(notebook)!r}: give a path to an .ipynb file or the name of one in "
        f"{folder}." + did_you_mean(path.stem, known)
    )


@contextlib.contextmanager
def notebook_lock(folder: Path, *, wait: bool) -> Iterator[None]:
    """Hold ``folder/.lock`` for the run; refuse (``SpecError``) or wait when it is held."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SpecError(
                f"Another run of {folder.name} is in progress ({holder}); wait for it to end, "
                "or pass --wait to start when it does."
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {_now().isoformat(timespec='seconds')}\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_notebook(
    notebook: str | Path,
    *,
    parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    params_file: str | Path | None = None,
    runs_dir: str | Path = RUNS_DIR,
    cwd: str | Path | None = None,
    kernel_name: str | None = None,
    wait: bool = False,
    progress: bool | None = None,
) -> Run:
    """Run a notebook with papermill into a new run folder; see the module docstring.

    Parameters
    ----------
    notebook : str or Path
        A notebook path, or a name in ``notebooks/`` (``"03_target_list"``).
    parameters : mapping or (name, value) pairs, optional
        Values (typed, or text as from ``-p NAME VALUE``); source ``"flag"`` in the manifest.
    params_file : str or Path, optional
        A TOML file of ``name = value`` pairs (source ``"file"``); ``parameters`` win.
    runs_dir : str or Path
        Where run folders go (default ``reports/runs``).
    cwd : str or Path, optional
        The folder the notebook runs in, and relative paths are read from (default: the
        current folder).
    kernel_name : str, optional
        Default: ``churnlab`` when that kernel is installed, else ``python3``.
    wait : bool
        When another run of this notebook holds the lock: wait for it (True) or refuse.
    progress : bool, optional
        A progress bar (cell i of n); default: when stderr is a terminal. Otherwise one line
        per cell on stderr.

    Returns
    -------
    Run
        Failed runs are returned too (``run.status == "failed"``), with their error.

    Raises
    ------
    SpecError
        A bad parameter, a missing notebook, or the lock held (no kernel was started).
    """
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    path = find_notebook(notebook, root=cwd)
    declared = read_parameters(path)
    file_values = read_params_file(params_file) if params_file is not None else None
    resolve_parameters(  # all checks before the lock, the folder and the kernel
        declared,
        flags=parameters or {},
        file_values=file_values,
        run_values=dict.fromkeys(RUN_PARAMETERS, ""),
        cwd=cwd,
    )
    stem = path.stem
    runs_dir = Path(runs_dir) if Path(runs_dir).is_absolute() else cwd / runs_dir
    home = runs_dir / stem
    with notebook_lock(home, wait=wait):
        started = _now()
        name = f"{started.strftime('%Y-%m-%dT%H%M%S')}-{secrets.token_hex(3)}"
        run_id = f"{stem}/{name}"
        previous = (home / "latest").read_text().strip() if (home / "latest").is_file() else None
        with atomic_directory(home / name) as tmp:
            outputs = tmp / "outputs"
            outputs.mkdir()
            values = resolve_parameters(
                declared,
                flags=parameters or {},
                file_values=file_values,
                run_values={"output_dir": str(outputs), "run_id": run_id},
                run_defaults={"runs_dir": str(runs_dir)},
                cwd=cwd,
            )
            clock = time.perf_counter()
            error = _execute(
                path,
                tmp / "notebook.ipynb",
                {k: v.value for k, v in values.items()},
                cwd=cwd,
                kernel_name=kernel_name or _default_kernel(),
                progress=sys.stderr.isatty() if progress is None else progress,
            )
            duration = time.perf_counter() - clock
            recorded: dict[str, dict[str, Any]] = {
                k: {"value": v.value, "source": v.source} for k, v in values.items()
            }
            if "output_dir" in recorded:  # where the outputs are once the folder is renamed
                recorded["output_dir"]["value"] = str(home / name / "outputs")
            manifest = {
                "kind": "run",
                "run_id": run_id,
                "notebook": _shown(path, cwd),
                "status": "failed" if error else "succeeded",
                "started_at": started.isoformat(timespec="seconds"),
                "ended_at": _now().isoformat(timespec="seconds"),
                "duration_s": round(duration, 3),
                "parameters": recorded,
                "error": error,
                "versions": _versions(),
                "git_commit": _git_commit(cwd),
                "data_fingerprint": _fingerprint(values, cwd),
                "previous_run": f"{stem}/{previous}" if previous else None,
                "figures": read_figures(outputs),
            }
            write_json(manifest, tmp / "manifest.json")
            if (tmp / "notebook.ipynb").is_file():
                from churnlab.runs.report import write_report

                write_report(tmp / "notebook.ipynb", manifest, tmp / "report.html")
        if not error:
            write_json_text(home / "latest", name)
    from churnlab.runs.history import write_index

    write_index(runs_dir)
    return Run.from_folder(home / name)


def write_json_text(path: Path, text: str) -> None:
    """Replace a small text file atomically."""
    from churnlab.files import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _execute(
    source: Path,
    target: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    kernel_name: str,
    progress: bool,
) -> dict[str, Any] | None:
    """Run papermill; the error (cell, ename, evalue) when a cell raised, else None."""
    import papermill

    bar: bool | dict[str, Any] = (
        True
        if progress
        else {"file": _LinePerCell(), "mininterval": 0, "bar_format": "{desc}: cell {n} of {total}"}
    )
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=kernel_name,
            cwd=str(cwd),
            progress_bar=bar,
            log_output=False,
        )
    except papermill.PapermillExecutionError as exc:
        return {"cell": exc.exec_count, "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:  # the kernel died, timed out or would not start: a failed run too
        return {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)}
    return None


class _LinePerCell:
    """A file for tqdm without a terminal: ``Executing: cell i of n`` once per cell."""

    def __init__(self) -> None:
        self._last = ""

    def write(self, text: str) -> None:
        line = text.replace("\r", "").strip()
        if line and line != self._last and not line.endswith(": cell 0 of " + line.split()[-1]):
            self._last = line
            sys.stderr.write(line + "\n")

    def flush(self) -> None:
        sys.stderr.flush()


def _shown(path: Path, cwd: Path) -> str:
    """A path relative to the project folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path.resolve())


def _default_kernel() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return "churnlab" if "churnlab" in KernelSpecManager().find_kernel_specs() else "python3"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _versions() -> dict[str, str]:
    from churnlab.export import software_versions

    versions = software_versions()
    from importlib import metadata

    for name in ("papermill", "nbconvert"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _git_commit(cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _fingerprint(values: Mapping[str, Any], cwd: Path) -> dict[str, Any] | None:
    data_dir = values.get("data_dir")
    if data_dir is None or not isinstance(data_dir.value, str) or not data_dir.value:
        return None
    folder = Path(data_dir.value)
    folder = folder if folder.is_absolute() else cwd / folder
    if not folder.is_dir():
        return None
    from churnlab.tables import data_fingerprint

    return data_fingerprint(folder)


__all__ = ["RUN_PARAMETERS", "Run", "find_notebook", "run_notebook"]
