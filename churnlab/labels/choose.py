"""The label definition a command asks for, checked against the data it is for.

A setting that the chosen definition does not use is refused rather than ignored: a snapshot
extract's label is its own churn flag, so ``inactivity``, a lead or a look-back cannot change
it; the look-back makes a customer active only under ``inactivity``.
"""

from __future__ import annotations

from pathlib import Path

from churnlab.errors import SpecError
from churnlab.labels.spec import LabelSpec
from churnlab.tables import Tables
from churnlab.tables.config import DataConfig, resolve_config

HORIZON_DAYS = LabelSpec().horizon_days
"""The label horizon when neither the command nor ``[label]`` gives one."""


def label_spec_for(
    data_dir: Path,
    config: DataConfig | str | Path | None = None,
    *,
    definition: str | None = None,
    horizon_days: int | None = None,
    lead_days: int | None = None,
    lookback_days: int | None = None,
    grace_days: int | None = None,
    rejoin_key: str | None = None,
) -> LabelSpec:
    """The :class:`LabelSpec` for a data folder: ``snapshot`` for a snapshot extract (its own
    flag), else ``definition``; a setting left as ``None`` is taken from ``[label]`` in the
    data's churnlab.toml (:class:`~churnlab.tables.config.LabelSettings`), else keeps
    LabelSpec's default (``contract``, 90 days, ...).

    A ``[label]`` setting that the definition given here does not use is left out: the file's
    ``lookback_days`` under ``contract``, its ``grace_days`` and ``rejoin_key`` under
    ``inactivity``.

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
    >>> _ = (folder / "churnlab.toml").write_text('[label]\\ndefinition = "inactivity"\\n')
    >>> label_spec_for(folder).definition, label_spec_for(folder, definition="contract").definition
    ('inactivity', 'contract')
    """
    settings = resolve_config(data_dir, config)
    label = settings.label
    if horizon_days is None:
        horizon_days = label.horizon_days if label.horizon_days is not None else HORIZON_DAYS
    if settings.snapshot is not None:
        _check_snapshot(definition, lead_days, lookback_days, grace_days)
        return LabelSpec(definition="snapshot", horizon_days=horizon_days)
    chosen = definition or label.definition or "contract"
    if lead_days is None:
        lead_days = label.lead_days
    if lookback_days is None and chosen == "inactivity":
        lookback_days = label.lookback_days
    if chosen == "contract":
        grace_days = label.grace_days if grace_days is None else grace_days
        rejoin_key = label.rejoin_key if rejoin_key is None else rejoin_key
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


def spec_or_settings(
    tables: Tables | str | Path,
    config: DataConfig | str | Path | None,
    spec: LabelSpec | None,
) -> LabelSpec | None:
    """``spec`` when given; else, for a data directory, the label its churnlab.toml's
    ``[label]`` describes (:func:`label_spec_for`); else ``None`` (loaded tables: the
    builders' default, ``contract`` or a snapshot's own flag).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "churnlab.toml").write_text('[label]\\ndefinition = "inactivity"\\n')
    >>> spec_or_settings(folder, None, None).definition
    'inactivity'
    >>> spec_or_settings(folder, None, LabelSpec()).definition
    'contract'
    """
    if spec is not None or isinstance(tables, Tables):
        return spec
    return label_spec_for(Path(tables), config)


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
