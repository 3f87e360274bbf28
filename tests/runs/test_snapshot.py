"""Snapshots: what a target-list run keeps for next month, written and read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from churnlab.campaign import target_list
from churnlab.errors import DataError, SpecError
from churnlab.model import scoring_frame
from churnlab.runs import read_snapshot, write_snapshot
from churnlab.runs.snapshot import SCORE_COLUMNS


def test_a_snapshot_reads_back_what_the_list_scored(snapshots, monitor_model):
    found = read_snapshot(snapshots["jan"])
    frame = found.frame
    assert list(frame.columns[: len(SCORE_COLUMNS)]) == list(SCORE_COLUMNS)
    assert set(monitor_model.card_.feature_names) <= set(found.feature_names)
    assert frame["customer_id"].dtype == "string"
    assert found.as_of == pd.Timestamp("2024-01-31") and found.horizon_days == 90
    assert found.model_id == monitor_model.card_.model_id
    listed = frame[frame["listed"]]
    assert listed["group"].isin(["target", "control"]).all()
    assert frame.loc[~frame["listed"], "group"].isna().all()
    # the first reason's category is there for the explained, and a known category
    assert listed["reason_1_category"].notna().any()
    assert set(frame["reason_1_category"].dropna()) <= {
        f.reason_category for f in monitor_model.card_.features
    }
    assert repr(found).startswith("<Snapshot at 2024-01-31: ")


def test_targets_are_the_listed_customers_outside_the_control_group(snapshots):
    found = read_snapshot(snapshots["jan"])
    f = found.frame
    expected = set(f.loc[f["listed"] & (f["group"] == "target"), "customer_id"])
    assert found.targets() == expected and len(expected) > 0


def test_a_run_folder_is_read_through_its_outputs(snapshots, tmp_path):
    run = tmp_path / "2024-02-01T020000-abc123"
    shutil.copytree(snapshots["jan"], run / "outputs")
    assert read_snapshot(run).as_of == pd.Timestamp("2024-01-31")


def test_a_folder_without_a_snapshot_is_a_usage_error(tmp_path):
    with pytest.raises(SpecError, match=r"is not a target-list run: it holds no snapshot.json"):
        read_snapshot(tmp_path)
    with pytest.raises(SpecError, match=r"The run folder .* does not exist"):
        read_snapshot(tmp_path / "nowhere")


def test_a_broken_snapshot_is_a_data_error(snapshots, tmp_path):
    copy = shutil.copytree(snapshots["jan"], tmp_path / "broken")
    meta = json.loads((copy / "snapshot.json").read_text())
    del meta["as_of"]
    (copy / "snapshot.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match=r"snapshot.json lacks as_of"):
        read_snapshot(copy)
    (copy / "snapshot.json").write_text("{not json")
    with pytest.raises(DataError, match=r"Cannot read .*snapshot.json"):
        read_snapshot(copy)


def test_features_of_another_frame_are_refused(monitor_tables, monitor_model, tmp_path):
    found = target_list(monitor_tables, monitor_model, as_of="2024-03-31", winback=False)
    other = scoring_frame(monitor_model, monitor_tables, as_of="2024-01-31").frame
    with pytest.raises(SpecError, match=r"must be the frame the list was scored on"):
        write_snapshot(found, other, tmp_path / "s", model_dir=Path("m"), data_dir=Path("d"))


def test_the_run_that_wrote_a_snapshot_is_recorded(
    snapshots, monitor_tables, monitor_model, tmp_path
):
    found = target_list(monitor_tables, monitor_model, as_of="2024-01-31", winback=False)
    features = scoring_frame(monitor_model, monitor_tables, as_of="2024-01-31").frame
    path = write_snapshot(
        found, features, tmp_path / "s", model_dir="m", data_dir="d", run_id="03_target_list/x-1"
    )
    assert json.loads((path / "snapshot.json").read_text())["run_id"] == "03_target_list/x-1"
    assert read_snapshot(path).run_id == "03_target_list/x-1"
    assert read_snapshot(snapshots["jan"]).run_id is None
