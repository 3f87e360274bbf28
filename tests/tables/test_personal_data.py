"""Personal-data columns are kept apart and never offered as model inputs."""

from __future__ import annotations

import pytest

import churnlab
from churnlab.tables import looks_personal

PERSONAL = [
    "name",
    "surname",
    "phone",
    "email",
    "address",
    "id_number",
    "first_name",
    "e_mail",
    "home_address",
    "Mobile",
    "birth_date",
    "iban",
    "passport_no",
    "last_name",
]
NOT_PERSONAL = ["customer_id", "plan", "region", "monthly_fee", "renamed", "phoneme", "tenure"]


@pytest.mark.parametrize("column", PERSONAL)
def test_personal_looking_names_are_recognised(column):
    assert looks_personal(column)


@pytest.mark.parametrize("column", NOT_PERSONAL)
def test_ordinary_names_are_not_personal(column):
    assert not looks_personal(column)


def test_personal_columns_are_not_attributes(make_data):
    folder = make_data(
        {
            "customers.csv": """
                customer_id,signup_date,end_date,name,surname,phone,email,address,id_number,plan
                C1,2024-01-01,,Ann,Lee,555,a@x.cn,Main St 1,110101,basic
                """
        }
    )

    tables = churnlab.load_tables(folder)

    assert tables.personal_columns == (
        "name",
        "surname",
        "phone",
        "email",
        "address",
        "id_number",
    )
    assert tables.attribute_columns == ("plan",)
    assert tables.customers["name"].tolist() == ["Ann"]  # kept for exports


def test_personal_data_settings_add_and_remove_columns(make_data):
    folder = make_data(
        {
            "churnlab.toml": """
                [personal_data]
                columns = ["nickname"]
                not_personal = ["plan_name"]
                """,
            "customers.csv": """
                customer_id,signup_date,end_date,nickname,plan_name,email
                C1,2024-01-01,,Annie,Gold,a@x.cn
                """,
        }
    )

    tables = churnlab.load_tables(folder)

    assert tables.personal_columns == ("nickname", "email")
    assert tables.attribute_columns == ("plan_name",)
    summary = str(tables.summary())
    assert "Attributes used as features: plan_name" in summary
    assert "Personal data, never features: nickname, email" in summary
