"""The engine seam: where feature queries run.

Feature definitions are Ibis expressions; an engine only loads tables, keeps intermediate results
and executes expressions. :class:`DuckDBEngine` is the embedded default; a Spark engine can
implement the same methods without touching a definition.

Whoever creates an engine closes it: the feature builder closes the engines it creates itself,
never one it is given. Engines are context managers, so ``with DuckDBEngine() as engine:`` does
both.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, TypeAlias

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlab.errors import SpecError
from churnlab.files import is_remote
from churnlab.tables.config import ENGINES, EngineSettings
from churnlab.tables.storage import Storage


class Engine(Protocol):
    """What the feature builder needs from an execution engine.

    An engine subclassing ``Engine`` inherits the context-manager methods, which call
    :meth:`close` on leaving the ``with`` block; it writes the other methods itself.
    """

    def load(self, name: str, frame: pd.DataFrame) -> ir.Table:
        """Make a pandas DataFrame available as a table called ``name``."""
        ...

    def read_parquet(self, name: str, path: Path | str | Sequence[Path | str]) -> ir.Table:
        """Make a Parquet file (or several with the same columns, as one table) available
        as a table called ``name``, read where it lies."""
        ...

    def read_parquet_numbered(self, name: str, paths: Sequence[Path | str]) -> ir.Table:
        """As :meth:`read_parquet`, with a column ``row_number``: each row's 0-based position
        in the files read one after the other, in the order given (what a problem's "row N"
        counts from)."""
        ...

    def storage(self) -> Storage | None:
        """The file system of the data directories given as URIs (``hdfs://``, ``s3a://``),
        read through the engine's own settings; ``None``: this machine's files only."""
        return None

    reports_in_place: bool = False
    """Whether data that break the contract's rules are reported from the engine
    (:func:`churnlab.features.direct_problems.problems_in_place`) rather than loaded into
    pandas to be checked: for data larger than this machine."""

    def materialize(self, name: str, expr: ir.Table) -> ir.Table:
        """Compute ``expr`` once and keep the result as a table called ``name``."""
        ...

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """Execute ``expr`` and return its rows."""
        ...

    def close(self) -> None:
        """Free everything the engine loaded or kept; a second call does nothing."""
        ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class DuckDBEngine(Engine):
    """The embedded engine: DuckDB in this process, reading Parquet files where they lie and
    pandas frames without copying them.

    Parameters
    ----------
    threads:
        Worker threads (default: DuckDB's choice, all cores).
    memory_limit:
        DuckDB's memory limit such as ``"4GB"`` (default: DuckDB's choice).

    Examples
    --------
    >>> with DuckDBEngine(threads=1) as engine:
    ...     table = engine.load("plans", pd.DataFrame({"plan": ["basic", "gold"]}))
    ...     engine.to_arrow(table).num_rows
    2
    >>> engine.close()  # closed on leaving the block; closing again does nothing
    """

    _ids = itertools.count()

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, object] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.backend = ibis.duckdb.connect(**config)
        self._prefix = f"cl{next(self._ids)}_"
        self._closed = False

    def load(self, name: str, frame: pd.DataFrame) -> ir.Table:
        # DuckDB scans numeric and date columns of a DataFrame in place (no copy of millions of
        # rows) but reads pandas text columns slowly (1M customers: 1.2 s to register, 0.3 s a
        # scan); Arrow text costs neither, so frames with text go through Arrow.
        has_text = any(
            pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
            for dtype in frame.dtypes
        )
        data = pa.Table.from_pandas(frame, preserve_index=False) if has_text else frame
        self.backend.con.register(self._prefix + name, data)
        return self.backend.table(self._prefix + name)

    def read_parquet(self, name: str, path: Path | str | Sequence[Path | str]) -> ir.Table:
        paths = [str(path)] if isinstance(path, Path | str) else [str(p) for p in path]
        return self.backend.read_parquet(paths, table_name=self._prefix + name)

    def read_parquet_numbered(self, name: str, paths: Sequence[Path | str]) -> ir.Table:
        parts = []
        offset = 0
        for i, path in enumerate(paths):
            rel = self.backend.read_parquet(
                str(path), table_name=f"{self._prefix}{name}_{i}", file_row_number=True
            )
            parts.append(
                rel.mutate(row_number=rel.file_row_number + offset).drop("file_row_number")
            )
            offset += pq.ParquetFile(path).metadata.num_rows
        return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]

    def materialize(self, name: str, expr: ir.Table) -> ir.Table:
        # Not ``create_table(overwrite=True)``: for a temporary table Ibis then fills a table
        # under another name and copies it (bills at 1M customers: 3.4 s against 2.8 s).
        table = self._prefix + name
        self.backend.drop_table(table, force=True)
        return self.backend.create_table(table, expr, temp=True)

    def close(self) -> None:
        """Drop everything this engine loaded or materialised (a second call does nothing)."""
        if not self._closed:
            self.backend.disconnect()
            self._closed = True

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        with warnings.catch_warnings():  # ibis calls a DuckDB method DuckDB 1.5 deprecates
            warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
            return self.backend.to_pyarrow(expr)

    def __repr__(self) -> str:
        return "<DuckDBEngine>"


EngineLike: TypeAlias = "Engine | str | None"


def storage_of(engine: EngineLike, data: object) -> Storage | None:
    """The storage of a data folder given as a URI: the engine's (a Spark engine given by
    name: the process's Spark session's); ``None`` for anything on this machine.

    >>> storage_of("duckdb", "data/") is None
    True
    """
    if not is_remote(data):
        return None
    if engine is not None and not isinstance(engine, str):
        return engine.storage()
    from churnlab.features.spark import HadoopStorage, spark_session

    return HadoopStorage(spark_session())


"""An engine, an engine's name (``"duckdb"`` or ``"spark"``), or ``None`` for the one the
settings choose (``[engine]`` in churnlab.toml; DuckDB without one)."""


def open_engine(choice: str | None = None, settings: EngineSettings | None = None) -> Engine:
    """A new engine: ``choice`` by name, else the one ``settings`` name (``[engine]``).

    Spark's master and settings come from ``settings`` whichever way Spark was chosen;
    pyspark is imported only here, and only for Spark.

    Examples
    --------
    >>> with open_engine("duckdb") as engine:
    ...     engine
    <DuckDBEngine>
    >>> open_engine("sparks")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: Unknown engine 'sparks'. Did you mean 'spark'?
    """
    settings = settings or EngineSettings()
    name = choice if choice is not None else settings.name
    if name not in ENGINES:
        from churnlab.errors import did_you_mean

        hint = did_you_mean(name, ENGINES) or f" Choose one of: {', '.join(ENGINES)}."
        raise SpecError(f"Unknown engine {name!r}.{hint}")
    if name == "spark":
        from churnlab.features.spark import SparkEngine

        return SparkEngine(master=settings.master, settings=settings.settings)
    return DuckDBEngine()
