"""``churnlab.toml``: how a user's files map onto the data contract.

Example (every section and key is optional)::

    [data]
    extract_date = "2025-06-30"   # when the extract was taken; later events are errors
    delimiter = ";"               # CSV only
    decimal = ","                 # CSV only
    date_format = "%d.%m.%Y"      # CSV only; ISO 8601 is read without it
    encoding = "utf-8"            # CSV only
    refund_kinds = ["refund", "return", "credit"]  # bills.kind values that are refunds

    [files]                       # file names, when they are not <table>.csv/.parquet
    customers = "clients.csv"     # inside the data folder: no absolute path, no ".."
    bills = ["bills_2024.csv", "bills_*.parquet"]  # several files (or globs): one table
    allow_outside = false         # true: let a name above point outside the data folder

    [checks]                      # what churnlab finds plausible
    earliest_date = "1950-01-01"  # dates before it are errors (the latest is extract + 1 day)

    [columns.customers]           # churnlab name = your column name
    customer_id = "CustID"
    signup_date = "Start"
    tier = "Customer Tier"        # any other column may be renamed too (an attribute)

    [personal_data]
    columns = ["nickname"]        # also personal data, never used as features
    not_personal = ["plan_name"]  # looks personal by its name, but is not

    [snapshot]                    # a one-row-per-customer extract with a churn flag
    label_column = "Exited"
    as_of = "2024-06-30"          # default: [data] extract_date, else the file's date
    id = "row_number"             # no id column: ids are the row numbers 1, 2, ...
    positive_values = ["1", "yes"]

    [label]                       # what "churned" means; a command's own options win
    definition = "inactivity"     # contract (end dates; the default) or inactivity (shops)
    horizon_days = 90             # the label window (default 90)
    lead_days = 0                 # days between a cutoff and the label window
    lookback_days = 365           # inactivity only: a purchase this recent makes one active
    grace_days = 0                # contract only: a return within this many days is no leave
    rejoin_key = "person_id"      # contract only, for grace_days: who is the same person

    [engine]                      # where the feature queries run: duckdb (default) or spark
    name = "spark"
    master = "local[2]"           # spark only: local[N], spark://host:7077, yarn, k8s://...
    [engine.settings]             # spark only: Spark settings, e.g. S3 credentials providers
    "spark.executor.memory" = "8g"
"""

from __future__ import annotations

import codecs
import datetime as dt
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from churnlab.dates import parse_date
from churnlab.errors import ConfigError, SpecError, did_you_mean
from churnlab.files import is_remote
from churnlab.tables.contract import CONTRACTS

CONFIG_FILE_NAME = "churnlab.toml"
EARLIEST_DATE = dt.date(1950, 1, 1)
"""The default earliest plausible date of any date in the data (``[checks] earliest_date``)."""
DEFAULT_POSITIVE = ("1", "1.0", "true", "yes", "y", "churned", "churn", "exited", "left")
DEFAULT_REFUND_KINDS = ("refund", "return", "credit")
"""Values of a bill's ``kind`` that make it a refund (``[data] refund_kinds``), in any case."""
DEFAULT_NEGATIVE = ("0", "0.0", "false", "no", "n", "stayed", "retained", "active")


@dataclass(frozen=True, kw_only=True)
class SnapshotSpec:
    """A snapshot extract: one row per customer with a churn flag as of one date."""

    label_column: str
    as_of: dt.date | None = None
    """The date of the extract; ``None``: ``[data] extract_date``, else the day the customers
    file was last modified (:func:`churnlab.tables.load.check_data` settles it and says so)."""
    positive_values: tuple[str, ...] = DEFAULT_POSITIVE
    negative_values: tuple[str, ...] = DEFAULT_NEGATIVE
    id: str | None = None
    """``"row_number"``: the extract has no id column; a row's id is its number in the file
    (1 for the first row after the header), as text."""

    def __post_init__(self) -> None:
        if not self.label_column:
            raise ConfigError("[snapshot] label_column must name the churn flag column.")
        if self.as_of is not None:
            object.__setattr__(self, "as_of", _as_date(self.as_of, "[snapshot] as_of"))
        if self.id not in (None, ROW_NUMBER):
            raise ConfigError(
                f'[snapshot] id = {self.id!r} is not known: write id = "{ROW_NUMBER}" for '
                "an extract without ids (name an id column with [columns.customers] "
                "customer_id instead)."
            )


ROW_NUMBER = "row_number"


ENGINES = ("duckdb", "spark")


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """``[engine]``: which engine runs the feature queries, and Spark's master and settings.

    >>> EngineSettings(name="spark", master="local[1]").name
    'spark'
    """

    name: str = "duckdb"
    master: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            hint = did_you_mean(self.name, ENGINES) or f" Known: {', '.join(ENGINES)}."
            raise ConfigError(f"Unknown engine {self.name!r} in [engine] name.{hint}")
        if self.name != "spark" and (self.master or self.settings):
            raise ConfigError(
                "[engine] master and [engine.settings] are Spark's: set [engine] name = "
                f'"spark", or remove them (the engine is {self.name!r}).'
            )


LABEL_DEFINITIONS = {
    "contract": "a customer churns when their contract ends (end_date); the default",
    "inactivity": "a customer churns with no purchase or bill in the horizon (shops)",
}
"""The churn definitions ``[label] definition`` takes (a snapshot's comes from ``[snapshot]``)."""
_LABEL_DAYS = {"horizon_days": 1, "lead_days": 0, "lookback_days": 1, "grace_days": 0}
"""``[label]``'s numbers of days, each with its least value."""


@dataclass(frozen=True, kw_only=True)
class LabelSettings:
    """``[label]``: the churn definition and its windows, as :class:`churnlab.labels.LabelSpec`
    names them; ``None`` leaves a setting to the command (its option, else LabelSpec's default).

    >>> LabelSettings(definition="inactivity", lookback_days=180).lookback_days
    180
    >>> LabelSettings(definition="churned")
    Traceback (most recent call last):
    ...
    churnlab.errors.ConfigError: [label] definition = 'churned' in churnlab.toml is not a churn definition. Use "contract" (a customer churns when their contract ends (end_date); the default) or "inactivity" (a customer churns with no purchase or bill in the horizon (shops)).
    """

    definition: str | None = None
    horizon_days: int | None = None
    lead_days: int | None = None
    lookback_days: int | None = None
    grace_days: int | None = None
    rejoin_key: str | None = None

    def __post_init__(self) -> None:
        if self.definition is not None and self.definition not in LABEL_DEFINITIONS:
            hint = " A snapshot extract's churn flag is set with [snapshot] label_column."
            choices = " or ".join(f'"{name}" ({why})' for name, why in LABEL_DEFINITIONS.items())
            raise ConfigError(
                f"[label] definition = {self.definition!r} in {CONFIG_FILE_NAME} is not a churn "
                f"definition. Use {choices}." + (hint if self.definition == "snapshot" else "")
            )
        for name, least in _LABEL_DAYS.items():
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < least
            ):
                what = "a whole number of days" + (", 1 or more" if least else ", 0 or more")
                raise ConfigError(
                    f"[label] {name} in {CONFIG_FILE_NAME} must be {what} (no quotes), "
                    f"got {value!r}."
                )
        if self.rejoin_key is not None and (
            not isinstance(self.rejoin_key, str) or not self.rejoin_key.strip()
        ):
            raise ConfigError(
                f"[label] rejoin_key must name a customers column in quotes, got "
                f"{self.rejoin_key!r}."
            )
        self._check_definition()

    def _check_definition(self) -> None:
        """Refuse settings that the file's own definition does not use."""
        chosen = self.definition or "contract"
        if self.lookback_days is not None and chosen != "inactivity":
            raise ConfigError(
                f"[label] lookback_days applies to the inactivity definition only (the file's "
                f'is {chosen}): add definition = "inactivity", or remove lookback_days.'
            )
        if (self.grace_days or self.rejoin_key) and chosen != "contract":
            raise ConfigError(
                "[label] grace_days and rejoin_key apply to the contract definition only: "
                "remove them, or the definition."
            )
        if self.grace_days and not self.rejoin_key:
            raise ConfigError(
                "[label] grace_days needs rejoin_key: the customers column that identifies the "
                "same person across customer ids."
            )

    @property
    def given(self) -> dict[str, Any]:
        """The settings the file gives (not ``None``).

        >>> LabelSettings(lead_days=7).given
        {'lead_days': 7}
        """
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    """Everything ``churnlab.toml`` can say; the defaults read contract-named files."""

    extract_date: dt.date | None = None
    delimiter: str = ","
    decimal: str = "."
    date_format: str | None = None
    encoding: str = "utf-8"
    refund_kinds: tuple[str, ...] = DEFAULT_REFUND_KINDS
    """Values of the bills' ``kind`` column that make a bill a refund (lower case)."""
    files: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    """Per table, its file name, or several names or glob patterns read as one table."""
    allow_outside: bool = False
    """Whether ``files`` may name files outside the data folder (an absolute path, ``..``)."""
    earliest_date: dt.date = EARLIEST_DATE
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    personal_columns: tuple[str, ...] = ()
    not_personal: tuple[str, ...] = ()
    snapshot: SnapshotSpec | None = None
    label: LabelSettings = field(default_factory=LabelSettings)
    """``[label]``: the churn definition and windows of the commands that build labels."""
    engine: EngineSettings = field(default_factory=EngineSettings)
    path: str | None = None
    """Where the settings came from (``None`` for the defaults)."""

    def __post_init__(self) -> None:
        if self.extract_date is not None:
            object.__setattr__(
                self, "extract_date", _as_date(self.extract_date, "[data] extract_date")
            )
        for table in (*self.files, *self.columns):
            _check_name(table, CONTRACTS, "table")
        object.__setattr__(
            self, "earliest_date", _as_date(self.earliest_date, "[checks] earliest_date")
        )
        if not self.allow_outside:
            for table, name in ((t, n) for t in self.files for n in self.file_names(t)):
                if outside_folder(name):
                    raise ConfigError(
                        f"[files] {table} = {name!r} in {CONFIG_FILE_NAME} points outside the "
                        "data folder. Copy the file into the data folder, or set "
                        "allow_outside = true under [files] if you mean it."
                    )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ConfigError(
                f"[data] encoding = {self.encoding!r} in {CONFIG_FILE_NAME} is not an encoding "
                'Python knows; try "utf-8", "cp1252", "latin-1" or "gbk".'
            ) from None
        if len(self.delimiter) != 1:
            raise ConfigError(f"[data] delimiter must be one character, got {self.delimiter!r}.")
        if self.decimal not in {".", ","}:
            raise ConfigError(f"[data] decimal must be '.' or ',', got {self.decimal!r}.")
        if self.date_format is not None:
            _check_date_format(self.date_format, self.path or CONFIG_FILE_NAME)
        if self.snapshot is not None:
            dated = [name for name in self.label.given if name != "horizon_days"]
            if dated:
                raise ConfigError(
                    f"[label] {', '.join(dated)} cannot apply to a snapshot extract "
                    "([snapshot] in churnlab.toml): its churn flag is the label. Remove them "
                    "(horizon_days may stay)."
                )

    def file_names(self, table: str) -> tuple[str, ...]:
        """The names or glob patterns ``[files]`` gives a table (none when it gives none).

        >>> DataConfig(files={"bills": ("b_2024.csv", "b_*.csv"), "customers": "c.csv"}).file_names("bills")
        ('b_2024.csv', 'b_*.csv')
        """
        names = self.files.get(table, ())
        return (names,) if isinstance(names, str) else tuple(names)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready settings, for run manifests."""
        out = asdict(self)
        out["extract_date"] = self.extract_date.isoformat() if self.extract_date else None
        out["earliest_date"] = self.earliest_date.isoformat()
        if self.snapshot is not None and self.snapshot.as_of is not None:
            out["snapshot"]["as_of"] = self.snapshot.as_of.isoformat()
        return out


_SECTIONS: dict[str, set[str]] = {
    "data": {"extract_date", "delimiter", "decimal", "date_format", "encoding", "refund_kinds"},
    "files": {*CONTRACTS, "allow_outside"},
    "checks": {"earliest_date"},
    "columns": set(CONTRACTS),
    "personal_data": {"columns", "not_personal"},
    "snapshot": {"label_column", "as_of", "positive_values", "negative_values", "id"},
    "engine": {"name", "master", "settings"},
    "label": {
        "definition",
        "horizon_days",
        "lead_days",
        "lookback_days",
        "grace_days",
        "rejoin_key",
    },
}


def outside_folder(name: str) -> bool:
    """Whether a ``[files]`` name leaves the data folder by its words alone: an absolute path
    (``/etc/passwd``, ``C:\\x``, ``~/x``) or one that climbs with ``..``.

    >>> outside_folder("clients.csv"), outside_folder("2024/bills.csv")
    (False, False)
    >>> outside_folder("../../etc/passwd"), outside_folder("/etc/passwd")
    (True, True)
    """
    parts = name.replace("\\", "/").split("/")
    return (
        PurePosixPath(name).is_absolute()
        or PureWindowsPath(name).is_absolute()
        or bool(PureWindowsPath(name).drive)
        or name.startswith("~")
        or ".." in parts
    )


def _check_name(name: str, allowed: Any, what: str) -> None:
    if name not in allowed:
        hint = did_you_mean(name, allowed) or f" Known: {', '.join(sorted(allowed))}."
        raise ConfigError(f"Unknown {what} {name!r} in {CONFIG_FILE_NAME}.{hint}")


def _check_rename(name: str, mapping: dict[str, Any], table: str) -> None:
    """Accept a ``[columns.<table>]`` key: a contract column, or any other name a column of
    the file is renamed to (an attribute), unless it looks like a misspelt contract column
    that the mapping does not name (``signup`` for ``signup_date``).

    >>> _check_rename("客户等级", {"客户等级": "Grade"}, "customers")
    >>> _check_rename("signup", {"signup": "Start"}, "customers")
    Traceback (most recent call last):
    ...
    churnlab.errors.ConfigError: Unknown column of customers in [columns.customers] 'signup' in churnlab.toml. Did you mean 'signup_date'? (To rename another column of the file, choose a name that is not so close to one of customers' columns.)
    """
    known = CONTRACTS[table].columns
    if not isinstance(mapping[name], str) or not mapping[name].strip():
        raise ConfigError(
            f"[columns.{table}] {name} must be the file's column name in quotes, "
            f"got {mapping[name]!r}."
        )
    if name in known:
        return
    hint = did_you_mean(name, [c for c in known if c not in mapping])
    if hint:
        raise ConfigError(
            f"Unknown column of {table} in [columns.{table}] {name!r} in {CONFIG_FILE_NAME}."
            f"{hint} (To rename another column of the file, choose a name that is not so "
            f"close to one of {table}' columns.)"
        )


def _check_date_format(value: Any, where: str = CONFIG_FILE_NAME) -> None:
    """Refuse a ``[data] date_format`` that Python's ``strptime`` cannot use.

    >>> _check_date_format("%d.%m.%Y")
    >>> _check_date_format("%Q-%Y")
    Traceback (most recent call last):
    ...
    churnlab.errors.ConfigError: [data] date_format in churnlab.toml must be a strptime format such as "%d.%m.%Y" (day.month.year); '%Q-%Y' cannot be used: 'Q' is a bad directive in format '%Q-%Y'. Leave it out for ISO dates (2025-06-30).
    """
    advice = (
        f'[data] date_format in {where} must be a strptime format such as "%d.%m.%Y" '
        "(day.month.year)"
    )
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{advice}; got {value!r}.")
    try:
        sample = dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
        dt.datetime.strptime(sample.strftime(value), value)
    except ValueError as exc:
        raise ConfigError(
            f"{advice}; {value!r} cannot be used: {exc}. Leave it out for ISO dates (2025-06-30)."
        ) from None


def _as_date(value: Any, key: str) -> dt.date:
    """A TOML date, or text written YYYY-MM-DD (read by :func:`churnlab.dates.parse_date`)."""
    try:
        return parse_date(value, key).date()
    except SpecError as exc:
        raise ConfigError(str(exc)) from None


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of strings, got {value!r}.")
    return tuple(str(v) for v in value)


def _setting(value: Any) -> str:
    """A Spark setting as Spark takes it: text (TOML booleans as ``true``/``false``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def read_config(path: str | Path) -> DataConfig:
    """Read a ``churnlab.toml`` file.

    Raises
    ------
    ConfigError
        The file is not valid TOML, or names an unknown section, key or table.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad's UTF-8 has a BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Cannot read {path}: it is not UTF-8 text (byte {exc.start + 1} is "
            f"{exc.object[exc.start : exc.start + 1]!r}). Save it as UTF-8: in most editors "
            "'Save as' and choose the encoding UTF-8. (The encoding of your data files is "
            "set inside it, with [data] encoding.)"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    return config_from_dict(raw, path=str(path))


def config_from_dict(raw: dict[str, Any], *, path: str | None = None) -> DataConfig:
    """Build a :class:`DataConfig` from parsed TOML, checking every name.

    >>> config_from_dict({"data": {"delimiter": ";"}}).delimiter
    ';'
    """
    for section, body in raw.items():
        _check_name(section, _SECTIONS, "section")
        if not isinstance(body, dict):
            raise ConfigError(f"[{section}] in {CONFIG_FILE_NAME} must be a table of settings.")
        for key in body:
            _check_name(key, _SECTIONS[section], f"setting in [{section}]")
    data = raw.get("data", {})
    for key in ("delimiter", "decimal", "date_format", "encoding"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"[data] {key} in {path} must be text in quotes, got {data[key]!r}.")
    files = dict(raw.get("files", {}))
    allow_outside = files.pop("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise ConfigError(f"[files] allow_outside must be true or false, got {allow_outside!r}.")
    for table, name in files.items():
        names = name if isinstance(name, list) else [name]
        if not names or any(not isinstance(n, str) or not n.strip() for n in names):
            raise ConfigError(
                f"[files] {table} must be a file name in quotes, or a list of them "
                f'(["bills_2024.csv", "bills_2025.csv"]; a glob such as "bills_*.csv" '
                f"too), got {name!r}."
            )
        if isinstance(name, list):
            files[table] = tuple(name)
    checks = raw.get("checks", {})
    personal = raw.get("personal_data", {})
    columns: dict[str, dict[str, str]] = {}
    for table, mapping in raw.get("columns", {}).items():
        for name in mapping:
            _check_rename(str(name), mapping, table)
        columns[table] = {str(k): str(v) for k, v in mapping.items()}
    snapshot = None
    if "snapshot" in raw:
        snap = raw["snapshot"]
        if "label_column" not in snap:
            raise ConfigError("[snapshot] needs label_column, the churn flag column.")
        extra: dict[str, tuple[str, ...]] = {
            key: tuple(v.lower() for v in _strings(snap[key], f"[snapshot] {key}"))
            for key in ("positive_values", "negative_values")
            if key in snap
        }
        snapshot = SnapshotSpec(
            label_column=str(snap["label_column"]),
            as_of=_as_date(snap["as_of"], "[snapshot] as_of") if "as_of" in snap else None,
            id=None if snap.get("id") is None else str(snap["id"]),
            **extra,
        )
        if snapshot.id == ROW_NUMBER and "customer_id" in raw.get("columns", {}).get(
            "customers", {}
        ):
            raise ConfigError(
                '[snapshot] id = "row_number" makes the ids from row numbers: remove '
                "customer_id from [columns.customers], or the id setting."
            )
    body = raw.get("engine", {})
    settings = body.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError("[engine.settings] must be a table of Spark settings.")
    engine = EngineSettings(
        name=str(body.get("name", "duckdb")),
        master=None if body.get("master") is None else str(body["master"]),
        settings={str(k): _setting(v) for k, v in settings.items()},
    )
    return DataConfig(
        engine=engine,
        label=LabelSettings(**raw.get("label", {})),
        extract_date=(
            _as_date(data["extract_date"], "[data] extract_date")
            if "extract_date" in data
            else None
        ),
        refund_kinds=tuple(
            v.strip().lower()
            for v in _strings(
                data.get("refund_kinds", list(DEFAULT_REFUND_KINDS)), "[data] refund_kinds"
            )
        ),
        delimiter=str(data.get("delimiter", ",")),
        decimal=str(data.get("decimal", ".")),
        date_format=data.get("date_format"),
        encoding=str(data.get("encoding", "utf-8")),
        files={str(k): v if isinstance(v, tuple) else str(v) for k, v in files.items()},
        allow_outside=allow_outside,
        earliest_date=_as_date(
            checks.get("earliest_date", EARLIEST_DATE), "[checks] earliest_date"
        ),
        columns=columns,
        personal_columns=_strings(personal.get("columns", []), "[personal_data] columns"),
        not_personal=_strings(personal.get("not_personal", []), "[personal_data] not_personal"),
        snapshot=snapshot,
        path=path,
    )


def resolve_config(data_dir: Path | str, config: DataConfig | str | Path | None) -> DataConfig:
    """Pick the settings: an explicit object or file, else ``churnlab.toml`` in the data folder."""
    if isinstance(config, DataConfig):
        return config
    if config is not None:
        return read_config(config)
    if is_remote(data_dir):  # read by the engine that reaches it (tables.storage)
        return DataConfig()
    candidate = Path(data_dir) / CONFIG_FILE_NAME
    return read_config(candidate) if candidate.is_file() else DataConfig()
