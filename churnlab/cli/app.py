"""Typer commands over churnlab's public functions (no business logic here).

Every command runs its library call through :func:`run_or_exit` (one message and one exit code
for every error; a bug keeps its traceback and asks for a report) and, when it writes, inside
:func:`writing` (the output checked before the work and locked until the command ends).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from churnlab.errors import ChurnlabError, ChurnlabWarning, DataError
from churnlab.files import is_remote

if TYPE_CHECKING:  # the commands import lazily: `churnlab --help` stays fast
    import pandas as pd

    from churnlab.labels import LabelSpec

app = typer.Typer(
    name="churnlab",
    help="Churn modelling workbench: validate data, generate the demo operator, build features.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts name [data], [files]...: plain text, not markup
)

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
T = TypeVar("T")
REPORT_LINE = (
    "This is a bug in churnlab, not a mistake of yours: please report it to the churnlab "
    "maintainers with the command you ran and the traceback above."
)


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Print a warning as one readable line on stderr (``warnings.showwarning``'s signature).

    churnlab's own warnings say what to do, so they are printed as they are; another library's
    also name their category and where they were raised, to find their cause.
    """
    if issubclass(category, ChurnlabWarning):
        typer.echo(f"Warning: {message}", err=True)
    else:
        where = f"{Path(filename).name}:{lineno}"
        typer.echo(f"Warning: {message} ({category.__name__}, {where})", err=True)


class Terminated(BaseException):
    """SIGTERM (``kill``) received: unwinds like Ctrl-C, so every ``finally`` block runs and
    no temporary file is left behind."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def run_or_exit(call: Callable[[], T]) -> T:
    """Run a library call; print its warnings on stderr (one line each) and turn every error
    into a message on stderr and an exit code.

    A churnlab error (a :class:`DataError` exits 1, any other 2) and an operating-system error
    (a file that cannot be read or written, exit 2) are one message, no traceback. SIGTERM
    and Ctrl-C stop the call cleanly (temporary files removed; exit 143 or 130). Anything
    else is a bug: its traceback, then a line asking for a report (exit 3).
    """
    try:
        with warnings.catch_warnings(), _sigterm_unwinds():
            warnings.showwarning = show_warning
            return call()
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_DATA) from None
    except ChurnlabError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(
            f"Error: churnlab could not read or write{where}: {exc.strerror or exc}. Check the "
            "path, its permissions and the free space.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from None
    except (Terminated, KeyboardInterrupt) as exc:
        how = "by SIGTERM" if isinstance(exc, Terminated) else "by Ctrl-C"
        typer.echo(f"Stopped {how}: nothing was half-written; earlier outputs are kept.", err=True)
        code = 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
        raise typer.Exit(code) from None
    except Exception:
        traceback.print_exc()
        typer.echo(REPORT_LINE, err=True)
        raise typer.Exit(EXIT_BUG) from None


@contextlib.contextmanager
def writing(
    out: Path,
    *,
    protect: Iterable[Path | None] = (),
    directory: bool = False,
    suffixes: Iterable[str] = (),
) -> Iterator[None]:
    """Check ``out`` before any work (not an input, writable, the right kind of path) and
    hold its lock until the command ends, so that two processes never write it at once."""
    from churnlab.files import check_output, output_lock

    check_output(
        out,
        directory=directory,
        protect=[path for path in protect if path is not None],
        suffixes=suffixes,
    )
    with output_lock(out):
        yield


def _inputs(data_dir: Path, config: Path | None) -> list[Path]:
    """What a command reads from a data folder: the folder, its settings and its tables
    (which ``[files]`` may place elsewhere)."""
    from churnlab.tables.config import resolve_config

    if is_remote(data_dir):  # not on this machine: no output here can overwrite it
        return [config] if config is not None else []
    found = [data_dir, *([config] if config is not None else [])]
    settings = resolve_config(data_dir, config)
    found += [data_dir / name for table in settings.files for name in settings.file_names(table)]
    return found


def _label_spec(data_dir: Path, config: Path | None, labels: LabelOptions) -> LabelSpec:
    """The label definition asked for, checked against the data (a snapshot's own flag)."""
    from churnlab.labels.choose import label_spec_for

    return label_spec_for(data_dir, config, **labels.__dict__)


@dataclasses.dataclass(frozen=True)
class LabelOptions:
    """The label options of a command, as :func:`churnlab.labels.choose.label_spec_for`
    takes them (``None``: as ``[label]`` in churnlab.toml says, else the default)."""

    definition: str | None
    horizon_days: int | None
    lead_days: int | None
    lookback_days: int | None
    grace_days: int | None
    rejoin_key: str | None


def _from_working_folder() -> None:
    """Let feature families of your own be imported from the working folder, as ``python -m``
    would import them (a command's own process: nothing else shares its path)."""
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())


def _own_families(specs: list[str] | None) -> Any:
    """Families of your own named ``module:ClassName`` (``--family``)."""
    from churnlab.features import load_families

    _from_working_folder()
    return load_families(specs or ())


FamilyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--family",
        help="A feature family of your own, as module:ClassName (repeat for more); see the README.",
    ),
]


def _data_folder(value: str) -> Path | str:
    """A usage error (exit 2) for a data folder that is not there; a URI (``hdfs://``,
    ``s3a://``) is left to the engine that reads it."""
    if is_remote(value):
        return value
    path = Path(value)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        typer.echo(
            f"Error: the data folder {path} {what}; give the folder that holds "
            "customers.csv or customers.parquet.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    return path


DataDir = Annotated[
    Path,
    typer.Argument(
        help=(
            "Folder with customers.csv/.parquet and optional event tables; with --engine "
            "spark also a URI Spark reads (hdfs://..., s3a://...)."
        ),
        parser=str,
        callback=_data_folder,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="churnlab.toml to use (default: DATA_DIR/churnlab.toml)."),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the features are built: duckdb or spark (default: [engine] in "
        "churnlab.toml, else duckdb). Spark needs `pip install 'churnlab[spark]'` and Java 17.",
    ),
]


HorizonOpt = Annotated[
    int | None,
    typer.Option(
        "--horizon", help="Label horizon in days (default: [label] horizon_days, else 90)."
    ),
]
DefinitionOpt = Annotated[
    str | None,
    typer.Option(
        "--churn-definition",
        help="contract (end dates; the default) or inactivity (no purchase or bill in the "
        "horizon: shops); default: [label] definition in churnlab.toml. A snapshot extract "
        "uses its own flag; `churnlab validate` says which fits your data.",
    ),
]
LeadOpt = Annotated[
    int | None,
    typer.Option(
        "--lead",
        help="Days between a cutoff and the label window: time to act (default: [label] "
        "lead_days, else 0).",
    ),
]
LookbackOpt = Annotated[
    int | None,
    typer.Option(
        "--lookback",
        help="inactivity only: a purchase or bill in this many days before a cutoff makes a "
        "customer active (default: [label] lookback_days, else 365).",
    ),
]
GraceOpt = Annotated[
    int | None,
    typer.Option(
        "--grace",
        help="contract only: a customer who signs up again within this many days did not "
        "leave (needs --rejoin-key; default: [label] grace_days).",
    ),
]
RejoinKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--rejoin-key",
        help="The customers column that identifies a person, for --grace (default: [label] "
        "rejoin_key).",
    ),
]
BandsOpt = Annotated[
    str | None,
    typer.Option(
        "--bands",
        help="Risk band thresholds: 1 to 3 increasing churn probabilities, e.g. 0.1,0.3 "
        "(the default: low below 10%, medium to 30%, high above).",
    ),
]
ModelParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model-param",
        help="A ModelSpec setting as name=value, e.g. min_child_samples=20 (repeat for more; "
        "see the README).",
    ),
]


@app.command()
def validate(data_dir: DataDir, config: ConfigOpt = None) -> None:
    """Check a data directory against the data contract; print its summary and every problem.

    Exits 0 when the data are clean, 1 when there are problems, 2 on a usage error.

    Files that differ from the contract are described in churnlab.toml next to the data (or
    --config): [data] extract_date, delimiter, decimal, date_format, encoding; [files] one file
    name per table, inside the data folder unless allow_outside = true; [checks] earliest_date
    (dates before it are errors; default 1950-01-01); [columns.customers] churnlab_name = "your name" (likewise for bills,
    complaints, service_events); [personal_data] columns, not_personal; [snapshot] label_column,
    as_of, positive_values; [label] definition, horizon_days, lead_days, lookback_days (churn by
    month follows [label] definition = "inactivity"). The README's "churnlab.toml" section has
    a full example.
    """
    from churnlab.labels.monthly import validation_summary
    from churnlab.tables import check_data
    from churnlab.tables.column_warnings import table_findings

    def call() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # repairs are listed in the summary instead
            return check_data(data_dir, config=config)

    report = run_or_exit(call)
    if report.tables is not None:
        summary, fit = run_or_exit(lambda: validation_summary(report.tables, data_dir, config))
        typer.echo(str(summary))
        typer.echo("")
        typer.echo(str(fit))
        findings = run_or_exit(lambda: table_findings(report.tables))
        if findings:
            typer.echo(f"Column warnings ({len(findings)}):")
            for finding in findings:
                typer.echo(f"  {finding}")
        typer.echo("")
    typer.echo(str(report), err=not report.ok)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_DATA)


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the demo operator into.")],
    customers: Annotated[int, typer.Option(help="Customers ever seen.")] = 20_000,
    months: Annotated[int, typer.Option(help="Months simulated.")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    locale: Annotated[str, typer.Option(help="Language of attribute values: en or zh.")] = "en",
    kind: Annotated[
        str, typer.Option(help="telecom (four tables) or shop (customers and order lines).")
    ] = "telecom",
) -> None:
    """Write a synthetic telecom operator (four tables plus its true churn hazards), or with
    --kind shop an online shop (customers, order lines with returns, when each lapsed and why)."""
    from churnlab.demo import DemoSpec, generate_demo
    from churnlab.demo.shop import generate_shop

    if kind not in ("telecom", "shop"):
        typer.echo(f"--kind must be telecom or shop, not {kind!r}.", err=True)
        raise typer.Exit(2)

    def call() -> Any:
        with writing(out_dir, directory=True):
            if kind == "shop":
                return generate_shop(
                    out_dir, DemoSpec(customers=customers, months=months, seed=seed)
                )
            return generate_demo(
                out_dir,
                DemoSpec(customers=customers, months=months, seed=seed, locale=locale),  # type: ignore[arg-type]
                progress=sys.stderr.isatty(),
            )

    result = run_or_exit(call)
    typer.echo(repr(result))


@app.command()
def features(
    data_dir: DataDir,
    out: Annotated[Path, typer.Option("--out", help="Output file: .parquet or .csv.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Cutoff date (YYYY-MM-DD) of a scoring frame (default: the data's extract date).",
        ),
    ] = None,
    cutoffs: Annotated[
        str | None,
        typer.Option(help="Training cutoffs FIRST:LAST:STEP, e.g. 2024-01-31:2024-12-31:1M."),
    ] = None,
    labels: Annotated[
        bool, typer.Option("--labels", help="Build a labelled training frame (churned column).")
    ] = False,
    horizon: HorizonOpt = None,
    churn_definition: DefinitionOpt = None,
    lead: LeadOpt = None,
    lookback: LookbackOpt = None,
    grace: GraceOpt = None,
    rejoin_key: RejoinKeyOpt = None,
    config: ConfigOpt = None,
    family: FamilyOpt = None,
    engine: EngineOpt = None,
) -> None:
    """Build point-in-time features (and labels) and write them to a file.

    Without --labels: one scoring frame at --as-of (default: the data's extract date, said on
    stderr). With --labels: a training frame at --cutoffs (default: the last 12 month ends whose
    label window is observed) or at --as-of.
    """
    from churnlab.features import write_features
    from churnlab.files import TABLE_SUFFIXES
    from churnlab.labels import parse_cutoffs

    if not labels and cutoffs is not None:
        typer.echo(
            "Error: a scoring frame has one date, --as-of, and no --cutoffs; add --labels "
            "for a training frame.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)

    def call() -> Any:
        with writing(out, protect=_inputs(data_dir, config), suffixes=TABLE_SUFFIXES):
            return _write()

    def _write() -> Any:
        return write_features(
            data_dir,
            out,
            as_of=as_of,
            cutoffs=parse_cutoffs(cutoffs) if cutoffs else None,
            labels=labels,
            spec=_label_spec(
                data_dir,
                config,
                LabelOptions(churn_definition, horizon, lead, lookback, grace, rejoin_key),
            ),
            progress=True,
            config=config,
            families=_own_families(family),
            engine=engine,
        )

    written = run_or_exit(call)
    if not labels and as_of is None:
        _say_extract_date(written.cutoffs[0])
    typer.echo(repr(written))


def _say_extract_date(day: pd.Timestamp) -> None:
    """Say on stderr that --as-of defaulted to the data's extract date."""
    typer.echo(f"as of {day.date()}, the data's extract date", err=True)


@app.command()
def evaluate(
    model_dir: Annotated[
        Path,
        typer.Argument(
            help="Model directory written by `churnlab train`.", exists=True, file_okay=False
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the report (default: MODEL_DIR/evaluation)."),
    ] = None,
    backtest: Annotated[
        Path | None,
        typer.Option(
            "--backtest",
            help="Also backtest the model's settings on this data directory (slower).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="The data directory the model was trained on: adds 'What drives churn' "
            "(SHAP values of the hold-out customers).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Evaluate a model on its hold-out (out of time; out-of-fold for a snapshot extract):
    print the summary, write the report.

    Writes report.html (summary, deciles and plots), evaluation.json and one PNG per plot;
    with --backtest also backtest.json and the metrics-by-cutoff plot; with --data the
    "What drives churn" section and what_drives_churn.png.
    """
    import matplotlib

    matplotlib.use("Agg")
    from churnlab.evaluate import Backtest, Evaluation, write_report
    from churnlab.evaluate.report import BACKTEST_FILE, EVALUATION_FILE
    from churnlab.model.persist import EVALUATION_DIR

    out_dir = out if out is not None else model_dir / EVALUATION_DIR

    def call() -> Path:
        # the default folder lies inside the model directory: the one place there it may write
        default = out_dir.resolve() == (model_dir / EVALUATION_DIR).resolve()
        protect = [
            path
            for path in (model_dir, backtest, data)
            if path is not None and not (default and path.resolve() == model_dir.resolve())
        ]
        with writing(out_dir, protect=protect, directory=True):
            _from_working_folder()  # the model's own feature families, if any
            return write_report(model_dir, out_dir, backtest=backtest, data=data)

    report = run_or_exit(call)
    typer.echo(Evaluation.read_json(report.with_name(EVALUATION_FILE)).to_text())
    if backtest is not None:
        typer.echo(f"\n{Backtest.read_json(report.with_name(BACKTEST_FILE))!r}")
    typer.echo(f"\nreport written to {report}")


@app.command()
def train(
    data_dir: DataDir,
    out: Annotated[
        Path, typer.Option("--out", help="Model directory to write (replaced if it exists).")
    ],
    cutoffs: Annotated[
        str | None,
        typer.Option(
            help="Training cutoffs FIRST:LAST:STEP (default: the last 12 month ends whose label "
            "window is observed)."
        ),
    ] = None,
    horizon: HorizonOpt = None,
    churn_definition: DefinitionOpt = None,
    lead: LeadOpt = None,
    lookback: LookbackOpt = None,
    grace: GraceOpt = None,
    rejoin_key: RejoinKeyOpt = None,
    bands: BandsOpt = None,
    model_param: ModelParamOpt = None,
    keep_column: Annotated[
        list[str] | None,
        typer.Option(
            "--keep-column",
            help="Keep this customer column as a feature although it looks id-like, constant, "
            "a copy of the label or date-like text (repeat for more; `churnlab validate` "
            "lists them).",
        ),
    ] = None,
    config: ConfigOpt = None,
    family: FamilyOpt = None,
) -> None:
    """Train a calibrated churn model (validated out of time) and save it as a directory.

    The latest cutoff is held out for early stopping, calibration and the reported metrics;
    the model is then refitted on every cutoff. Snapshot extracts use stratified folds.
    """
    from churnlab.features import build_training_frame
    from churnlab.labels import parse_cutoffs
    from churnlab.model import save_model
    from churnlab.model import train as train_model
    from churnlab.model.persist import check_model_directory
    from churnlab.model.settings import model_spec_from_text

    def call() -> Any:
        with writing(out, protect=_inputs(data_dir, config), directory=True):
            check_model_directory(out)  # now, not after the training
            return _train()

    def _train() -> Any:
        labels = LabelOptions(churn_definition, horizon, lead, lookback, grace, rejoin_key)
        spec = _label_spec(data_dir, config, labels)
        # checked before the data are read; None keeps train's own defaults
        asked = model_param or bands is not None
        settings = model_spec_from_text(model_param or (), bands=bands) if asked else None
        grid = parse_cutoffs(cutoffs) if cutoffs else None
        frame = build_training_frame(
            data_dir,
            spec,
            cutoffs=grid,
            progress=sys.stderr.isatty(),
            config=config,
            families=_own_families(family),
            keep_columns=keep_column or (),
        )
        model = train_model(frame, settings, progress=sys.stderr.isatty())
        return model, save_model(model, out)

    model, saved = run_or_exit(call)
    families = ", ".join(model.card_.families)
    typer.echo(f"{model!r}\nfeature families: {families}\nsaved to {saved}")


@app.command()
def score(
    data_dir: DataDir,
    model: Annotated[
        Path, typer.Option("--model", help="Model directory written by `churnlab train`.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file: .parquet or .csv.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Scoring date (YYYY-MM-DD; default: the data's extract date)."
        ),
    ] = None,
    config: ConfigOpt = None,
    reasons: Annotated[
        int,
        typer.Option(
            "--reasons", help="Add each customer's K strongest reasons and an action (1 to 5)."
        ),
    ] = 0,
    language: Annotated[str, typer.Option(help="Language of the reasons: en or zh.")] = "en",
    actions: Annotated[
        Path | None,
        typer.Option(help="Action table (TOML) for the reasons (default: churnlab's)."),
    ] = None,
    engine: EngineOpt = None,
) -> None:
    """Score every active customer at --as-of: churn_probability and risk_band per customer.

    Without --as-of, the customers are scored at the data's extract date (said on stderr).

    Writes customer_id, as_of, churn_probability and risk_band; prints customers per band.
    With --reasons K also reason_1..K in words, their categories and impacts (probability
    points), top_actionable_category and recommended_action. Category values the model never
    saw are reported on stderr (and scored as missing).

    With --engine spark the features are built and scored by Spark and --out is a folder
    of Parquet files partitioned by risk_band (any path Spark writes: hdfs://, s3a://...).
    """
    from churnlab.files import TABLE_SUFFIXES, write_table
    from churnlab.model import score as score_customers

    if _spark_chosen(engine, data_dir, config):
        _score_on_spark(data_dir, model, out, as_of, reasons, language, actions, config)
        return

    def scored() -> Any:
        if not reasons:
            return score_customers(model, data_dir, as_of=as_of, config=config, engine=engine)
        from churnlab.explanations import score_with_reasons

        return score_with_reasons(
            model,
            data_dir,
            as_of=as_of,
            k=reasons,
            language=language,
            actions=actions,
            config=config,
            engine=engine,
        )

    def call() -> Any:
        protect = [*_inputs(data_dir, config), model, actions]
        with writing(out, protect=protect, suffixes=TABLE_SUFFIXES):
            _from_working_folder()  # the model's own feature families, if any
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", category=UserWarning)
                scores = scored()
            for warning in caught:
                typer.echo(f"Warning: {warning.message}", err=True)
            write_table(scores.frame, out)
            return scores

    scores = run_or_exit(call)
    if as_of is None:
        _say_extract_date(scores.as_of)
    typer.echo(f"{scores!r}\nwritten to {out}")


def _spark_chosen(engine: str | None, data_dir: Path, config: Path | None) -> bool:
    """Whether Spark builds the features: ``--engine``, else ``[engine]`` in churnlab.toml."""
    if engine is not None:
        return engine == "spark"
    from churnlab.tables.config import resolve_config

    return run_or_exit(lambda: resolve_config(data_dir, config)).engine.name == "spark"


def _score_on_spark(
    data_dir: Path,
    model: Path,
    out: Path,
    as_of: str | None,
    reasons: int,
    language: str,
    actions: Path | None,
    config: Path | None,
) -> None:
    """``churnlab score --engine spark``: scored by Spark, written as partitioned Parquet."""
    if out.suffix.lower() == ".csv":
        typer.echo(
            "Error: with --engine spark the scores are written as a folder of Parquet files: "
            f"give --out a folder name, not {out.name!r}.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)

    def call() -> Any:
        from churnlab.explanations.spark import score_on_spark

        _from_working_folder()
        return score_on_spark(
            model,
            data_dir,
            str(out),
            as_of=as_of,
            k=reasons,
            language=language,
            actions=actions,
            config=config,
        )

    written = run_or_exit(call)
    if as_of is None:
        _say_extract_date(written.as_of)
    typer.echo(f"{written!r}\nwritten to {out}")


@app.command()
def explain(
    model_dir: Annotated[
        Path,
        typer.Argument(
            help="Model directory written by `churnlab train`.", exists=True, file_okay=False
        ),
    ],
    data_dir: DataDir,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder to write (replaced if `churnlab explain` wrote it)."),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date to explain (YYYY-MM-DD; default: the data's extract date)."
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Explain what drives churn for every active customer at --as-of (exact SHAP values).

    Writes PNG pictures (beeswarm, importance by feature and by reason category, drivers by
    risk band, the top driver's dependence) and CSV tables (importance by feature, family and
    reason category; the predicted churn attributed to each reason category, overall and per
    risk band; the top drivers in words) into --out, written as a whole or not at all.
    """
    import matplotlib

    matplotlib.use("Agg")
    from churnlab.explanations import write_explanation

    def call() -> Any:
        protect = [*_inputs(data_dir, config), model_dir]
        with writing(out, protect=protect, directory=True):
            return _explain()

    def _explain() -> Any:
        _from_working_folder()  # the model's own feature families, if any
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", category=UserWarning)
            written = write_explanation(
                model_dir,
                data_dir,
                out,
                as_of=as_of,
                config=config,
                progress=sys.stderr.isatty(),
            )
        for warning in caught:
            typer.echo(f"Warning: {warning.message}", err=True)
        return written

    written = run_or_exit(call)
    if as_of is None:
        typer.echo(
            f"No --as-of given: explained at the data's {written.as_of_source}, "
            f"{written.as_of.date()}.",
            err=True,
        )
    typer.echo(repr(written.explanation))
    for sentence in written.explanation.drivers()["sentence"]:
        typer.echo(f"  - {sentence}")
    typer.echo(f"written to {written.folder}: {', '.join(written.files)}")
