"""The label definition a command asks for, checked against the data it is for.

A setting that the chosen definition does not use is refused rather than ignored: a snapshot
extract's label is its own churn flag, so ``inactivity``, a lead or a look-back cannot change
it; the look-back makes a customer active only under ``inactivity``.
"""

from __future__ import annotations

from pathlib import Path

from churnlab.errors import SpecError
from churnlab.labels.spec import LabelSpec
from churnlab.tables.config import DataConfig, resolve_config


def label_spec_for(
    data_dir: Path,
    config: DataConfig | str | Path | None = None,
    *,
    definition: str | None = None,
    horizon_days: int = 90,
    lead_days: int | None = None,
    lookback_days: int | None = None,
    grace_days: int | None = None,
    rejoin_key: str | None = None,
) -> LabelSpec:
    """The :class:`LabelSpec` for a data folder: ``snapshot`` for a snapshot extract (its own
    flag), else ``definition`` (default ``contract``); the settings left as ``None`` keep
    LabelSpec's defaults.

    Raises
    ------
    SpecError
        A definition other than ``snapshot``, a lead, a look-back or a grace period asked of a
        snapshot extract; a look-back without ``inactivity``; bad values (from LabelSpec).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> label_spec_for(folder, definition="inactivity", lookback_days=730).lookback_days
    730
    >>> label_spec_for(folder, lookback_days=730)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: --lookback (LabelSpec.lookback_days) applies to the inactivity definition only: with 'contract' a customer is active from signup to end_date. Add --churn-definition inactivity, or leave --lookback out.
    """
    snapshot = resolve_config(data_dir, config).snapshot is not None
    if snapshot:
        _check_snapshot(definition, lead_days, lookback_days, grace_days)
        return LabelSpec(definition="snapshot", horizon_days=horizon_days)
    chosen = definition or "contract"
    if chosen == "snapshot":
        raise SpecError(
            "--churn-definition snapshot needs a snapshot extract: configure [snapshot] "
            "label_column in churnlab.toml, or use contract or inactivity."
        )
    if lookback_days is not None and chosen != "inactivity":
        raise SpecError(
            "--lookback (LabelSpec.lookback_days) applies to the inactivity definition only: "
            f"with {chosen!r} a customer is active from signup to end_date. Add "
            "--churn-definition inactivity, or leave --lookback out."
        )
    values = {
        "lead_days": lead_days,
        "lookback_days": lookback_days,
        "grace_days": grace_days,
        "rejoin_key": rejoin_key,
    }
    return LabelSpec(
        definition=chosen,  # type: ignore[arg-type]  # LabelSpec checks the name
        horizon_days=horizon_days,
        **{name: value for name, value in values.items() if value is not None},  # type: ignore[arg-type]
    )


def _check_snapshot(
    definition: str | None, lead: int | None, lookback: int | None, grace: int | None
) -> None:
    """Refuse what a snapshot extract's own flag cannot honour."""
    flag = (
        "this is a snapshot extract ([snapshot] in churnlab.toml): its churn flag is the label, "
        "as of its one date"
    )
    if definition is not None and definition != "snapshot":
        raise SpecError(
            f"--churn-definition {definition} cannot apply: {flag}, so there is no "
            f"{definition} rule to apply. Leave --churn-definition out (or give snapshot); to "
            "define churn by contracts or purchases, give customers with dates and event "
            "tables instead of a snapshot."
        )
    used = [
        option
        for option, value in (("--lead", lead), ("--lookback", lookback), ("--grace", grace))
        if value is not None
    ]
    if used:
        raise SpecError(f"{', '.join(used)} cannot apply: {flag}. Leave {' and '.join(used)} out.")
