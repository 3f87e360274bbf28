"""Typer commands over churnlab's public functions (no business logic here)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from churnlab.errors import ChurnlabError, DataError

app = typer.Typer(
    name="churnlab",
    help="Churn modelling workbench: validate data, generate the demo operator, build features.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


def run_or_exit(call: Callable[[], T]) -> T:
    """Run a library call; turn churnlab errors into a message on stderr and an exit code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            return call()
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_DATA) from None
    except ChurnlabError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


DataDir = Annotated[
    Path, typer.Argument(help="Folder with customers.csv/.parquet and optional event tables.")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="churnlab.toml to use (default: DATA_DIR/churnlab.toml)."),
]


@app.command()
def validate(data_dir: DataDir, config: ConfigOpt = None) -> None:
    """Check a data directory against the data contract; print its summary and every problem.

    Exits 0 when the data are clean, 1 when there are problems, 2 on a usage error.
    """
    from churnlab.tables import check_data

    def call() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # repairs are listed in the summary instead
            return check_data(data_dir, config=config)

    report = run_or_exit(call)
    if report.tables is not None:
        typer.echo(str(report.tables.summary()))
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
) -> None:
    """Write a synthetic telecom operator (four tables plus its true churn hazards)."""
    from churnlab.demo import DemoSpec, generate_demo

    result = run_or_exit(
        lambda: generate_demo(
            out_dir,
            DemoSpec(customers=customers, months=months, seed=seed, locale=locale),
            progress=sys.stderr.isatty(),
        )
    )
    typer.echo(repr(result))
