"""``data_fingerprint``: what identifies the data a list or report was made from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.files import is_remote, sha256_file
from churnlab.tables.storage import Storage, join
from churnlab.tables.tables import Tables

DATA_SUFFIXES = (".parquet", ".csv", ".toml")


def data_fingerprint(data: Tables | str | Path, storage: Storage | None = None) -> dict[str, Any]:
    """The sha256 of every data file (or, for tables in memory, of every table's rows), and
    one sha256 over them all.

    A folder given as a URI (``hdfs://``, ``s3a://``) is described through ``storage`` (the
    engine's) without reading its files: each file's size, modification time and the
    checksum its file system keeps, when it keeps one (HDFS does), hashed together.

    Two runs with the same ``sha256`` read the same data. For a directory the files are hashed
    as they are on disk (``.parquet``, ``.csv`` and ``churnlab.toml``), so a copy of the folder
    has the same fingerprint.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "customers.csv").write_text("customer_id\\n001\\n")
    >>> found = data_fingerprint(folder)
    >>> sorted(found["files"]), len(found["sha256"])
    (['customers.csv'], 64)
    """
    parts: dict[str, Any] = {}
    if isinstance(data, Tables):
        for name in ("customers", "bills", "complaints", "service_events"):
            table = data.table(name)
            if table is not None:
                hashed = pd.util.hash_pandas_object(table, index=False).to_numpy()
                digest = hashlib.sha256(np.ascontiguousarray(hashed).tobytes()).hexdigest()
                parts[name] = {"rows": len(table), "sha256": digest}
        source = data.source
        kind = "tables"
    elif is_remote(data):
        if storage is None:
            raise SpecError(
                f"{data} is not on this machine: its fingerprint needs the engine's storage."
            )
        for uri in storage.matches(join(str(data), "*")):
            name = uri.rsplit("/", 1)[-1]
            if Path(name).suffix.lower() in DATA_SUFFIXES:
                described = storage.describe(uri)
                described["sha256"] = hashlib.sha256(
                    json.dumps(described, sort_keys=True).encode()
                ).hexdigest()
                parts[name] = described
        source = str(data)
        kind = "files"
    else:
        folder = Path(data)
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in DATA_SUFFIXES:
                parts[path.name] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        source = str(folder)
        kind = "files"
    overall = hashlib.sha256(
        "".join(f"{name}:{part['sha256']};" for name, part in sorted(parts.items())).encode()
    ).hexdigest()
    return {"source": source, kind: parts, "sha256": overall}
