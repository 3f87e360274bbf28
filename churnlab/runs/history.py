"""Run history: the table ``churnlab runs`` prints and ``<runs_dir>/index.html``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from churnlab.files import atomic_path, read_json
from churnlab.runs.report import format_value

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["date", "notebook", "run_id", "status", "duration_s"]


def _manifests(runs_dir: Path, notebook: str | None) -> list[tuple[Path, dict[str, Any]]]:
    found: list[tuple[Path, dict[str, Any]]] = []
    if not runs_dir.is_dir():
        return found
    for home in sorted(runs_dir.iterdir()):
        if not home.is_dir() or home.name.startswith("."):
            continue
        if notebook is not None and home.name != Path(notebook).stem:
            continue
        for folder in sorted(home.iterdir()):
            manifest = folder / "manifest.json"
            if folder.is_dir() and not folder.name.startswith(".") and manifest.is_file():
                found.append((folder, read_json(manifest)))
    return found


def list_runs(runs_dir: str | Path, notebook: str | None = None) -> pd.DataFrame:
    """Every run under ``runs_dir`` (or one notebook's), oldest first, with its key figures.

    Columns: date, notebook, run_id, status, duration_s, then one column per figure recorded.

    Examples
    --------
    >>> import tempfile
    >>> list_runs(tempfile.mkdtemp()).columns.tolist()
    ['date', 'notebook', 'run_id', 'status', 'duration_s']
    """
    import pandas as pd

    rows = []
    for _, m in _manifests(Path(runs_dir), notebook):
        row = {
            "date": pd.Timestamp(m["started_at"]).tz_localize(None),
            "notebook": Path(m["notebook"]).stem,
            "run_id": m["run_id"],
            "status": m["status"],
            "duration_s": m["duration_s"],
        }
        row.update(m.get("figures", {}))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=None if rows else COLUMNS)
    if rows:
        frame = frame.sort_values(["date", "run_id"], kind="stable", ignore_index=True)
    return frame


def latest_run(runs_dir: str | Path, stem: str) -> Path | None:
    """The folder of a notebook's latest successful run, or None when it has none.

    >>> import tempfile
    >>> latest_run(tempfile.mkdtemp(), "02_train_model") is None
    True
    """
    home = Path(runs_dir) / Path(stem).stem
    pointer = home / "latest"
    if not pointer.is_file():
        return None
    folder = home / pointer.read_text(encoding="utf-8").strip()
    return folder if folder.is_dir() else None


_INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>churnlab runs</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; } th, td { padding: 4px 12px; border-bottom: 1px solid #ddd;
text-align: left; } td.nowrap { white-space: nowrap; } .failed { color: #b00020; font-weight: bold; }</style></head>
<body><h1>churnlab runs</h1>
{% if not runs %}<p>No runs yet.</p>{% else %}
<p>{{ runs|length }} runs, newest first. Each links to its report and its folder.</p>
<table><tr><th>Date (UTC)</th><th>Notebook</th><th>Status</th><th>Duration</th>
<th>Key figures</th><th>Report</th><th>Files</th></tr>
{% for r in runs %}<tr><td class="nowrap">{{ r.date }}</td><td>{{ r.notebook }}</td>
<td class="{{ r.status }}">{{ r.status }}{% if r.latest %} (latest){% endif %}</td>
<td>{{ r.duration }}</td><td>{{ r.figures }}</td>
<td>{% if r.report %}<a href="{{ r.report }}">report</a>{% endif %}</td>
<td class="nowrap"><a href="{{ r.folder }}/">{{ r.name }}</a></td></tr>
{% endfor %}</table>{% endif %}</body></html>
"""
)


def write_index(runs_dir: str | Path) -> Path:
    """Write ``<runs_dir>/index.html``: every run, newest first, with links (relative)."""
    runs_dir = Path(runs_dir)
    runs = []
    for folder, m in reversed(_manifests(runs_dir, None)):
        stem = folder.parent.name
        latest = latest_run(runs_dir, stem)
        figures = ", ".join(
            f"{k.replace('_', ' ')} {format_value(v)}" for k, v in m.get("figures", {}).items()
        )
        runs.append(
            {
                "date": m["started_at"][:19].replace("T", " "),
                "notebook": stem,
                "status": m["status"],
                "latest": latest is not None and latest.name == folder.name,
                "duration": f"{m['duration_s']:.1f} s",
                "figures": figures,
                "report": f"{stem}/{folder.name}/report.html"
                if (folder / "report.html").is_file()
                else None,
                "folder": f"{stem}/{folder.name}",
                "name": folder.name,
            }
        )
    runs.sort(key=lambda r: r["date"], reverse=True)
    path = runs_dir / "index.html"
    with atomic_path(path) as tmp:
        tmp.write_text(_INDEX.render(runs=runs), encoding="utf-8")
    return path
