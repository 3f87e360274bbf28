"""When a data directory can be read where it lies, by an engine, without a pandas copy.

Copying tens of millions of event rows into pandas costs more than computing features from
them. For the plain case (no snapshot, every table a Parquet file whose columns already have
the contract's types) the feature stage lets its engine read the files and check the
contract's row rules there (:mod:`churnlab.features.direct`). Everything else, and any data
that break a rule or need a repair, goes through :func:`churnlab.load_tables`, which reports
every problem in full: this module only decides, from the files' schemas, whether the shortcut
may be tried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.files import is_remote
from churnlab.tables.config import DataConfig, resolve_config
from churnlab.tables.contract import CONTRACTS, DATE, ID, NUMBER, TEXT
from churnlab.tables.load import required_columns, split_personal
from churnlab.tables.read import ReadLog, find_files, source_name
from churnlab.tables.storage import LocalStorage, Storage, remote_config, remote_files


@dataclass(frozen=True, kw_only=True)
class DirectPlan:
    """Where each table's file is and which of its columns hold what.

    Attributes
    ----------
    files:
        Parquet files of each table present (several when ``[files]`` names several), as
        paths on this machine or URIs the engine reads.
    columns:
        Per table, contract (or attribute) name -> column name in the file.
    attribute_columns, personal_columns:
        Customer columns beyond the contract's, as :class:`~churnlab.tables.Tables` names them.
    extract_date:
        From the settings; ``None`` when it is the latest date in the data.
    earliest_date:
        The earliest plausible date (``[checks] earliest_date``).
    """

    source: str
    files: dict[str, tuple[str, ...]]
    columns: dict[str, dict[str, str]]
    attribute_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    extract_date: pd.Timestamp | None
    earliest_date: pd.Timestamp
    footers: Mapping[str, pq.FileMetaData] = field(default_factory=dict, repr=False)
    """Each file's Parquet footer (schema, rows, column statistics), read once."""


def _plain_type(kind: str | None, dtype: pa.DataType) -> bool:
    """Whether a column of this Parquet type needs no conversion or repair."""
    if kind in (ID, TEXT):
        return bool(pa.types.is_string(dtype) or pa.types.is_large_string(dtype))
    if kind == DATE:
        return bool(pa.types.is_timestamp(dtype) and dtype.tz is None)
    if kind == NUMBER:
        return bool(pa.types.is_integer(dtype) or pa.types.is_floating(dtype))
    # An attribute. Not booleans: pandas holds a boolean column with gaps as objects.
    return bool(
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_integer(dtype)
        or pa.types.is_floating(dtype)
    )


def _table_columns(table: str, schema: pa.Schema, config: DataConfig) -> dict[str, str] | None:
    """Contract name -> file column for one table, or ``None`` when the shortcut cannot apply."""
    names = list(schema.names)
    if any(name != name.strip() for name in names):
        return None
    renamed = {source: name for name, source in config.columns.get(table, {}).items()}
    if any(source not in names for source in renamed):  # load_tables names the mapping
        return None
    columns = {renamed.get(name, name): name for name in names}
    if len(columns) != len(names):  # two file columns mapped to one name
        return None
    if any(column not in columns for column in required_columns(table, None)):
        return None
    contract = CONTRACTS[table].columns
    for name, source in columns.items():
        if table != "customers" and name not in contract:
            continue  # extra event columns are never read
        if not _plain_type(contract.get(name), schema.field(source).type):
            return None
    if table != "customers":
        columns = {name: source for name, source in columns.items() if name in contract}
    return columns


def _holds_refunds(schema: pa.Schema, config: DataConfig) -> bool:
    """Whether bills name refunds by a ``kind`` column: then they are read with
    :func:`load_tables`, which turns refunds into refund bills. (A negative amount breaks the
    engine's check of the amount rule, which falls back to it too.)"""
    return source_name(schema.names, "kind", "bills", config) is not None


def _stores_pandas_index(schema: pa.Schema) -> bool:
    """Whether pandas wrote its index as a column (pandas reads it back as the index)."""
    meta = schema.pandas_metadata or {}
    return any(isinstance(column, str) for column in meta.get("index_columns", []))


def _text_sample(
    storage: Storage, path: str, columns: dict[str, str], schema: pa.Schema, rows: int = 2000
) -> dict[str, list[object]]:
    """The first ``rows`` values of the text and integer columns (name -> file column): what
    :func:`~churnlab.tables.load.split_personal` reads personal values' shapes from."""
    text = {
        name: source
        for name, source in columns.items()
        if pa.types.is_string(schema.field(source).type)
        or pa.types.is_large_string(schema.field(source).type)
        or pa.types.is_integer(schema.field(source).type)
    }
    if not text:
        return {}
    table = storage.head(path, list(text.values()), rows)
    if table.num_rows == 0:
        return {}
    return {name: table.column(source).to_pylist() for name, source in text.items()}


def _find(storage: Storage, data_dir: str, table: str, settings: DataConfig) -> list[str] | None:
    """A table's files; ``None`` when finding them is a problem (load_tables words it)."""
    if is_remote(data_dir):
        return remote_files(storage, data_dir, table, settings)
    log = ReadLog()
    paths = find_files(Path(data_dir), table, settings, log)
    return None if log.problems else [str(p) for p in paths]


def plan_direct_read(
    data_dir: str | Path,
    config: DataConfig | str | Path | None = None,
    storage: Storage | None = None,
) -> DirectPlan | None:
    """Plan reading a data directory in place, or ``None`` when it needs :func:`load_tables`.

    Only file names, settings and Parquet footers (and a sample of the customers' values, for
    personal data) are read here, through ``storage`` (default: this machine's files; a URI
    such as ``hdfs://...`` needs the engine's); the rows are checked by the engine
    (:func:`churnlab.features.direct.open_direct`).
    """
    folder = str(data_dir)
    remote = is_remote(folder)
    if remote and storage is None:
        return None
    files_on = storage if storage is not None else LocalStorage()
    if remote:
        settings = remote_config(files_on, folder, config)
    else:
        settings = resolve_config(Path(folder), config)
    if settings.snapshot is not None or not files_on.is_dir(folder):
        return None
    files: dict[str, tuple[str, ...]] = {}
    columns: dict[str, dict[str, str]] = {}
    footers: dict[str, pq.FileMetaData] = {}
    for table in CONTRACTS:
        paths = _find(files_on, folder, table, settings)
        if paths is None:
            return None
        if not paths:
            if table == "customers":
                return None
            continue
        if table == "orders":  # order lines become bills in load_tables
            return None
        if any(not path.lower().endswith(".parquet") for path in paths):
            return None
        try:
            found = {path: files_on.footer(path) for path in paths}
            schemas = [meta.schema.to_arrow_schema() for meta in found.values()]
        except Exception:  # unreadable: load_tables says why
            return None
        if any(_stores_pandas_index(schema) for schema in schemas):
            return None
        if any(not schema.equals(schemas[0], check_metadata=False) for schema in schemas):
            return None  # files that disagree: load_tables names the column
        if table != "customers":
            paths = [p for p in paths if found[p].num_rows > 0]
            if not paths:
                continue  # an optional table without rows is read as absent
        if table == "bills" and _holds_refunds(schemas[0], settings):
            return None  # refunds are turned into refund bills by load_tables
        mapped = _table_columns(table, schemas[0], settings)
        if mapped is None:
            return None
        files[table], columns[table] = tuple(paths), mapped
        footers.update({path: found[path] for path in paths})
    first = files["customers"][0]
    schema = footers[first].schema.to_arrow_schema()
    sample = _text_sample(files_on, first, columns["customers"], schema)
    attributes, personal = split_personal(list(columns["customers"]), settings, sample)
    return DirectPlan(
        source=folder,
        files=files,
        columns=columns,
        attribute_columns=tuple(attributes),
        personal_columns=tuple(personal),
        extract_date=pd.Timestamp(settings.extract_date) if settings.extract_date else None,
        earliest_date=pd.Timestamp(settings.earliest_date),
        footers=footers,
    )
