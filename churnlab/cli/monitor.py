"""``churnlab compare``: this month's target-list run against an earlier one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from churnlab.cli.app import app, run_or_exit


@app.command("compare")
def compare_command(
    run_a: Annotated[
        Path | None,
        typer.Argument(
            help="The earlier run folder (default: the one before the latest 03_target_list run)."
        ),
    ] = None,
    run_b: Annotated[
        Path | None, typer.Argument(help="The later run folder (default: the latest run).")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Data that tells the earlier run's outcomes (default: the later run's data).",
        ),
    ] = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Where the runs are, for the default RUN_A/RUN_B.")
    ] = Path("reports/runs"),
) -> None:
    """Compare two target-list runs: score and feature shifts (PSI), missing and unseen
    values, the mix of reasons, who entered and left the list, and, once the earlier run's
    outcome window has closed, how its predictions came true.

    Prints the summary and one line per warning. Exit 0 (warnings included), 1 for a data
    problem, 2 for a folder that is not a run.
    """
    from churnlab.runs import compare_runs

    def call() -> Any:
        from churnlab.errors import SpecError
        from churnlab.runs import latest_pair

        if (run_a is None) != (run_b is None):
            raise SpecError("Give both runs to compare, or neither (the latest two).")
        run_pair = latest_pair(runs_dir) if run_a is None or run_b is None else (run_a, run_b)
        return compare_runs(run_pair[0], run_pair[1], data_dir=data)

    found = run_or_exit(call)
    summary = found.summary()
    width = int(summary["measure"].str.len().max())
    for row in summary.itertuples():
        typer.echo(f"{row.measure:<{width}}  {row.value}")
    shown = found.features.head(10)
    if len(shown):
        typer.echo("")
        typer.echo("Most important features (mean |SHAP| in the later run) and their PSI:")
        for row in shown.itertuples():
            typer.echo(f"  {row.feature:<32} PSI {row.psi:6.3f}  {row.level}")
    for note in found.notes:
        typer.echo(f"Note: {note}", err=True)
    problems = found.warnings()
    typer.echo("")
    if problems:
        typer.echo(f"{len(problems)} warning{'s' if len(problems) > 1 else ''}:")
        for line in problems:
            typer.echo(f"  - {line}")
    else:
        typer.echo("No warning: nothing crossed a threshold.")
