"""Atomic writes for every stage: write to a temporary name beside the target, then rename.

A failed run never leaves a half-written file or directory, nor replaces the previous good
result. What is written follows the user's umask, like any file the user creates.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from churnlab.errors import SpecError
from churnlab.safe import neutralise_frame

TABLE_SUFFIXES = (".parquet", ".csv")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step.

    On any error the temporary file is removed and ``target`` is left as it was.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if tmp.is_file():  # mkstemp makes files private (0600); give them the usual mode
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield a new empty directory beside ``target``; on success it takes ``target``'s place.

    Write every file of the result into the yielded directory. When the ``with`` block ends
    without an error, that directory becomes ``target`` (an existing directory there is
    replaced as a whole); when it raises, the new directory is removed and ``target`` is left
    as it was. A reader never sees a half-written ``target``.

    Parameters
    ----------
    target : str or Path
        The directory to write. Its parent folder is created if needed.

    Yields
    ------
    Path
        A temporary sibling directory, ``.NAME.<random>.tmp``, with the permissions any new
        directory gets from the user's umask (``rwxr-xr-x`` under umask 022).

    Raises
    ------
    SpecError
        If ``target`` exists and is not a directory.

    Notes
    -----
    One rename cannot put a directory in place of a non-empty one, so an existing ``target``
    is first renamed aside (``.NAME.<random>.old``), the new directory renamed to ``target``,
    and the old one deleted; if the second rename fails, the old directory is renamed back.
    Between the two renames (microseconds) ``target`` does not exist. A process killed before
    the end can leave a ``.NAME.*.tmp`` or ``.old`` directory behind, never a partial
    ``target``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "card.json").write_text("{}")
    >>> sorted(p.name for p in out.parent.iterdir()), sorted(p.name for p in out.iterdir())
    (['model'], ['card.json'])
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "model.txt").write_text("half a model")
    ...     raise RuntimeError("interrupted")
    Traceback (most recent call last):
    ...
    RuntimeError: interrupted
    >>> sorted(p.name for p in out.parent.iterdir()), sorted(p.name for p in out.iterdir())
    (['model'], ['card.json'])
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise SpecError(f"{target} exists and is not a directory; choose another path.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_directory(target.parent, f".{target.name}.", ".tmp")
    try:
        yield tmp
        _swap(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _new_directory(parent: Path, prefix: str, suffix: str) -> Path:
    """A new empty directory with a random name; unlike ``tempfile.mkdtemp`` (always 0700),
    it gets the permissions the umask gives."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            path.mkdir(mode=0o777)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"No free temporary name {prefix}*{suffix} in {parent}.")


def _swap(new: Path, target: Path) -> None:
    """Put the complete directory ``new`` at ``target``, keeping the old one until it is there."""
    if not target.exists():
        os.rename(new, target)
        return
    old = _new_directory(target.parent, f".{target.name}.", ".old")
    old.rmdir()  # only its name is wanted: a directory is renamed onto a free name
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_json(data: Any, path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically. NaN is refused: store missing as null."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, allow_nan=False), encoding="utf-8")
    return path


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere it can only be read by setting it: other threads may create files meanwhile.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as Parquet or CSV (by the file's suffix), atomically.

    A CSV file is for people and their spreadsheets: its text cells (ids included) and column
    names are neutralised (:func:`churnlab.safe.neutralise_frame`: no cell starts a formula);
    numbers are never touched. Parquet keeps every value as it is.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise SpecError(f"The output file must end in .parquet or .csv, got {path.name!r}.")
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            safe = neutralise_frame(frame)
            safe.to_csv(tmp, index=False, encoding="utf-8", date_format="%Y-%m-%d")
    return path


def sha256_file(path: str | Path) -> str:
    """The sha256 hex digest of a file, read in 1 MiB blocks.

    >>> import pathlib, tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = file.write_text("abc")
    >>> sha256_file(file)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
