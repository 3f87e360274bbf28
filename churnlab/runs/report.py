"""``report.html``: an executed notebook as a page a marketing manager reads.

Code is hidden, images are embedded, stderr output (warnings, progress text) is left out of the
page (it stays in the notebook), and the page opens with a summary in words.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jinja2

_SUMMARY = jinja2.Environment(autoescape=True).from_string(
    """
<section class="churnlab-summary" style="font-family: system-ui, sans-serif; max-width: 60rem;
  margin: 1.5rem 8px 2rem 8px; padding: 1rem 1.5rem; border: 1px solid #ccc; border-radius: 6px;
  background: {{ '#fdecea' if failed else '#f4f8f4' }};">
<h1 style="margin-top: 0;">{{ title }}</h1>
<p>{{ sentence }}</p>
{% if error %}<p><strong>The run stopped{% if error.cell is not none %} at cell
  {{ error.cell }}{% endif %}:</strong>
  {{ error.ename }}: {{ error.evalue }}</p>{% endif %}
<table style="border-collapse: collapse;">
{% for label, value in facts %}<tr><th style="text-align: left; padding: 2px 1rem 2px 0;">
{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
{% if figures %}<h2>Key figures</h2><table style="border-collapse: collapse;">
{% for name, value in figures %}<tr><th style="text-align: left; padding: 2px 1rem 2px 0;">
{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}</table>{% endif %}
{% if parameters %}<h2>Parameters</h2><table style="border-collapse: collapse;">
{% for name, value, source in parameters %}<tr><th style="text-align: left;
  padding: 2px 1rem 2px 0;">{{ name }}</th><td>{{ value }}</td>
  <td style="color: #666; padding-left: 1rem;">{{ source }}</td></tr>{% endfor %}</table>{% endif %}
</section>
"""
)
_SOURCES = {"default": "default", "file": "from the file", "flag": "given", "run": "set by the run"}


def summary_html(manifest: dict[str, Any]) -> str:
    """The summary the report opens with, from a run's manifest (escaped HTML)."""
    failed = manifest["status"] != "succeeded"
    notebook = Path(manifest["notebook"]).stem
    when = manifest["started_at"][:19].replace("T", " ")
    duration = _duration(manifest["duration_s"])
    sentence = (
        f"This run of {notebook} failed after {duration}; the results below stop where it did."
        if failed
        else f"This run of {notebook} succeeded in {duration}."
    )
    facts = [
        ("Notebook", notebook),
        ("Status", manifest["status"]),
        ("Started", f"{when} UTC"),
        ("Duration", duration),
        ("Run", manifest["run_id"]),
        ("Previous run", manifest.get("previous_run") or "none"),
    ]
    if manifest.get("git_commit"):
        facts.append(("Code version (git)", manifest["git_commit"][:12]))
    figures = [(name.replace("_", " "), format_value(v)) for name, v in manifest["figures"].items()]
    parameters = [
        (name, format_value(p["value"]) if p["value"] != "" else "(empty)", _SOURCES[p["source"]])
        for name, p in manifest["parameters"].items()
        if name != "run_id"
    ]
    return _SUMMARY.render(
        title=f"{notebook}: {'failed' if failed else 'report'}",
        sentence=sentence,
        error=manifest.get("error"),
        facts=facts,
        figures=figures,
        parameters=parameters,
        failed=failed,
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def write_report(notebook: str | Path, manifest: dict[str, Any], path: str | Path) -> Path:
    """Write ``report.html`` for an executed notebook: code hidden, images embedded, stderr
    left out, and the summary of :func:`summary_html` first."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(Path(notebook), as_version=4)
    nb = _without_stderr(nb)
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    title = f"{Path(manifest['notebook']).stem} - {manifest['run_id']}"
    body = re.sub(r"<title>.*?</title>", f"<title>{_escape(title)}</title>", body, count=1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + summary_html(manifest), body, count=1)
    path = Path(path)
    path.write_text(body, encoding="utf-8")
    return path


def _escape(text: str) -> str:
    return str(jinja2.utils.markupsafe.escape(text))


def _without_stderr(nb: Any) -> Any:
    """A copy of the notebook without stderr streams, papermill's own markdown banners and
    cells left empty (the injected parameters)."""
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
            if not cell.outputs:
                continue
        elif "papermill-error-cell-tag" in tags:
            continue
        kept.append(cell)
    nb.cells = kept
    return nb
