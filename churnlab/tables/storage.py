"""Where a data directory lies: this machine, or a file system only an engine reaches.

A data directory given as a URI (``hdfs://namenode/churn/operator``, ``s3a://bucket/churn``)
is read by the engine that can reach it, through that engine's own settings (Spark's
``spark.hadoop.*``): churnlab never opens such a path itself. What the in-place read needs to
plan its work before the engine reads the rows (the settings file, the table's files, each
Parquet file's footer, the first customers' values) comes through a :class:`Storage`, which
the engine provides (:meth:`churnlab.features.spark.SparkEngine.storage`).
"""

from __future__ import annotations

import glob
import shutil
import tomllib
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.errors import ConfigError
from churnlab.tables.config import CONFIG_FILE_NAME, DataConfig, config_from_dict, read_config
from churnlab.tables.contract import FILE_SUFFIXES


def join(folder: str, name: str) -> str:
    """A name (or glob pattern) inside a URI folder.

    >>> join("s3a://bucket/churn/", "bills_*.parquet")
    's3a://bucket/churn/bills_*.parquet'
    """
    return f"{folder.rstrip('/')}/{name}"


class Storage(Protocol):
    """What the in-place read asks of the file system a data directory lies on."""

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        ...

    def matches(self, pattern: str) -> list[str]:
        """The files a path or glob pattern names, sorted (none when nothing matches)."""
        ...

    def read_text(self, path: str) -> str:
        """A small text file's content."""
        ...

    def footer(self, path: str) -> pq.FileMetaData:
        """A Parquet file's footer: its schema, row groups and column statistics."""
        ...

    def head(self, path: str, columns: list[str], rows: int) -> pa.Table:
        """The first ``rows`` rows of these columns of a Parquet file."""
        ...

    def copy_folder(self, folder: str, local: Path) -> None:
        """Copy a folder and its files to ``local`` (which must not exist) on this machine."""
        ...

    def describe(self, path: str) -> dict[str, Any]:
        """A file's ``bytes``, ``modified`` time and the ``checksum`` its file system keeps
        (``None`` where it keeps none), without reading the file."""
        ...


class LocalStorage:
    """This machine's files, through :mod:`pathlib` and pyarrow.

    >>> LocalStorage().is_dir("/")
    True
    """

    def is_dir(self, path: str) -> bool:
        return Path(path).is_dir()

    def matches(self, pattern: str) -> list[str]:
        if glob.has_magic(pattern):
            return sorted(p for p in glob.glob(pattern) if Path(p).is_file())
        return [pattern] if Path(pattern).is_file() else []

    def read_text(self, path: str) -> str:
        return Path(path).read_text(encoding="utf-8")

    def footer(self, path: str) -> pq.FileMetaData:
        return pq.ParquetFile(path).metadata

    def copy_folder(self, folder: str, local: Path) -> None:
        shutil.copytree(folder, local)

    def describe(self, path: str) -> dict[str, Any]:
        stat = Path(path).stat()
        return {"bytes": stat.st_size, "modified": int(stat.st_mtime * 1000), "checksum": None}

    def head(self, path: str, columns: list[str], rows: int) -> pa.Table:
        batch = next(pq.ParquetFile(path).iter_batches(batch_size=rows, columns=columns), None)
        return pa.Table.from_batches([batch]) if batch is not None else pa.table({})


def remote_config(
    storage: Storage, folder: str, config: DataConfig | str | Path | None
) -> DataConfig:
    """The settings of a URI folder: as given, else its ``churnlab.toml`` read through
    ``storage`` (none: the defaults)."""
    if isinstance(config, DataConfig):
        return config
    if config is not None:
        return read_config(config)
    path = join(folder, CONFIG_FILE_NAME)
    if not storage.matches(path):
        return DataConfig()
    try:
        raw = tomllib.loads(storage.read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}. Fix the file.") from None
    return config_from_dict(raw, path=path)


def remote_files(storage: Storage, folder: str, table: str, config: DataConfig) -> list[str] | None:
    """A table's files in a URI folder, as :func:`~churnlab.tables.read.find_files` finds them
    on this machine: ``[files]``' names and patterns, else ``<table>.parquet`` or ``.csv``.
    ``None`` when a named file is missing or both default names exist (the in-place read
    does not apply; :func:`~churnlab.tables.read.find_files` words the problem)."""
    names = config.file_names(table)
    if not names:
        found = [m for s in FILE_SUFFIXES for m in storage.matches(join(folder, f"{table}{s}"))]
        return None if len(found) > 1 else found
    paths: list[str] = []
    for name in names:
        matches = storage.matches(join(folder, name))
        if not matches:
            return None
        paths += [m for m in matches if m not in paths]
    return paths
