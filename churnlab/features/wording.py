"""A feature's value in words, in English or Chinese: the text of a reason.

Each :class:`~churnlab.features.Feature` carries ``texts``: per language (``en``, ``zh``), a
text per form. The form is chosen by the value:

- ``missing`` when there is no value (no complaint on record, a ratio of nothing);
- ``zero`` when the value is 0 and the feature has such a form;
- else the language's plural category of the number (``one`` or ``other`` in English; Chinese
  has only ``other``), from CLDR's rules through Babel; ``other`` when the form is missing.

Texts are :meth:`str.format` templates. ``{value}`` and ``{typical}`` are formatted by the
feature's ``unit`` (``count``, ``money``, ``days``, ``months``, ``minutes``, ``ratio``,
``number``, ``category``); ``{direction}`` and ``{pct_change}`` describe a ratio (up 40%);
any other feature of the same row may be named too (``{open_complaint_age_days_max}``).
A feature without a text in a language (one of your own) is written with its ``template``
in English and refused in other languages, with the fix in the message.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from babel import Locale

from churnlab.errors import SpecError

if TYPE_CHECKING:
    from churnlab.features.family import Feature

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")
Unit = Literal["count", "money", "days", "months", "minutes", "ratio", "number", "category"]
UNITS: tuple[str, ...] = (
    "count",
    "money",
    "days",
    "months",
    "minutes",
    "ratio",
    "number",
    "category",
)
_LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
_DIRECTION = {"en": ("up", "down"), "zh": ("上升", "下降")}
_TYPICAL = {"en": " (typical customer: {typical})", "zh": "（典型客户：{typical}）"}
_UNKNOWN = {"en": "{description}: unknown", "zh": "{description}：未知"}


def check_language(language: str) -> Language:
    """The language, checked.

    >>> check_language("zh")
    'zh'
    >>> check_language("fr")
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'language' must be one of en, zh. Got 'fr' instead.
    """
    if language not in LANGUAGES:
        raise SpecError(
            f"The 'language' must be one of {', '.join(LANGUAGES)}. Got {language!r} instead."
        )
    return language  # type: ignore[return-value]


def is_missing(value: object) -> bool:
    """Whether a value is missing (``None``, NaN, ``pd.NA``)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT")


def format_value(value: object, unit: str, language: str) -> str:
    """A value as a reason shows it, by unit.

    English and Chinese (zh_CN) write numbers alike (``1,234.50``), so Python's own format
    specifications write both (Babel's formatter took 20 times as long, for reasons written by
    the hundred thousand).

    >>> format_value(1234.5, "money", "en"), format_value(3.0, "count", "zh")
    ('1,234.50', '3')
    >>> format_value(1.4, "ratio", "en"), format_value(0.65, "ratio", "en")
    ('+40%', '-35%')
    >>> format_value(2.0, "months", "en"), format_value(2.54, "months", "en")
    ('2', '2.5')
    """
    if is_missing(value):
        return "–"
    if unit == "category":
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if unit == "ratio":
        change = number - 1.0
        return f"{'+' if change >= 0 else '-'}{abs(change):.0%}"
    if unit == "money":
        return f"{number:,.2f}"
    if unit in ("months", "number"):
        digits = 1 if unit == "months" else 2
        text = f"{number:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{number:,.0f}"


@functools.cache
def _plural_rule(language: str) -> Callable[[float], str]:
    """CLDR's plural rule of a language, from Babel."""
    return Locale.parse(_LOCALES[language]).plural_form  # type: ignore[no-any-return]


def _form(feature: Feature, value: object, forms: Mapping[str, str], language: str) -> str:
    if is_missing(value):
        return "missing"
    if feature.unit == "category":
        return "other"
    number = abs(float(value))  # type: ignore[arg-type]
    if number == 0 and "zero" in forms:
        return "zero"
    if number != math.floor(number):
        return "other"
    return _plural_rule(language)(number)


def texts_of(feature: Feature, language: str) -> Mapping[str, str]:
    """The feature's texts in ``language`` (its English ``template`` when it has none).

    Raises
    ------
    SpecError
        The feature has no text in that language.
    """
    check_language(language)
    if language in feature.texts:
        return feature.texts[language]
    if language == "en" and feature.template:
        return {"other": feature.template}
    raise SpecError(
        f"The feature {feature.name!r} (family {feature.family!r}) has no reason text in "
        f"{language!r}: add texts={{{language!r}: {{'other': '...'}}}} to its Feature entry, "
        "or use language='en'."
    )


def describe(
    feature: Feature,
    value: object,
    *,
    language: str = "en",
    typical: object = None,
    row: Mapping[str, object] | None = None,
    others: Mapping[str, Feature] | None = None,
) -> str:
    """The reason a feature's value gives, in words, with the typical value when given.

    ``row`` holds the other features' values of the same customer (``others`` their entries),
    for texts that name them.

    >>> from churnlab.features import get_feature
    >>> f = get_feature("failures_30d")
    >>> describe(f, 4, typical=0)
    '4 service failures in the last 30 days (typical customer: 0)'
    >>> describe(f, 1)
    '1 service failure in the last 30 days'
    >>> describe(f, 2, language="zh", typical=0)
    '近30天服务故障2次（典型客户：0）'
    >>> describe(get_feature("spend_ratio_3m"), 1.4)
    'spend up 40% on the previous quarter'
    >>> describe(get_feature("days_since_complaint"), float("nan"))
    'no complaint on record'
    """
    forms = texts_of(feature, language)
    form = _form(feature, value, forms, language)
    if form == "missing" and "missing" not in forms:
        return _UNKNOWN[language].format(description=feature.description)
    text = forms.get(form) or forms.get("other") or next(iter(forms.values()))
    if language in feature.texts:
        fields = _fields(feature, value, language, row or {}, others or {})
    else:  # a bare English template: numbers with their own format specs, as written
        fields = _raw_fields(feature, value)
    try:
        out = string.Formatter().vformat(text, (), _Fields(fields))
    except KeyError:
        if language != "en" or text == feature.template:
            raise SpecError(
                f"The reason text of feature {feature.name!r} names another feature that this "
                f"row lacks: {text!r}. Pass the row's values (row=..., others=...)."
            ) from None
        # Without the other feature's value (a reason outside a row): the plain template.
        out = string.Formatter().vformat(feature.template, (), _Fields(_raw_fields(feature, value)))
    except (ValueError, IndexError, AttributeError) as exc:
        raise SpecError(
            f"The reason text of feature {feature.name!r} cannot be filled in ({exc!r}): "
            f"{text!r}. Use {{value}}, {{typical}}, {{direction}}, {{pct_change}} or another "
            "feature's name."
        ) from None
    if typical is not None and not is_missing(typical) and form != "missing":
        out += _TYPICAL[language].format(typical=format_value(typical, feature.unit, language))
    return out


def _fields(
    feature: Feature,
    value: object,
    language: str,
    row: Mapping[str, object],
    others: Mapping[str, Feature],
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        name: format_value(v, others[name].unit, language)
        for name, v in row.items()
        if name in others
    }
    fields["value"] = format_value(value, feature.unit, language)
    fields["description"] = feature.description
    if feature.unit == "ratio" and not is_missing(value):
        number = float(value)  # type: ignore[arg-type]
        up, down = _DIRECTION[language]
        fields["direction"] = up if number >= 1 else down
        fields["pct_change"] = f"{abs(number - 1):.0%}"
    return fields


def _raw_fields(feature: Feature, value: object) -> dict[str, Any]:
    if feature.unit == "category":
        return {"value": value}
    number = float(value)  # type: ignore[arg-type]
    return {
        "value": number,
        "direction": "up" if number >= 1 else "down",
        "pct_change": abs(number - 1),
    }


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)
