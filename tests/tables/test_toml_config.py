"""churnlab.toml: column mapping, file names, CSV dialects, and errors with a "did you mean"."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import churnlab
from churnlab import ConfigError, DataConfig
from churnlab.tables import check_data, read_config

CUSTOMERS = "customer_id,signup_date,end_date\nC1,2024-01-01,\n"


def test_columns_files_and_a_csv_dialect_are_mapped_onto_the_contract(make_data):
    folder = make_data(
        {
            "churnlab.toml": """
                [data]
                delimiter = ";"
                decimal = ","
                date_format = "%d.%m.%Y"

                [files]
                customers = "clients.csv"
                bills = "rechnungen.csv"

                [columns.customers]
                customer_id = "CustID"
                signup_date = "Start"
                end_date = "Ende"

                [columns.bills]
                customer_id = "Kunde"
                bill_date = "Datum"
                amount = "Betrag"
                """,
            "clients.csv": """
                CustID;Start;Ende;monthly_fee
                001;05.01.2024;;1.234,50
                002;06.02.2024;31.03.2024;7,25
                """,
            "rechnungen.csv": "Kunde;Datum;Betrag\n001;01.02.2024;12,5\n002;01.03.2024;0,99\n",
        }
    )

    tables = churnlab.load_tables(folder)

    expected_customers = pd.DataFrame(
        {
            "customer_id": ["001", "002"],
            "signup_date": pd.to_datetime(["2024-01-05", "2024-02-06"]).astype("datetime64[us]"),
            "end_date": pd.to_datetime([None, "2024-03-31"]).astype("datetime64[us]"),
            "monthly_fee": [1234.5, 7.25],
        }
    )
    pd.testing.assert_frame_equal(tables.customers, expected_customers)
    assert tables.bills["customer_id"].tolist() == ["001", "002"]
    assert tables.bills["bill_date"].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-03-01"),
    ]
    assert tables.bills["amount"].tolist() == [12.5, 0.99]


def test_a_missing_mapped_column_names_the_users_column(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[columns.customers]\ncustomer_id = "CustID"\n',
            "customers.csv": "Cust_ID,signup_date,end_date\nC1,2024-01-01,\n",
        }
    )

    (problem,) = check_data(folder).problems

    assert problem.where == "customers.customer_id"
    assert problem.check == (
        "[columns.customers] customer_id = 'CustID' names no column of the file "
        "(closest: Cust_ID); fix the name in churnlab.toml"
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[dta]\n", "Unknown section 'dta' in churnlab.toml. Did you mean 'data'?"),
        (
            '[data]\nextract_dat = "2024-06-30"\n',
            "Unknown setting in [data] 'extract_dat' in churnlab.toml. "
            "Did you mean 'extract_date'?",
        ),
        (
            '[files]\ncustomer = "c.csv"\n',
            "Unknown setting in [files] 'customer' in churnlab.toml. Did you mean 'customers'?",
        ),
        (
            '[columns.bill]\namount = "Total"\n',
            "Unknown setting in [columns] 'bill' in churnlab.toml. Did you mean 'bills'?",
        ),
        (
            '[columns.customers]\nsignup = "Start"\n',
            "Unknown column of customers in [columns.customers] 'signup' in churnlab.toml. "
            "Did you mean 'signup_date'?",
        ),
        (
            '[snapshot]\nlabel_colum = "Exited"\n',
            "Unknown setting in [snapshot] 'label_colum' in churnlab.toml. "
            "Did you mean 'label_column'?",
        ),
        (
            "[zzz]\n",
            "Unknown section 'zzz' in churnlab.toml. Known: checks, columns, data, engine, files,",
        ),
    ],
)
def test_an_unknown_name_is_a_config_error_with_a_hint(make_data, toml, message):
    folder = make_data({"churnlab.toml": toml, "customers.csv": CUSTOMERS})

    with pytest.raises(ConfigError, match="^" + re.escape(message)):
        check_data(folder)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[data]\ndelimiter = ";;"\n', r"\[data\] delimiter must be one character, got ';;'\."),
        ('[data]\ndecimal = "_"\n', r"\[data\] decimal must be '\.' or ',', got '_'\."),
        (
            '[data]\nextract_date = "soon"\n',
            r"The '\[data\] extract_date' date must be written YYYY-MM-DD, like 2025-06-30\. "
            r"Got 'soon' instead\.",
        ),
        (
            "[snapshot]\nas_of = 2024-06-30\n",
            r"\[snapshot\] needs label_column, the churn flag column",
        ),
        (
            '[snapshot]\nlabel_column = "Exited"\nid = "row"\n',
            r"\[snapshot\] id = 'row' is not known",
        ),
        (
            '[snapshot]\nlabel_column = "Exited"\nas_of = 2024-06-30\npositive_values = "1"\n',
            r"\[snapshot\] positive_values must be a list of strings, got '1'\.",
        ),
        ('[personal_data]\ncolumns = "nickname"\n', r"\[personal_data\] columns must be a list"),
        ("data = 1\n", r"\[data\] in churnlab.toml must be a table of settings"),
        ("[data\n", r"Cannot read .*churnlab.toml"),
    ],
)
def test_a_bad_value_is_a_config_error(make_data, toml, message):
    folder = make_data({"churnlab.toml": toml, "customers.csv": CUSTOMERS})

    with pytest.raises(ConfigError, match=message):
        check_data(folder)


def test_a_config_error_is_not_a_data_error(make_data):
    folder = make_data({"churnlab.toml": "[dta]\n", "customers.csv": CUSTOMERS})

    with pytest.raises(ConfigError, match="Unknown section 'dta'") as caught:
        churnlab.load_tables(folder)

    assert not isinstance(caught.value, churnlab.DataError)
    assert isinstance(caught.value, churnlab.ChurnlabError)


def test_an_explicit_config_path_replaces_the_one_in_the_folder(make_data):
    folder = make_data(
        {
            "churnlab.toml": '[data]\nextract_date = "2024-01-31"\n',
            "customers.csv": CUSTOMERS,
            "bills.csv": "customer_id,bill_date,amount\nC1,2024-02-01,10\n",
        }
    )
    elsewhere = make_data({"settings.toml": '[data]\nextract_date = "2024-06-30"\n'}, folder="cfg")

    assert [p.check for p in check_data(folder).problems] == [
        "dated after the extract date 2024-01-31"
    ]
    report = check_data(folder, config=elsewhere / "settings.toml")
    assert report.ok
    assert report.tables.extract_date == pd.Timestamp("2024-06-30")
    assert report.tables.extract_date_source == "config"


def test_a_missing_explicit_config_path_is_a_config_error(make_data):
    folder = make_data({"customers.csv": CUSTOMERS})

    with pytest.raises(ConfigError, match=r"Cannot read .*nope\.toml"):
        check_data(folder, config=folder / "nope.toml")


def test_a_config_object_can_be_passed_directly(make_data):
    folder = make_data({"customers.txt": "customer_id|signup_date|end_date\nC1|2024-01-01|\n"})
    config = DataConfig(delimiter="|", files={"customers": "customers.txt"})

    tables = churnlab.load_tables(folder, config=config)

    assert tables.customers["customer_id"].tolist() == ["C1"]


def test_a_config_object_rejects_an_unknown_table():
    with pytest.raises(
        ConfigError, match=r"Unknown table 'customer' in churnlab\.toml\. Did you mean"
    ):
        DataConfig(files={"customer": "c.csv"})


def test_settings_round_trip_to_json(make_data):
    folder = make_data(
        {
            "churnlab.toml": """
                [data]
                extract_date = 2024-06-30
                [snapshot]
                label_column = "Exited"
                as_of = "2024-06-30"
                positive_values = ["Yes"]
                """
        }
    )

    config = read_config(folder / "churnlab.toml")
    settings = json.loads(json.dumps(config.to_dict()))

    assert settings["extract_date"] == "2024-06-30"
    assert settings["snapshot"]["as_of"] == "2024-06-30"
    assert settings["snapshot"]["positive_values"] == ["yes"]
    assert settings["path"] == str(folder / "churnlab.toml")
