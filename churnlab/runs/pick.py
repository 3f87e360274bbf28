"""The runs a monitoring notebook compares: the latest successful run of a notebook and the
successful one before it, read from run folders and their manifests.

A run folder is ``<runs_dir>/<stem>/<YYYY-MM-DD>T<HHMMSS>-<id>/`` with a ``manifest.json``
whose ``status`` is ``succeeded`` or ``failed``; ``<runs_dir>/<stem>/latest`` holds the folder
name of the latest successful run. Folder names sort by time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from churnlab.dates import DateLike, parse_date
from churnlab.errors import SpecError

MANIFEST = "manifest.json"
LATEST = "latest"


def successful_runs(runs_dir: str | Path, stem: str) -> list[Path]:
    """The successful run folders of notebook ``stem``, oldest first, up to the one the
    ``latest`` pointer names (a run still being written, or newer than the pointer, is left
    out).

    >>> successful_runs("no/such/folder", "03_target_list")
    []
    """
    folder = Path(runs_dir) / stem
    if not folder.is_dir():
        return []
    found = []
    for run in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            manifest = json.loads((run / MANIFEST).read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(manifest, dict) and manifest.get("status") == "succeeded":
            found.append(run)
    pointer = folder / LATEST
    if pointer.is_file():
        latest = pointer.read_text().strip()
        names = [run.name for run in found]
        if latest in names:
            found = found[: names.index(latest) + 1]
    return found


def latest_pair(runs_dir: str | Path, stem: str = "03_target_list") -> tuple[Path, Path]:
    """The successful run before the latest one, and the latest one.

    Raises
    ------
    SpecError
        Fewer than two successful runs: name what to run.
    """
    runs = successful_runs(runs_dir, stem)
    if len(runs) < 2:
        raise SpecError(
            f"Comparing needs two successful runs of {stem} in {str(Path(runs_dir) / stem)!r}; "
            f"found {len(runs)}. Run `churnlab run {stem}` (once a month), or pass run_a and "
            "run_b."
        )
    return runs[-2], runs[-1]


def next_month_end(runs_dir: str | Path, extract: DateLike, stem: str = "03_target_list") -> str:
    """The as-of date of the next monthly run: the month end after the latest successful
    run's as-of date, never after ``extract`` (the data's extract date); without a run, the
    month end before ``extract``, so that a second monthly run has a month to move to.

    >>> import tempfile
    >>> next_month_end(tempfile.mkdtemp(), "2025-12-31")
    '2025-11-30'
    """
    from churnlab.labels.window import month_ends_until
    from churnlab.runs.snapshot import read_snapshot

    last = parse_date(extract, "extract")
    runs = successful_runs(runs_dir, stem)
    if not runs:
        return str(month_ends_until(last, 2)[0].date())
    after = pd.Timestamp(read_snapshot(runs[-1]).as_of) + pd.offsets.MonthEnd(1)
    return str(min(after, last).date())
