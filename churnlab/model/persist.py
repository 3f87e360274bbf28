"""A model is a directory: LightGBM's text model, JSON parameters, the hold-out, a card.

::

    model.txt          the booster, in LightGBM's own text format
    calibrator.json    the calibrator's method and parameters
    baseline.json      the logistic-regression baseline (preprocessing and coefficients)
    holdout.parquet    hold-out predictions (what the evaluation reads)
    card.json          the model card, with the sha256 of every other file and of its own
                       settings that change a score (features, bands, label definition)

Nothing is pickled. Saving writes a temporary sibling directory and renames it into place
only when every file is written (:func:`churnlab.files.atomic_directory`), so a failed save
never leaves a half-written model and never replaces a good one; the directory and its files
get the permissions of the user's umask. Loading verifies every checksum, the card's settings
(:meth:`~churnlab.model.card.ModelCard.settings_digest`: an edited risk band or label definition
is refused), the structure of ``model.txt`` before LightGBM parses it
(:func:`~churnlab.model.booster_text.check_booster_text`: LightGBM aborts the process on some
malformed files) and the LightGBM major version. Checksum keys are the file names above, never
paths; a file the card does not cover is refused.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import lightgbm as lgb
import pandas as pd

from churnlab.errors import ModelError
from churnlab.files import atomic_directory, sha256_file
from churnlab.model.baseline import BaselineModel
from churnlab.model.booster_text import booster_names, check_booster_text
from churnlab.model.calibration import Calibrator
from churnlab.model.card import ModelCard, library_versions
from churnlab.model.compat import capped
from churnlab.model.model import ChurnModel

CARD, BOOSTER, CALIBRATOR, BASELINE, HOLDOUT = (
    "card.json",
    "model.txt",
    "calibrator.json",
    "baseline.json",
    "holdout.parquet",
)
REQUIRED = (BOOSTER, CALIBRATOR, HOLDOUT)
KNOWN = (BOOSTER, CALIBRATOR, BASELINE, HOLDOUT)
"""The only names a card's checksums may hold: file names in the model directory, not paths."""


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def save_model(model: ChurnModel, directory: str | Path, *, run_id: str | None = None) -> Path:
    """Save ``model`` as a directory, atomically; an existing model directory is replaced.

    Parameters
    ----------
    model:
        A trained :class:`ChurnModel`.
    directory:
        Where to save. An existing directory is replaced only if it is a churnlab model
        directory (it has a ``card.json``) or empty, and only once the new one is complete.
    run_id:
        The ``churnlab run`` that made the model, recorded on its card.

    Returns
    -------
    Path
        ``directory``.
    """
    if not isinstance(model, ChurnModel):
        raise ModelError(f"save_model needs a ChurnModel, got {type(model).__name__}.")
    target = Path(directory)
    check_model_directory(target)
    with atomic_directory(target) as tmp:
        model.booster_.save_model(str(tmp / BOOSTER))
        _write_json(tmp / CALIBRATOR, model.calibrator_.to_dict())
        files = [BOOSTER, CALIBRATOR]
        if model.baseline_ is not None:
            _write_json(tmp / BASELINE, model.baseline_.to_dict())
            files.append(BASELINE)
        model.holdout_.to_parquet(tmp / HOLDOUT, index=False)
        files.append(HOLDOUT)
        card = replace(
            model.card_,
            checksums={name: sha256_file(tmp / name) for name in files},
            run_id=run_id or model.card_.run_id,
        )
        card = replace(card, settings_sha256=card.settings_digest())
        _write_json(tmp / CARD, card.to_dict())
    return target


def check_model_directory(directory: str | Path) -> None:
    """Refuse (:class:`ModelError`) a place :func:`save_model` must not replace: a file, or a
    non-empty directory that is not a churnlab model. Call it before training to fail fast.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_model_directory(folder / "model")
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> check_model_directory(folder)
    Traceback (most recent call last):
    ...
    churnlab.errors.ModelError: ... is not empty and is not a churnlab model directory (no card.json); refusing to replace it. Choose a new or empty directory.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise ModelError(f"{target} exists and is not a directory; choose another model path.")
    if target.is_dir() and any(target.iterdir()) and not (target / CARD).is_file():
        raise ModelError(
            f"{target} is not empty and is not a churnlab model directory (no {CARD}); "
            "refusing to replace it. Choose a new or empty directory."
        )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path.name} in {path.parent} cannot be read: {exc}.") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path.name} in {path.parent} does not hold a JSON object.")
    return data


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def check_versions(card: ModelCard) -> None:
    """Refuse a model saved by another LightGBM major version (its text format may differ)."""
    saved = card.versions.get("lightgbm", "unknown")
    installed = library_versions()["lightgbm"]
    if saved != "unknown" and _major(saved) != _major(installed):
        raise ModelError(
            f"The model was saved with LightGBM {saved}, but LightGBM {installed} is installed: "
            f"install lightgbm {_major(saved)}.x (pip install 'lightgbm>={_major(saved)},"
            f"<{int(_major(saved)) + 1}') or retrain the model."
        )


EVALUATION_DIR = "evaluation"
"""The folder ``churnlab evaluate`` writes its report to, inside the model directory, by
default: a model directory may hold it (and the lock of a run writing it)."""


def _expected(path: Path, card: ModelCard) -> bool:
    """Whether a model directory may hold ``path``: the card, a file it covers, or the
    evaluation report's folder and the lock or leftovers of a run writing it."""
    name = path.name
    if name in (CARD, *card.checksums):
        return True
    if name == EVALUATION_DIR:
        return path.is_dir()
    return name.startswith(f".{EVALUATION_DIR}.")


def _check_covered(folder: Path, card: ModelCard) -> None:
    """Every file churnlab reads is named in the card's checksums, by file name, and matches;
    no other file lies in the directory; the card's own settings match their digest."""
    odd = [name for name in card.checksums if name not in KNOWN]
    if odd:
        raise ModelError(
            f"{CARD} in {folder} lists checksums for {capped(odd)}, which are not files of a "
            f"model directory (only {', '.join(KNOWN)}): the card was edited. Copy the whole "
            "model directory again, or retrain."
        )
    missing = [name for name in REQUIRED if name not in card.checksums]
    if (folder / BASELINE).exists() and BASELINE not in card.checksums:
        missing.append(BASELINE)
    if missing:
        raise ModelError(f"{CARD} in {folder} lists no checksum for {capped(missing)}.")
    extra = sorted(p.name for p in folder.iterdir() if not _expected(p, card))
    if extra:
        raise ModelError(
            f"{folder} holds files its {CARD} does not cover: {capped(extra)}. A model directory "
            "holds only what churnlab saved; move them elsewhere."
        )
    for name, expected in card.checksums.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"{name} is missing from the model directory {folder}.")
        found = sha256_file(path)
        if found != expected:
            raise ModelError(
                f"{name} in {folder} does not match its checksum in {CARD} (the file was "
                f"changed or only partly copied): expected sha256 {expected[:16]}..., found "
                f"{found[:16]}.... Copy the whole model directory again, or retrain."
            )
    if card.settings_sha256 is None or card.settings_sha256 != card.settings_digest():
        raise ModelError(
            f"The settings in {CARD} in {folder} (features, risk bands, label definition or "
            "calibration) do not match their checksum (settings_sha256): the card was edited "
            "by hand, or saved before churnlab recorded this checksum. Settings that "
            "change scores cannot be edited in a saved model: retrain it (churnlab train) with "
            "the settings you want."
        )


def load_model(directory: str | Path) -> ChurnModel:
    """Load a model directory written by :func:`save_model`, verifying it first.

    A missing file, a file whose sha256 differs from the card's (tampered with, or only partly
    copied), an unreadable card or a different LightGBM major version raise
    :class:`~churnlab.errors.ModelError` naming the problem.
    """
    folder = Path(directory)
    if not (folder / CARD).is_file():
        raise ModelError(
            f"{folder} is not a churnlab model directory: it has no {CARD}. "
            "Save models with churnlab.model.save_model or `churnlab train --out`."
        )
    card = ModelCard.from_dict(_read_json(folder / CARD))
    _check_covered(folder, card)
    check_versions(card)
    raw = (folder / BOOSTER).read_bytes()
    check_booster_text(raw, card.feature_names, trees=card.trees, where=f"{BOOSTER} in {folder}")
    try:
        booster = lgb.Booster(model_str=raw.decode("utf-8"))
    except (lgb.basic.LightGBMError, ValueError) as exc:
        raise ModelError(f"{BOOSTER} in {folder} is not a LightGBM model: {exc}") from None
    if list(booster.feature_name()) != booster_names(card.feature_names):
        raise ModelError(
            f"{BOOSTER} and {CARD} in {folder} disagree on the features: the booster has "
            f"{capped(booster.feature_name())}, the card {capped(list(card.feature_names))}."
        )
    baseline = None
    if BASELINE in card.checksums:
        baseline = BaselineModel.from_dict(_read_json(folder / BASELINE))
    try:
        holdout = pd.read_parquet(folder / HOLDOUT)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{HOLDOUT} in {folder} cannot be read: {exc}") from None
    return ChurnModel(
        booster_=booster,
        calibrator_=Calibrator.from_dict(_read_json(folder / CALIBRATOR)),
        card_=card,
        baseline_=baseline,
        holdout_=holdout,
    )
