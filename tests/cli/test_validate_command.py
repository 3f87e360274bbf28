"""`churnlab validate DATA_DIR [--config F]`: summary, every problem, exit 0 / 1 / 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.tables.problems import WHAT_TO_DO

CUSTOMERS = "customer_id,signup_date,end_date\n007,2024-01-01,\n008,2024-01-02,2024-03-01\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_clean_data_exit_0_with_the_summary(runner, make_data):
    folder = make_data({"customers.csv": CUSTOMERS})

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"churnlab data in {folder}\n")
    assert "2 customers: 1 active and 1 churned by the extract date 2024-03-01" in result.stdout
    assert result.stdout.rstrip().endswith(f"churnlab found no problems in {folder}.")
    assert result.stderr == ""


def test_data_problems_exit_1_listing_every_problem_on_stderr(runner, make_data):
    folder = make_data(
        {
            "customers.csv": CUSTOMERS + "007,2024-01-05,\n",
            "bills.csv": "customer_id,bill_date,amount\n007,2024-02-01,n/a\n999,2024-02-01,5\n",
        }
    )

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 1
    assert f"churnlab data in {folder}" in result.stdout  # what was read is still summarised
    errors = result.stderr.splitlines()
    assert errors[0] == f"churnlab found 3 problems in {folder} (2 tables):"
    lines = {line.split()[0]: line for line in errors[1:4]}
    assert list(lines) == ["bills.amount", "customers.customer_id", "bills.customer_id"]
    assert "duplicate customer_id" in lines["customers.customer_id"]
    assert "customer not in customers" in lines["bills.customer_id"]
    assert lines["bills.customer_id"].endswith("e.g. 999")
    assert "not a number" in lines["bills.amount"]
    assert errors[-1] == WHAT_TO_DO


def test_unreadable_customers_exit_1_without_a_summary(runner, make_data):
    folder = make_data({"customers.csv": ""})

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "customers.csv is empty" in result.stderr


def test_a_missing_folder_exits_2_naming_it(runner, tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert f"the data folder {tmp_path / 'nowhere'} does not exist" in result.stderr


def test_a_bad_churnlab_toml_exits_2_with_a_hint(runner, make_data):
    folder = make_data({"churnlab.toml": "[dat]\n", "customers.csv": CUSTOMERS})

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: Unknown section 'dat' in churnlab.toml. Did you mean 'data'?\n"


def test_an_explicit_config_is_used(runner, make_data):
    folder = make_data(
        {
            "customers.txt": "customer_id;signup_date;end_date\n007;01.01.2024;\n",
            "churnlab.toml": "[dat]\n",  # ignored: --config replaces it
        }
    )
    config = make_data(
        {
            "settings.toml": """
                [data]
                delimiter = ";"
                date_format = "%d.%m.%Y"
                extract_date = "2024-06-30"
                [files]
                customers = "customers.txt"
                """
        },
        folder="cfg",
    )

    result = runner.invoke(
        app, ["validate", str(folder), "--config", str(config / "settings.toml")]
    )

    assert result.exit_code == 0, result.output
    assert "by the extract date 2024-06-30 (config)" in result.stdout


def test_a_missing_config_file_exits_2(runner, make_data):
    folder = make_data({"customers.csv": CUSTOMERS})

    result = runner.invoke(app, ["validate", str(folder), "--config", str(folder / "nope.toml")])

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Cannot read ")
    assert "nope.toml" in result.stderr


def test_repairs_are_listed_in_the_summary_not_as_python_warnings(runner, make_data):
    folder = make_data({"customers.csv": "customer_id,signup_date,end_date\n 007 ,2024-01-01,\n"})

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    assert "Repaired: customers.customer_id: trimmed spaces around 1 id" in result.stdout
    assert "DataRepairWarning" not in result.output


def test_chinese_text_is_printed_intact(runner, make_data):
    folder = make_data(
        {"customers.csv": "customer_id,signup_date,end_date,地区\n1,2024-01-01,,华东\n"}
    )

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    assert "Attributes used as features: 地区" in result.stdout


def test_a_missing_argument_is_a_usage_error(runner):
    result = runner.invoke(app, ["validate"])

    assert result.exit_code == 2
    assert "missing argument 'data_dir'" in result.output.lower()


def test_help_states_the_exit_codes(runner):
    result = runner.invoke(app, ["validate", "--help"])

    assert result.exit_code == 0
    assert "Exits 0 when the data are clean, 1 when there are problems, 2 on a usage error" in (
        " ".join(result.stdout.split())
    )
