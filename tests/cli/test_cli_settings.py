"""The label and model settings on the command line (--lookback, --lead, --grace, --bands,
--model-param), recorded in the card; help texts that keep their brackets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import SpecError
from churnlab.model.settings import model_spec_from_text, parse_bands, parse_model_params


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shop(make_data):
    """300 buyers of a shop (no end dates): monthly purchases until a random last month."""
    rng = np.random.default_rng(3)
    ids = [f"C{i:03d}" for i in range(300)]
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 60, 300), unit="D")
    last = rng.integers(3, 30, 300)
    rows = [
        (cid, start + pd.DateOffset(months=m) + pd.Timedelta(days=int(rng.integers(0, 9))), 20.0)
        for cid, start, stop in zip(ids, signup, last, strict=True)
        for m in range(int(stop))
    ]
    bills = pd.DataFrame(rows, columns=["customer_id", "bill_date", "amount"])
    customers = pd.DataFrame({"customer_id": ids, "signup_date": signup, "end_date": pd.NaT})
    return make_data({"customers.parquet": customers, "bills.parquet": bills})


SNAPSHOT = {
    "customers.csv": "customer_id,plan,Churn\n"
    + "".join(f"{i},{'ab'[i % 2]},{'Yes' if i % 3 == 0 else 'No'}\n" for i in range(40)),
    "churnlab.toml": '[snapshot]\nlabel_column = "Churn"\nas_of = "2024-01-31"\n'
    'positive_values = ["Yes"]\n',
}


def test_train_records_label_and_model_settings_in_the_card(runner, shop, tmp_path):
    out = tmp_path / "model"
    args = ["train", str(shop), "--out", str(out), "--churn-definition", "inactivity"]
    args += ["--lookback", "120", "--lead", "7", "--horizon", "60", "--bands", "0.2,0.5"]
    args += ["--model-param", "min_child_samples=5", "--model-param", "max_rounds=15"]
    args += ["--cutoffs", "2023-01-31:2023-06-30:1M"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["label_spec"] | {} == {
        "definition": "inactivity",
        "horizon_days": 60,
        "lead_days": 7,
        "lookback_days": 120,
        "grace_days": 0,
        "rejoin_key": None,
    }
    assert card["model_spec"]["risk_bands"] == [0.2, 0.5]
    assert card["model_spec"]["min_child_samples"] == 5
    assert card["model_spec"]["max_rounds"] == 15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model-param", "min_child_sample=5"], "Did you mean 'min_child_samples'?"),
        (["--model-param", "num_leaves=many"], "num_leaves must be a whole number; got 'many'"),
        (["--model-param", "num_leaves"], "takes name=value"),
        (["--model-param", "risk_bands=0.1"], "set risk_bands with --bands"),
        (["--bands", "0.3,0.1"], "does not increase"),
        (["--bands", "high"], "'high' is not a number"),
        (["--lookback", "200"], "applies to the inactivity definition only"),
        (["--grace", "30"], "needs rejoin_key"),
    ],
)
def test_bad_settings_are_usage_errors_before_any_training(runner, shop, tmp_path, args, message):
    result = runner.invoke(app, ["train", str(shop), "--out", str(tmp_path / "m"), *args])

    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "m" / "card.json").exists()


@pytest.mark.parametrize(
    "args",
    [["--churn-definition", "inactivity"], ["--lookback", "30"], ["--lead", "7"]],
)
def test_settings_a_snapshot_cannot_honour_are_refused(runner, make_data, tmp_path, args):
    folder = make_data(SNAPSHOT)

    result = runner.invoke(app, ["train", str(folder), "--out", str(tmp_path / "m"), *args])

    assert result.exit_code == 2, result.output
    assert "snapshot extract" in result.stderr
    assert "its churn flag is the label" in " ".join(result.stderr.split())


def test_features_labels_take_the_label_settings(runner, shop, tmp_path):
    out = tmp_path / "frame.csv"
    args = ["features", str(shop), "--out", str(out), "--labels", "--as-of", "2023-03-31"]
    args += ["--churn-definition", "inactivity", "--lookback", "400"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out)
    args[-1] = "30"
    assert runner.invoke(app, [*args[:3], str(tmp_path / "n.csv"), *args[4:]]).exit_code == 0
    assert len(pd.read_csv(tmp_path / "n.csv")) < len(wide)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.1", (0.1,)), ("0.1,0.3", (0.1, 0.3)), (" 0.05 , 0.2 , 0.6 ", (0.05, 0.2, 0.6))],
)
def test_bands_read_as_increasing_probabilities(text, expected):
    assert parse_bands(text) == expected
    assert model_spec_from_text(bands=text).risk_bands == expected


@pytest.mark.parametrize("text", ["0,0.5", "0.1,1", "0.1,0.2,0.3,0.4", "", "0.2,0.2"])
def test_bands_out_of_range_are_refused(text):
    with pytest.raises(SpecError, match="--bands takes 1 to 3 increasing churn probabilities"):
        parse_bands(text)


def test_model_params_are_typed_from_the_spec():
    assert parse_model_params(
        ["negative_sample=none", "calibration=platt", "search=no", "lambda_l2=2"]
    ) == {"negative_sample": None, "calibration": "platt", "search": False, "lambda_l2": 2.0}
    with pytest.raises(SpecError, match="'calibration' parameter of ModelSpec must be one of"):
        model_spec_from_text(["calibration=sigmoid"])


@pytest.mark.parametrize(
    ("command", "section"),
    [
        ("validate", "[columns.customers]"),
        ("validate", "[data]"),
        ("validate", "[files]"),
        ("validate", "[snapshot]"),
    ],
)
def test_help_keeps_bracketed_section_names(runner, command, section):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)

    assert result.exit_code == 0
    assert section in result.output


def test_no_help_text_loses_its_brackets(runner):
    """Every command's help shows each bracketed word its docstring and options hold."""
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert {"validate", "train", "features", "score"} <= set(commands)
    for name, command in commands.items():
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        words = {w for text in texts for w in text.split() if w.startswith("[")}
        shown = " ".join(runner.invoke(app, [name, "--help"], terminal_width=300).output.split())
        for word in words:
            assert word.rstrip(".,;:") in shown, (name, word)
