"""A tiny notebook with a typed parameters cell, written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

PARAMETERS = """\
data_dir: str = "data"  # the data folder
as_of: str = ""  # scoring date (YYYY-MM-DD; empty: today's extract)
top: int = 3  # how many to list (at least 0)
budget: float = 10.5  # what to spend (above 0, at most 1000)
fail: bool = False  # raise in the third cell
output_dir: str = ""  # where this run writes (created)
run_id: str = ""  # set by churnlab run
"""

WORK = """\
from pathlib import Path
import sys
from churnlab.runs import record_figures
out = Path(output_dir or "out")
out.mkdir(parents=True, exist_ok=True)
(out / "list.txt").write_text(f"{run_id} top={top}\\n")
record_figures(out, listed=top, expected_gain=budget * 2)
print("wrote", top, "rows")
print("a warning nobody needs", file=sys.stderr)
"""

FAIL = """\
if fail:
    raise ValueError("the list is empty")
print("done")
"""


def write_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny list\nA list of *top* customers."),
        params,
        nbformat.v4.new_code_cell(WORK),
        nbformat.v4.new_code_cell(FAIL),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding notebooks/tiny.ipynb and data/, and the working folder."""
    write_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text("customer_id\n001\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path
