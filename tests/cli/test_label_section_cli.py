"""The commands that build labels read ``[label]`` from churnlab.toml; an option given on the
command line wins; a bad section is one message and exit 2; the shop demo trains as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shop") / "shop"
    args = ["demo-data", str(out), "--kind", "shop", "--customers", "300", "--months", "12"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def test_the_shop_demo_writes_its_definition_into_the_label_section(shop):
    assert '[label]\ndefinition = "inactivity"\n' in (shop / "churnlab.toml").read_text()


def test_the_shop_demo_trains_without_churn_definition(shop, tmp_path):
    result = CliRunner().invoke(app, ["train", str(shop), "--out", str(tmp_path / "m")])

    assert result.exit_code == 0, result.output
    assert "feature families: tenure, spend, purchases, attributes" in result.stdout
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["label_spec"]["definition"] == "inactivity"
    assert card["families"] == ["tenure", "spend", "purchases", "attributes"]


def test_an_option_on_the_command_line_wins_over_the_label_section(shop, tmp_path):
    out = tmp_path / "f.parquet"
    args = ["features", str(shop), "--out", str(out), "--labels", "--cutoffs"]
    args += ["2023-06-30:2023-06-30:1M"]

    by_file = CliRunner().invoke(app, [*args, "--horizon", "60"])
    churned_by_file = int(pd.read_parquet(out)["churned"].sum())
    contract = CliRunner().invoke(app, [*args, "--churn-definition", "contract"])

    assert by_file.exit_code == 0 and contract.exit_code == 0, by_file.output + contract.output
    assert churned_by_file > 0
    assert int(pd.read_parquet(out)["churned"].sum()) == 0  # no end dates: none by contract


def test_a_bad_label_section_is_one_message_and_exit_2(make_data, tmp_path):
    folder = make_data(
        {
            "customers.csv": "customer_id,signup_date,end_date\n1,2023-01-01,\n",
            "churnlab.toml": '[label]\ndefinition = "lapsed"\n',
        }
    )

    result = CliRunner().invoke(app, ["train", str(folder), "--out", str(tmp_path / "m")])

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "[label] definition = 'lapsed' in churnlab.toml is not a churn definition" in message
    assert 'Use "contract"' in message and '"inactivity"' in message
    assert "Traceback" not in result.output
