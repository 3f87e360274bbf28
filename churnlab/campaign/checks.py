"""Parameter checks shared by the campaign specs, with scikit-learn-shaped messages.

Every message reads "The 'name' parameter of Owner must be what. Got value instead."
"""

from __future__ import annotations

import difflib
import math
from dataclasses import fields
from typing import Any, NoReturn

import numpy as np

from churnlab.errors import SpecError


def is_number(value: object) -> bool:
    """Whether ``value`` is a finite real number (``True`` and ``False`` are not).

    >>> is_number(0.5), is_number(True), is_number(float("nan")), is_number("1")
    (True, False, False, False)
    """
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def is_nan(value: object) -> bool:
    """Whether ``value`` is a float NaN.

    >>> is_nan(float("nan")), is_nan(None), is_nan(1.0)
    (True, False, False)
    """
    return isinstance(value, float) and math.isnan(value)


def bad_parameter(name: str, owner: str, what: str, value: object) -> NoReturn:
    """Raise the :class:`~churnlab.errors.SpecError` for a bad parameter value.

    >>> bad_parameter("fraction", "ControlSpec", "a number in (0, 1)", 1.5)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'fraction' parameter of ControlSpec must be a number in (0, 1). Got 1.5 instead.
    """
    raise SpecError(f"The {name!r} parameter of {owner} must be {what}. Got {value!r} instead.")


def check_number(
    value: object,
    name: str,
    owner: str,
    *,
    low: float,
    high: float | None = None,
    low_open: bool = False,
) -> None:
    """Refuse anything but a number in ``[low, high]`` (``(low, high]`` with ``low_open``; no
    upper bound when ``high`` is None).

    >>> check_number(1.5, "acceptance", "OfferTerms", low=0.0, high=1.0, low_open=True)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'acceptance' parameter of OfferTerms must be a number in (0, 1]. Got 1.5 instead.
    >>> check_number(-1, "contact_cost", "OfferTerms", low=0.0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'contact_cost' parameter of OfferTerms must be a number >= 0. Got -1 instead.
    """
    ok = is_number(value) and (low < value if low_open else low <= value)  # type: ignore[operator]
    if ok and (high is None or value <= high):  # type: ignore[operator]
        return
    what = (
        f"a number >= {low:g}"
        if high is None
        else f"a number in {'(' if low_open else '['}{low:g}, {high:g}]"
    )
    bad_parameter(name, owner, what, value)


def check_probability(value: object, name: str, owner: str, *, high: float | None = None) -> None:
    """Refuse anything but a number in (0, 1), or in (0, ``high``] when ``high`` is given.

    >>> check_probability(0.6, "min_fraction", "ControlSpec", high=0.5)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'min_fraction' parameter of ControlSpec must be a number in (0, 0.5]. Got 0.6 instead.
    """
    if high is None:
        if not is_number(value) or not 0 < value < 1:  # type: ignore[operator]
            bad_parameter(name, owner, "a number in (0, 1)", value)
    elif not is_number(value) or not 0 < value <= high:  # type: ignore[operator]
        bad_parameter(name, owner, f"a number in (0, {high:g}]", value)


def check_power(power: object, alpha: float, owner: str) -> None:
    """Refuse a power outside (alpha, 1): a test cannot have less power than its level.

    >>> check_power(0.01, 0.05, "ControlSpec")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'power' parameter of ControlSpec must be a number in (alpha = 0.05, 1). Got 0.01 instead.
    """
    if not is_number(power) or not alpha < power < 1:  # type: ignore[operator]
        bad_parameter("power", owner, f"a number in (alpha = {alpha:g}, 1)", power)


def check_fraction(
    value: object, name: str, owner: str, *, buckets: int, auto: bool = False
) -> None:
    """Refuse a fraction outside (0, 1), or one that rounds to no bucket or to every bucket.

    >>> check_fraction(0.00001, "fraction", "ControlSpec", buckets=10_000)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'fraction' parameter of ControlSpec must be a number in [0.0001, 0.9999] (whole buckets of 10,000). Got 1e-05 instead.
    """
    options = " or 'auto'" if auto else ""
    if not is_number(value) or not 0 < value < 1:  # type: ignore[operator]
        bad_parameter(name, owner, f"a number in (0, 1){options}", value)
    if not 1 <= round(value * buckets) < buckets:  # type: ignore[operator]
        bad_parameter(
            name,
            owner,
            f"a number in [{1 / buckets:g}, {1 - 1 / buckets:g}] (whole buckets of {buckets:,})"
            f"{options}",
            value,
        )


def check_count(value: object, name: str, owner: str, *, low: int = 1) -> None:
    """Refuse anything but an int >= ``low``.

    >>> check_count(0, "n_control", "minimum_detectable_effect")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'n_control' parameter of minimum_detectable_effect must be an int >= 1. Got 0 instead.
    """
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        bad_parameter(name, owner, f"an int >= {low}", value)


def known_settings(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as keyword arguments of the dataclass ``cls``; an unknown key is an error.

    >>> from churnlab.campaign.control import ControlSpec
    >>> known_settings(ControlSpec, {"fraction": 0.2})
    {'fraction': 0.2}
    >>> known_settings(ControlSpec, {"fractoin": 0.2})
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: ControlSpec has no setting 'fractoin' (known: fraction, min_fraction, max_fraction, power, alpha). Did you mean 'fraction'?
    """
    known = [f.name for f in fields(cls)]
    unknown = [k for k in data if k not in known]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise SpecError(
            f"{cls.__name__} has no setting {unknown[0]!r} (known: {', '.join(known)}).{hint}"
        )
    return dict(data)
