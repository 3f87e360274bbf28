"""`churnlab run` folders: manifest, report, latest, index; the failure path; the lock."""

from __future__ import annotations

import json
import re
import time

import nbformat
import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import SpecError
from churnlab.runs import latest_run, list_runs, run_notebook
from churnlab.runs.run import notebook_lock

FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}-[0-9a-f]{6}$")


def test_a_successful_run_writes_its_folder_and_moves_latest(project, capsys):
    run = run_notebook("tiny", parameters={"top": "4"}, runs_dir="runs", progress=False)
    progress = [line for line in capsys.readouterr().err.splitlines() if "Executing" in line]
    assert progress == [f"Executing: cell {i} of 5" for i in range(1, 6)]  # one line per cell
    assert run.succeeded and FOLDER.match(run.folder.name)
    assert run.folder.parent == project / "runs" / "tiny"
    assert sorted(p.name for p in run.folder.iterdir()) == [
        "manifest.json",
        "notebook.ipynb",
        "outputs",
        "report.html",
    ]
    assert not [p for p in run.folder.parent.iterdir() if p.name.endswith(".tmp")]
    assert (run.outputs / "list.txt").read_text() == f"{run.run_id} top=4\n"
    m = json.loads((run.folder / "manifest.json").read_text())
    assert m["kind"] == "run" and m["status"] == "succeeded" and m["error"] is None
    assert m["notebook"] == "notebooks/tiny.ipynb"
    assert m["run_id"] == f"tiny/{run.folder.name}"
    assert m["parameters"]["top"] == {"value": 4, "source": "flag"}
    assert m["parameters"]["budget"] == {"value": 10.5, "source": "default"}
    assert m["parameters"]["run_id"] == {"value": run.run_id, "source": "run"}
    assert m["parameters"]["output_dir"] == {"value": str(run.outputs), "source": "run"}
    assert m["figures"] == {"listed": 4, "expected_gain": 21.0}
    assert m["data_fingerprint"]["files"].keys() == {"customers.csv"}
    assert m["previous_run"] is None and m["versions"]["churnlab"]
    assert m["duration_s"] > 0 and m["ended_at"] >= m["started_at"]
    assert latest_run(project / "runs", "tiny") == run.folder
    html = run.report.read_text()
    assert "tiny: report" in html and "succeeded" in html and "expected gain" in html
    assert "wrote 4 rows" in html  # outputs shown
    assert "record_figures(" not in html  # code hidden
    assert "a warning nobody needs" not in html  # stderr left out of the page
    executed = nbformat.read(run.folder / "notebook.ipynb", as_version=4)
    assert "a warning nobody needs" in json.dumps(executed)  # ... but kept in the notebook
    index = (project / "runs" / "index.html").read_text()
    assert f'href="tiny/{run.folder.name}/report.html"' in index
    assert repr(run).startswith(f"<Run {run.run_id}: succeeded in ")


def test_a_failed_run_is_kept_and_latest_stays(project):
    good = run_notebook("tiny", runs_dir="runs", progress=False)
    bad = run_notebook("tiny", parameters={"fail": "true"}, runs_dir="runs", progress=False)
    assert bad.status == "failed" and bad.folder.is_dir()
    assert bad.error["ename"] == "ValueError" and bad.error["evalue"] == "the list is empty"
    assert isinstance(bad.error["cell"], int)
    assert bad.manifest["previous_run"] == good.run_id
    assert latest_run(project / "runs", "tiny") == good.folder
    html = bad.report.read_text()
    assert "failed" in html and "the list is empty" in html
    assert "at cell" in repr(bad)
    table = list_runs(project / "runs", "tiny")
    assert table["status"].tolist() == ["succeeded", "failed"]
    assert table["listed"].tolist() == [3, 3]


def test_a_second_run_of_the_same_notebook_is_refused_while_one_runs(project):
    with (
        notebook_lock(project / "runs" / "tiny", wait=False),
        pytest.raises(SpecError, match=r"Another run of tiny is in progress.*--wait"),
    ):
        run_notebook("tiny", runs_dir="runs", progress=False)
    assert not [p for p in (project / "runs" / "tiny").iterdir() if p.name != ".lock"]


def test_cli_exit_codes(project):
    runner = CliRunner()
    ok = runner.invoke(app, ["run", "tiny", "-p", "top", "2", "--runs-dir", "runs"])
    assert ok.exit_code == 0, ok.output
    assert "succeeded" in ok.output and "report.html" in ok.output
    failed = runner.invoke(app, ["run", "tiny", "-p", "fail", "1", "--runs-dir", "runs"])
    assert failed.exit_code == 1
    assert "failed at cell" in failed.output and "ValueError: the list is empty" in failed.output
    for args, message in [
        (["-p", "tpo", "2"], "Did you mean 'top'?"),
        (["-p", "top", "x"], "must be a whole number"),
        (["-p", "as_of", "2026-13-01"], "as_of"),
        (["-p", "data_dir", "missing"], "must be an existing folder"),
        (["-p", "top"], "expected -p NAME VALUE"),
    ]:
        result = runner.invoke(app, ["run", "tiny", *args, "--runs-dir", "runs"])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
    listed = runner.invoke(app, ["runs", "--runs-dir", "runs"])
    assert listed.exit_code == 0
    assert "succeeded" in listed.output and "failed" in listed.output and "listed" in listed.output


def test_with_wait_a_second_run_starts_when_the_first_ends(project):
    import threading

    held = threading.Event()

    def first() -> None:
        with notebook_lock(project / "runs" / "tiny", wait=False):
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    clock = time.perf_counter()
    run = run_notebook("tiny", runs_dir="runs", progress=False, wait=True)
    thread.join()
    assert run.succeeded and time.perf_counter() - clock > 1.0


def test_a_kernel_that_cannot_start_gives_a_failed_run(project):
    run = run_notebook("tiny", runs_dir="runs", progress=False, kernel_name="no-such-kernel")
    assert run.status == "failed" and run.error["cell"] is None
    assert run.error["ename"] == "NoSuchKernel"
    assert latest_run(project / "runs", "tiny") is None
    assert "failed (NoSuchKernel)" in repr(run)
