"""``CampaignSpec``: a campaign's settings, from Python or a TOML file.

A campaign file sets only what differs from the defaults; every key is checked, and a
misspelt one gets a "did you mean"::

    id = "retention-2025-12"       # names the campaign; with the seed it fixes the control group
    seed = 0

    [value]                        # churnlab.campaign.value.ValueSpec
    margin_rate = 0.3
    discount_rate = 0.01
    max_months = 36
    # method = "column"            # a customer attribute holds the value
    # column = "lifetime_value"

    [value.retention]              # monthly retention of some segments, instead of the model's
    low_value_low_loyalty = 0.95

    [offer]                        # churnlab.campaign.gain.OfferTerms, for every action
    acceptance = 0.3
    take_up = 1.0
    spend_share = 0.2
    fixed_cost = 0
    contact_cost = 1

    [offer.service]                # per recommended action: only the terms that differ
    spend_share = 0
    fixed_cost = 15

    [segments]                     # churnlab.campaign.segments.SegmentSpec
    high_value_share = 0.2
    key_account_top = 25

    [control]                      # churnlab.campaign.control.ControlSpec
    fraction = 0.1                 # or "auto"

    [winback]                      # churnlab.campaign.winback.WinbackSpec
    days = 90

The actions an ``[offer.NAME]`` table may name are the action table's categories (service,
price, payment, product, engagement by default), ``no_reason`` (customers with no actionable
reason) and ``key_account`` (the one-to-one treatment of key accounts).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churnlab.campaign.control import ControlSpec
from churnlab.campaign.gain import TERM_NAMES, OfferTerms
from churnlab.campaign.segments import SegmentSpec
from churnlab.campaign.value import ValueSpec
from churnlab.campaign.winback import WinbackSpec
from churnlab.errors import ConfigError, SpecError, did_you_mean

KEY_ACCOUNT = "key_account"
"""The action key of key accounts: one-to-one treatment whatever their reason."""
NO_REASON = "no_reason"
"""The action key of customers with no actionable reason."""
SECTIONS = ("id", "seed", "value", "offer", "segments", "control", "winback")


@dataclass(frozen=True, kw_only=True)
class CampaignSpec:
    """A campaign's settings (see the module's docstring for the file form).

    Parameters
    ----------
    campaign_id:
        Names the campaign. With ``seed`` it fixes who is in the control group; ``None`` (the
        default) names it after the scoring month, ``retention-YYYY-MM``, so that each month's
        control group is drawn afresh and a re-run of the same month gives the same one.
    seed:
        The control group's seed.
    value, offer, segments, control, winback:
        The settings of each part.
    offers:
        Offer terms of some recommended actions (action key -> terms), instead of ``offer``.

    >>> spec = CampaignSpec(offers={"service": OfferTerms(spend_share=0.0, fixed_cost=15.0)})
    >>> spec.terms_for("service").fixed_cost, spec.terms_for("price").fixed_cost
    (15.0, 0.0)
    """

    campaign_id: str | None = None
    seed: int = 0
    value: ValueSpec = field(default_factory=ValueSpec)
    offer: OfferTerms = field(default_factory=OfferTerms)
    offers: Mapping[str, OfferTerms] = field(default_factory=dict)
    segments: SegmentSpec = field(default_factory=SegmentSpec)
    control: ControlSpec = field(default_factory=ControlSpec)
    winback: WinbackSpec = field(default_factory=WinbackSpec)

    def __post_init__(self) -> None:
        if self.campaign_id is not None and (
            not isinstance(self.campaign_id, str) or not self.campaign_id.strip()
        ):
            raise SpecError(
                "The 'campaign_id' parameter of CampaignSpec must be a non-empty text. "
                f"Got {self.campaign_id!r} instead."
            )
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise SpecError(
                f"The 'seed' parameter of CampaignSpec must be a whole number. Got {self.seed!r} "
                "instead."
            )
        object.__setattr__(self, "offers", dict(self.offers))

    def terms_for(self, action: str) -> OfferTerms:
        """The offer terms of a recommended action (its own, or the campaign's ``offer``)."""
        return self.offers.get(action, self.offer)

    def resolved_id(self, as_of: Any) -> str:
        """The campaign id, named after the scoring month when none was given.

        >>> import pandas as pd
        >>> CampaignSpec().resolved_id(pd.Timestamp("2025-12-31"))
        'retention-2025-12'
        """
        return self.campaign_id or f"retention-{as_of:%Y-%m}"

    def check_actions(self, known: Iterable[str]) -> None:
        """Refuse offer terms for an action the action table does not have."""
        allowed = {*known, KEY_ACCOUNT, NO_REASON}
        for name in self.offers:
            if name not in allowed:
                raise SpecError(
                    f"The campaign sets offer terms for {name!r}, which is not a recommended "
                    f"action.{did_you_mean(name, allowed)} Actions: {', '.join(sorted(allowed))}."
                )

    def replace(self, **changes: Any) -> CampaignSpec:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings, as the manifest records them."""
        return {
            "campaign_id": self.campaign_id,
            "seed": self.seed,
            "value": self.value.to_dict(),
            "offer": self.offer.to_dict(),
            "offers": {name: terms.to_dict() for name, terms in sorted(self.offers.items())},
            "segments": self.segments.to_dict(),
            "control": self.control.to_dict(),
            "winback": self.winback.to_dict(),
        }


def read_campaign(path: str | Path) -> CampaignSpec:
    """Read a campaign TOML file (see the module's docstring); bad files raise ConfigError.

    >>> import pathlib, tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "campaign.toml"
    >>> _ = file.write_text('id = "spring"\\n[offer]\\nacceptance = 0.25\\n[offer.price]\\nfixed_cost = 5\\n')
    >>> spec = read_campaign(file)
    >>> spec.campaign_id, spec.offer.acceptance, spec.terms_for("price").fixed_cost
    ('spring', 0.25, 5.0)
    >>> _ = file.write_text("[ofer]\\nacceptance = 0.25\\n")
    >>> read_campaign(file)
    Traceback (most recent call last):
    ...
    churnlab.errors.ConfigError: Unknown key 'ofer' in campaign.toml. Did you mean 'offer'?
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"There is no campaign file {path}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}.") from None
    try:
        return campaign_from_dict(data, source=path.name)
    except SpecError as exc:
        raise ConfigError(f"{path.name}: {exc}") from None


def campaign_from_dict(data: Mapping[str, Any], *, source: str = "the campaign") -> CampaignSpec:
    """A :class:`CampaignSpec` from a campaign file's tables (unknown keys refused)."""
    _known(data, SECTIONS, source)
    offer_table = dict(data.get("offer", {}))
    default_terms = {k: v for k, v in offer_table.items() if not isinstance(v, dict)}
    _known(default_terms, TERM_NAMES, f"[offer] of {source}")
    offer = OfferTerms(**_floats(default_terms))
    offers = {}
    for name, table in offer_table.items():
        if isinstance(table, dict):
            _known(table, TERM_NAMES, f"[offer.{name}] of {source}")
            offers[name] = offer.replace(**_floats(table))
    value_table = dict(data.get("value", {}))
    _known(value_table, [f.name for f in dataclasses.fields(ValueSpec)], f"[value] of {source}")
    return CampaignSpec(
        campaign_id=data.get("id"),
        seed=data.get("seed", 0),
        value=ValueSpec(**value_table),
        offer=offer,
        offers=offers,
        segments=_part(SegmentSpec, data.get("segments", {}), f"[segments] of {source}"),
        control=_part(ControlSpec, data.get("control", {}), f"[control] of {source}"),
        winback=_part(WinbackSpec, data.get("winback", {}), f"[winback] of {source}"),
    )


def _part(kind: Any, table: Mapping[str, Any], where: str) -> Any:
    _known(table, [f.name for f in dataclasses.fields(kind)], where)
    return kind(**table)


def _floats(table: Mapping[str, Any]) -> dict[str, Any]:
    """TOML writes ``5`` for a cost of 5: numbers become floats, anything else is kept (and
    refused by the constructor)."""
    return {
        k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in table.items()
    }


def _known(table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    allowed = list(allowed)
    for key in table:
        if key not in allowed:
            raise ConfigError(f"Unknown key {key!r} in {where}.{did_you_mean(key, allowed)}")
