"""``write_explanation``: explain every customer of a data directory at a date, and write the
global pictures (PNG) and tables (CSV) into one folder, atomically."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from churnlab.dates import parse_date
from churnlab.errors import ModelError, SpecError
from churnlab.explanations.compute import as_model, explain
from churnlab.explanations.displays import (
    BeeswarmDisplay,
    DependenceDisplay,
    ImportanceDisplay,
    SegmentDriversDisplay,
)
from churnlab.explanations.explanation import Explanation
from churnlab.features import build_scoring_frame, load_families
from churnlab.files import atomic_directory, write_json
from churnlab.model import ChurnModel
from churnlab.safe import neutralise_frame
from churnlab.tables import DataConfig, Tables, load_tables
from churnlab.tables.config import resolve_config

SUMMARY = "explanation.json"
"""The folder's summary; its presence marks a folder this function may replace."""
DPI = 100


@dataclass(frozen=True, kw_only=True, eq=False)
class WrittenExplanation:
    """What :func:`write_explanation` wrote.

    Attributes
    ----------
    folder, files:
        The folder and the names of the files in it.
    as_of, as_of_source:
        The date explained, and where it came from (``"as_of"``: the argument; else the
        data's extract date and where that came from).
    explanation:
        The :class:`Explanation` of every customer in scope at ``as_of``.
    """

    folder: Path
    files: tuple[str, ...]
    as_of: pd.Timestamp
    as_of_source: str
    explanation: Explanation

    def __repr__(self) -> str:
        return (
            f"<WrittenExplanation at {self.as_of.date()}: {len(self.explanation):,} customers, "
            f"top driver {self.explanation.top_driver}; {len(self.files)} files in {self.folder}>"
        )


def _day(value: str | dt.date | pd.Timestamp) -> pd.Timestamp:
    return parse_date(value, "as_of")


def extract_date(
    data: Tables | str | Path, config: DataConfig | str | Path | None = None
) -> tuple[pd.Timestamp, str]:
    """The data's extract date and where it comes from (the snapshot's as-of date, the
    ``extract_date`` of ``churnlab.toml``, or else the latest date in the data)."""
    if isinstance(data, Tables):
        return data.extract_date, f"extract date ({data.extract_date_source})"
    settings = resolve_config(Path(data), config)
    if settings.snapshot is not None and settings.snapshot.as_of is not None:
        return pd.Timestamp(settings.snapshot.as_of), "extract date (snapshot as_of)"
    if settings.extract_date is not None:
        return pd.Timestamp(settings.extract_date), "extract date (churnlab.toml)"
    tables = load_tables(data, config=config)
    return tables.extract_date, f"extract date ({tables.extract_date_source})"


def _png(draw: Callable[[Any], object], size: tuple[float, float]) -> bytes:
    """Draw on a figure that pyplot never sees, as PNG bytes."""
    figure = Figure(figsize=size, layout="constrained")
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def pictures(explanation: Explanation) -> dict[str, bytes]:
    """The global pictures of an explanation, as PNG bytes by file name."""
    top = explanation.top_driver
    rows = min(len(explanation.features), 12)
    return {
        "beeswarm.png": _png(
            lambda ax: BeeswarmDisplay.from_explanation(explanation).plot(ax=ax),
            (10, 0.45 * rows + 1.8),
        ),
        "importance_by_feature.png": _png(
            lambda ax: ImportanceDisplay.from_explanation(explanation).plot(ax=ax),
            (9, 0.4 * min(len(explanation.features), 15) + 1.5),
        ),
        "importance_by_category.png": _png(
            lambda ax: ImportanceDisplay.from_explanation(explanation, by="category").plot(ax=ax),
            (8, 3.5),
        ),
        "drivers_by_risk_band.png": _png(
            lambda ax: SegmentDriversDisplay.from_explanation(explanation).plot(ax=ax),
            (9, 3.5),
        ),
        f"dependence_{top}.png": _png(
            lambda ax: DependenceDisplay.from_explanation(explanation, top).plot(ax=ax),
            (9, 5.5),
        ),
    }


def tables(explanation: Explanation) -> dict[str, pd.DataFrame]:
    """The global tables of an explanation, by file name."""
    return {
        "importance_by_feature.csv": explanation.importance("feature"),
        "importance_by_family.csv": explanation.importance("family"),
        "importance_by_category.csv": explanation.importance("category"),
        "attribution_by_category.csv": explanation.attribution("category"),
        "drivers.csv": explanation.drivers(),
    }


def _check_target(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise SpecError(f"{folder} exists and is not a folder; choose another --out.")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / SUMMARY).is_file():
        raise SpecError(
            f"{folder} is not empty and was not written by `churnlab explain` (no {SUMMARY}); "
            "refusing to replace it. Choose a new or empty folder."
        )


def write_explanation(
    model: ChurnModel | str | Path,
    data: Tables | str | Path,
    out_dir: str | Path,
    *,
    as_of: str | dt.date | pd.Timestamp | None = None,
    config: DataConfig | str | Path | None = None,
    progress: bool | None = None,
) -> WrittenExplanation:
    """Explain every customer in scope at ``as_of`` and write the global views into a folder.

    The folder is written beside its final place and renamed into it once complete; an
    existing folder is replaced only if this function wrote it (it has ``explanation.json``)
    or it is empty. It receives:

    - ``beeswarm.png``, ``importance_by_feature.png``, ``importance_by_category.png``,
      ``drivers_by_risk_band.png`` and ``dependence_<top driver>.png``;
    - ``importance_by_feature.csv``, ``importance_by_family.csv``,
      ``importance_by_category.csv`` (:meth:`Explanation.importance`),
      ``attribution_by_category.csv`` (:meth:`Explanation.attribution`: overall and per risk
      band) and ``drivers.csv`` (the top drivers in words);
    - ``explanation.json``: the summary (:meth:`Explanation.to_dict`) with the date.

    Parameters
    ----------
    model:
        A trained :class:`~churnlab.model.ChurnModel`, or a model directory.
    data:
        Loaded :class:`~churnlab.tables.Tables`, or a data directory.
    out_dir:
        The folder to write.
    as_of:
        The date to explain (what was known at the end of this day). ``None``: the data's
        extract date (see :func:`extract_date`; ``as_of_source`` says which).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    progress:
        Show progress bars.
    """
    folder = Path(out_dir)
    _check_target(folder)
    churn_model = as_model(model)
    if as_of is None:
        stamp, source = extract_date(data, config)
    else:
        stamp, source = _day(as_of), "as_of"
    card = churn_model.card_
    try:
        families = load_families(card.feature_families)
    except Exception as exc:
        raise ModelError(
            f"The model's own feature families ({', '.join(card.feature_families)}) cannot be "
            f"imported: {exc}. Run from the folder that holds their modules."
        ) from None
    frame = build_scoring_frame(
        data,
        as_of=stamp,
        spec=card.label_spec,
        vocabulary=card.vocabulary,
        config=config,
        families=families,
        leave_out=card.left_out,
    )
    explanation = explain(churn_model, frame, progress=progress)
    images, csvs = pictures(explanation), tables(explanation)
    with atomic_directory(folder) as tmp:
        for name, png in images.items():
            (tmp / name).write_bytes(png)
        for name, table in csvs.items():
            safe = neutralise_frame(table)  # ids and category values may start a formula
            safe.to_csv(tmp / name, index=False, encoding="utf-8", float_format="%.6g")
        summary = {"as_of": str(stamp.date()), "as_of_source": source, **explanation.to_dict()}
        write_json(summary, tmp / SUMMARY)
    return WrittenExplanation(
        folder=folder,
        files=tuple(sorted([*images, *csvs, SUMMARY])),
        as_of=stamp,
        as_of_source=source,
        explanation=explanation,
    )
