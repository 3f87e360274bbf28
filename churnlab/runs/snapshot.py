"""A target-list run's scores, kept for next month's comparison: ``scores.parquet`` and
``snapshot.json`` side by side in one directory (a ``03_target_list`` run's ``outputs/``).

``scores.parquet`` holds one row per scored customer: ``customer_id`` (text),
``churn_probability``, ``risk_band``, ``expected_gain``, ``listed``, ``group`` (``target``,
``control``, or missing when not listed), ``reason_1_category`` (the strongest reason's
category, missing when not explained), then every model feature. ``snapshot.json`` says when,
with which model and on which data: ``{"as_of", "model_dir", "model_id", "data_dir",
"horizon_days", "run_id"}`` (``run_id`` may be null).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from churnlab.dates import parse_date
from churnlab.errors import DataError, SpecError

if TYPE_CHECKING:
    from churnlab.campaign import TargetList

SCORES_FILE = "scores.parquet"
SNAPSHOT_FILE = "snapshot.json"
SCORE_COLUMNS = (
    "customer_id",
    "churn_probability",
    "risk_band",
    "expected_gain",
    "listed",
    "group",
    "reason_1_category",
)
"""The columns of ``scores.parquet`` before the model's features, in order."""
_KEYS = ("as_of", "model_dir", "model_id", "data_dir", "horizon_days")


@dataclass(frozen=True, kw_only=True, eq=False)
class Snapshot:
    """A target-list run's scores and where they came from (made by :func:`read_snapshot`).

    Attributes
    ----------
    frame:
        ``scores.parquet``: the columns of :data:`SCORE_COLUMNS`, then the model's features.
    as_of:
        The scoring date.
    model_dir, data_dir:
        The model directory that scored, and the data directory it read.
    model_id:
        The model's id.
    horizon_days:
        The days ahead the churn probability covers.
    directory:
        Where the snapshot was read from.
    run_id:
        The run that wrote it (``None`` when written outside ``churnlab run``).
    """

    frame: pd.DataFrame
    as_of: pd.Timestamp
    model_dir: Path
    model_id: str
    data_dir: Path
    horizon_days: int
    directory: Path
    run_id: str | None = None

    @property
    def feature_names(self) -> list[str]:
        """The model features kept beside the scores."""
        return [c for c in self.frame.columns if c not in SCORE_COLUMNS]

    def targets(self) -> set[str]:
        """The ids of the customers to contact (listed, not in the control group)."""
        f = self.frame
        chosen = f["listed"].astype(bool) & (f["group"] == "target").fillna(False)
        return set(f.loc[chosen, "customer_id"].astype(str))

    def __repr__(self) -> str:
        listed = int(self.frame["listed"].sum())
        return (
            f"<Snapshot at {self.as_of.date()}: {len(self.frame):,} customers scored, "
            f"{listed:,} listed; model {self.model_id}>"
        )


def write_snapshot(
    target_list: TargetList,
    features: pd.DataFrame,
    directory: str | Path,
    *,
    model_dir: str | Path,
    data_dir: str | Path,
    run_id: str | None = None,
) -> Path:
    """Write a target list's scores and features as a snapshot (``scores.parquet`` and
    ``snapshot.json``) into ``directory``, made if needed.

    Parameters
    ----------
    target_list:
        The list (:func:`churnlab.campaign.target_list`); its ``scored`` frame gives the scores.
    features:
        The scoring frame (``churnlab.model.scoring_frame(model, data, as_of=...).frame``):
        ``customer_id`` and the model's features.
    directory:
        Where to write; existing snapshot files there are replaced (each file atomically).
    model_dir, data_dir:
        The model directory and the data directory the list was made with.
    run_id:
        The id of the run that made the list (``churnlab run`` injects it), recorded in
        ``snapshot.json``.

    Returns
    -------
    Path
        ``directory``.

    Examples
    --------
    >>> write_snapshot(tl, scoring.frame, "outputs", model_dir="model", data_dir="data/demo")  # doctest: +SKIP
    PosixPath('outputs')
    """
    scored = target_list.scored
    if "customer_id" not in features.columns:
        raise SpecError("The 'features' of write_snapshot need a 'customer_id' column.")
    ids = scored["customer_id"].astype(str)
    feature_ids = features["customer_id"].astype(str)
    if len(features) != len(scored) or not ids.reset_index(drop=True).equals(
        feature_ids.reset_index(drop=True)
    ):
        raise SpecError(
            "The 'features' of write_snapshot must be the frame the list was scored on: "
            f"{len(features):,} rows for {len(scored):,} scored customers, or in another order. "
            "Pass churnlab.model.scoring_frame(model, data, as_of=target_list.as_of).frame."
        )
    listed = scored["listed"].to_numpy(dtype=bool)
    group = pd.Series(
        pd.Categorical(
            [
                ("control" if c else "target") if s else None
                for s, c in zip(listed, scored["control"], strict=True)
            ],
            categories=["target", "control"],
        )
    )
    reason = (
        scored["reason_1_category"].astype("string")
        if "reason_1_category" in scored.columns
        else pd.Series(pd.NA, index=range(len(scored)), dtype="string")
    )
    out = pd.DataFrame(
        {
            "customer_id": ids.astype("string").to_numpy(),
            "churn_probability": scored["churn_probability"].to_numpy(dtype="float64"),
            "risk_band": scored["risk_band"].astype(str).to_numpy(),
            "expected_gain": scored["expected_gain"].to_numpy(dtype="float64"),
            "listed": listed,
            "group": group.to_numpy(),
            "reason_1_category": reason.to_numpy(),
        }
    )
    out["customer_id"] = out["customer_id"].astype("string")
    out["reason_1_category"] = out["reason_1_category"].astype("string")
    names = [c for c in features.columns if c not in ("customer_id", "cutoff", "as_of", "churned")]
    clash = sorted(set(names) & set(SCORE_COLUMNS))
    if clash:
        raise SpecError(f"The features {clash} share a name with a score column of the snapshot.")
    out = pd.concat([out, features[names].reset_index(drop=True)], axis=1)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    _replace(target / SCORES_FILE, lambda p: out.to_parquet(p, index=False))
    meta = {
        "as_of": str(target_list.as_of.date()),
        "model_dir": str(Path(model_dir).resolve()),
        "model_id": target_list.model_id,
        "data_dir": str(Path(data_dir).resolve()),
        "horizon_days": int(target_list.horizon_days),
        "run_id": run_id or None,
    }
    _replace(target / SNAPSHOT_FILE, lambda p: p.write_text(json.dumps(meta, indent=2) + "\n"))
    return target


def _replace(path: Path, write: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)


def snapshot_directory(path: str | Path) -> Path:
    """The directory holding a snapshot: ``path`` itself, or a run folder's ``outputs/``.

    Raises
    ------
    SpecError
        ``path`` is neither (a usage error: the CLI exits with 2).
    """
    folder = Path(path)
    for candidate in (folder, folder / "outputs"):
        if (candidate / SNAPSHOT_FILE).is_file():
            return candidate
    if not folder.exists():
        raise SpecError(f"The run folder {str(folder)!r} does not exist.")
    raise SpecError(
        f"{str(folder)!r} is not a target-list run: it holds no {SNAPSHOT_FILE}, nor does its "
        "outputs/ folder. Pass a folder of `churnlab run 03_target_list` (reports/runs/"
        "03_target_list/<run>) or a directory written by write_snapshot."
    )


def read_snapshot(directory: str | Path) -> Snapshot:
    """Read a snapshot written by :func:`write_snapshot` (or a run folder holding one in
    ``outputs/``).

    Raises
    ------
    SpecError
        The folder holds no snapshot.
    DataError
        Its files are unreadable or lack what a snapshot holds.

    Examples
    --------
    >>> read_snapshot("reports/runs/03_target_list/2024-07-01T020000-a1b2c3")  # doctest: +SKIP
    <Snapshot at 2024-06-30: 1,402 customers scored, 151 listed; model 7f3a...>
    """
    folder = snapshot_directory(directory)
    try:
        meta = json.loads((folder / SNAPSHOT_FILE).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"Cannot read {folder / SNAPSHOT_FILE}: {exc}.") from None
    missing = [k for k in _KEYS if not isinstance(meta, dict) or k not in meta]
    if missing:
        raise DataError(f"{folder / SNAPSHOT_FILE} lacks {', '.join(missing)}.")
    try:
        frame = pd.read_parquet(folder / SCORES_FILE)
    except Exception as exc:  # pyarrow raises many kinds
        raise DataError(f"Cannot read {folder / SCORES_FILE}: {exc}.") from None
    absent = [c for c in SCORE_COLUMNS if c not in frame.columns]
    if absent:
        raise DataError(f"{folder / SCORES_FILE} lacks the columns {', '.join(absent)}.")
    frame["customer_id"] = frame["customer_id"].astype("string")
    return Snapshot(
        frame=frame,
        as_of=parse_date(meta["as_of"], "as_of"),
        model_dir=_path(meta["model_dir"], folder),
        model_id=str(meta["model_id"]),
        data_dir=_path(meta["data_dir"], folder),
        horizon_days=int(meta["horizon_days"]),
        directory=folder,
        run_id=str(meta["run_id"]) if meta.get("run_id") else None,
    )


def _path(text: str, base: Path) -> Path:
    path = Path(text)
    return path if path.is_absolute() else base / path
