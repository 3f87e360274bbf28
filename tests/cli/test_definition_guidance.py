"""Which churn definition fits: said by validate with its numbers, suggested where the default
finds no churner, and a look-back that leaves out most customers is warned about."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import PopulationWarning
from churnlab.tables import load_tables
from churnlab.tables.churn_definition import fitting_definition


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _shop(n: int = 120) -> dict[str, pd.DataFrame]:
    """A shop: no end dates, purchases every month or so until a random last month."""
    rng = np.random.default_rng(8)
    ids = [f"S{i:03d}" for i in range(n)]
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    stops = rng.integers(2, 30, n)
    rows = [
        (cid, start + pd.DateOffset(months=m) + pd.Timedelta(days=int(rng.integers(0, 5))), 9.0)
        for cid, start, stop in zip(ids, signup, stops, strict=True)
        for m in range(int(stop))
    ]
    return {
        "customers.parquet": pd.DataFrame(
            {"customer_id": ids, "signup_date": signup, "end_date": pd.NaT}
        ),
        "bills.parquet": pd.DataFrame(rows, columns=["customer_id", "bill_date", "amount"]),
    }


CONTRACT = (
    "customer_id,signup_date,end_date\n1,2023-01-01,\n2,2023-01-05,2023-06-01\n3,2023-02-01,\n"
)
SNAPSHOT = {
    "customers.csv": "customer_id,Churn\n1,Yes\n2,No\n3,No\n4,No\n",
    "churnlab.toml": '[snapshot]\nlabel_column = "Churn"\nas_of = "2024-01-31"\n'
    'positive_values = ["Yes"]\n',
}


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (
            {"customers.csv": CONTRACT},
            "Churn definition: contract, because 1 of 3 customers (33%) have an end date",
        ),
        (
            SNAPSHOT,
            "Churn definition: snapshot, because the extract flags its churners itself (Churn): "
            "1 of 4 customers (25%)",
        ),
        (
            {"customers.csv": "customer_id,signup_date,end_date\n1,2023-01-01,\n"},
            "Churn definition: none fits, because no customer has an end date and there are no "
            "bills",
        ),
    ],
)
def test_validate_says_which_definition_fits_and_why(runner, make_data, files, said):
    result = runner.invoke(app, ["validate", str(make_data(files))])

    assert result.exit_code == 0, result.output
    assert said in " ".join(result.stdout.split())


def test_a_shop_is_told_to_use_inactivity_with_its_purchase_rhythm(runner, make_data):
    folder = make_data(_shop())

    result = runner.invoke(app, ["validate", str(folder)])

    out = " ".join(result.stdout.split())
    assert (
        "Churn definition: inactivity, because no customer has an end date, and 120 of 120" in out
    )
    assert "median gap between purchases 3" in out
    assert "Use --churn-definition inactivity" in out
    fit = fitting_definition(load_tables(folder))
    assert fit.definition == "inactivity"


def test_no_churner_by_contract_on_a_shop_suggests_inactivity(runner, make_data, tmp_path):
    folder = make_data(_shop())

    result = runner.invoke(app, ["train", str(folder), "--out", str(tmp_path / "m")])

    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert "The training frame has 0 churners" in message
    assert "use --churn-definition inactivity" in message


def test_no_churner_without_bills_does_not_suggest_inactivity(runner, make_data, tmp_path):
    rows = "".join(f"{i},2023-01-0{1 + i % 9},\n" for i in range(30)) + "99,2023-01-01,2023-09-01\n"
    folder = make_data({"customers.csv": "customer_id,signup_date,end_date\n" + rows})

    result = runner.invoke(
        app,
        [
            "train",
            str(folder),
            "--out",
            str(tmp_path / "m"),
            "--cutoffs",
            "2023-02-28:2023-03-31:1M",
        ],
    )

    assert result.exit_code == 1, result.output
    assert "The training frame has 0 churners" in result.stderr
    assert "inactivity" not in result.stderr


def test_a_look_back_that_leaves_out_most_customers_is_warned(make_data):
    from churnlab.features import build_training_frame
    from churnlab.labels import LabelSpec

    folder = make_data(_shop())
    short = LabelSpec(definition="inactivity", lookback_days=10, horizon_days=60)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = build_training_frame(folder, short, cutoffs=["2023-03-31"], progress=False)

    said = [str(w.message) for w in caught if w.category is PopulationWarning]
    assert len(said) == 1
    left = 120 - len(frame.frame)
    assert f"leaves out {left:,} of the 120 customers signed up by then" in said[0]
    assert "--lookback 20 (LabelSpec(lookback_days=20))" in said[0]


def test_a_look_back_that_keeps_most_customers_is_not_warned(make_data):
    from churnlab.features import build_training_frame
    from churnlab.labels import LabelSpec

    folder = make_data(_shop())
    spec = LabelSpec(definition="inactivity", lookback_days=365, horizon_days=60)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_training_frame(folder, spec, cutoffs=["2022-12-31"], progress=False)

    assert not [w for w in caught if w.category is PopulationWarning]


def test_the_cli_prints_the_population_warning(runner, make_data, tmp_path):
    folder = make_data(_shop())
    args = ["features", str(folder), "--out", str(tmp_path / "f.csv"), "--labels"]
    args += ["--as-of", "2023-03-31", "--churn-definition", "inactivity", "--lookback", "10"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    assert "Warning: At the latest cutoff 2023-03-31, the 10-day look-back" in result.stderr
