"""05_monitor runs end to end with papermill on two snapshots of the tiny demo, and picks the
latest two successful runs by itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import papermill
import pytest

from churnlab.errors import SpecError
from churnlab.runs import latest_pair, successful_runs

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_monitor.ipynb"


def _run_folder(runs: Path, name: str, snapshot: Path | None, status: str) -> Path:
    folder = runs / "03_target_list" / name
    if snapshot is not None:
        shutil.copytree(snapshot, folder / "outputs")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"kind": "run", "run_id": f"03_target_list/{name}", "status": status}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture
def runs_dir(tmp_path: Path, snapshots: dict[str, Path]) -> Path:
    runs = tmp_path / "runs"
    _run_folder(runs, "2024-02-01T020000-aaaaaa", snapshots["jan"], "succeeded")
    _run_folder(runs, "2024-02-15T020000-bbbbbb", None, "failed")
    _run_folder(runs, "2024-03-01T020000-cccccc", snapshots["feb"], "succeeded")
    _run_folder(runs, "2024-03-02T020000-dddddd", snapshots["feb"], "succeeded")
    # the pointer moves only on success: a run newer than it is not the latest yet
    (runs / "03_target_list" / "latest").write_text("2024-03-01T020000-cccccc\n")
    return runs


def test_the_latest_pair_skips_failed_runs_and_follows_the_pointer(runs_dir):
    names = [p.name for p in successful_runs(runs_dir, "03_target_list")]
    assert names == ["2024-02-01T020000-aaaaaa", "2024-03-01T020000-cccccc"]
    earlier, later = latest_pair(runs_dir)
    assert (earlier.name, later.name) == tuple(names)


def test_one_run_is_not_enough_to_compare(tmp_path, snapshots):
    _run_folder(tmp_path, "2024-02-01T020000-aaaaaa", snapshots["jan"], "succeeded")
    with pytest.raises(SpecError, match=r"needs two successful runs of 03_target_list .* found 1"):
        latest_pair(tmp_path)


def test_the_monitor_notebook_compares_the_latest_two_runs(runs_dir, tmp_path):
    out = tmp_path / "outputs"
    executed = tmp_path / "monitor.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"runs_dir": str(runs_dir), "output_dir": str(out)},
        kernel_name="churnlab",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    text = executed.read_text()
    assert "<RunComparison 2024-01-31 -> 2024-02-29" in text
    assert "Of 1,0" in text and "ROC-AUC" in text  # the January outcomes are known
    assert "IProgress" not in text and "Traceback" not in text
    for name in ("score_shift.png", "feature_shift.png", "reason_mix.png", "comparison.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "comparison.json").read_text())
    assert summary["run_a"] == "03_target_list/2024-02-01T020000-aaaaaa"
    figures = json.loads((out / "figures.json").read_text())
    assert set(figures) == {"score_psi", "list_jaccard", "entered", "left", "warnings"}
