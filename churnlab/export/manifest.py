"""Manifests: what an export directory holds, with a SHA-256 per file, and how to check it.

Every export directory has a ``manifest.json`` (written by
:func:`churnlab.export.write_export`) whose ``"files"`` maps each file's name to its SHA-256
and size. :func:`verify_manifest` recomputes them, so a reader can tell that the list
marketing received is the list that was written.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from churnlab.errors import DataError
from churnlab.files import sha256_file

MANIFEST: Final[str] = "manifest.json"
"""The name of the manifest file in every export directory."""

SOFTWARE: Final[tuple[str, ...]] = (
    "churnlab",
    "pandas",
    "numpy",
    "pyarrow",
    "lightgbm",
    "scikit-learn",
    "shap",
    "statsmodels",
    "scipy",
    "xlsxwriter",
    "openpyxl",
    "matplotlib",
    "duckdb",
)
"""The distributions whose versions :func:`software_versions` records."""


def file_entries(directory: str | Path) -> dict[str, dict[str, Any]]:
    """``{name: {"sha256": ..., "bytes": ...}}`` for every file in ``directory``.

    Files in sub-folders are named by their relative path with ``/``; the top-level
    ``manifest.json`` is left out (it cannot hold its own checksum). Names are sorted.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "list.csv").write_bytes(b"abc")
    >>> _ = (folder / "manifest.json").write_text("{}")
    >>> file_entries(folder)
    {'list.csv': {'sha256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'bytes': 3}}
    """
    directory = Path(directory)
    entries = {}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if path.is_file() and name != MANIFEST:
            entries[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    return entries


def software_versions() -> dict[str, str]:
    """Python's version and the installed versions of :data:`SOFTWARE` (``"unknown"`` if absent).

    Examples
    --------
    >>> versions = software_versions()
    >>> list(versions)[:3], versions["python"] == platform.python_version()
    (['python', 'churnlab', 'pandas'], True)
    """
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The ``manifest.json`` of an export directory, as a dict.

    Raises
    ------
    DataError
        If the directory has no ``manifest.json``, or it is not a JSON object.
    """
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            f"{path.parent} has no {MANIFEST}; it is not an export directory."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path} cannot be read as JSON: {error}.") from error
    if not isinstance(manifest, dict):
        raise DataError(f"{path} must hold a JSON object. Got {type(manifest).__name__} instead.")
    return manifest


def verify_manifest(directory: str | Path) -> list[str]:
    """Check an export directory against its manifest; an empty list means every file matches.

    Parameters
    ----------
    directory : str or Path
        A directory written by :func:`churnlab.export.write_export`.

    Returns
    -------
    list of str
        One line per problem, sorted by file name: ``"NAME: missing"`` (listed, not there),
        ``"NAME: changed"`` (its SHA-256 or size differs), ``"NAME: not in the manifest"``
        (there, not listed); ``"manifest.json: missing"`` or ``"manifest.json: unreadable"``
        when the manifest itself cannot be used.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from churnlab.export import write_export
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "list"
    >>> _ = write_export(out, kind="demo", files={"a.txt": lambda p: p.write_text("a")},
    ...                  manifest={"created_at": "2025-06-30T12:00:00Z"})
    >>> verify_manifest(out)
    []
    >>> _ = (out / "a.txt").write_text("b")
    >>> _ = (out / "notes.txt").write_text("mine")
    >>> verify_manifest(out)
    ['a.txt: changed', 'notes.txt: not in the manifest']
    """
    directory = Path(directory)
    if not (directory / MANIFEST).is_file():
        return [f"{MANIFEST}: missing"]
    try:
        listed = read_manifest(directory).get("files")
    except DataError:
        return [f"{MANIFEST}: unreadable"]
    if not isinstance(listed, dict):
        return [f"{MANIFEST}: unreadable"]
    present = file_entries(directory)
    problems = {}
    for name, entry in listed.items():
        if name not in present:
            problems[name] = "missing"
        elif not isinstance(entry, dict) or any(
            entry.get(key) != present[name][key] for key in ("sha256", "bytes")
        ):
            problems[name] = "changed"
    for name in present.keys() - listed.keys():
        problems[name] = "not in the manifest"
    return [f"{name}: {problems[name]}" for name in sorted(problems)]
