"""validate's churn by month for a shop: under the inactivity definition (as [label] says, or as
validate recommends when no customer has an end date), equal to the training labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.features import build_training_frame
from churnlab.labels import LabelSpec
from churnlab.labels.monthly import inactivity_by_month
from churnlab.tables import load_tables

EXTRACT = '[data]\nextract_date = "2023-12-31"\n'


def _shop(n: int = 40) -> dict[str, pd.DataFrame]:
    """Buyers without end dates, each buying every few weeks until a drawn day; a few refunds."""
    rng = np.random.default_rng(11)
    ids = [f"S{i:02d}" for i in range(n)]
    rows = []
    for cid in ids:
        day, stop = pd.Timestamp("2022-01-03"), pd.Timestamp("2022-03-01")
        stop += pd.Timedelta(days=int(rng.integers(0, 660)))
        while day <= stop:
            rows.append((cid, day, 20.0))
            day += pd.Timedelta(days=int(rng.integers(10, 70)))
    bills = pd.DataFrame(rows, columns=["customer_id", "bill_date", "amount"])
    bills.loc[bills.index % 17 == 0, "amount"] = -5.0  # refunds: neither purchases nor activity
    customers = pd.DataFrame(
        {"customer_id": ids, "signup_date": pd.Timestamp("2022-01-01"), "end_date": pd.NaT}
    )
    return {"customers.parquet": customers, "bills.parquet": bills}


@pytest.mark.filterwarnings("ignore::churnlab.errors.PopulationWarning")  # the short look-back
@pytest.mark.parametrize(
    "spec",
    [
        LabelSpec(definition="inactivity"),
        LabelSpec(definition="inactivity", horizon_days=45, lookback_days=60, lead_days=10),
    ],
)
def test_each_month_is_the_label_of_the_cutoff_before_it(make_data, spec):
    folder = make_data({**_shop(), "churnlab.toml": EXTRACT})
    tables = load_tables(folder)

    table = inactivity_by_month(tables.bills, tables.extract_date, spec)
    cutoffs = list(table["month"] - pd.Timedelta(days=1))
    frame = build_training_frame(folder, spec, cutoffs=cutoffs, progress=False).frame
    labels = frame.groupby("cutoff")["churned"].agg(["size", "sum"])

    assert len(table) == 12 and table["churned"].sum() > 0
    assert labels["size"].tolist() == table["active_at_start"].tolist()
    assert labels["sum"].tolist() == table["churned"].tolist()


def _months(output: str) -> tuple[str, pd.DataFrame]:
    """The heading and rows of validate's churn-by-month table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Churn by month"))
    end = lines.index("", start)
    rows = [line.split() for line in lines[start + 2 : end]]
    return lines[start], pd.DataFrame(rows, columns=["month", "active", "churned", "rate"])


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ('[label]\ndefinition = "inactivity"\nhorizon_days = 60\n', "as [label] in churnlab.toml"),
        ("", "which validate recommends: by end dates (contract) none churned"),
    ],
)
def test_validate_shows_a_shops_churn_by_month_under_inactivity(make_data, label, why):
    folder: Path = make_data({**_shop(), "churnlab.toml": EXTRACT + label})

    result = CliRunner().invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    heading, rows = _months(result.stdout)
    assert heading.startswith(f"Churn by month under the inactivity definition, {why}")
    horizon = 60 if label else 90
    assert f"churned: none in the {horizon} days from its start" in heading
    assert len(rows) == 12 and rows["churned"].astype(int).sum() > 0
    assert "Churn definition: inactivity" in result.stdout
    # advice to write what the file already says would be noise
    assert ("says so already" in result.stdout) == bool(label)
    assert ("Use --churn-definition inactivity" in result.stdout) != bool(label)


def test_validate_keeps_churn_by_end_date_for_contracts(make_data):
    customers = "customer_id,signup_date,end_date\n1,2023-01-01,\n2,2023-01-05,2023-06-10\n"
    bills = "customer_id,bill_date,amount\n1,2023-02-01,10\n2,2023-02-01,10\n"
    folder = make_data({"customers.csv": customers, "bills.csv": bills, "churnlab.toml": EXTRACT})

    result = CliRunner().invoke(app, ["validate", str(folder)])

    heading, rows = _months(result.stdout)
    assert heading == "Churn by month (last 12 complete months):"
    assert rows.set_index("month").loc["2023-06", "churned"] == "1"
