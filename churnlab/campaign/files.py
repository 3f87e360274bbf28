"""A target list's files: one directory per list, written whole or not at all.

=========================  ===================================================================
``target_list.csv``        UTF-8 with a byte-order mark (Chinese opens right in Excel);
                           probabilities to 4 decimals, money to 2; text neutralised
``target_list.xlsx``       the list (split over sheets above 1,048,575 rows), ``summary`` (the
                           parameters and totals) and ``columns`` (what each column means); ids
                           are text cells
``target_list.parquet``    full precision, for the data team (text as it is)
``winback.csv``            valuable customers who left recently, best first
``profit_curve.png``       expected gain against the list's size
``manifest.json``          rows by group, every parameter, the model id and card digest, the
                           data fingerprint, the as-of date, the horizon, the software versions
                           and the sha256 of every file
=========================  ===================================================================

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab, a carriage return or their full-width forms) is neutralised in the CSV and XLSX files
(:mod:`churnlab.safe`); numbers are never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from churnlab.errors import SpecError
from churnlab.export import (
    check_export_target,
    software_versions,
    write_csv,
    write_export,
    write_parquet,
    write_xlsx,
)

if TYPE_CHECKING:
    from churnlab.campaign.result import TargetList

KIND = "target_list"
FORMATS = ("csv", "xlsx", "parquet")
ROUNDING = {"churn_probability": 4, "value": 2, "expected_gain": 2}
WINBACK_ROUNDING = {"value": 2, "last_churn_probability": 4}


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for, refused when unknown or none.

    >>> check_formats(["csv", "xlsx"])
    ('csv', 'xlsx')
    >>> check_formats(["xls"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The format 'xls' is not one churnlab writes. Did you mean 'xlsx'? Formats: csv, xlsx, parquet.
    """
    from churnlab.errors import did_you_mean

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    for name in chosen:
        if name not in FORMATS:
            raise SpecError(
                f"The format {name!r} is not one churnlab writes.{did_you_mean(name, FORMATS)} "
                f"Formats: {', '.join(FORMATS)}."
            )
    if not chosen:
        raise SpecError(f"Choose at least one format: {', '.join(FORMATS)}.")
    return chosen


def check_target_directory(directory: str | Path, *, protect: Sequence[str | Path] = ()) -> None:
    """Refuse, before any work, an output directory that is not free, empty or an earlier
    list, or that is one of the inputs (see :func:`churnlab.export.check_export_target`)."""
    check_export_target(directory, kind=KIND, protect=protect)


def rounded(frame: pd.DataFrame, digits: dict[str, int]) -> pd.DataFrame:
    """A copy with some numeric columns rounded, for the files people open."""
    out = frame.copy()
    for name, places in digits.items():
        if name in out.columns:
            out[name] = out[name].round(places)
    return out


def summary_sheet(target: TargetList) -> pd.DataFrame:
    """The ``summary`` sheet: every parameter and total, as setting/value rows."""
    data = target.to_dict()
    rows: list[tuple[str, Any]] = [
        ("campaign_id", data["campaign_id"]),
        ("as_of", data["as_of"]),
        ("horizon_days", data["horizon_days"]),
        ("model_id", data["model_id"]),
        ("selection", target.selection.describe()),
        ("control_fraction", data["control_fraction"]),
        ("value_method", data["value_method"]),
        ("language", data["language"]),
        ("included_columns", ", ".join(data["include_columns"]) or "none"),
        ("minimum_detectable_effect", target.mde_line()),
    ]
    rows += [(f"total.{k}", v) for k, v in data["totals"].items()]
    if data["budget_left"] is not None:
        rows.append(("budget_left", data["budget_left"]))
    rows += [(f"campaign.{k}", v) for k, v in _flat(data["campaign"]).items()]
    rows += [(f"segments.{k}", v) for k, v in data["segment_thresholds"].items()]
    rows += [(f"note.{i}", note) for i, note in enumerate(data["notes"], start=1)]
    return pd.DataFrame({"setting": [r[0] for r in rows], "value": [_cell(r[1]) for r in rows]})


def column_guide(target: TargetList) -> pd.DataFrame:
    """The ``columns`` sheet: each column and what it means."""
    from churnlab.campaign.result import COLUMN_GUIDE

    chinese = target.language == "zh"
    rows = [(name, COLUMN_GUIDE[name][1 if chinese else 0]) for name in COLUMN_GUIDE]
    rows += [(name, "personal data, included on request") for name in target.include_columns]
    return pd.DataFrame({"column": [r[0] for r in rows], "meaning": [r[1] for r in rows]})


def manifest(
    target: TargetList, formats: Sequence[str], run_id: str | None = None
) -> dict[str, Any]:
    """What ``manifest.json`` records beside the files' checksums."""
    data = target.to_dict()
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "campaign_id": data["campaign_id"],
        "as_of": data["as_of"],
        "as_of_source": data["as_of_source"],
        "horizon_days": data["horizon_days"],
        "model_id": data["model_id"],
        "model_card_sha256": data["model_digest"],
        "data_fingerprint": data["data_fingerprint"],
        "rows": {
            "target": data["totals"]["target"],
            "control": data["totals"]["control"],
            "winback": 0 if target.winback is None else len(target.winback.frame),
        },
        "parameters": {
            "selection": data["selection"],
            "campaign": data["campaign"],
            "control_fraction": data["control_fraction"],
            "value_method": data["value_method"],
            "monthly_retention": data["monthly_retention"],
            "segment_thresholds": data["segment_thresholds"],
            "language": data["language"],
            "formats": list(formats),
        },
        "included_columns": data["include_columns"],
        "totals": data["totals"],
        "minimum_detectable_effect": data["minimum_detectable_effect"],
        "control_large_enough": data["control_large_enough"],
        "notes": data["notes"],
        "software": software_versions(),
    }


def write_target_list(
    target: TargetList,
    directory: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    protect: Sequence[str | Path] = (),
    run_id: str | None = None,
) -> Path:
    """Write a target list's files (see the module's docstring) into ``directory``.

    The directory is written under a temporary name and renamed when complete: a failed run
    leaves the previous list whole. A directory that exists and is not an earlier list is
    refused, and so is one inside ``protect`` (the data and model directories).
    """
    chosen = check_formats(formats)
    frame = target.frame
    people = rounded(frame, ROUNDING)
    writers: dict[str, Callable[[Path], object]] = {}
    if "csv" in chosen:
        writers["target_list.csv"] = lambda path: write_csv(people, path)
    if "xlsx" in chosen:
        writers["target_list.xlsx"] = lambda path: write_xlsx(
            people,
            path,
            sheet="list",
            extra_sheets={"summary": summary_sheet(target), "columns": column_guide(target)},
        )
    if "parquet" in chosen:
        writers["target_list.parquet"] = lambda path: write_parquet(frame, path)
    if target.winback is not None:
        winback = rounded(target.winback.frame, WINBACK_ROUNDING)
        writers["winback.csv"] = lambda path: write_csv(winback, path)
    writers["profit_curve.png"] = lambda path: _save_curve(target, path)
    return write_export(
        directory,
        kind=KIND,
        files=writers,
        manifest=manifest(target, chosen, run_id),
        protect=[Path(p) for p in protect],
    )


def _save_curve(target: TargetList, path: Path) -> None:
    import matplotlib.pyplot as plt

    display = target.profit_curve().plot()
    try:
        display.figure_.savefig(path, dpi=110)  # type: ignore[union-attr]
    finally:
        plt.close(display.figure_)  # type: ignore[arg-type]


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def _cell(value: Any) -> str:
    """A summary value as text (one column of mixed values reads best as text)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return "" if not value else str(value)
    return str(value)
