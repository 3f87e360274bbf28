"""Loading a data directory: read every table, check the contract, report all problems at once."""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churnlab.errors import DataError, DataPlausibilityWarning, DataRepairWarning, SpecError
from churnlab.tables.checks import build_schema, run_schema
from churnlab.tables.config import DataConfig, SnapshotSpec, resolve_config
from churnlab.tables.contract import CONTRACTS, DATE, looks_personal, personal_values
from churnlab.tables.orders import with_order_bills
from churnlab.tables.problems import (
    UNREADABLE_VALUES,
    Problem,
    ProblemCode,
    examples_of,
    format_report,
    row_examples,
)
from churnlab.tables.read import (
    ReadLog,
    apply_mapping,
    find_files,
    keep_customers,
    latest_dates,
    mixed_zone_problems,
    read_raw,
    type_columns,
)
from churnlab.tables.tables import Tables


@dataclass(frozen=True, kw_only=True, eq=False)
class ValidationReport:
    """What checking a data directory found.

    ``tables`` holds the typed tables even when there are problems (for a summary of what was
    read); use them for modelling only when ``ok`` is true.
    """

    source: str
    tables: Tables | None
    problems: tuple[Problem, ...]
    repairs: tuple[str, ...]
    doubts: tuple[str, ...] = ()
    """What looks wrong but may be right (each also issued as a
    :class:`~churnlab.errors.DataPlausibilityWarning`); the data are used as they are."""
    notes: tuple[str, ...] = ()
    """What was read otherwise than one might expect, though nothing is wrong (an optional
    table's file without rows, read as absent)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        doubts = "".join(f"\nTo check: {d}" for d in self.doubts)
        doubts += "".join(f"\nNote: {n}" for n in self.notes)
        if self.ok:
            return f"churnlab found no problems in {self.source}.{doubts}"
        return format_report(self.problems, self.source) + doubts

    def __repr__(self) -> str:
        return f"<ValidationReport {self.source}: {len(self.problems)} problems, {len(self.repairs)} repairs>"

    def raise_for_problems(self) -> Tables:
        """Return the tables, or raise :class:`DataError` listing every problem."""
        if self.problems or self.tables is None:
            raise DataError(str(self), list(self.problems))
        return self.tables


def required_columns(table: str, snapshot: SnapshotSpec | None) -> dict[str, str]:
    required = dict(CONTRACTS[table].required)
    if table == "customers" and snapshot is not None:
        required = {"customer_id": required["customer_id"], snapshot.label_column: "label"}
    return required


def _read_table(
    data_dir: Path, table: str, config: DataConfig, log: ReadLog, ids: pa.Array | None = None
) -> pd.DataFrame | None:
    """One table read, mapped and typed; with ``ids``, only those customers' rows."""
    paths = find_files(data_dir, table, config, log)
    if not paths:
        if table == "customers" and not any(p.table == table for p in log.problems):
            log.problems.append(
                Problem(
                    table=table,
                    column="",
                    check="customers.csv or .parquet not found",
                    code=ProblemCode.MISSING_FILE,
                )
            )
        return None
    numbered = table == "customers" and config.snapshot is not None and config.snapshot.id
    raw = _read_files(paths, table, config, log, ids=None if numbered else ids)
    if raw is None:
        return None
    if numbered:
        raw = _number_rows(raw, log)
        if raw is None:
            return None
    mapped = apply_mapping(
        raw, CONTRACTS[table], config, required_columns(table, config.snapshot), log
    )
    if mapped is None:
        return None
    from_text = any(path.suffix.lower() != ".parquet" for path in paths)
    if ids is not None:  # rows a Parquet filter could not leave out (a no-op where it did)
        mapped = keep_customers(mapped, CONTRACTS[table], config, ids, from_text=from_text)
        from_text = False  # attributes are typed already, over the whole file
    return type_columns(mapped, CONTRACTS[table], config, log, from_text=from_text)


def _read_files(
    paths: Sequence[Path], table: str, config: DataConfig, log: ReadLog, ids: pa.Array | None
) -> pd.DataFrame | None:
    """The files of one table read as one (:func:`read_raw` each), in order; a file without
    rows adds none. Files must have the same columns (in any order)."""
    if len(paths) == 1:
        return read_raw(paths[0], table, config, log, ids=ids)
    frames: dict[Path, pd.DataFrame] = {}
    failed = False
    for path in paths:
        notes = len(log.notes)
        frame = read_raw(path, table, config, log, ids=ids)
        if frame is not None:
            frames[path] = frame
        elif len(log.notes) > notes:  # no rows: the table's other files hold its rows
            log.notes[notes:] = [f"{path.name} has no rows: {table} is read from its other files"]
        else:
            failed = True
    if failed or not frames:
        return None
    first, *others = frames
    for path in others:
        if _columns_disagree(table, (first, frames[first]), (path, frames[path]), log):
            failed = True
    if failed:
        return None
    columns = list(frames[first].columns)
    return pd.concat([f[columns] for f in frames.values()], ignore_index=True)


def _columns_disagree(
    table: str, first: tuple[Path, pd.DataFrame], other: tuple[Path, pd.DataFrame], log: ReadLog
) -> bool:
    """Report the columns one of a table's files has and its first file lacks, or the reverse."""
    (one, a), (two, b) = first, other
    differ = [
        (column, f"{two.name} lacks this column of {one.name}")
        for column in a.columns
        if column not in b.columns
    ] + [
        (column, f"{two.name} has this column, {one.name} has not")
        for column in b.columns
        if column not in a.columns
    ]
    for column, words in differ:
        log.problems.append(
            Problem(
                table=table,
                column=str(column),
                check=f"{words}; the files of one table must have the same columns",
                code=ProblemCode.FILES_DISAGREE,
            )
        )
    return bool(differ)


def mark_refunds(bills: pd.DataFrame, config: DataConfig, log: ReadLog) -> pd.DataFrame:
    """Bills with a negative ``amount``, or a ``kind`` among ``[data] refund_kinds``, are
    refunds: money returned to the customer. They get ``refund = True`` and their amount
    as a positive number, so that every amount is 0 or more; a ``refund`` column is added
    only when there is a refund or a ``kind`` column.

    >>> bills = pd.DataFrame({"amount": [10.0, -4.0, 3.0], "kind": ["sale", None, "Return"]})
    >>> marked = mark_refunds(bills, DataConfig(), ReadLog())
    >>> marked["amount"].tolist(), marked["refund"].tolist()
    ([10.0, 4.0, 3.0], [False, True, True])
    """
    if "amount" not in bills:
        return bills
    amount = bills["amount"]
    refund = (amount < 0).fillna(False).astype(bool)
    if "kind" in bills:
        kind = bills["kind"].astype("str").str.strip().str.lower()
        refund |= kind.isin(config.refund_kinds).fillna(False).astype(bool)
    elif not refund.any():
        return bills
    count = int(refund.sum())
    if count:
        log.notes.append(
            f"bills: {count:,} row{'s' if count != 1 else ''} read as refunds (a negative amount "
            f"or kind {', '.join(config.refund_kinds)}), counted apart from spend"
        )
    return bills.assign(amount=amount.abs().where(refund, amount), refund=refund.to_numpy())


def _number_rows(raw: pd.DataFrame, log: ReadLog) -> pd.DataFrame | None:
    """A snapshot without ids (``[snapshot] id = "row_number"``): ``customer_id`` is each
    row's number in the file, 1 for the first row after the header, as text.

    >>> _number_rows(pd.DataFrame({"Exited": [0, 1]}), ReadLog())["customer_id"].tolist()
    ['1', '2']
    """
    if "customer_id" in raw.columns:
        log.problems.append(
            Problem(
                table="customers",
                column="customer_id",
                check='the file has a customer_id column, but [snapshot] id = "row_number" '
                "makes the ids from row numbers; remove one of them",
                code=ProblemCode.DUPLICATE_COLUMN,
            )
        )
        return None
    ids = pd.Series(np.arange(1, len(raw) + 1), index=raw.index).astype("str")
    return pd.concat([ids.rename("customer_id"), raw], axis=1)


def _snapshot_date(data_dir: Path, config: DataConfig, log: ReadLog) -> tuple[pd.Timestamp, str]:
    """The date a snapshot stands for when ``[snapshot] as_of`` is not set: ``[data]
    extract_date``, else the day (UTC) the customers file was last modified, as a file
    manager shows it (what an extract without dates can tell of when it was taken)."""
    if config.extract_date is not None:
        return pd.Timestamp(config.extract_date), "[data] extract_date"
    paths = find_files(data_dir, "customers", config, ReadLog())
    if not paths:
        return pd.Timestamp("1970-01-01"), "snapshot as_of"
    path = max(paths, key=lambda p: p.stat().st_mtime)
    day = pd.Timestamp(path.stat().st_mtime, unit="s").normalize()
    log.notes.append(
        f"no [snapshot] as_of: the snapshot stands for {day.date()}, the day {path.name} was "
        f'last modified; set as_of = "YYYY-MM-DD" under [snapshot] to fix it'
    )
    return day, f"the day {path.name} was last modified"


def _as_ids(customers: Collection[str]) -> pa.Array:
    if isinstance(customers, str | bytes) or not isinstance(customers, Collection):
        raise SpecError(
            "The 'customers' parameter of load_tables must be a collection of customer ids "
            f"(a list, a set, a Series). Got {customers!r} instead."
        )
    ids = pd.Index(list(customers), dtype="str").dropna().unique()
    return pa.array(ids, type=pa.string())


def _snapshot_label(customers: pd.DataFrame, spec: SnapshotSpec, log: ReadLog) -> pd.DataFrame:
    raw = customers[spec.label_column]
    if pd.api.types.is_float_dtype(raw.dtype) and (raw.dropna() % 1 == 0).all():
        raw = raw.astype("Int64")  # "1" read with a blank beside it was inferred as 1.0
    text = raw.astype("str").str.strip().str.lower()
    positive = text.isin(spec.positive_values)
    negative = text.isin(spec.negative_values)
    unknown = ~(positive | negative)
    if unknown.any():
        log.problems.append(
            Problem(
                table="customers",
                column=spec.label_column,
                check="churn flag not recognised (set positive_values)",
                rows=int(unknown.sum()),
                examples=examples_of(raw[unknown]),
                code=ProblemCode.UNKNOWN_CHURN_FLAG,
            )
        )
    out = customers.drop(columns=[spec.label_column])
    out["churned"] = positive.to_numpy()
    for column in ("signup_date", "end_date"):
        if column not in out:
            out[column] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    return out


def _latest_date(frames: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The latest date in the data: the latest value of any of the contract's date columns of
    any table (``frames`` may hold whole tables, or a few rows of their latest dates, as
    :func:`_latest_in_files` reads them)."""
    latest = [
        frame[column].max()
        for name, frame in frames.items()
        for column, kind in CONTRACTS[name].columns.items()
        if kind == DATE and column in frame and frame[column].notna().any()
    ]
    return max(latest) if latest else None


def _latest_in_files(
    data_dir: Path, tables: Collection[str], config: DataConfig
) -> pd.Timestamp | None:
    """:func:`_latest_date` over the whole files of ``tables``, however few customers were
    loaded: their date columns alone are read."""
    files = {table: find_files(data_dir, table, config, ReadLog()) for table in tables}
    return _latest_date(
        {
            table: pd.concat([latest_dates(path, CONTRACTS[table], config) for path in paths])
            for table, paths in files.items()
            if paths
        }
    )


FAR_AFTER = pd.Timedelta(days=3 * 365)
"""How far after the rest of its column a date is "far from the rest" (:func:`far_dates`)."""
_FAR_MIN_VALUES = 10


def far_dates(frames: Mapping[str, pd.DataFrame]) -> tuple[list[Problem], dict[str, pd.Series]]:
    """Dates more than :data:`FAR_AFTER` after 99% of their column's dates (columns with at
    least 10 dates): a typo such as 2204 for 2024 that would become the extract date.

    Returns the problems, and per ``table.column`` the rows that are far.

    >>> dates = pd.Series(pd.to_datetime(["2024-01-01"] * 12 + ["2200-01-01"]))
    >>> problems, far = far_dates({"bills": pd.DataFrame({"bill_date": dates})})
    >>> problems[0].rows, problems[0].examples
    (1, ('row 13',))
    """
    problems: list[Problem] = []
    far: dict[str, pd.Series] = {}
    for name, frame in frames.items():
        for column, kind in CONTRACTS[name].columns.items():
            if kind != DATE or column not in frame:
                continue
            values = frame[column]
            present = values.dropna()
            if len(present) < _FAR_MIN_VALUES:
                continue
            rest = pd.Timestamp(np.quantile(present.to_numpy(), 0.99, method="lower"))
            beyond = values > rest + FAR_AFTER
            if not beyond.any():
                continue
            far[f"{name}.{column}"] = beyond
            index = frame.index[beyond.to_numpy()]
            examples = (
                examples_of(frame.loc[index, "customer_id"])
                if name == "customers" and "customer_id" in frame
                else row_examples(index)
            )
            problems.append(
                Problem(
                    table=name,
                    column=column,
                    check=f"far after the rest (99% by {rest.date()}); fix it or set "
                    "[data] extract_date",
                    rows=int(beyond.sum()),
                    examples=examples,
                    code=ProblemCode.FAR_LATEST_DATE,
                )
            )
    return problems, far


def duplicate_rows(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """One line per event table whose rows repeat an earlier row exactly (every column).

    >>> bills = pd.DataFrame({"customer_id": ["1", "1"], "amount": [9.5, 9.5]})
    >>> duplicate_rows({"bills": bills})
    ['bills: 1 row repeats an earlier row exactly (e.g. row 2); remove it if the extract duplicated it: spend and counts include it twice']
    """
    lines = []
    for name, frame in frames.items():
        if name == "customers":  # duplicate ids are a problem of their own
            continue
        twice = frame.duplicated()
        count = int(twice.sum())
        if count:
            one = count == 1
            lines.append(
                f"{name}: {count:,} row{'' if one else 's'} repeat{'s' if one else ''} an "
                f"earlier row exactly (e.g. {', '.join(row_examples(frame.index[twice.to_numpy()]))}); "
                f"remove {'it' if one else 'them'} if the extract duplicated "
                f"{'it' if one else 'them'}: spend and counts include {'it' if one else 'them'} twice"
            )
    return lines


def split_personal(
    columns: Sequence[str],
    config: DataConfig,
    values: Mapping[str, Iterable[object]] | None = None,
) -> tuple[list[str], list[str]]:
    """Customer columns beyond the contract's, split into attributes and personal data.

    Personal data: a name that looks personal (:func:`~churnlab.tables.contract.looks_personal`),
    values shaped like e-mails, phone or id numbers
    (:func:`~churnlab.tables.contract.personal_values`, over ``values`` when given), or a column
    listed in ``[personal_data] columns``; ``[personal_data] not_personal`` overrides the first two.
    """
    contract_columns = set(CONTRACTS["customers"].columns) | {"churned"}
    extra = [c for c in columns if c not in contract_columns]
    shown = values or {}

    def personal(column: str) -> bool:
        if column in config.personal_columns:
            return True
        if column in config.not_personal:
            return False
        return looks_personal(column) or (
            column in shown and personal_values(shown[column]) is not None
        )

    found = [c for c in extra if personal(c)]
    return [c for c in extra if c not in found], found


def text_sample(frame: pd.DataFrame, rows: int = 2000) -> dict[str, list[object]]:
    """The first ``rows`` values of every text or integer column of ``frame``: what
    :func:`split_personal` reads the values' shapes from."""
    return {
        str(c): frame[c].head(rows).tolist()
        for c in frame.columns
        if not pd.api.types.is_float_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
        and not pd.api.types.is_datetime64_any_dtype(frame[c].dtype)
    }


def _customer_codes(
    customers: pd.DataFrame | None, frames: dict[str, pd.DataFrame]
) -> dict[str, np.ndarray]:
    """Each event row's position in the customers table (-1 where unknown or empty)."""
    if customers is None:
        return {}
    ids = customers["customer_id"]
    # Ids read from a Parquet dictionary stay categorical: look them up as plain text.
    known = pa.array(ids.astype("str") if isinstance(ids.dtype, pd.CategoricalDtype) else ids)
    return {
        table: _positions(frame["customer_id"], known)
        for table, frame in frames.items()
        if table != "customers"
    }


def _positions(ids: pd.Series, known: pa.Array) -> np.ndarray:
    if isinstance(ids.dtype, pd.CategoricalDtype):
        # Look up each distinct id once, then spread the answer over the rows by their codes.
        by_category = pc.index_in(pa.array(ids.cat.categories), value_set=known)
        lookup = np.append(pc.fill_null(by_category, -1).to_numpy(), -1)
        return lookup[ids.cat.codes.to_numpy()]  # code -1 (empty) picks the appended -1
    found = pc.index_in(pa.array(ids), value_set=known)
    return pc.fill_null(found, -1).to_numpy()


def _known_mask(codes: np.ndarray | None, frame: pd.DataFrame) -> pd.Series | None:
    if codes is None:
        return None
    # Empty ids are reported as empty, not also as unknown.
    return pd.Series((codes >= 0) | frame["customer_id"].isna().to_numpy(), index=frame.index)


def _encode_customer_ids(
    customers: pd.DataFrame, frames: dict[str, pd.DataFrame], codes: dict[str, np.ndarray]
) -> None:
    """Store event tables' customer ids as a categorical over the customers' ids, in their order.

    The values stay the same text ids; the codes are the customers' row positions, which the
    feature engine uses as compact integer keys. Skipped when ids are missing or duplicated
    (reported as problems) or a table names unknown or empty customers.
    """
    ids = customers["customer_id"]
    if ids.isna().any() or not ids.is_unique:
        return
    dtype = pd.CategoricalDtype(pd.Index(ids, dtype="str"))
    for table, positions in codes.items():
        if len(positions) == 0 or positions.min() >= 0:
            frames[table]["customer_id"] = pd.Categorical.from_codes(
                positions.astype("int32"), dtype=dtype
            )


def check_data(
    data_dir: str | Path,
    *,
    config: DataConfig | str | Path | None = None,
    customers: Collection[str] | None = None,
) -> ValidationReport:
    """Read every table of a data directory and check it against the data contract.

    Parameters
    ----------
    data_dir:
        Folder with ``customers.csv``/``.parquet`` and optionally ``bills``, ``complaints`` and
        ``service_events``.
    config:
        Settings, or the path of a ``churnlab.toml``; by default ``data_dir/churnlab.toml`` when
        it exists.
    customers:
        Read only these customers' rows of every table, the customers table included (ids as
        text, compared after trimming; ids the data do not hold are simply absent). A Parquet
        file whose ids are text is filtered as it is read; other files are read, then
        narrowed. The checks then cover the kept rows only: a problem in another customer's
        rows, or a row of a customer the customers table lacks, goes unseen. The extract
        date does not depend on it: when it is the latest date in the data, the date columns
        of the whole files are read for it. Default: everyone.

    Returns
    -------
    ValidationReport
        Every problem found (nothing is raised for bad data) and the repairs applied.
    """
    data_dir = Path(data_dir)
    source = str(data_dir)
    ids = None if customers is None else _as_ids(customers)
    settings = resolve_config(data_dir, config)
    log = ReadLog()
    if not data_dir.is_dir():
        log.problems.append(
            Problem(
                table="customers",
                column="",
                check=f"no folder {data_dir}",
                code=ProblemCode.NO_FOLDER,
            )
        )
        return ValidationReport(
            source=source, tables=None, problems=tuple(log.problems), repairs=()
        )
    frames: dict[str, pd.DataFrame] = {}
    for table in CONTRACTS:
        frame = _read_table(data_dir, table, settings, log, ids)
        if frame is not None:
            frames[table] = frame
    mixed_zone_problems(log)
    if "bills" in frames:
        frames["bills"] = mark_refunds(frames["bills"], settings, log)
    if "customers" in frames and settings.snapshot is not None:
        frames["customers"] = _snapshot_label(frames["customers"], settings.snapshot, log)

    if settings.snapshot is not None and settings.snapshot.as_of is not None:
        extract, extract_source = pd.Timestamp(settings.snapshot.as_of), "snapshot as_of"
    elif settings.snapshot is not None:
        extract, extract_source = _snapshot_date(data_dir, settings, log)
        settings = replace(settings, snapshot=replace(settings.snapshot, as_of=extract.date()))
    elif settings.extract_date is not None:
        extract, extract_source = pd.Timestamp(settings.extract_date), "config"
    else:
        if ids is None:
            far_problems, far = far_dates(frames)
            log.problems.extend(far_problems)
            # The extract date is the latest of the other dates: checked against it, not by it.
            latest = _latest_date(
                {
                    table: frame.assign(
                        **{
                            column: frame[column].mask(far[f"{table}.{column}"])
                            for column in frame.columns
                            if f"{table}.{column}" in far
                        }
                    )
                    for table, frame in frames.items()
                }
                if far
                else frames
            )
        else:
            latest = _latest_in_files(data_dir, frames, settings)
        extract = latest.normalize() if latest is not None else pd.Timestamp("1970-01-01")
        extract_source = "latest date in the data"

    unreadable = {(p.table, p.column) for p in log.problems if p.code in UNREADABLE_VALUES}
    people = frames.get("customers")
    codes = _customer_codes(people, frames)
    for table, frame in frames.items():
        schema = build_schema(
            CONTRACTS[table],
            columns=list(frame.columns),
            known_customer=_known_mask(codes.get(table), frame),
            not_after=extract,
            required=required_columns(table, settings.snapshot),
            earliest=pd.Timestamp(settings.earliest_date),
        )
        skip = {column for t, column in unreadable if t == table}
        log.problems.extend(run_schema(schema, frame, skip=skip))
    if "orders" in frames:  # order lines become bills (checked as lines, above)
        frames["bills"] = with_order_bills(
            frames.get("bills"), frames.pop("orders"), settings.refund_kinds
        )
        codes = _customer_codes(people, {"bills": frames["bills"]})
    if people is not None:
        _encode_customer_ids(people, frames, codes)

    for message in log.repairs:
        warnings.warn(f"churnlab repaired {source}: {message}", DataRepairWarning, stacklevel=3)
    doubts = tuple(duplicate_rows(frames))
    for message in doubts:
        warnings.warn(f"churnlab: check {source}: {message}", DataPlausibilityWarning, stacklevel=3)
    if people is None:
        return ValidationReport(
            source=source,
            tables=None,
            problems=tuple(log.problems),
            repairs=tuple(log.repairs),
            doubts=doubts,
            notes=tuple(log.notes),
        )
    people = frames["customers"]
    attributes, personal = split_personal(list(people.columns), settings, text_sample(people))
    tables = Tables(
        customers=people,
        bills=frames.get("bills"),
        complaints=frames.get("complaints"),
        service_events=frames.get("service_events"),
        extract_date=extract,
        extract_date_source=extract_source,
        attribute_columns=tuple(attributes),
        personal_columns=tuple(personal),
        snapshot=settings.snapshot,
        source=source,
        repairs=tuple(log.repairs),
    )
    return ValidationReport(
        source=source,
        tables=tables,
        problems=tuple(log.problems),
        repairs=tuple(log.repairs),
        doubts=doubts,
        notes=tuple(log.notes),
    )


def load_tables(
    data_dir: str | Path,
    *,
    config: DataConfig | str | Path | None = None,
    customers: Collection[str] | None = None,
) -> Tables:
    """Load and validate a data directory.

    Parameters
    ----------
    data_dir, config:
        The folder and its settings (see :func:`check_data`).
    customers:
        Load only these customers' rows of every table (see :func:`check_data`: the checks
        then cover only their rows; the extract date is the whole data's). For what needs a
        few customers out of millions, such as the win-back list.

    Raises
    ------
    DataError
        With every problem found, as a table naming table, column, check, rows and examples.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "customers.csv").write_text(
    ...     "customer_id,signup_date,end_date\\n007,2024-01-05,\\n008,2024-02-01,2024-06-30\\n")
    >>> tables = load_tables(folder)
    >>> tables.customers["customer_id"].tolist()
    ['007', '008']
    >>> few = load_tables(folder, customers=["008", "999"])
    >>> few.customers["customer_id"].tolist(), few.extract_date == tables.extract_date
    (['008'], True)
    """
    return check_data(data_dir, config=config, customers=customers).raise_for_problems()


def read_customers(
    data_dir: str | Path, *, config: DataConfig | str | Path | None = None
) -> pd.DataFrame:
    """The customers table of a data directory alone, read and typed as :func:`load_tables`
    reads it (ids as text, dates, attributes), without reading the event tables.

    For what needs a few customer columns (a value column, personal columns a list should
    carry) when the other tables are large. Cross-table checks are :func:`check_data`'s.

    Raises
    ------
    DataError
        When the file is missing or its columns cannot be read.
    """
    data_dir = Path(data_dir)
    log = ReadLog()
    frame = _read_table(data_dir, "customers", resolve_config(data_dir, config), log)
    if frame is None or log.problems:
        report = ValidationReport(
            source=str(data_dir), tables=None, problems=tuple(log.problems), repairs=()
        )
        raise DataError(str(report), list(log.problems))
    return frame
