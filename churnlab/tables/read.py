"""Reading one table's file into a typed pandas DataFrame, noting problems and repairs.

Nothing here raises for bad data: every finding becomes a :class:`Problem` (the row cannot be
trusted) or a repair message (a safe fix was applied), so the user sees all of them at once.
"""

from __future__ import annotations

import difflib
import glob
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from churnlab.errors import ConfigError
from churnlab.tables.config import CONFIG_FILE_NAME, DataConfig
from churnlab.tables.contract import DATE, FILE_SUFFIXES, ID, NUMBER, TableContract
from churnlab.tables.problems import Problem, ProblemCode, examples_of

TIMESTAMP_DTYPE: Literal["datetime64[us]"] = "datetime64[us]"
_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_BOM = b"\xef\xbb\xbf"
_CONTROL = r"[\x00-\x1f\x7f]"
_COMMA_DECIMAL_GROUPED = r"[-+]?\d{1,3}(?:\.\d{3})+(?:,\d*)?"


@dataclass
class ReadLog:
    """What reading found: problems (errors) and repairs (warnings)."""

    problems: list[Problem] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    aware_columns: list[str] = field(default_factory=list)
    naive_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was read otherwise than one might expect, though nothing is wrong (an empty
    optional table read as absent)."""


REQUIRED_TABLES = ("customers",)
"""The tables a data folder must hold rows of; a file of another table without rows is read
as if the table were absent."""


def empty_table_note(table: str, name: str) -> str:
    """What ``validate`` says of an optional table's file without rows.

    >>> empty_table_note("bills", "bills.csv")
    'bills.csv has no rows: read as if there were no bills table'
    """
    return f"{name} has no rows: read as if there were no {table} table"


def find_files(data_dir: Path, table: str, config: DataConfig, log: ReadLog) -> list[Path]:
    """Locate a table's files: the names or glob patterns in ``[files]`` (sorted matches, in
    the order given), else ``<table>.parquet`` or ``.csv``; none when the table is absent or
    a named file is missing (a problem naming it).

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b_2025.csv", "b_2024.csv"):
    ...     _ = (folder / name).write_text("customer_id,bill_date,amount\\n")
    >>> config = DataConfig(files={"bills": ("b_*.csv", "b_2026.csv")})
    >>> log = ReadLog()
    >>> find_files(folder, "bills", config, log), log.problems[0].check
    ([], 'file b_2026.csv not found')
    >>> [p.name for p in find_files(folder, "bills", DataConfig(files={"bills": "b_*.csv"}), log)]
    ['b_2024.csv', 'b_2025.csv']
    """
    if table not in config.files:
        found = [
            data_dir / f"{table}{s}" for s in FILE_SUFFIXES if (data_dir / f"{table}{s}").is_file()
        ]
        if len(found) > 1:
            names = " and ".join(p.name for p in found)
            log.problems.append(
                Problem(
                    table=table,
                    column="",
                    check=f"both {names} exist; keep one or set [files]",
                    code=ProblemCode.TWO_FILES,
                )
            )
            return []
        return found
    paths: list[Path] = []
    missing = False
    for name in config.file_names(table):
        if glob.has_magic(name):
            matches = sorted(Path(p) for p in glob.glob(str(data_dir / name)) if Path(p).is_file())
        else:
            matches = [data_dir / name] if (data_dir / name).is_file() else []
        if not matches:
            missing = True
            what = f"no file matches {name}" if glob.has_magic(name) else f"file {name} not found"
            log.problems.append(
                Problem(table=table, column="", check=what, code=ProblemCode.MISSING_FILE)
            )
        for path in matches:
            _refuse_outside(path, data_dir, table, name, config)
            if path not in paths:
                paths.append(path)
    return [] if missing else paths


def _refuse_outside(path: Path, data_dir: Path, table: str, name: str, config: DataConfig) -> None:
    if not config.allow_outside and not path.resolve().is_relative_to(data_dir.resolve()):
        raise ConfigError(  # a link inside the folder to a file outside it
            f"[files] {table} = {name!r} in {CONFIG_FILE_NAME} leads outside "
            f"the data folder {data_dir}. Copy the file into the data folder, or set "
            "allow_outside = true under [files] if you mean it."
        )


def source_name(columns: Iterable[str], name: str, table: str, config: DataConfig) -> str | None:
    """The column of a file (as its header spells it) that churnlab reads as ``name``, the
    way :func:`read_raw` (names stripped) and :func:`apply_mapping` (``[columns.<table>]``)
    name it; ``None`` when the file has none."""
    wanted = config.columns.get(table, {}).get(name, name)
    return next((c for c in columns if str(c).strip() == wanted), None)


def _csv_encoding(path: Path, config: DataConfig) -> tuple[str, bool]:
    """The encoding to read a CSV file with, and whether its UTF-8 byte-order mark is skipped."""
    with path.open("rb") as fh:
        if fh.read(3) == _BOM and config.encoding.lower().replace("-", "") == "utf8":
            return "utf-8-sig", True
    return config.encoding, False


def _csv_options(config: DataConfig, encoding: str) -> dict[str, Any]:
    """How every CSV file is read: every column as text (ids keep their leading zeros)."""
    return {
        "sep": config.delimiter,
        "dtype": str,
        "keep_default_na": False,
        "na_values": [""],
        "encoding": encoding,
        "index_col": False,  # a row with more fields than the header: an error, not an index
    }


def _id_filter(path: Path, table: str, config: DataConfig, ids: pa.Array) -> pc.Expression | None:
    """A row filter that reads only the rows of ``ids`` from a Parquet file, when its
    customer id column holds text (ids are compared trimmed, as :func:`type_columns` trims
    them); ``None`` when it holds something else (numbers: filter after typing)."""
    schema = pq.read_schema(path)
    column = source_name(schema.names, "customer_id", table, config)
    if column is None or schema.names.count(column) != 1:
        return None
    kind = schema.field(column).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    return pc.is_in(pc.utf8_trim_whitespace(pc.field(column)), value_set=ids)


def read_raw(
    path: Path, table: str, config: DataConfig, log: ReadLog, *, ids: pa.Array | None = None
) -> pd.DataFrame | None:
    """Read a CSV (every column as text, ids keep leading zeros) or Parquet file.

    With ``ids``, a Parquet file whose customer ids are text is read for those customers
    only (other files are read whole: :func:`keep_customers` narrows them). A file without
    rows is reported as such, whatever ``ids`` keep; one of an optional table is noted and
    read as absent (``None``).
    """
    row_filter = None
    try:
        if path.suffix.lower() == ".parquet":
            if _twice_named(pq.read_schema(path).names, table, path, log):
                return None  # pyarrow cannot convert such a file
            if ids is not None and pq.ParquetFile(path).metadata.num_rows > 0:
                row_filter = _id_filter(path, table, config, ids)
            # Convert column by column, freeing Arrow memory as it goes: no 2x peak.
            found = pq.read_table(path, filters=row_filter)
            frame = found.to_pandas(self_destruct=True, split_blocks=True)
        else:
            encoding, bom = _csv_encoding(path, config)
            if bom:
                log.repairs.append(f"{table}: removed the UTF-8 byte-order mark of {path.name}")
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(path, **_csv_options(config, encoding))
    except UnicodeDecodeError as exc:
        log.problems.append(
            Problem(
                table=table,
                column="",
                check=f"{path.name} is not {config.encoding} text (it holds the byte "
                f'{exc.object[exc.start]:#04x}); set encoding = "cp1252", "latin-1" or '
                f'"gbk" (the file\'s) under [data] in {CONFIG_FILE_NAME}',
                code=ProblemCode.UNREADABLE_FILE,
            )
        )
        return None
    except pd.errors.ParserWarning:
        log.problems.append(
            Problem(
                table=table,
                column="",
                check=f"{path.name} has rows with more fields than its header (a delimiter "
                "inside a value? quote it)",
                code=ProblemCode.UNREADABLE_FILE,
            )
        )
        return None
    except pd.errors.EmptyDataError:
        if table not in REQUIRED_TABLES:
            log.notes.append(empty_table_note(table, path.name))
            return None
        log.problems.append(
            Problem(
                table=table, column="", check=f"{path.name} is empty", code=ProblemCode.EMPTY_FILE
            )
        )
        return None
    except Exception as exc:  # any reader failure is a data problem the user must see
        reason = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        log.problems.append(
            Problem(
                table=table,
                column="",
                check=f"{path.name} is unreadable: {reason}",
                code=ProblemCode.UNREADABLE_FILE,
            )
        )
        return None
    if frame.empty and (row_filter is None or not len(frame.columns)):
        if table not in REQUIRED_TABLES:
            log.notes.append(empty_table_note(table, path.name))
            return None
        log.problems.append(
            Problem(
                table=table, column="", check=f"{path.name} has no rows", code=ProblemCode.NO_ROWS
            )
        )
        return None
    header = _csv_header(path, config) if path.suffix.lower() != ".parquet" else None
    if header is not None and len(header) == len(frame.columns):
        # Names as written; pandas' own where a name is blank ("Unnamed: 2").
        frame.columns = [
            h if h is not None else c for h, c in zip(header, frame.columns, strict=True)
        ]
    frame.columns = [str(c).strip() for c in frame.columns]
    if _twice_named(list(frame.columns), table, path, log):
        return None
    return frame.reset_index(drop=True)


def _twice_named(names: list[str], table: str, path: Path, log: ReadLog) -> bool:
    """Report the names (trimmed) two columns of a file share; whether there are any."""
    index = pd.Index([str(n).strip() for n in names])
    twice = sorted(set(index[index.duplicated()]))
    for column in twice:
        log.problems.append(
            Problem(
                table=table,
                column=column,
                check=f"two columns of {path.name} are called {column}; rename or drop one",
                code=ProblemCode.DUPLICATE_COLUMN,
            )
        )
    return bool(twice)


def _csv_header(path: Path, config: DataConfig) -> list[str | None] | None:
    """A CSV file's header as written (pandas renames a second ``amount`` to ``amount.1``)."""
    encoding, _ = _csv_encoding(path, config)
    options = {**_csv_options(config, encoding), "header": None, "nrows": 1}
    try:
        first = pd.read_csv(path, **options)
    except Exception:  # the full read worked: keep its names
        return None
    if not len(first):
        return None
    return [None if pd.isna(v) else str(v) for v in first.iloc[0].tolist()]


def apply_mapping(
    frame: pd.DataFrame,
    contract: TableContract,
    config: DataConfig,
    required: dict[str, str],
    log: ReadLog,
) -> pd.DataFrame | None:
    """Rename the user's columns to churnlab's names; report required columns that are missing."""
    mapping = config.columns.get(contract.name, {})
    header = [str(c) for c in frame.columns]
    absent = {name: source for name, source in mapping.items() if source not in header}
    for name, source in absent.items():
        close = difflib.get_close_matches(source, header, n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(close)})" if close else ""
        log.problems.append(
            Problem(
                table=contract.name,
                column=name,
                check=f"[columns.{contract.name}] {name} = {source!r} names no column of the "
                f"file{hint}; fix the name in {CONFIG_FILE_NAME}",
                code=ProblemCode.MAPPED_COLUMN_MISSING,
            )
        )
    if absent:
        return None
    frame = frame.rename(columns={source: name for name, source in mapping.items()})
    if not any(c in contract.columns for c in frame.columns):
        # Not this table at all (another file, a text file): say so without echoing its content.
        log.problems.append(
            Problem(
                table=contract.name,
                column="",
                check=f"none of the columns of {contract.name} ({', '.join(required)}) found "
                f"among the file's {len(frame.columns):,} columns{_delimiter_hint(header, config)}"
                f"; check the file, the delimiter and [columns.{contract.name}]",
                code=ProblemCode.NOT_A_TABLE,
            )
        )
        return None
    twice = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    for column in twice:
        log.problems.append(
            Problem(
                table=contract.name,
                column=column,
                check=f"two columns are called {column} after the [columns.{contract.name}] "
                "mapping; rename or drop one",
                code=ProblemCode.DUPLICATE_COLUMN,
            )
        )
    if twice:
        return None
    missing = [c for c in required if c not in frame.columns]
    for column in missing:
        source = mapping.get(column, column)
        close = difflib.get_close_matches(source, [str(c) for c in frame.columns], n=3, cutoff=0.5)
        hint = f" (closest: {', '.join(close)})" if close else ""
        log.problems.append(
            Problem(
                table=contract.name,
                column=column,
                check=f"required column missing{hint}",
                examples=examples_of(list(frame.columns)) if not close else (),
                code=ProblemCode.MISSING_COLUMN,
            )
        )
    return None if missing else frame


def _delimiter_hint(header: list[str], config: DataConfig) -> str:
    """ " (set delimiter = ";" ...)" when a one-column header holds another delimiter."""
    if len(header) != 1:
        return ""
    found = [d for d in (";", "\t", "|", ",") if d != config.delimiter and d in header[0]]
    return f" (is the delimiter {found[0]!r}? set delimiter under [data])" if found else ""


def _parse_ids(values: pd.Series, table: str, column: str, log: ReadLog) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories.astype("str"))
        if not (categories.str.strip() != categories).any():
            return values  # ids read as a dictionary, none needs trimming
        values = values.astype("str")
    if pd.api.types.is_numeric_dtype(values.dtype):
        log.repairs.append(
            f"{table}.{column}: ids stored as numbers were turned into text; "
            "leading zeros lost in the file cannot be recovered"
        )
        values = values.astype("Int64")
    if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        values = values.astype("str").where(values.notna(), None).astype("str")
    ids = pa.array(values)  # arrow compute: millions of ids in well under a second
    stripped = pc.utf8_trim_whitespace(ids)
    control = pc.fill_null(pc.match_substring_regex(stripped, _CONTROL), False)
    if pc.any(control).as_py():
        log.problems.append(
            Problem(
                table=table,
                column=column,
                check="id holds a control character (NUL, tab, line break); clean the ids",
                rows=pc.sum(control).as_py() or 0,
                examples=examples_of(repr(v) for v in pc.filter(stripped, control).to_pylist()),
                code=ProblemCode.CONTROL_CHARACTER,
            )
        )
    changed = pc.fill_null(pc.not_equal(ids, stripped), False)
    count = pc.sum(changed).as_py() or 0
    blank = pc.fill_null(pc.equal(stripped, ""), False)
    if pc.any(blank).as_py():  # an id of spaces only is no id: reported as an empty value
        stripped = pc.if_else(blank, pa.scalar(None, stripped.type), stripped)
    elif not count:
        return values
    if not count:
        return pd.Series(stripped, index=values.index, dtype="str")
    log.repairs.append(
        f"{table}.{column}: trimmed spaces around {count:,} id{'s' if count != 1 else ''}, "
        f"e.g. {', '.join(repr(v) for v in examples_of(pc.filter(ids, changed).to_pylist(), 3))}"
    )
    return pd.Series(stripped, index=values.index, dtype="str")


def _parse_numbers(
    values: pd.Series, table: str, column: str, config: DataConfig, log: ReadLog
) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values if values.dtype == "float64" else values.astype("float64")
    text = values.astype("str").str.strip()
    if config.decimal == ",":
        # A dot is a thousands separator then: "1.234,5". "76.11" is a dot-decimal number.
        dotted = text.str.contains(".", regex=False, na=False)
        grouped = text.str.fullmatch(_COMMA_DECIMAL_GROUPED, na=False)
        wrong = dotted & ~grouped
        if wrong.any():
            log.problems.append(
                Problem(
                    table=table,
                    column=column,
                    check=f'decimal = "," in {CONFIG_FILE_NAME}, but these use a dot as the '
                    "decimal mark; fix the setting or the values",
                    rows=int(wrong.sum()),
                    examples=examples_of(text[wrong]),
                    code=ProblemCode.DECIMAL_MISMATCH,
                )
            )
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        text = text.where(~wrong)
    else:
        wrong = pd.Series(False, index=values.index)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = numbers.isna() & values.notna() & ~wrong
    if bad.any():
        commas = values[bad].astype("str").str.contains(",", regex=False).any()
        hint = f' (decimal commas? set decimal = "," in {CONFIG_FILE_NAME})' if commas else ""
        log.problems.append(
            Problem(
                table=table,
                column=column,
                check=f"not a number{hint}",
                rows=int(bad.sum()),
                examples=examples_of(values[bad]),
                code=ProblemCode.NOT_A_NUMBER,
            )
        )
    return numbers


def _parse_dates(
    values: pd.Series, table: str, column: str, config: DataConfig, log: ReadLog
) -> pd.Series:
    where = f"{table}.{column}"
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        log.aware_columns.append(where)
        return values.dt.tz_convert("UTC").dt.tz_localize(None).astype(TIMESTAMP_DTYPE)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        if values.notna().any():
            log.naive_columns.append(where)
        return values if values.dtype == TIMESTAMP_DTYPE else values.astype(TIMESTAMP_DTYPE)
    text = values.astype("str").str.strip()
    present = text.notna() & (text != "")
    aware = present & text.str.contains(_TZ_SUFFIX, na=False)
    if present.any() and aware.sum() == present.sum():
        log.aware_columns.append(where)
    elif aware.any():
        log.problems.append(
            Problem(
                table=table,
                column=column,
                check="mixed time-zone-aware and naive timestamps",
                rows=int(aware.sum()),
                examples=examples_of(text[aware]),
                code=ProblemCode.MIXED_TIME_ZONES,
            )
        )
    elif present.any():  # a column with no values at all is neither aware nor naive
        log.naive_columns.append(where)
    fmt = config.date_format or "ISO8601"
    parsed = pd.to_datetime(text.where(present), format=fmt, errors="coerce", utc=bool(aware.any()))
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    bad = parsed.isna() & present
    if bad.any():
        hint = f" with format {config.date_format}" if config.date_format else ""
        log.problems.append(
            Problem(
                table=table,
                column=column,
                check=f"unparseable date{hint}",
                rows=int(bad.sum()),
                examples=examples_of(text[bad]),
                code=ProblemCode.UNPARSEABLE_DATE,
            )
        )
    return parsed.astype(TIMESTAMP_DTYPE)


def _infer_attribute(values: pd.Series, config: DataConfig) -> pd.Series:
    """Turn a text attribute column into numbers when every value is a number without a
    leading zero (so codes such as "007" stay text)."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        return values
    text = values.astype("str").str.strip()
    present = text.notna() & (text != "")
    if not present.any() or text[present].str.match(r"^-?0\d").any():
        return text.where(present)
    candidate = text
    if config.decimal == ",":
        candidate = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(candidate.where(present), errors="coerce")
    if numbers[present].notna().all():
        return numbers.astype("float64") if numbers.dtype.kind == "f" else numbers
    return text.where(present)


def type_columns(
    frame: pd.DataFrame,
    contract: TableContract,
    config: DataConfig,
    log: ReadLog,
    *,
    from_text: bool = True,
) -> pd.DataFrame:
    """Give every contract column its type; other columns are kept as attributes.

    Attributes read from text (CSV) become numbers when every value is one; typed sources
    (Parquet) keep their own types.
    """
    typed = frame.copy(deep=False)
    for column in frame.columns:
        kind = contract.columns.get(column)
        values = frame[column]
        if kind == ID:
            new = _parse_ids(values, contract.name, column, log)
        elif kind == DATE:
            new = _parse_dates(values, contract.name, column, config, log)
        elif kind == NUMBER:
            new = _parse_numbers(values, contract.name, column, config, log)
        elif kind is not None:
            new = _as_text(values)
        else:
            new = _infer_attribute(values, config) if from_text else values
        if new is not values:
            typed[column] = new  # assign column by column: no costly block consolidation
    first = [c for c in contract.columns if c in typed.columns]
    order = first + [c for c in typed.columns if c not in contract.columns]
    return typed if order == list(typed.columns) else typed[order]


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values
    return values.astype("str").where(values.notna(), None).astype("str")


def mixed_zone_problems(log: ReadLog) -> None:
    """Report time-zone-aware date columns when other date columns are naive."""
    if log.aware_columns and log.naive_columns:
        for where in log.aware_columns:
            table, column = where.split(".", 1)
            log.problems.append(
                Problem(
                    table=table,
                    column=column,
                    check="mixed time-zone-aware and naive timestamps",
                    examples=(f"naive: {', '.join(log.naive_columns[:3])}",),
                    code=ProblemCode.MIXED_TIME_ZONES,
                )
            )
    elif log.aware_columns:
        log.repairs.append(
            "converted time-zone-aware timestamps to UTC without a zone: "
            + ", ".join(log.aware_columns[:5])
        )


def keep_customers(
    frame: pd.DataFrame,
    contract: TableContract,
    config: DataConfig,
    ids: pa.Array,
    *,
    from_text: bool,
) -> pd.DataFrame:
    """The rows of ``frame`` (named as churnlab names its columns) of the customers ``ids``,
    their ids compared as :func:`type_columns` types them (text, trimmed).

    Attributes read from text are typed first, over every row: a column is numeric only when
    all its values are numbers, so the kept rows get the type the whole file gives them. Call
    :func:`type_columns` on the result with ``from_text=False``.
    """
    typed = _parse_ids(frame["customer_id"], contract.name, "customer_id", ReadLog())
    found = pc.is_in(pa.array(typed.astype("str")), value_set=ids)
    keep = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    if from_text:
        frame = frame.copy(deep=False)
        for column in frame.columns:
            if column not in contract.columns:
                frame[column] = _infer_attribute(frame[column], config)
    return frame.loc[keep].reset_index(drop=True)


_DATE_BATCH_ROWS = 1 << 20


def latest_dates(path: Path, contract: TableContract, config: DataConfig) -> pd.DataFrame:
    """The latest value of each of the contract's date columns over a whole file, typed as
    :func:`type_columns` types them, and named as churnlab names them.

    Only the date columns are read, a batch of rows at a time; the result holds one row per
    batch (``NaT`` where a batch has no date), for the rule that picks the latest date of the
    data (:func:`churnlab.tables.load.check_data`'s) to reduce. Problems and repairs are the
    full read's to report, not this one's.
    """
    parquet = path.suffix.lower() == ".parquet"
    if parquet:
        file = pq.ParquetFile(path)
        header = list(file.schema_arrow.names)
    else:
        encoding, _ = _csv_encoding(path, config)
        options = _csv_options(config, encoding)
        header = list(pd.read_csv(path, nrows=0, **options).columns)
    columns = {
        source: name
        for name, kind in contract.columns.items()
        if kind == DATE and (source := source_name(header, name, contract.name, config))
    }
    if not columns:
        return pd.DataFrame()
    if parquet:
        batches: Iterable[pd.DataFrame] = (
            batch.to_pandas()
            for batch in file.iter_batches(batch_size=_DATE_BATCH_ROWS, columns=list(columns))
        )
    else:
        batches = pd.read_csv(path, usecols=list(columns), chunksize=_DATE_BATCH_ROWS, **options)
    scratch = ReadLog()
    rows = [
        {
            name: _parse_dates(batch[source], contract.name, name, config, scratch).max()
            for source, name in columns.items()
        }
        for batch in batches
    ]
    return pd.DataFrame(rows, columns=list(columns.values())).astype(TIMESTAMP_DTYPE)
