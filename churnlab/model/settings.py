"""Model settings written as text (``--model-param name=value``, ``--bands 0.1,0.3``), read
into a checked :class:`~churnlab.model.spec.ModelSpec`.

Each value is converted to the type of the ModelSpec field it names (``int``, ``float``,
``bool``, the calibration's names, ``none`` for an optional number) and then checked by
ModelSpec itself, so a value is refused with the same message whether it came from Python or
from the command line.
"""

from __future__ import annotations

import itertools
import math
import types
import typing
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from churnlab.errors import SpecError, did_you_mean
from churnlab.model.spec import ModelSpec

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
SET_ELSEWHERE = {"risk_bands": "--bands"}
"""ModelSpec fields with an option of their own."""


def parse_bands(text: str) -> tuple[float, ...]:
    """Risk band thresholds written ``0.1,0.3`` (1 to 3 increasing probabilities in (0, 1)).

    Examples
    --------
    >>> parse_bands("0.05, 0.2,0.5")
    (0.05, 0.2, 0.5)
    >>> parse_bands("10%,30%")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: --bands takes 1 to 3 increasing churn probabilities between 0 and 1, separated by commas, e.g. --bands 0.1,0.3; '10%' is not a number.
    """
    usage = (
        "--bands takes 1 to 3 increasing churn probabilities between 0 and 1, separated by "
        "commas, e.g. --bands 0.1,0.3"
    )
    values = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            raise SpecError(f"{usage}; {part.strip()!r} is not a number.") from None
        values.append(value)
    bands = tuple(values)
    if not 1 <= len(bands) <= 3 or not all(math.isfinite(b) and 0 < b < 1 for b in bands):
        raise SpecError(f"{usage}; got {text!r}.")
    if any(a >= b for a, b in itertools.pairwise(bands)):
        raise SpecError(f"{usage}; {text!r} does not increase.")
    return bands


def parse_model_params(params: Sequence[str]) -> dict[str, Any]:
    """``name=value`` pairs as typed ModelSpec settings; an unknown name is refused with the
    closest known one.

    Examples
    --------
    >>> parse_model_params(["min_child_samples=20", "learning_rate=0.05", "search=yes"])
    {'min_child_samples': 20, 'learning_rate': 0.05, 'search': True}
    >>> parse_model_params(["min_child_sample=20"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: --model-param: ModelSpec has no setting 'min_child_sample'. Did you mean 'min_child_samples'?
    """
    hints = typing.get_type_hints(ModelSpec)
    known = [f.name for f in fields(ModelSpec) if f.name not in SET_ELSEWHERE]
    out: dict[str, Any] = {}
    for pair in params:
        name, sep, text = pair.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise SpecError(
                f"--model-param takes name=value, e.g. --model-param min_child_samples=20; "
                f"got {pair!r}."
            )
        if name in SET_ELSEWHERE:
            raise SpecError(f"--model-param: set {name} with {SET_ELSEWHERE[name]}.")
        if name not in hints or name not in known:
            raise SpecError(
                f"--model-param: ModelSpec has no setting {name!r}.{did_you_mean(name, known)}"
            )
        out[name] = _convert(name, hints[name], text)
    return out


def model_spec_from_text(
    params: Sequence[str] = (), *, bands: str | None = None, base: ModelSpec | None = None
) -> ModelSpec:
    """A checked ModelSpec: ``base`` (default: the defaults) with ``params`` and ``bands``.

    Examples
    --------
    >>> spec = model_spec_from_text(["num_leaves=31"], bands="0.2")
    >>> spec.num_leaves, spec.risk_bands, spec.band_names
    (31, (0.2,), ('low', 'high'))
    >>> model_spec_from_text(["num_leaves=1"])
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'num_leaves' parameter of ModelSpec must be an int >= 2. Got 1 instead.
    """
    values = (base or ModelSpec()).to_dict()
    values.update(parse_model_params(params))
    if bands is not None:
        values["risk_bands"] = parse_bands(bands)
    return ModelSpec.from_dict(values)


def _convert(name: str, hint: Any, text: str) -> Any:
    """``text`` as the field's type; ModelSpec checks the value's range afterwards."""
    kinds = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if type(None) in kinds and text.lower() in {"none", ""}:
        return None
    if typing.get_origin(hint) is typing.Literal:
        return text  # ModelSpec lists the allowed names
    for kind in kinds:
        if kind is bool:
            if text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            _bad(name, "true or false", text)
        if kind is int:
            try:
                return int(text)
            except ValueError:
                _bad(name, "a whole number", text)
        if kind is float:
            try:
                return float(text)
            except ValueError:
                _bad(name, "a number", text)
    return text


def _bad(name: str, what: str, text: str) -> None:
    raise SpecError(f"--model-param {name} must be {what}; got {text!r}.")
