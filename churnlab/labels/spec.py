"""``LabelSpec``: what "churned" means for a model (saved with every model)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from churnlab.errors import SpecError

DEFINITIONS = ("contract", "inactivity", "snapshot")


@dataclass(frozen=True, kw_only=True)
class LabelSpec:
    """How churn is defined and over which window.

    Parameters
    ----------
    definition:
        ``"contract"``: active = signed up on or before the cutoff and not ended by it; churned =
        ``end_date`` in ``(cutoff + lead, cutoff + lead + horizon]``.
        ``"inactivity"`` (shops): active = a bill in the ``lookback_days`` up to the cutoff;
        churned = no bill in the horizon window.
        ``"snapshot"``: the extract's own churn flag at its as-of date.
    horizon_days:
        Length of the label window.
    lead_days:
        Days between the cutoff and the start of the label window (time to act).
    lookback_days:
        For ``"inactivity"``: the window that makes a customer active.
    grace_days:
        For ``"contract"``: a customer who signs up again within this many days after leaving did
        not really leave. Needs ``rejoin_key``.
    rejoin_key:
        The customers column that identifies the same person across customer ids (for example a
        hashed national id); used only with ``grace_days``.

    Examples
    --------
    >>> LabelSpec(horizon_days=60)
    LabelSpec(definition='contract', horizon_days=60, lead_days=0, lookback_days=365, grace_days=0, rejoin_key=None)
    >>> LabelSpec(horizon_days=0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: LabelSpec.horizon_days must be a positive number of days, got 0.
    """

    definition: Literal["contract", "inactivity", "snapshot"] = "contract"
    horizon_days: int = 90
    lead_days: int = 0
    lookback_days: int = 365
    grace_days: int = 0
    rejoin_key: str | None = None

    def __post_init__(self) -> None:
        if self.definition not in DEFINITIONS:
            raise SpecError(
                f"LabelSpec.definition must be one of {', '.join(DEFINITIONS)}, "
                f"got {self.definition!r}."
            )
        for name in ("horizon_days", "lookback_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise SpecError(
                    f"LabelSpec.{name} must be a positive number of days, got {value!r}."
                )
        for name in ("lead_days", "grace_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SpecError(f"LabelSpec.{name} must be zero or more days, got {value!r}.")
        if self.grace_days and self.definition != "contract":
            raise SpecError("LabelSpec.grace_days applies to the contract definition only.")
        if self.grace_days and not self.rejoin_key:
            raise SpecError(
                "LabelSpec.grace_days needs rejoin_key: the customers column that identifies "
                "the same person across customer ids."
            )

    @property
    def window_days(self) -> int:
        """Days after a cutoff that must be observed before its label is known."""
        return self.lead_days + self.horizon_days + self.grace_days

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSpec:
        """Rebuild a spec from :meth:`to_dict` output.

        >>> LabelSpec.from_dict(LabelSpec(lead_days=7).to_dict()) == LabelSpec(lead_days=7)
        True
        """
        return cls(**data)
