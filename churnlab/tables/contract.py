"""The input data contract: which tables exist, their columns and their types.

A data directory holds one file per table (``customers.parquet`` or ``customers.csv`` ...).
Only ``customers`` is required; ``bills``, ``complaints`` and ``service_events`` are optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

CONTRACTS: dict[str, TableContract] = {
    c.name: c for c in (CUSTOMERS, BILLS, COMPLAINTS, SERVICE_EVENTS)
}
EVENT_TABLES = ("bills", "complaints", "service_events")
FILE_SUFFIXES = (".parquet", ".csv")

# Column names that look like personal data: never used as model features.
PERSONAL_DATA_PATTERN = re.compile(
    r"(^|_)(name|first_?name|last_?name|surname|full_?name|phone|mobile|telephone|e_?mail|"
    r"address|street|postcode|zip_?code|id_?number|id_?card|national_?id|passport|ssn|"
    r"birth_?date|date_of_birth|iban|account_?number)($|_)",
    re.IGNORECASE,
)


def looks_personal(column: str) -> bool:
    """Tell whether a column name looks like personal data.

    Examples
    --------
    >>> looks_personal("email"), looks_personal("last_name"), looks_personal("customer_id")
    (True, True, False)
    """
    return bool(PERSONAL_DATA_PATTERN.search(column))
