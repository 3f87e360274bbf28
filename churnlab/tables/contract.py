"""The input data contract: which tables exist, their columns and their types.

A data directory holds one file per table (``customers.parquet`` or ``customers.csv`` ...).
Only ``customers`` is required; ``bills``, ``complaints``, ``service_events`` and ``orders``
(order lines, loaded as bills) are optional.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

ID = "id"
DATE = "date"
NUMBER = "number"
TEXT = "text"


@dataclass(frozen=True, kw_only=True)
class TableContract:
    """Columns one input table must or may have, with the kind of each."""

    name: str
    required: dict[str, str]
    optional: dict[str, str]
    date_column: str | None
    """The column that dates a row (events after the extract date are rejected)."""

    @property
    def columns(self) -> dict[str, str]:
        return {**self.required, **self.optional}


CUSTOMERS = TableContract(
    name="customers",
    required={"customer_id": ID, "signup_date": DATE, "end_date": DATE},
    optional={},
    date_column="signup_date",
)
BILLS = TableContract(
    name="bills",
    required={"customer_id": ID, "bill_date": DATE, "amount": NUMBER},
    optional={"due_date": DATE, "paid_date": DATE, "recorded_at": DATE},
    date_column="bill_date",
)
COMPLAINTS = TableContract(
    name="complaints",
    required={"customer_id": ID, "opened_at": DATE, "category": TEXT},
    optional={"resolved_at": DATE, "channel": TEXT, "recorded_at": DATE},
    date_column="opened_at",
)
SERVICE_EVENTS = TableContract(
    name="service_events",
    required={"customer_id": ID, "occurred_at": DATE, "kind": TEXT},
    optional={"duration_minutes": NUMBER, "recorded_at": DATE},
    date_column="occurred_at",
)

ORDERS = TableContract(
    name="orders",
    required={"customer_id": ID, "ordered_at": DATE, "amount": NUMBER},
    optional={"order_id": TEXT, "quantity": NUMBER, "kind": TEXT, "recorded_at": DATE},
    date_column="ordered_at",
)
"""An online shop's order lines, which churnlab makes bills (:mod:`churnlab.tables.orders`)."""

CONTRACTS: dict[str, TableContract] = {
    c.name: c for c in (CUSTOMERS, BILLS, COMPLAINTS, SERVICE_EVENTS, ORDERS)
}
EVENT_TABLES = ("bills", "complaints", "service_events")
FILE_SUFFIXES = (".parquet", ".csv")

# Column names that look like personal data: never used as model features. Names are
# normalised first (:func:`_words`): camel case, spaces, hyphens and dots become underscores.
PERSONAL_DATA_PATTERN = re.compile(
    r"(^|_)(name|first_?name|last_?name|given_?name|family_?name|surname|full_?name|nickname|"
    r"phone|mobile|cell_?phone|telephone|tel|fax|e_?mail|mail_?address|"
    r"address|street|postcode|post_?code|zip_?code|zip|id_?number|id_?card|id_?no|"
    r"national_?id|passport|ssn|social_?security|tax_?id|"
    r"birth_?date|birthday|date_?of_?birth|dob|iban|account_?number|card_?number|ip_?address)"
    r"($|_)",
    re.IGNORECASE,
)
PERSONAL_DATA_WORDS = (
    "姓名",
    "名字",
    "电话",
    "手机",
    "邮箱",
    "邮件",
    "地址",
    "住址",
    "身份证",
    "证件号",
    "生日",
    "出生",
    "护照",
    "银行卡",
)
"""Chinese words for personal data, found anywhere in a column name."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\s\-.·/]+")


def _words(column: str) -> str:
    """A column name as lower-case words joined by ``_``: ``"E-Mail"`` -> ``"e_mail"``,
    ``"CustomerName"`` -> ``"customer_name"``."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", column.strip())).lower()


def looks_personal(column: str) -> bool:
    """Tell whether a column name looks like personal data.

    Names are read as words whatever their case or separators (``"Customer Name"``,
    ``"E-Mail"``, ``CustomerName``, ``"dob"``), in English and Chinese (``姓名``, ``电话``,
    ``手机``, ``邮箱``, ``地址``, ``身份证``, ``生日`` ...).

    Examples
    --------
    >>> looks_personal("email"), looks_personal("last_name"), looks_personal("customer_id")
    (True, True, False)
    >>> [looks_personal(c) for c in ("Customer Name", "E-Mail", "MobileNumber", "DOB", "客户姓名")]
    [True, True, True, True, True]
    >>> looks_personal("plan"), looks_personal("region"), looks_personal("monthly_fee")
    (False, False, False)
    """
    if any(word in column for word in PERSONAL_DATA_WORDS):
        return True
    return bool(PERSONAL_DATA_PATTERN.search(_words(column)))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_NUMBER = re.compile(r"^(\d{17}[\dXx]|\d{3}-\d{2}-\d{4}|[A-Z]{1,2}\d{7,9})$")
_PHONE = re.compile(r"^(\+|00)?[\d ().-]+$")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$")
_AMOUNT = re.compile(r"^-?\d+([.,]\d{1,2})?$|^-?\d+[.,]\d+$")


def _is_phone(value: str) -> bool:
    """7 to 15 digits, with ``+``, spaces, dots, dashes or brackets; not a date or an amount
    (``2024-01-31``, ``1234.50``); bare digits (``13800138000``) count."""
    digits = sum(c.isdigit() for c in value)
    if not 7 <= digits <= 15 or _PHONE.match(value) is None or _DATE.match(value):
        return False
    return value.isdigit() or value.startswith("+") or _AMOUNT.match(value) is None


VALUE_SHAPES: dict[str, Callable[[str], bool]] = {
    "e-mail addresses": lambda value: _EMAIL.match(value) is not None,
    "id numbers": lambda value: _ID_NUMBER.match(value) is not None,
    "phone numbers": _is_phone,
}
"""Shapes of personal values: e-mails; Chinese resident ids, US social security numbers and
passport-like numbers; phone numbers (7 to 15 digits, with ``+``, spaces, dots, dashes or
brackets, not a date or a decimal amount)."""
SHAPE_SAMPLE = 200
"""How many distinct values of a column :func:`personal_values` looks at."""
SHAPE_SHARE = 0.5
"""The share of those values that must have one shape for the column to count as personal."""


def personal_values(values: Iterable[object]) -> str | None:
    """What kind of personal data ``values`` hold, by their shape, or ``None``.

    The first :data:`SHAPE_SAMPLE` distinct text values are read; when at least
    :data:`SHAPE_SHARE` of them have one of the :data:`VALUE_SHAPES`, the column is personal
    data whatever its name (``contact``, ``备注`` ...). Integers count from 9 digits (phone and
    id numbers read as numbers: ``13800138000``); other numbers never count.

    Examples
    --------
    >>> personal_values(["ann@example.com", "bo@example.org", None])
    'e-mail addresses'
    >>> personal_values(["+1-555-148-8272", "+86 138 0013 8000"])
    'phone numbers'
    >>> personal_values(["110105199003071234"]), personal_values(["basic", "premium"])
    ('id numbers', None)
    >>> personal_values(["2024-01-31", "1234.50", "12,5"]), personal_values(["13800138000"])
    (None, 'phone numbers')
    >>> personal_values([13800138000, 13900139000]), personal_values([12, 30, 1500])
    ('phone numbers', None)
    """
    seen: set[str] = set()
    for value in values:
        if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
            # Phone and id numbers read as integers (13800138000): 9 digits or more.
            value = str(value) if abs(int(value)) >= 10**8 else ""
        if isinstance(value, str) and value.strip():
            seen.add(value.strip())
            if len(seen) >= SHAPE_SAMPLE:
                break
    if not seen:
        return None
    for kind, shape in VALUE_SHAPES.items():
        if sum(1 for value in seen if shape(value)) >= SHAPE_SHARE * len(seen):
            return kind
    return None
