"""Export directories: every file written to a temporary sibling, then put in place at once.

A reader (or the next run) never sees a half-written export: :func:`write_export` writes each
file into a temporary directory beside the target, adds ``manifest.json`` with a checksum per
file, and only then renames the whole directory into place. A writer that fails, or a run
that is interrupted, leaves the previous export as it was and no temporary directory behind.
It never writes over something that is not an earlier export of the same kind, nor over the
inputs it was asked to protect.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from churnlab.errors import DataError, SpecError
from churnlab.export.manifest import MANIFEST, file_entries, read_manifest
from churnlab.files import atomic_directory, check_output

FORMAT_VERSION: Final[int] = 1
"""Version of the export directory's layout, recorded in every manifest."""
RESERVED: Final[tuple[str, ...]] = ("kind", "format_version", "files")
"""Manifest keys :func:`write_export` sets itself."""


def write_export(
    target: str | Path,
    *,
    kind: str,
    files: Mapping[str, Callable[[Path], Any]],
    manifest: Mapping[str, Any],
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write an export directory atomically, with a manifest of checksums.

    Parameters
    ----------
    target : str or Path
        The directory to write. It may be missing, empty, or an earlier export of the same
        ``kind`` (which is replaced as a whole, only once the new one is complete).
    kind : str
        What the export is, such as ``"target_list"``; recorded in the manifest and checked
        before an existing directory is replaced.
    files : mapping of str to callable
        File name to writer: each writer is called with the path of its file inside the
        temporary directory and must write it there (``lambda path: write_csv(frame, path)``).
        Files are written in the mapping's order.
    manifest : mapping
        Everything else the manifest records (parameters, model id, row counts, software
        versions...). Values must be JSON data; dates, timestamps, paths, sets and numpy
        scalars are converted. ``"created_at"``, if given and not ``None``, is recorded as
        given.
    protect : iterable of str or Path, optional
        Inputs that must never be overwritten (the data and model directories): ``target``
        may not be one of them, lie inside one, or contain one.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    SpecError
        Before anything is written: if ``target`` is a file, a non-empty directory that is
        not an earlier export of this kind, or a protected input (or inside or around one);
        if a file name is not a plain name or is ``manifest.json``; if ``manifest`` uses a
        reserved key (``kind``, ``format_version``, ``files``) or holds a value JSON cannot.
    DataError
        If a writer returns without writing its file.

    Notes
    -----
    ``manifest.json`` holds ``{"kind", "format_version", "created_at", **manifest, "files"}``,
    where ``"files"`` maps every file's name to its SHA-256 and size (``manifest.json``
    itself excluded); :func:`churnlab.export.verify_manifest` checks them.

    ``created_at`` is the one value taken from the clock, and only when the caller passes
    none: it records when the files were written (UTC, ISO 8601), it feeds no computation
    and no checksum, and a manifest without it would not say which of two exports is newer.
    Pass ``manifest={"created_at": ...}`` for a reproducible manifest.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "list"
    >>> _ = write_export(out, kind="demo", files={"a.txt": lambda p: p.write_text("a")},
    ...                  manifest={"created_at": "2025-06-30T12:00:00Z", "rows": 1})
    >>> print((out / "manifest.json").read_text(), end="")
    {
      "kind": "demo",
      "format_version": 1,
      "created_at": "2025-06-30T12:00:00Z",
      "rows": 1,
      "files": {
        "a.txt": {
          "sha256": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
          "bytes": 1
        }
      }
    }
    >>> write_export(out, kind="other", files={}, manifest={})
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: ... holds an export of kind 'demo', not 'other'; choose a new directory, or remove it yourself.
    """
    target = Path(target)
    if not isinstance(kind, str) or not kind:
        raise SpecError(
            f"The 'kind' parameter of write_export must be a non-empty str. Got {kind!r} instead."
        )
    _check_files(files)
    text = _manifest_text(kind, manifest, {})  # fails now, before anything is written
    check_export_target(target, kind=kind, protect=protect)
    with atomic_directory(target) as tmp:
        for name, writer in files.items():
            writer(tmp / name)
            if not (tmp / name).is_file():
                raise DataError(f"The writer of {name} returned without writing the file.")
        text = _manifest_text(kind, manifest, file_entries(tmp))
        (tmp / MANIFEST).write_text(text, encoding="utf-8")
    return target


def _check_files(files: Mapping[str, Callable[[Path], Any]]) -> None:
    if not isinstance(files, Mapping):
        raise SpecError(
            "The 'files' parameter of write_export must map file names to writers. "
            f"Got {type(files).__name__} instead."
        )
    for name, writer in files.items():
        if (
            not isinstance(name, str)
            or name in ("", ".", "..", MANIFEST)
            or name != Path(name).name
            or "\\" in name
            or name.startswith(".")
        ):
            raise SpecError(
                "The 'files' parameter of write_export must name plain files (no folders, "
                f"not hidden, not {MANIFEST}). Got {name!r} instead."
            )
        if not callable(writer):
            raise SpecError(
                f"The writer of {name!r} must be callable with the file's path. "
                f"Got {type(writer).__name__} instead."
            )


def check_export_target(
    target: str | Path, *, kind: str, protect: Iterable[str | Path] = ()
) -> None:
    """Refuse a target that is not free, empty, or an earlier export of ``kind``, that is,
    holds or lies inside one of the inputs in ``protect``, or that cannot be written
    (:func:`churnlab.files.check_output`; a :class:`SpecError` saying what to do). :func:`write_export` checks this first; call it before long work to fail fast.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_export_target(folder / "list", kind="target_list", protect=[folder / "data"])
    >>> check_export_target(folder / "data" / "list", kind="target_list", protect=[folder / "data"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The output ... is inside the input ...; churnlab never writes over its inputs. Choose a path outside it.
    """
    target = Path(target)
    advice = "choose a new directory, or remove it yourself."
    check_output(target, directory=True, protect=protect)
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise SpecError(f"{target} exists and is not a directory; {advice}")
    if not any(target.iterdir()):
        return
    if not (target / MANIFEST).is_file():
        raise SpecError(
            f"{target} exists, is not empty and is not an earlier export (it has no "
            f"{MANIFEST}); {advice}"
        )
    try:
        found = read_manifest(target).get("kind")
    except DataError:
        found = None
    if found != kind:
        what = (
            f"an export of kind {found!r}"
            if isinstance(found, str)
            else f"an unreadable {MANIFEST}"
        )
        raise SpecError(f"{target} holds {what}, not {kind!r}; {advice}")


def _manifest_text(kind: str, manifest: Mapping[str, Any], entries: dict[str, Any]) -> str:
    if not isinstance(manifest, Mapping):
        raise SpecError(
            "The 'manifest' parameter of write_export must be a mapping. "
            f"Got {type(manifest).__name__} instead."
        )
    reserved = [key for key in RESERVED if key in manifest]
    if reserved:
        raise SpecError(
            f"The 'manifest' parameter of write_export must not set {', '.join(map(repr, reserved))}: "
            "write_export records them itself."
        )
    created = manifest.get("created_at")
    if created is None:
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    content = {
        "kind": kind,
        "format_version": FORMAT_VERSION,
        "created_at": created,
        **{key: value for key, value in manifest.items() if key != "created_at"},
        "files": entries,
    }
    try:
        return (
            json.dumps(content, indent=2, ensure_ascii=False, allow_nan=False, default=_jsonable)
            + "\n"
        )
    except (TypeError, ValueError) as error:
        raise SpecError(
            f"The 'manifest' parameter of write_export must hold JSON data: {error}."
        ) from error


def _jsonable(value: Any) -> Any:
    """JSON for the values a manifest commonly holds beyond plain JSON."""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
