"""``churnlab target-list``: a retention campaign's list, written as files marketing opens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from churnlab.cli.app import (
    ConfigOpt,
    DataDir,
    EngineOpt,
    _from_working_folder,
    _inputs,
    _say_extract_date,
    app,
    run_or_exit,
    writing,
)


@app.command("target-list")
def target_list_command(
    data_dir: DataDir,
    model: Annotated[
        Path, typer.Option("--model", help="Model directory written by `churnlab train`.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Output directory (new, or an earlier list to replace)."),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Scoring date (YYYY-MM-DD; default: the extract date)."),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", help="List the N customers with the best gain.")
    ] = None,
    top_share: Annotated[
        float | None,
        typer.Option("--top-share", help="List the best share S of customers (0 < S < 1)."),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Spend at most B on contacts and offers taken."),
    ] = None,
    profit_optimal: Annotated[
        bool,
        typer.Option(
            "--profit-optimal", help="Everyone with a positive expected gain (the default)."
        ),
    ] = False,
    min_probability: Annotated[
        float | None,
        typer.Option("--min-probability", help="Everyone with a churn probability >= P."),
    ] = None,
    campaign: Annotated[
        Path | None,
        typer.Option("--campaign", help="Campaign settings (TOML): value, offers, segments..."),
    ] = None,
    control_fraction: Annotated[
        str | None,
        typer.Option(
            "--control-fraction",
            help="Share of the list kept out as a control group (0 < F < 1), or auto.",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="The control group's seed.")] = None,
    language: Annotated[
        str, typer.Option("--language", help="Language of reasons and actions: en or zh.")
    ] = "en",
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: csv, xlsx, parquet.")
    ] = "csv,xlsx,parquet",
    include_columns: Annotated[
        str | None,
        typer.Option(
            "--include-columns",
            help="Customer columns to add (personal data is left out unless named), e.g. phone.",
        ),
    ] = None,
    actions: Annotated[
        Path | None, typer.Option("--actions", help="Action table (TOML; default: churnlab's).")
    ] = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
) -> None:
    """Build a retention campaign's target list and write it to --out.

    Every active customer is scored; the list ranks them by expected gain (value, risk, the
    offer's cost and acceptance) and keeps a reproducible control group. The directory holds
    target_list.csv/.xlsx/.parquet, winback.csv, profit_curve.png and manifest.json.
    """
    from churnlab.campaign import Selection, target_list
    from churnlab.campaign.files import check_formats, check_target_directory

    def call() -> Any:
        selection = Selection.from_options(
            top=top,
            top_share=top_share,
            budget=budget,
            profit_optimal=profit_optimal,
            min_probability=min_probability,
        )
        chosen = check_formats(formats.split(","))
        inputs = [*_inputs(data_dir, config), model, campaign, actions]
        protect = [path for path in inputs if path is not None]
        check_target_directory(out, protect=protect)
        with writing(out, protect=protect, directory=True):
            return _list(selection, chosen, protect)

    def _list(selection: Any, chosen: tuple[str, ...], protect: list[Path]) -> Any:
        fraction: float | str | None = control_fraction
        if control_fraction is not None and control_fraction.strip().lower() != "auto":
            fraction = _fraction(control_fraction)
        _from_working_folder()  # the model's own feature families, if any
        found = target_list(
            data_dir,
            model,
            as_of=as_of,
            selection=selection,
            campaign=campaign,
            control_fraction=fraction,
            seed=seed,
            language=language,
            actions=actions,
            include_columns=_names(include_columns),
            config=config,
            engine=engine,
        )
        typer.echo(found.mde_line(), err=True)
        for note in found.notes:
            typer.echo(f"Note: {note}", err=True)
        path = found.export(out, formats=chosen, protect=protect)
        return found, path

    found, path = run_or_exit(call)
    if as_of is None:
        _say_extract_date(found.as_of)
    totals = found.totals()
    typer.echo(str(path))
    typer.echo(
        f"{totals['target']:,} to contact, {totals['control']:,} control; expected churners "
        f"reached {totals['expected_churners_reached']:,.1f}, saves "
        f"{totals['expected_saves']:,.1f}, gain {totals['expected_gain']:,.0f}, cost "
        f"{totals['cost']:,.0f}"
    )


def _fraction(text: str) -> float:
    from churnlab.errors import SpecError

    try:
        return float(text)
    except ValueError:
        raise SpecError(
            f"--control-fraction must be a number in (0, 1) or auto. Got {text!r} instead."
        ) from None


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())
