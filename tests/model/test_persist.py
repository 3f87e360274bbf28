"""save_model / load_model: a directory of text and JSON, atomic, verified on load."""

from __future__ import annotations

import json
import os
import shutil
import stat

import numpy as np
import pandas as pd
import pytest

from churnlab.errors import ModelError
from churnlab.model import load_model, save_model
from churnlab.model.calibration import Calibrator

FILES = {"card.json", "model.txt", "calibrator.json", "baseline.json", "holdout.parquet"}


@pytest.fixture
def copy(model_dir, tmp_path):
    return shutil.copytree(model_dir, tmp_path / "copy")


def test_a_round_trip_gives_identical_predictions(model, model_dir, frame):
    loaded = load_model(model_dir)

    assert np.array_equal(loaded.predict_proba(frame.frame), model.predict_proba(frame.frame))
    assert np.array_equal(loaded.predict_raw(frame.frame), model.predict_raw(frame.frame))
    assert np.array_equal(loaded.predict_baseline(frame.frame), model.predict_baseline(frame.frame))
    pd.testing.assert_frame_equal(loaded.holdout_, model.holdout_)
    assert loaded.calibrator_ == model.calibrator_
    assert loaded.baseline_ == model.baseline_
    saved_only = {"checksums": {}, "settings_sha256": None}
    assert loaded.card_.to_dict() | saved_only == model.card_.to_dict()
    assert repr(loaded) == repr(model)


def test_the_directory_holds_text_json_and_parquet_only(model_dir):
    names = {p.name for p in model_dir.rglob("*")}

    assert names == FILES
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".joblib"))]
    text = (model_dir / "model.txt").read_text()
    assert text.startswith("tree\nversion=v4")
    for name in ("card.json", "calibrator.json", "baseline.json"):
        json.loads((model_dir / name).read_text())
    card = json.loads((model_dir / "card.json").read_text())
    assert set(card["checksums"]) == FILES - {"card.json"}


@pytest.mark.parametrize(
    "name", ["model.txt", "calibrator.json", "baseline.json", "holdout.parquet"]
)
def test_a_tampered_file_is_named(copy, name):
    path = copy / name
    path.write_bytes(path.read_bytes()[:-20] + b"x" * 20)

    with pytest.raises(
        ModelError, match=rf"{name} in .* does not match its checksum in card\.json"
    ):
        load_model(copy)


def test_a_missing_file_is_named(copy):
    (copy / "calibrator.json").unlink()

    with pytest.raises(ModelError, match=r"calibrator\.json is missing from the model directory"):
        load_model(copy)


def test_another_lightgbm_major_version_is_refused(copy):
    card = json.loads((copy / "card.json").read_text())
    card["versions"]["lightgbm"] = "99.1.0"
    (copy / "card.json").write_text(json.dumps(card))

    with pytest.raises(ModelError, match=r"saved with LightGBM 99\.1\.0, but LightGBM \d"):
        load_model(copy)


def test_a_newer_card_layout_is_refused(copy):
    card = json.loads((copy / "card.json").read_text())
    card["format_version"] = 99
    (copy / "card.json").write_text(json.dumps(card))

    with pytest.raises(ModelError, match="layout version 99"):
        load_model(copy)


def test_a_broken_card_is_named(copy):
    (copy / "card.json").write_text("{not json")

    with pytest.raises(ModelError, match=r"card\.json in .* cannot be read"):
        load_model(copy)


def test_a_folder_without_a_card_is_not_a_model(tmp_path):
    with pytest.raises(ModelError, match="is not a churnlab model directory"):
        load_model(tmp_path)


def test_saving_replaces_a_model_only_once_the_new_one_is_complete(model, copy, monkeypatch):
    before = {p.name: p.read_bytes() for p in copy.iterdir()}

    def fail(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Calibrator, "to_dict", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        save_model(model, copy)

    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before
    assert [p.name for p in copy.parent.iterdir()] == ["copy"], "no temporary folder left"


def test_saving_over_a_model_replaces_it(model, copy):
    (copy / "model.txt").write_text("old")

    save_model(model, copy)

    assert load_model(copy).booster_.model_to_string() == model.booster_.model_to_string()
    assert [p.name for p in copy.parent.iterdir()] == ["copy"]


def test_saving_never_replaces_a_folder_that_is_not_a_model(model, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")

    with pytest.raises(ModelError, match=r"is not a churnlab model directory .* refusing"):
        save_model(model, tmp_path)

    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_saved_model_follows_the_umask(model, tmp_path, umask):
    before = os.umask(umask)
    try:
        folder = save_model(model, tmp_path / "model")
    finally:
        os.umask(before)

    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == dict.fromkeys(
        FILES, 0o666 & ~umask
    )


def test_a_model_saved_by_a_run_carries_the_runs_id(model, tmp_path):
    saved = save_model(model, tmp_path / "m", run_id="02_train_model/2025-07-01T080000-abc123")
    assert load_model(saved).card_.run_id == "02_train_model/2025-07-01T080000-abc123"
    assert load_model(save_model(model, tmp_path / "n")).card_.run_id is None
