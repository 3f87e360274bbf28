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

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.tables.config import DataConfig, resolve_config
from churnlab.tables.contract import CONTRACTS, DATE, ID, NUMBER, TEXT
from churnlab.tables.load import required_columns, split_personal
from churnlab.tables.read import ReadLog, find_files, source_name


@dataclass(frozen=True, kw_only=True)
class DirectPlan:
    """Where each table's file is and which of its columns hold what.

    Attributes
    ----------
    files:
        Parquet files of each table present (several when ``[files]`` names several).
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
    files: dict[str, tuple[Path, ...]]
    columns: dict[str, dict[str, str]]
    attribute_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]
    extract_date: pd.Timestamp | None
    earliest_date: pd.Timestamp


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


def _text_sample(path: Path, columns: dict[str, str], rows: int = 2000) -> dict[str, list[object]]:
    """The first ``rows`` values of the text and integer columns (name -> file column): what
    :func:`~churnlab.tables.load.split_personal` reads personal values' shapes from."""
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    text = {
        name: source
        for name, source in columns.items()
        if pa.types.is_string(schema.field(source).type)
        or pa.types.is_large_string(schema.field(source).type)
        or pa.types.is_integer(schema.field(source).type)
    }
    if not text:
        return {}
    batch = next(parquet.iter_batches(batch_size=rows, columns=list(text.values())), None)
    if batch is None:
        return {}
    table = pa.Table.from_batches([batch])
    return {name: table.column(source).to_pylist() for name, source in text.items()}


def plan_direct_read(
    data_dir: str | Path, config: DataConfig | str | Path | None = None
) -> DirectPlan | None:
    """Plan reading a data directory in place, or ``None`` when it needs :func:`load_tables`.

    Only file names, settings and Parquet schemas are read here; the rows are checked by the
    engine (:func:`churnlab.features.direct.open_direct`).
    """
    data_dir = Path(data_dir)
    settings = resolve_config(data_dir, config)
    if settings.snapshot is not None or not data_dir.is_dir():
        return None
    log = ReadLog()
    files: dict[str, tuple[Path, ...]] = {}
    columns: dict[str, dict[str, str]] = {}
    for table in CONTRACTS:
        paths = find_files(data_dir, table, settings, log)
        if log.problems:
            return None
        if not paths:
            if table == "customers":
                return None
            continue
        if table == "orders":  # order lines become bills in load_tables
            return None
        if any(path.suffix.lower() != ".parquet" for path in paths):
            return None
        try:
            schemas = [pq.read_schema(path) for path in paths]
        except Exception:  # unreadable: load_tables says why
            return None
        if any(_stores_pandas_index(schema) for schema in schemas):
            return None
        if any(not schema.equals(schemas[0], check_metadata=False) for schema in schemas):
            return None  # files that disagree: load_tables names the column
        if table != "customers":
            paths = [p for p in paths if pq.ParquetFile(p).metadata.num_rows > 0]
            if not paths:
                continue  # an optional table without rows is read as absent
        if table == "bills" and _holds_refunds(schemas[0], settings):
            return None  # refunds are turned into refund bills by load_tables
        mapped = _table_columns(table, schemas[0], settings)
        if mapped is None:
            return None
        files[table], columns[table] = tuple(paths), mapped
    sample = _text_sample(files["customers"][0], columns["customers"])
    attributes, personal = split_personal(list(columns["customers"]), settings, sample)
    return DirectPlan(
        source=str(data_dir),
        files=files,
        columns=columns,
        attribute_columns=tuple(attributes),
        personal_columns=tuple(personal),
        extract_date=pd.Timestamp(settings.extract_date) if settings.extract_date else None,
        earliest_date=pd.Timestamp(settings.earliest_date),
    )
