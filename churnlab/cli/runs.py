"""``churnlab run`` and ``churnlab runs``: notebooks run with papermill, and their history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from churnlab.cli.app import EXIT_DATA, EXIT_USAGE, app, run_or_exit

RunsDir = Annotated[
    Path, typer.Option("--runs-dir", help="Folder of run folders (default reports/runs).")
]


@app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_command(
    ctx: typer.Context,
    notebook: Annotated[
        str, typer.Argument(help="A notebook path, or a name in notebooks/ (03_target_list).")
    ],
    params_file: Annotated[
        Path | None,
        typer.Option("--params-file", help="TOML file of `name = value` parameters."),
    ] = None,
    runs_dir: RunsDir = Path("reports/runs"),
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If this notebook is already running, wait (default: refuse)."),
    ] = False,
) -> None:
    """Run a notebook with papermill into reports/runs/<notebook>/<date>T<time>-<id>/.

    Set a parameter with -p NAME VALUE (repeat for more), e.g. `-p top 500 -p as_of 2026-06-30`.
    Parameters are checked against the notebook's parameters cell before the kernel starts.
    Exit codes: 0 the run succeeded; 1 a cell failed (the run is kept, marked failed); 2 a bad
    parameter, a missing notebook, or another run of the same notebook in progress.
    """
    from churnlab.runs import run_notebook

    pairs = _pairs(list(ctx.args))
    run = run_or_exit(
        lambda: run_notebook(
            notebook, parameters=pairs, params_file=params_file, runs_dir=runs_dir, wait=wait
        )
    )
    if not run.succeeded:
        err = run.error or {}
        typer.echo(
            f"Run {run.run_id} failed{_at(err.get('cell'))}: {err.get('ename')}: "
            f"{_one_line(err.get('evalue', ''))} (report: {run.report})",
            err=True,
        )
        raise typer.Exit(EXIT_DATA)
    typer.echo(f"Run {run.run_id} succeeded in {run.duration_s:.1f} s.")
    typer.echo(f"Report: {run.report}")
    typer.echo(f"Outputs: {run.outputs}")
    typer.echo(f"All runs: {run.folder.parent.parent / 'index.html'}")


def _pairs(args: list[str]) -> list[tuple[str, str]]:
    """The ``-p NAME VALUE`` pairs; anything else is a usage error (exit 2)."""
    pairs = []
    rest = list(args)
    while rest:
        flag = rest.pop(0)
        if flag not in ("-p", "--param") or len(rest) < 2:
            shown = " ".join([flag, *rest[:2]])
            typer.echo(
                f"Error: expected -p NAME VALUE, got {shown!r}. Example: -p top 500.", err=True
            )
            raise typer.Exit(EXIT_USAGE)
        pairs.append((rest.pop(0), rest.pop(0)))
    return pairs


def _at(cell: int | None) -> str:
    return "" if cell is None else f" at cell {cell}"


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= 200 else line[:197] + "..."


@app.command("runs")
def runs_command(
    notebook: Annotated[str | None, typer.Argument(help="Only this notebook's runs.")] = None,
    runs_dir: RunsDir = Path("reports/runs"),
) -> None:
    """Print the table of runs: date, status, duration and the key figures each recorded."""
    from churnlab.runs import list_runs

    table = run_or_exit(lambda: list_runs(runs_dir, notebook))
    if table.empty:
        typer.echo(f"No runs in {runs_dir}.")
        return
    with __import__("pandas").option_context("display.width", 200, "display.max_columns", 20):
        typer.echo(table.to_string(index=False, na_rep=""))
