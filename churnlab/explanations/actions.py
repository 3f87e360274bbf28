"""The action table: which reason categories an offer can change, and what to do about each.

churnlab ships a default (``actions.toml`` beside this module, following the domain primer);
users copy and edit it. Read one with :func:`read_actions`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from churnlab.errors import ConfigError, did_you_mean
from churnlab.features.wording import LANGUAGES

DEFAULT_FILE = "actions.toml"
STANDARD_CATEGORIES = (
    "service",
    "price",
    "payment",
    "product",
    "engagement",
    "tenure",
    "contract",
    "region",
    "profile",
    "other",
)
"""The reason categories of the built-in features."""
_KEYS = {"no_reason", "key_account", "categories"}
_ENTRY_KEYS = {"actionable", "action"}


@dataclass(frozen=True, kw_only=True)
class Action:
    """What to do about one reason category (``action`` per language; empty when not
    actionable)."""

    category: str
    actionable: bool
    action: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class ActionTable:
    """Reason category -> :class:`Action`, and the action for a customer with no actionable
    reason.

    Examples
    --------
    >>> table = default_actions()
    >>> table.is_actionable("service"), table.is_actionable("contract")
    (True, False)
    >>> table.action_for("payment", "en")
    'Payment reminder and restored loyalty points'
    """

    categories: Mapping[str, Action] = field(hash=False)
    no_reason: Mapping[str, str] = field(hash=False)
    key_account: Mapping[str, str] = field(default_factory=dict, hash=False)
    source: str = "churnlab default"

    def is_actionable(self, category: str) -> bool:
        entry = self.categories.get(category)
        return entry is not None and entry.actionable

    def action_for(self, category: str | None, language: str) -> str:
        """The action for a category (``None``: no actionable reason)."""
        if category is None or not self.is_actionable(category):
            return self.no_reason[language]
        return self.categories[category].action[language]

    def key_account_action(self, language: str) -> str:
        """The one-to-one action for key accounts, whatever their reason (the default table's
        when this one has no ``key_account``)."""
        texts = self.key_account or default_actions().key_account
        return texts[language]

    def check_covers(self, categories: Iterable[str]) -> None:
        """Refuse a table that lacks a category the model's features have.

        Raises
        ------
        ConfigError
            Naming the categories and the file to add them to.
        """
        missing = sorted(set(categories) - set(self.categories))
        if missing:
            raise ConfigError(
                f"The action table ({self.source}) has no entry for the reason "
                f"categor{'y' if len(missing) == 1 else 'ies'} {', '.join(map(repr, missing))} "
                "that the model's features have: add [categories.NAME] with actionable = "
                "true/false (and an action)."
            )

    def __repr__(self) -> str:
        actionable = [c for c, a in self.categories.items() if a.actionable]
        return (
            f"<ActionTable ({self.source}): {len(self.categories)} categories, actionable: "
            f"{', '.join(actionable)}>"
        )


def default_actions() -> ActionTable:
    """The action table churnlab ships (``churnlab/explanations/actions.toml``)."""
    text = resources.files("churnlab.explanations").joinpath(DEFAULT_FILE).read_text("utf-8")
    return parse_actions(text, source="churnlab default", known=STANDARD_CATEGORIES)


def read_actions(
    path: str | Path | None = None, *, known: Iterable[str] = STANDARD_CATEGORIES
) -> ActionTable:
    """Read an action table from a TOML file (``None``: the default).

    ``known`` names the reason categories a table may have (the standard ones, and those of
    features of your own).

    Raises
    ------
    ConfigError
        The file is missing or not TOML, or a category is unknown, or an actionable category
        has no action in every language.
    """
    if path is None:
        return default_actions()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"The action table {path} cannot be read: {exc.strerror}.") from None
    return parse_actions(text, source=str(path), known=known)


def parse_actions(text: str, *, source: str, known: Iterable[str]) -> ActionTable:
    """An action table from TOML text; see :func:`read_actions`.

    >>> parse_actions('no_reason = {en = "call", zh = "回访"}\\n[categories.price]\\n'
    ...               'actionable = false', source="x", known=["price"])
    <ActionTable (x): 1 categories, actionable: >
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The action table {source} is not valid TOML: {exc}.") from None
    known = tuple(known)
    _no_unknown(data, _KEYS, f"the action table {source}")
    categories: dict[str, Action] = {}
    for name, entry in dict(data.get("categories", {})).items():
        if name not in known:
            raise ConfigError(
                f"The action table {source} names an unknown reason category {name!r}."
                f"{did_you_mean(name, known)} Known: {', '.join(known)}."
            )
        if not isinstance(entry, dict):
            raise ConfigError(f"[categories.{name}] in {source} must be a table.")
        _no_unknown(entry, _ENTRY_KEYS, f"[categories.{name}] in {source}")
        actionable = entry.get("actionable")
        if not isinstance(actionable, bool):
            raise ConfigError(
                f"[categories.{name}] in {source} must say actionable = true or false."
            )
        action = _texts(entry.get("action"), f"[categories.{name}] action in {source}")
        if actionable and not action:
            raise ConfigError(
                f"[categories.{name}] in {source} is actionable but has no action: add "
                'action = { en = "...", zh = "..." }.'
            )
        categories[name] = Action(category=name, actionable=actionable, action=action)
    no_reason = _texts(data.get("no_reason"), f"no_reason in {source}")
    if not no_reason:
        raise ConfigError(
            f"The action table {source} needs no_reason: the action for a customer with no "
            'actionable reason (no_reason = { en = "...", zh = "..." }).'
        )
    key_account = _texts(data.get("key_account"), f"key_account in {source}")
    return ActionTable(
        categories=categories, no_reason=no_reason, key_account=key_account, source=source
    )


def _texts(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise ConfigError(f'The {where} must be {{ en = "...", zh = "..." }}.')
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ConfigError(
            f"The {where} has text in {', '.join(unknown)}; churnlab writes {', '.join(LANGUAGES)}."
        )
    missing = [lang for lang in LANGUAGES if lang not in value]
    if missing:
        raise ConfigError(f"The {where} lacks the {', '.join(missing)} text.")
    return dict(value)


def _no_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"Unknown key {key!r} in {where}.{did_you_mean(key, allowed)} "
                f"Allowed: {', '.join(sorted(allowed))}."
            )
