"""Writing the demo operator's tables: Arrow columns straight from NumPy, Parquet row groups.

Chunks are dictionaries of NumPy arrays: customer positions (``int32``), timestamps in
microseconds (``int64``, :data:`~churnlab.demo.simulate.NULL_TS` for empty), floats,
category codes, and text as ``(rows, width)`` matrices of ASCII codes. :data:`SCHEMAS` says
how each column is written. Every file is written under a temporary name and renamed when
complete (:func:`churnlab.files.atomic_path`), so a failed run leaves no half-written table.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.demo.simulate import NULL_TS, Chunk
from churnlab.demo.spec import TABLES
from churnlab.demo.vocab import CAUSES, FIX_CAUSES, Locale, words
from churnlab.errors import SpecError
from churnlab.files import atomic_path

ID, TIMESTAMP, FLOAT, TEXT = "id", "timestamp", "float", "text"
"""Column kinds; any other kind names a :func:`~churnlab.demo.vocab.words` field."""

SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": (
        ("customer_id", ID),
        ("signup_date", TIMESTAMP),
        ("end_date", TIMESTAMP),
        ("plan", "plan"),
        ("region", "region"),
        ("contract", "contract"),
        ("payment_method", "payment_method"),
        ("monthly_fee", FLOAT),
        ("phone", TEXT),
    ),
    "bills": (
        ("customer_id", ID),
        ("bill_date", TIMESTAMP),
        ("amount", FLOAT),
        ("due_date", TIMESTAMP),
        ("paid_date", TIMESTAMP),
        ("recorded_at", TIMESTAMP),
    ),
    "complaints": (
        ("customer_id", ID),
        ("opened_at", TIMESTAMP),
        ("category", "category"),
        ("resolved_at", TIMESTAMP),
        ("channel", "channel"),
        ("recorded_at", TIMESTAMP),
    ),
    "service_events": (
        ("customer_id", ID),
        ("occurred_at", TIMESTAMP),
        ("kind", "kind"),
        ("duration_minutes", FLOAT),
    ),
    "truth/customer_month": (
        ("customer_id", ID),
        ("month", TIMESTAMP),
        ("hazard", FLOAT),
        ("hazard_observable", FLOAT),
        ("cause", "cause"),
        ("hazard_service", FLOAT),
        ("hazard_price", FLOAT),
        ("hazard_product", FLOAT),
        ("hazard_payment", FLOAT),
        ("hazard_natural", FLOAT),
        ("hazard_moderator", FLOAT),
        ("fix_cause", "fix_cause"),
    ),
}
_ENGLISH_ONLY = {"cause": CAUSES, "fix_cause": FIX_CAUSES}
"""Truth columns written in English whatever the locale."""
_ARROW_TYPES = {ID: pa.string(), TIMESTAMP: pa.timestamp("us"), FLOAT: pa.float64()}
_DICTIONARY_DATES = {"bills": ("bill_date", "due_date", "paid_date", "recorded_at")}
"""Date columns with few distinct values per row group (dictionary encoding pays off)."""
_QUEUED_CHUNKS = 8
"""Chunks (two months of the four tables) waiting for the writer thread before
:meth:`ParquetSinks.write` blocks."""


def _arrow_type(kind: str) -> pa.DataType:
    """Category words are written as Arrow dictionaries (codes plus words); without the
    stored Arrow schema, readers see them as the plain strings of a dictionary-encoded
    Parquet column."""
    if kind in _ARROW_TYPES:
        return _ARROW_TYPES[kind]
    return pa.string() if kind == TEXT else pa.dictionary(pa.int8(), pa.string())


def _dictionary_columns(table: str) -> list[str]:
    """Columns worth Parquet dictionary encoding: category words and repetitive dates."""
    words_columns = [n for n, kind in SCHEMAS[table] if kind not in (ID, TIMESTAMP, FLOAT, TEXT)]
    return words_columns + list(_DICTIONARY_DATES.get(table, ()))


def fixed_width_strings(chars: np.ndarray) -> pa.StringArray:
    """An Arrow string array from a ``(rows, width)`` matrix of ASCII codes, without copies.

    Examples
    --------
    >>> fixed_width_strings(np.array([[48, 55], [52, 50]], dtype=np.uint8)).to_pylist()
    ['07', '42']
    """
    rows, width = chars.shape
    offsets = np.arange(rows + 1, dtype=np.int32) * np.int32(width)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data))


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def customer_ids(count: int) -> pa.StringArray:
    """Zero-padded ids ``1 .. count``, one digit wider than ``count`` needs.

    Examples
    --------
    >>> customer_ids(3).to_pylist()
    ['01', '02', '03']
    """
    return fixed_width_strings(_digits(np.arange(1, count + 1), len(str(count)) + 1))


def fake_phones(rng: np.random.Generator, count: int, locale: Locale) -> np.ndarray:
    """Made-up phone numbers as a ``(count, width)`` matrix of ASCII codes.

    English numbers look like ``+1-555-123-4567``, Chinese ones like ``131-2345-6789``.
    """
    template = "+1-555-###-####" if locale == "en" else "13#-####-####"
    chars = np.frombuffer(template.encode(), dtype=np.uint8)
    matrix = np.repeat(chars[None, :], count, axis=0)
    free = np.flatnonzero(chars == ord("#"))
    matrix[:, free] = rng.integers(ord("0"), ord("9") + 1, (count, len(free)), dtype=np.uint8)
    return matrix


def _column(kind: str, values: np.ndarray, locale: Locale) -> pa.Array:
    if kind == TIMESTAMP:
        empty = values == NULL_TS
        return pa.array(
            values.view("datetime64[us]"),
            type=pa.timestamp("us"),
            mask=empty if empty.any() else None,
        )
    if kind == FLOAT:
        return pa.array(values, type=pa.float64())
    if kind == TEXT:
        return fixed_width_strings(values)
    vocabulary = _ENGLISH_ONLY[kind] if kind in _ENGLISH_ONLY else words(kind, locale)
    codes = pa.array(values.astype(np.int8, copy=False))
    return pa.DictionaryArray.from_arrays(codes, pa.array(vocabulary, type=pa.string()))


def _same_objects(first: list[np.ndarray], second: list[np.ndarray]) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


class ParquetSinks:
    """One open Parquet writer per table; each :meth:`write` adds a row group.

    A single background thread turns chunks into Arrow tables and writes them (Arrow and
    Parquet release the GIL, so writing overlaps the next month's simulation); chunks are
    written in the order given and at most :data:`_QUEUED_CHUNKS` wait. Use as a context
    manager: on success every file is renamed into place, on failure the partial files are
    removed. Chunks must not be changed after they are handed over.
    """

    def __init__(self, out_dir: Path, ids: pa.StringArray, locale: Locale) -> None:
        self.out_dir = out_dir
        self.ids = ids
        self.locale = locale
        self.rows = dict.fromkeys(SCHEMAS, 0)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="churnlab-demo")
        self._queued: deque[Future[None]] = deque()
        self._last_ids: tuple[list[np.ndarray], pa.ChunkedArray] | None = None
        self._files = ExitStack()

    def __enter__(self) -> ParquetSinks:
        self._files = ExitStack()
        try:
            for table, columns in SCHEMAS.items():
                partial = self._files.enter_context(atomic_path(self.out_dir / f"{table}.parquet"))
                writer = pq.ParquetWriter(
                    partial,
                    pa.schema([(name, _arrow_type(kind)) for name, kind in columns]),
                    compression="snappy",
                    use_dictionary=_dictionary_columns(table),
                    write_statistics=[n for n, kind in columns if kind == TIMESTAMP],
                    store_schema=False,
                )
                self._files.callback(writer.close)  # closed before it is renamed into place
                self._writers[table] = writer
        except BaseException:
            self._files.close()
            raise
        return self

    def write(self, table: str, chunks: list[Chunk]) -> None:
        """Queue chunks (dicts of NumPy arrays by column name) as one row group of ``table``."""
        self.rows[table] += sum(len(chunk["customer_id"]) for chunk in chunks)
        self._queued.append(self._pool.submit(self._write_now, table, chunks))
        while len(self._queued) > _QUEUED_CHUNKS:
            self._queued.popleft().result()

    def _ids_of(self, positions: list[np.ndarray]) -> pa.ChunkedArray:
        """Customer ids as text; a month's truth and bills share one conversion."""
        last = self._last_ids
        if last is None or not _same_objects(last[0], positions):
            text = [self.ids.take(pa.array(p)) for p in positions]
            last = self._last_ids = (positions, pa.chunked_array(text, type=pa.string()))
        return last[1]

    def _write_now(self, table: str, chunks: list[Chunk]) -> None:
        columns = []
        for name, kind in SCHEMAS[table]:
            values = [chunk[name] for chunk in chunks]
            if kind == ID:
                columns.append(self._ids_of(values))
            else:
                parts = [_column(kind, v, self.locale) for v in values]
                columns.append(pa.chunked_array(parts, type=_arrow_type(kind)))
        names = [name for name, _ in SCHEMAS[table]]
        self._writers[table].write_table(pa.Table.from_arrays(columns, names=names))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            while self._queued and exc_type is None:
                self._queued.popleft().result()
        except BaseException as error:
            exc_type, exc, tb = type(error), error, error.__traceback__
            raise
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._files.__exit__(exc_type, exc, tb)


CONFIG_HEADER = "# churnlab data config for the generated demo operator"
"""The first line of the demo's ``churnlab.toml``: what tells an earlier demo from user data."""
DEMO_NAMES: tuple[str, ...] = (
    *(f"{table}.parquet" for table in TABLES),
    "orders.parquet",  # the shop demo (churnlab.demo.shop)
    "churnlab.toml",
    "truth",
)


def check_demo_folder(out_dir: Path) -> None:
    """Refuse (:class:`SpecError`) a folder that holds anything but an earlier demo.

    The demo replaces its own files; in a folder of real data it would replace the user's
    ``churnlab.toml`` and add a second ``customers`` table. Missing and empty folders, and
    earlier demos (the demo's files only, its ``churnlab.toml`` included), are accepted.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_demo_folder(folder / "new")
    >>> _ = (folder / "customers.csv").write_text("customer_id\\n1\\n")
    >>> check_demo_folder(folder)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: ... holds files that are not an earlier demo (customers.csv); the demo would replace or mix with them. Choose a new or empty folder.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise SpecError(f"{out_dir} exists and is not a folder; choose a new or empty folder.")
    foreign = sorted(
        entry.name
        for entry in out_dir.iterdir()
        if entry.name not in DEMO_NAMES
        and not any(entry.name.startswith(f".{name}.") for name in DEMO_NAMES)
    )
    config = out_dir / "churnlab.toml"
    if config.is_file() and not _written_by_demo(config):
        foreign.insert(0, "churnlab.toml (not the demo's)")
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise SpecError(
            f"{out_dir} holds files that are not an earlier demo ({shown}); the demo would "
            "replace or mix with them. Choose a new or empty folder."
        )


def _written_by_demo(config: Path) -> bool:
    try:
        with config.open("rb") as handle:
            return handle.readline().rstrip(b"\r\n") == CONFIG_HEADER.encode()
    except OSError:
        return False


def write_config(out_dir: Path, extract_date: str) -> Path:
    """Write ``churnlab.toml`` with the demo's extract date (atomically)."""
    path = out_dir / "churnlab.toml"
    with atomic_path(path) as partial:
        partial.write_text(
            f"{CONFIG_HEADER}\n"
            "[data]\n"
            f'extract_date = "{extract_date}"   # last day of the last simulated month\n',
            encoding="utf-8",
        )
    return path
