"""Atomic writes for every stage: write to a temporary name beside the target, then rename.

A failed run never leaves a half-written file or directory, nor replaces the previous good
result. What is written follows the user's umask, like any file the user creates.

Temporary names say whose they are: ``.NAME.<pid>-<random>.tmp`` (and ``.old`` for a directory
being replaced). A run killed outright (``kill -9``, a power cut) cannot remove its own, so
the next write to the same path removes those whose process is gone, and puts back an old
directory that a killed run had moved aside (:func:`clean_leftovers`).

Before long work, :func:`check_output` refuses an output path that cannot be written or that
would overwrite an input, and :func:`output_lock` stops a second process writing the same path.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    clean_leftovers(target)
    tmp = _new_temporary(target, ".tmp", directory=False)
    try:
        yield tmp
        if tmp.is_file():  # the placeholder was made private (0600); give it the usual mode
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
        A temporary sibling directory, ``.NAME.<pid>-<random>.tmp``, with the permissions any
        new directory gets from the user's umask (``rwxr-xr-x`` under umask 022).

    Raises
    ------
    SpecError
        If ``target`` exists and is not a directory.

    Notes
    -----
    One rename cannot put a directory in place of a non-empty one, so an existing ``target``
    is first renamed aside (``.NAME.<pid>-<random>.old``), the new directory renamed to
    ``target``, and the old one deleted; if the second rename fails, the old directory is
    renamed back. Between the two renames (microseconds) ``target`` does not exist. A process
    killed outright before the end can leave a ``.tmp`` or ``.old`` directory behind, never a
    partial ``target``; the next write to ``target`` removes them, or renames the ``.old`` one
    back when ``target`` is missing (:func:`clean_leftovers`).

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
    clean_leftovers(target)
    tmp = _new_temporary(target, ".tmp", directory=True)
    try:
        yield tmp
        _swap(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _new_temporary(target: Path, suffix: str, *, directory: bool) -> Path:
    """A new empty file or directory beside ``target``, named ``.NAME.<pid>-<random><suffix>``.

    Unlike ``tempfile.mkdtemp`` (always 0700), a directory gets the permissions the umask
    gives; a file is made private and given the usual mode once written (:func:`atomic_path`).
    """
    for _ in range(100):
        path = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            if directory:
                path.mkdir(mode=0o777)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"No free temporary name .{target.name}.*{suffix} in {target.parent}.")


def _swap(new: Path, target: Path) -> None:
    """Put the complete directory ``new`` at ``target``, keeping the old one until it is there."""
    if not target.exists():
        os.rename(new, target)
        return
    old = _new_temporary(target, ".old", directory=True)
    old.rmdir()  # only its name is wanted: a directory is renamed onto a free name
    try:
        os.rename(target, old)
        os.rename(new, target)
    except BaseException:  # an error or a signal between the renames: put the old one back
        if old.exists() and not target.exists():
            os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(f".{target.name}.") + r"(?P<pid>[0-9]+)-[0-9a-f]+\.(?P<kind>tmp|old)"
    )


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine); this process counts as alive."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


def clean_leftovers(target: str | Path) -> list[Path]:
    """Remove what killed runs left beside ``target``; put back an old directory moved aside.

    A run killed outright cannot remove its temporary ``.NAME.<pid>-<random>.tmp`` file or
    directory. Those whose process is gone are removed; a ``.old`` directory (``target``
    moved aside while being replaced) is renamed back when ``target`` is missing, else
    removed. Leftovers of a process still running are left alone: it may still be writing.
    :func:`atomic_path` and :func:`atomic_directory` call this before they write.

    Returns
    -------
    list of Path
        What was removed or put back.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".scores.csv.999999999-0a1b2c3d.tmp").write_text("half")
    >>> [p.name for p in clean_leftovers(folder / "scores.csv")]
    ['.scores.csv.999999999-0a1b2c3d.tmp']
    >>> list(folder.iterdir())
    []
    """
    target = Path(target)
    pattern = _leftover_pattern(target)
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return []
    cleaned = []
    for name in names:
        found = pattern.fullmatch(name)
        if found is None or _alive(int(found["pid"])):
            continue
        path = target.parent / name
        try:
            if found["kind"] == "old" and path.is_dir() and not os.path.lexists(target):
                os.rename(path, target)
            elif path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:  # another run cleaned it first
            continue
        cleaned.append(path)
    return cleaned


def check_output(
    target: str | Path,
    *,
    directory: bool = False,
    protect: Iterable[str | Path] = (),
    suffixes: Iterable[str] = (),
) -> Path:
    """Refuse, before any work, an output path that cannot be written or would overwrite an input.

    Parameters
    ----------
    target : str or Path
        The file (or, with ``directory=True``, the folder) a command is about to write.
    directory : bool, default False
        Whether ``target`` is a folder: then an existing file there is refused; otherwise an
        existing folder is.
    protect : iterable of str or Path
        Inputs never to be overwritten (data folders, model directories, settings files):
        ``target`` may not be one of them, lie inside one, or contain one.
    suffixes : iterable of str
        The file endings allowed (``(".parquet", ".csv")``); any when empty.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    SpecError
        Saying what is wrong and what to do: ``target`` is, lies inside or contains an input;
        it has a suffix not allowed; a folder where a file is expected or the other way round;
        a file where one of its parent folders should be; a parent folder that cannot be
        written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "data").mkdir()
    >>> check_output(folder / "scores.csv", protect=[folder / "data"]).name
    'scores.csv'
    >>> check_output(folder / "data" / "customers.csv", protect=[folder / "data"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The output ... is inside the input ...data; churnlab never writes over its inputs. Choose a path outside it.
    >>> check_output(folder / "data")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The output ...data is a folder, but a file is written there; give a file name, such as ...data/out.csv.
    """
    target = Path(target)
    check_outside(target, protect)
    allowed = tuple(suffixes)
    if target.is_dir() and not directory:
        example = target / f"out{allowed[0] if allowed else '.csv'}"
        raise SpecError(
            f"The output {target} is a folder, but a file is written there; give a file name, "
            f"such as {example}."
        )
    if allowed and target.suffix.lower() not in allowed:
        raise SpecError(f"The output file must end in {' or '.join(allowed)}, got {target.name!r}.")
    if directory and target.exists() and not target.is_dir():
        raise SpecError(
            f"{target} exists and is not a directory; choose a new directory, or remove it "
            "yourself."
        )
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SpecError(
            f"The output {target} cannot be written: {parent} is a file, not a folder. "
            "Choose a path in a folder."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SpecError(
            f"The output {target} cannot be written: the folder {parent} is read-only for "
            "you. Choose a folder you can write to."
        )
    return target


def check_outside(target: str | Path, protect: Iterable[str | Path]) -> None:
    """Refuse (:class:`SpecError`) a ``target`` that is, lies inside or contains a path in
    ``protect`` (compared once links and ``..`` are resolved).

    >>> check_outside("out/list", ["data"])
    >>> check_outside("data/../data/list", ["data"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The output data/../data/list is inside the input data; churnlab never writes over its inputs. Choose a path outside it.
    """
    resolved = Path(target).resolve()
    for path in protect:
        guarded = Path(path).resolve()
        if resolved == guarded or guarded in resolved.parents or resolved in guarded.parents:
            where = (
                "is"
                if resolved == guarded
                else "is inside"
                if guarded in resolved.parents
                else "contains"
            )
            raise SpecError(
                f"The output {target} {where} the input {path}; churnlab never writes over its "
                "inputs. Choose a path outside it."
            )


@contextlib.contextmanager
def output_lock(target: str | Path) -> Iterator[None]:
    """Hold a lock on an output path for a whole run; refuse when another process holds it.

    The lock is ``fcntl.flock`` on ``.NAME.lock`` beside ``target``: the system releases it
    when its process ends, however it ends (``kill -9`` included), so a lock is never left
    stale. The file is removed when the lock is released. A process that opened the file just
    before it was removed finds, once it holds the lock, that the name points elsewhere, and
    tries again.

    Raises
    ------
    SpecError
        Another process is writing ``target`` (its pid is named).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> with output_lock(out):
    ...     sorted(p.name for p in out.parent.iterdir())
    ['.model.lock']
    >>> list(out.parent.iterdir())
    []
    """
    import fcntl  # POSIX; here, not at the top, so the rest of the module imports anywhere

    target = Path(target)
    created = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f".{target.name}.lock"
    try:
        handle = _locked(lock, target, fcntl)
    except BaseException:
        _remove_empty(created)
        raise
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"churnlab process {os.getpid()}")
        handle.flush()
        yield
    finally:
        lock.unlink(missing_ok=True)
        handle.close()
        _remove_empty(created)  # folders made for an output never written


def _locked(lock: Path, target: Path, fcntl: Any) -> Any:
    """The open lock file, locked by this process (see :func:`output_lock`)."""
    while True:
        handle = open(lock, "a+", encoding="utf-8")  # noqa: SIM115  (closed below)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise SpecError(
                f"{target} is being written by {holder}; wait for it to end, or choose "
                "another output path."
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()  # the holder removed the file meanwhile: lock the new one


def _remove_empty(folders: list[Path]) -> None:
    """Remove these folders, innermost first, while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


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


def is_remote(path: object) -> bool:
    """Whether ``path`` is a URI another file system serves (a one-letter scheme is a
    Windows drive; ``file://`` is this machine's, read through the engine all the same).

    >>> is_remote("hdfs://namenode:8020/churn/operator"), is_remote("s3a://bucket/churn")
    (True, True)
    >>> is_remote("/data/operator"), is_remote(Path("data")), is_remote("C:/data")
    (False, False, False)
    """
    return isinstance(path, str) and "://" in path and len(urlsplit(path).scheme) > 1
