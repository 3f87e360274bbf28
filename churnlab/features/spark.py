"""The Spark engine: the same Ibis feature definitions, run by Spark through Ibis' PySpark backend.

pyspark is imported here only, and only when Spark is chosen (``[engine] name = "spark"`` in
churnlab.toml, ``--engine spark``, or ``engine="spark"``). A process has one SparkSession
(Spark's own rule): :func:`spark_session` creates it on first use with churnlab's settings
(small shuffle partitions, UTC session time zone, Arrow transfers) and returns the same one
afterwards; an engine never stops it, only drops what it registered.

Timestamps are UTC on both engines: churnlab's dates are naive (wall-clock) timestamps, which
Spark stores as instants read in the session time zone, so the engine pins the session time
zone to UTC whenever it hands data to Spark or takes results back.

Every failure of Spark itself (no pyspark, no Java, a master that does not answer, a path
Spark cannot read, a query Spark refuses) comes back as a :class:`~churnlab.errors.EngineError`
that says what to do, never as a JVM stack trace.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import shutil
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.errors import EngineError
from churnlab.features.engine import Engine

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
DEFAULT_SETTINGS: dict[str, str] = {
    # Spark's default of 200 shuffle partitions suits terabytes; a cutoff's aggregates over
    # millions of rows want few (set more in [engine.settings] on a cluster).
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}
INSTALL = "pip install 'churnlab[spark]'"
JAVA = (
    "Spark needs Java 17: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; "
    "macOS: brew install openjdk@17) or set JAVA_HOME to a Java 17 installation"
)


def spark_available() -> bool:
    """Whether pyspark can be imported (without importing it).

    >>> isinstance(spark_available(), bool)
    True
    """
    return importlib.util.find_spec("pyspark") is not None


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise EngineError(f"Spark was chosen but Java was not found. {JAVA}, then run again.")


def _check_master(master: str) -> None:
    """A ``spark://host:port`` master must answer on its port (Spark itself retries for a
    minute before giving up, with a stack trace)."""
    if not master.startswith("spark://"):
        return
    for address in master.removeprefix("spark://").split(","):
        parts = urlsplit(f"//{address}")
        host, port = parts.hostname or "", parts.port or 7077
        try:
            with socket.create_connection((host, port), timeout=5):
                return
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
    raise EngineError(
        f"The Spark master {master} cannot be reached ({reason}). Check the host and port "
        "(the master's web page shows its URL), or set [engine] master in churnlab.toml to "
        "local[2] to run Spark on this machine."
    )


def spark_session(master: str | None = None, settings: Mapping[str, Any] | None = None) -> Any:
    """The process's SparkSession: created on first use, then the same one.

    Parameters
    ----------
    master:
        Where Spark runs: ``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://...``
        (default ``local[2]``; ignored when a session exists, as under spark-submit).
    settings:
        Spark settings on top of churnlab's defaults (:data:`DEFAULT_SETTINGS`), such as
        ``{"spark.executor.memory": "8g"}``.

    Raises
    ------
    EngineError
        pyspark or Java is missing, or the master cannot be reached.
    """
    if not spark_available():
        raise EngineError(
            f"Spark was chosen as the engine but pyspark is not installed: {INSTALL} "
            '(or choose the DuckDB engine: [engine] name = "duckdb").'
        )
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    _check_java()
    master = master or DEFAULT_MASTER
    _check_master(master)
    builder = SparkSession.builder.master(master).appName("churnlab")
    chosen = {**DEFAULT_SETTINGS, **{k: str(v) for k, v in (settings or {}).items()}}
    if master.startswith("local"):
        # Local Python workers run this interpreter (its pandas, pyarrow, lightgbm), as the
        # driver does; pyspark reads it from the environment when it starts the context.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        chosen.setdefault("spark.ui.enabled", "false")
        # Adaptive execution runs every shuffle stage as a job of its own and re-plans between
        # them; on one machine it has little to rebalance (50k customers, one cutoff: 13 jobs
        # instead of about 40).
        chosen.setdefault("spark.sql.adaptive.enabled", "false")
    for key, value in chosen.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM's errors have no common Python type
        raise EngineError(
            f"Spark could not start (master {master}): {_first_line(exc)}. {JAVA}; check "
            "[engine] master and [engine.settings] in churnlab.toml."
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _first_line(exc: BaseException) -> str:
    """The first line of a Spark error, without the JVM stack trace."""
    text = str(getattr(exc, "desc", None) or exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "JVM stacktrace", "Traceback")):
            return line[:400]
    return type(exc).__name__


def spark_error(what: str, exc: BaseException, fix: str) -> EngineError:
    """An :class:`EngineError` for a Spark failure: what failed, Spark's first line, and what
    to do (the JVM stack trace is left out).

    >>> str(spark_error("Spark could not read x", ValueError("no\\n at a.b"), "Check it."))
    'Spark could not read x: no. Check it.'
    """
    return EngineError(f"{what}: {_first_line(exc).rstrip('.')}. {fix}")


def unreadable(path: object, exc: BaseException) -> EngineError:
    """The error for a path Spark cannot read, and what to check."""
    return spark_error(
        f"Spark could not read {path}",
        exc,
        "Check that the path exists and that Spark can reach it (for S3 or HDFS: "
        "the spark.hadoop.* settings in [engine.settings]).",
    )


class SparkEngine(Engine):
    """Spark, through Ibis' PySpark backend: tables are Spark temporary views, kept results
    are cached DataFrames.

    Parameters
    ----------
    master:
        Where Spark runs (default ``local[2]``); see :func:`spark_session`.
    settings:
        Extra Spark settings (``[engine.settings]`` in churnlab.toml).
    session:
        A SparkSession to use instead (a notebook's, Databricks' ``spark``).

    Closing the engine drops its views and cached results; the session stays for the next
    engine of the process.

    Examples
    --------
    >>> with SparkEngine(master="local[1]") as engine:  # doctest: +SKIP
    ...     table = engine.load("plans", pd.DataFrame({"plan": ["basic", "gold"]}))
    ...     engine.to_arrow(table).num_rows
    2
    """

    _ids = itertools.count()

    def __init__(
        self,
        *,
        master: str | None = None,
        settings: Mapping[str, Any] | None = None,
        session: SparkSession | None = None,
    ) -> None:
        self.session = session if session is not None else spark_session(master, settings)
        self._pin_utc()
        self.backend = ibis.pyspark.connect(self.session)
        self.backend.compiler = _compiler()
        self._prefix = f"cl{os.getpid()}_{next(self._ids)}_"
        self._views: list[str] = []
        self._cached: list[DataFrame] = []
        self._closed = False

    def _pin_utc(self) -> None:
        self.session.conf.set("spark.sql.session.timeZone", "UTC")

    def _register(self, name: str, df: DataFrame) -> ir.Table:
        view = self._prefix + name
        df.createOrReplaceTempView(view)
        self._views.append(view)
        return self.backend.table(view)

    def load(self, name: str, frame: pd.DataFrame) -> ir.Table:
        self._pin_utc()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.cast(_spark_arrow_schema(table.schema))
        return self._register(name, self.session.createDataFrame(table))

    def read_parquet(self, name: str, path: Path | str | Sequence[Path | str]) -> ir.Table:
        paths = [str(path)] if isinstance(path, Path | str) else [str(p) for p in path]
        try:
            reader = self.session.read
            schema = _footer_schema(paths[0])  # the files of one table agree on their columns
            df = (reader.schema(schema) if schema is not None else reader).parquet(*paths)
        except Exception as exc:
            raise unreadable(path, exc) from None
        return self._register(name, df)

    def read_parquet_numbered(self, name: str, paths: Sequence[Path | str]) -> ir.Table:
        from pyspark.sql import functions as F

        parts = []
        offset = 0
        for path in paths:
            try:
                df = self.session.read.parquet(str(path))
                rows = df.count()  # from the footers
            except Exception as exc:
                raise unreadable(path, exc) from None
            position = F.col("_metadata.row_index") + F.lit(offset)
            parts.append(df.select("*", position.alias("row_number")))
            offset += rows
        numbered = parts[0]
        for part in parts[1:]:
            numbered = numbered.unionByName(part)
        return self._register(name, numbered)

    reports_in_place = True

    def storage(self) -> HadoopStorage:
        """The file systems Spark reads (HDFS, S3 through ``s3a://``, ``file://``...), with
        Spark's own Hadoop settings (``spark.hadoop.*`` in ``[engine.settings]``)."""
        return HadoopStorage(self.session)

    def materialize(self, name: str, expr: ir.Table) -> ir.Table:
        # Spark fills the cache with the first query that reads it (no job of its own: a
        # count here cost a job per materialised relation, each a second or more in local mode).
        self._pin_utc()
        df = self._dataframe(expr).cache()
        self._cached.append(df)
        return self._register(name, df)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        # Spark's own Arrow collection (no pandas on the way), then Ibis' types.
        from ibis.formats.pyarrow import PyArrowData

        self._pin_utc()
        table = self._run(lambda: self._dataframe(expr).toArrow())
        return PyArrowData.convert_table(table, expr.schema())

    def dataframe(self, expr: ir.Table) -> DataFrame:
        """The Spark DataFrame of ``expr`` (for work beyond the seam: scoring, sampling)."""
        return self._dataframe(expr)

    def _dataframe(self, expr: ir.Table) -> DataFrame:
        return self._run(lambda: self.session.sql(self.backend.compile(expr)))

    def _run(self, call: Any) -> Any:
        try:
            return call()
        except EngineError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                raise spark_error(
                    "Spark could not run a churnlab query",
                    exc,
                    "If the data are fine under the DuckDB engine, report this with the "
                    "message above.",
                ) from None
            raise

    def close(self) -> None:
        """Drop this engine's views and cached results (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        catalog = self.session.catalog
        for view in self._views:
            with contextlib.suppress(Exception):
                catalog.dropTempView(view)
        for df in self._cached:
            with contextlib.suppress(Exception):
                df.unpersist()

    def __repr__(self) -> str:
        return f"<SparkEngine {self.session.sparkContext.master}>"


class HadoopStorage:
    """A data directory on a file system Spark reaches, read through Hadoop's ``FileSystem``
    in Spark's JVM: file names, small files and Parquet footers (a few kilobytes each, read
    from the file's end), and the first rows through Spark itself.

    Examples
    --------
    >>> storage = SparkEngine(master="local[1]").storage()  # doctest: +SKIP
    >>> storage.matches("hdfs://namenode/churn/bills_*.parquet")  # doctest: +SKIP
    ['hdfs://namenode/churn/bills_2024.parquet', 'hdfs://namenode/churn/bills_2025.parquet']
    """

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self._jvm: Any = session.sparkContext._jvm

    def _call(self, path: str, call: Any) -> Any:
        """Run ``call(file_system, hadoop_path)``; a failure says which path, without Java."""
        try:
            hadoop_path = self._jvm.org.apache.hadoop.fs.Path(path)
            conf = self.session.sparkContext._jsc.hadoopConfiguration()
            return call(hadoop_path.getFileSystem(conf), hadoop_path)
        except Exception as exc:
            raise unreadable(path, exc) from None

    def is_dir(self, path: str) -> bool:
        return bool(
            self._call(path, lambda fs, p: fs.exists(p) and fs.getFileStatus(p).isDirectory())
        )

    def matches(self, pattern: str) -> list[str]:
        found = self._call(pattern, lambda fs, p: fs.globStatus(p))
        return sorted(str(f.getPath().toString()) for f in (found or []) if f.isFile())

    def _read(self, path: str, start: int | None, size: int | None) -> bytes:
        """``size`` bytes from ``start`` (negative: from the end); the whole file by default."""

        def read(fs: Any, p: Any) -> bytes:
            length = int(fs.getFileStatus(p).getLen())
            begin = 0 if start is None else (length + start if start < 0 else start)
            count = length - begin if size is None else size
            stream = fs.open(p)
            try:
                stream.seek(begin)
                return bytes(stream.readNBytes(count))  # a Java byte[] comes back as bytes
            finally:
                stream.close()

        return self._call(path, read)  # type: ignore[no-any-return]

    def read_text(self, path: str) -> str:
        return self._read(path, None, None).decode("utf-8")

    def footer(self, path: str) -> pq.FileMetaData:
        tail = self._read(path, -8, 8)
        if tail[4:] != b"PAR1":
            raise ValueError(f"{path} is not a Parquet file")
        size = int.from_bytes(tail[:4], "little")
        footer = self._read(path, -8 - size, size)
        # A Parquet file's end alone (magic, footer, its length, magic) reads as its metadata.
        return pq.read_metadata(pa.BufferReader(b"PAR1" + footer + tail))

    def copy_folder(self, folder: str, local: Path) -> None:
        target = self._jvm.org.apache.hadoop.fs.Path(str(local))
        # Raw local files: no .crc checksum file beside each copy.
        self._call(folder, lambda fs, p: fs.copyToLocalFile(False, p, target, True))

    def describe(self, path: str) -> dict[str, Any]:
        def about(fs: Any, p: Any) -> dict[str, Any]:
            status = fs.getFileStatus(p)
            checksum = fs.getFileChecksum(p)  # HDFS keeps one; local files and S3 none
            return {
                "bytes": int(status.getLen()),
                "modified": int(status.getModificationTime()),
                "checksum": None if checksum is None else str(checksum.toString()),
            }

        return self._call(path, about)  # type: ignore[no-any-return]

    def head(self, path: str, columns: list[str], rows: int) -> pa.Table:
        self.session.conf.set("spark.sql.session.timeZone", "UTC")
        frame = self.session.read.parquet(path).select(*[f"`{c}`" for c in columns])
        return frame.limit(rows).toArrow()


def _footer_schema(path: Path | str) -> Any:
    """The Spark schema of a local Parquet file, from its footer (read here), or ``None``.

    Given a schema, Spark skips the job it runs to infer one (a second or more in local
    mode, per file). Naive timestamps are ``TIMESTAMP_NTZ``, as Spark infers them; a type
    Spark has no counterpart for, a folder or a remote path leave the inference to Spark.
    """
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema

    local = Path(path)
    if "://" in str(path) or not local.is_file():
        return None
    try:
        stored = pq.read_schema(local)
        if any(pa.types.is_timestamp(t) and t.unit == "ns" for t in stored.types):
            return None  # Spark reads no nanoseconds: its own message says so
        return from_arrow_schema(_spark_arrow_schema(stored), prefer_timestamp_ntz=True)
    except Exception:  # Arrow types Spark lacks (unsigned, nanoseconds...): Spark decides
        return None


def _compiler() -> Any:
    """Ibis' Spark SQL compiler, with floating-point literals typed as doubles.

    Ibis writes ``x / 30.4375`` as such, and Spark reads ``30.4375`` as a DECIMAL: the
    quotient is then a decimal rounded to 6 or 7 places (DuckDB divides in doubles).
    """
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    class Compiler(PySparkCompiler):  # type: ignore[misc]
        def visit_NonNullLiteral(self, op: Any, *, value: Any, dtype: Any) -> Any:
            result = super().visit_NonNullLiteral(op, value=value, dtype=dtype)
            if dtype.is_floating() and isinstance(result, sge.Literal):
                return self.cast(result, dtype)
            return result

    return Compiler()


def _spark_arrow_schema(schema: pa.Schema) -> pa.Schema:
    """Types Spark takes from Arrow: dictionaries as their values, large strings as strings,
    timestamps in microseconds."""
    fields = []
    for f in schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            t = pa.string()
        if pa.types.is_timestamp(t):
            t = pa.timestamp("us", t.tz)
        fields.append(pa.field(f.name, t, f.nullable))
    return pa.schema(fields)
