"""Real extracts' shapes: renamed and Unicode column names, empty optional tables, snapshots
without ids or dates, a table in several files, refunds in bills (issue 15)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlab.cli.app import app
from churnlab.errors import ConfigError
from churnlab.features import build_scoring_frame, build_training_frame
from churnlab.features.direct import open_direct
from churnlab.features.engine import DuckDBEngine
from churnlab.labels import LabelSpec
from churnlab.tables import check_data, load_tables
from churnlab.tables.direct import plan_direct_read

runner = CliRunner()

CUSTOMERS = """\
customer_id,signup_date,end_date,Customer Tier
C1,2024-01-05,,gold
C2,2024-02-01,2024-06-30,basic
"""


def _snapshot_csv(rows: int = 600, seed: int = 0) -> str:
    """A Kaggle-like snapshot: names with two spaces, spaces, and Chinese, and a churn flag."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(["金", "银", "铜"], rows)
    failures = rng.poisson(2, rows)
    charge = rng.integers(0, 10, rows)
    p = 1 / (1 + np.exp(-(-2.0 + 1.5 * failures - 0.5 * charge + 2.0 * (grade == "铜"))))
    frame = pd.DataFrame(
        {
            "ID": [f"K{i:04d}" for i in range(rows)],
            "Call  Failure": failures,
            "Charge Amount": charge,
            "客户等级": grade,
            "Churn": (rng.uniform(size=rows) < p).astype(int),
        }
    )
    return frame.to_csv(index=False)


def test_the_config_renames_an_attribute_column(make_data):
    toml = '[columns.customers]\ntier = "Customer Tier"\n'
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": toml})

    tables = load_tables(folder)

    assert "tier" in tables.attribute_columns
    assert "Customer Tier" not in tables.customers.columns
    assert tables.customers["tier"].tolist() == ["gold", "basic"]


def test_a_renamed_attribute_may_get_a_unicode_name(make_data):
    toml = '[columns.customers]\n"客户 等级" = "Customer Tier"\n'
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": toml})

    assert "客户 等级" in load_tables(folder).attribute_columns


def test_a_name_close_to_a_contract_column_is_still_a_misspelling(make_data):
    toml = '[columns.customers]\nsignup = "Start"\n'
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": toml})

    with pytest.raises(ConfigError, match=re.escape("Did you mean 'signup_date'?")):
        check_data(folder)


def test_a_renamed_attribute_that_names_no_column_is_a_problem(make_data):
    toml = '[columns.customers]\ntier = "Tier"\n'
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": toml})

    report = check_data(folder)

    assert [p.column for p in report.problems] == ["tier"]
    assert "names no column of the file" in report.problems[0].check


def test_unicode_and_spaced_names_survive_train_save_load_score(make_data, tmp_path):
    toml = (
        '[snapshot]\nlabel_column = "Churn"\nas_of = "2024-06-30"\n'
        '[columns.customers]\ncustomer_id = "ID"\n"通话 失败" = "Call  Failure"\n'
    )
    folder = make_data({"customers.csv": _snapshot_csv(), "churnlab.toml": toml})
    model, scores = tmp_path / "model", tmp_path / "scores.csv"

    trained = runner.invoke(app, ["train", str(folder), "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    scored = runner.invoke(
        app, ["score", str(folder), "--model", str(model), "--out", str(scores), "--reasons", "2"]
    )

    assert scored.exit_code == 0, scored.output
    out = pd.read_csv(scores)
    assert len(out) == 600
    assert out["churn_probability"].between(0, 1).all()
    reasons = " ".join(out["reason_1"].dropna().tolist() + out["reason_2"].dropna().tolist())
    assert "通话 失败" in reasons
    assert "Charge Amount" in reasons or "客户等级" in reasons


EMPTY_FILES = {
    "header-only-csv": ("bills.csv", "customer_id,bill_date,amount\n"),
    "zero-byte-csv": ("complaints.csv", ""),
    "parquet-without-rows": (
        "service_events.parquet",
        pd.DataFrame(
            {
                "customer_id": pd.Series([], dtype="str"),
                "occurred_at": pd.Series([], dtype="datetime64[us]"),
                "kind": pd.Series([], dtype="str"),
            }
        ),
    ),
}


@pytest.mark.parametrize("name", EMPTY_FILES)
def test_an_empty_optional_table_is_an_absent_one_with_a_note(make_data, name):
    file, content = EMPTY_FILES[name]
    table = file.split(".")[0]
    folder = make_data({"customers.csv": CUSTOMERS, file: content})

    report = check_data(folder)

    assert report.ok, str(report)
    assert getattr(report.tables, table) is None
    assert report.notes == (f"{file} has no rows: read as if there were no {table} table",)
    assert f"Note: {file} has no rows" in str(report)


def test_validate_says_an_empty_table_was_read_as_absent(make_data):
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": "customer_id,bill_date,amount\n"})

    result = runner.invoke(app, ["validate", str(folder)])

    assert result.exit_code == 0, result.output
    assert "Note: bills.csv has no rows: read as if there were no bills table" in result.output


def test_an_empty_customers_file_is_still_an_error(make_data):
    folder = make_data({"customers.csv": "customer_id,signup_date,end_date\n"})

    assert [p.check for p in check_data(folder).problems] == ["customers.csv has no rows"]


def test_a_snapshot_without_ids_or_dates_numbers_its_rows(make_data):
    toml = '[snapshot]\nlabel_column = "Churn"\nid = "row_number"\n'
    folder = make_data(
        {"customers.csv": "Plan,Churn\nbasic,1\ngold,0\nbasic,0\n", "churnlab.toml": toml}
    )
    os.utime(folder / "customers.csv", (0, dt.datetime(2025, 3, 9, 12, tzinfo=dt.UTC).timestamp()))

    report = check_data(folder)

    assert report.ok, str(report)
    tables = report.tables
    assert tables.customers["customer_id"].tolist() == ["1", "2", "3"]
    assert tables.customers["churned"].tolist() == [True, False, False]
    assert tables.extract_date == pd.Timestamp("2025-03-09")
    assert tables.snapshot.as_of == dt.date(2025, 3, 9)
    assert any("the snapshot stands for 2025-03-09" in note for note in report.notes)


def test_a_snapshot_without_as_of_takes_the_extract_date_when_set(make_data):
    toml = (
        '[data]\nextract_date = 2024-12-31\n[snapshot]\nlabel_column = "Churn"\nid = "row_number"\n'
    )
    folder = make_data({"customers.csv": "Plan,Churn\nbasic,1\ngold,0\n", "churnlab.toml": toml})

    report = check_data(folder)

    assert report.tables.extract_date == pd.Timestamp("2024-12-31") and not report.notes


def test_row_numbers_and_a_customer_id_column_conflict(make_data):
    toml = '[snapshot]\nlabel_column = "Churn"\nid = "row_number"\n'
    folder = make_data({"customers.csv": "customer_id,Churn\nA,1\n", "churnlab.toml": toml})

    assert [p.column for p in check_data(folder).problems] == ["customer_id"]


def test_every_command_works_on_a_snapshot_without_ids_or_dates(make_data, tmp_path):
    frame = pd.read_csv(io.StringIO(_snapshot_csv())).drop(columns=["ID"])
    toml = '[snapshot]\nlabel_column = "Churn"\nid = "row_number"\n'
    folder = make_data({"customers.csv": frame.to_csv(index=False), "churnlab.toml": toml})
    model, scores = tmp_path / "model", tmp_path / "scores.csv"

    validated = runner.invoke(app, ["validate", str(folder)])
    trained = runner.invoke(app, ["train", str(folder), "--out", str(model)])
    scored = runner.invoke(app, ["score", str(folder), "--model", str(model), "--out", str(scores)])

    assert validated.exit_code == 0 and "Note: no [snapshot] as_of" in validated.output
    assert trained.exit_code == 0, trained.output
    assert scored.exit_code == 0, scored.output
    out = pd.read_csv(scores, dtype={"customer_id": str})
    assert sorted(out["customer_id"], key=int) == [str(i) for i in range(1, 601)]


BILLS_2024 = "customer_id,bill_date,amount\nC1,2024-03-01,10\nC2,2024-03-01,12\n"
BILLS_2025 = "customer_id,bill_date,amount\nC1,2025-01-01,11\n"


@pytest.mark.parametrize(
    "names",
    ['["bills_2024.csv", "bills_2025.csv"]', '"bills_*.csv"', '["bills_2025.csv", "b*_2024.csv"]'],
)
def test_one_table_in_several_files_is_read_as_one(make_data, names):
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "bills_2024.csv": BILLS_2024,
            "bills_2025.csv": BILLS_2025,
            "churnlab.toml": f"[data]\nextract_date = 2025-06-30\n[files]\nbills = {names}\n",
        }
    )

    bills = load_tables(folder).bills

    assert sorted(bills["amount"].tolist()) == [10.0, 11.0, 12.0]
    assert set(bills["customer_id"].astype(str)) == {"C1", "C2"}


def test_the_missing_one_of_several_files_is_named(make_data):
    toml = '[files]\nbills = ["bills_2024.csv", "bills_2026.csv", "old_*.csv"]\n'
    folder = make_data(
        {"customers.csv": CUSTOMERS, "bills_2024.csv": BILLS_2024, "churnlab.toml": toml}
    )

    checks = [p.check for p in check_data(folder).problems]

    assert checks == ["file bills_2026.csv not found", "no file matches old_*.csv"]


def test_files_of_one_table_must_have_the_same_columns(make_data):
    other = "customer_id,bill_date,amount,paid_date\nC1,2025-01-01,11,2025-01-05\n"
    toml = '[files]\nbills = "bills_*.csv"\n'
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "bills_2024.csv": BILLS_2024,
            "bills_2025.csv": other,
            "churnlab.toml": toml,
        }
    )

    problems = check_data(folder).problems

    assert [(p.table, p.column) for p in problems] == [("bills", "paid_date")]
    assert problems[0].check.startswith("bills_2025.csv has this column, bills_2024.csv has not")


def test_an_empty_file_among_several_adds_no_rows(make_data):
    toml = '[files]\nbills = "bills_*.csv"\n'
    folder = make_data(
        {
            "customers.csv": CUSTOMERS,
            "bills_2024.csv": BILLS_2024,
            "bills_2025.csv": "customer_id,bill_date,amount\n",
            "churnlab.toml": toml,
        }
    )

    report = check_data(folder)

    assert report.ok and len(report.tables.bills) == 2
    assert report.notes == ("bills_2025.csv has no rows: bills is read from its other files",)


def _parquet_folder(make_data, bills_files, toml=""):
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "signup_date": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-03-01"]).astype(
                "datetime64[us]"
            ),
            "end_date": pd.to_datetime([None, "2024-06-30", None]).astype("datetime64[us]"),
        }
    )
    return make_data({"customers.parquet": customers, **bills_files, "churnlab.toml": toml})


def _bills(ids, days, amounts):
    return pd.DataFrame(
        {
            "customer_id": ids,
            "bill_date": pd.to_datetime(days).astype("datetime64[us]"),
            "amount": [float(a) for a in amounts],
        }
    )


def test_several_parquet_files_are_read_in_place_as_one_table(make_data):
    folder = _parquet_folder(
        make_data,
        {
            "bills_a.parquet": _bills(["C1", "C2"], ["2024-01-31", "2024-02-29"], [10, 12]),
            "bills_b.parquet": _bills(["C1", "C3"], ["2024-05-31", "2024-05-31"], [11, 9]),
        },
        '[data]\nextract_date = 2024-06-30\n[files]\nbills = "bills_*.parquet"\n',
    )

    plan = plan_direct_read(folder)
    engine = DuckDBEngine()
    try:
        assert open_direct(engine, folder) is not None  # the engine's checks pass: no fallback
    finally:
        engine.close()
    direct = build_scoring_frame(folder, as_of="2024-06-30").frame
    loaded = build_scoring_frame(load_tables(folder), as_of="2024-06-30").frame

    assert plan is not None and [Path(p).name for p in plan.files["bills"]] == [
        "bills_a.parquet",
        "bills_b.parquet",
    ]
    pd.testing.assert_frame_equal(
        direct.sort_values("customer_id").reset_index(drop=True),
        loaded.sort_values("customer_id").reset_index(drop=True),
        check_dtype=False,
        check_categorical=False,
    )


def test_an_empty_parquet_table_is_left_out_of_the_in_place_read(make_data):
    folder = _parquet_folder(make_data, {"bills.parquet": _bills([], [], [])})

    plan = plan_direct_read(folder)

    assert plan is not None and "bills" not in plan.files


REFUND_CUSTOMERS = "customer_id,signup_date,end_date\nC1,2023-01-05,\nC2,2023-01-05,\n"


def _refund_folder(make_data, bills: str, toml: str = ""):
    return make_data(
        {
            "customers.csv": REFUND_CUSTOMERS,
            "bills.csv": bills,
            "churnlab.toml": "[data]\nextract_date = 2024-06-30\n" + toml,
        }
    )


def test_negative_amounts_and_refund_kinds_are_refunds(make_data):
    bills = (
        "customer_id,bill_date,amount,kind\n"
        "C1,2024-05-10,30,sale\nC1,2024-05-20,-10,\nC2,2024-05-10,25,sale\nC2,2024-05-12,5,Return\n"
    )
    report = check_data(_refund_folder(make_data, bills))

    assert report.ok, str(report)
    marked = report.tables.bills
    assert marked["amount"].tolist() == [30.0, 10.0, 25.0, 5.0]
    assert marked["refund"].tolist() == [False, True, False, True]
    assert any("2 rows read as refunds" in note for note in report.notes)


def test_refund_kinds_are_configurable(make_data):
    bills = "customer_id,bill_date,amount,kind\nC1,2024-05-10,30,storno\nC2,2024-05-10,5,return\n"
    folder = _refund_folder(make_data, bills, 'refund_kinds = ["Storno"]\n')

    assert load_tables(folder).bills["refund"].tolist() == [True, False]


def test_other_negative_numbers_stay_errors(make_data):
    folder = make_data(
        {
            "customers.csv": REFUND_CUSTOMERS,
            "service_events.csv": "customer_id,occurred_at,kind,duration_minutes\nC1,2024-05-01,call,-3\n",
        }
    )

    assert [p.column for p in check_data(folder).problems] == ["duration_minutes"]


def test_spend_counts_no_refund(make_data, tmp_path):
    spend_only = "customer_id,bill_date,amount\nC1,2024-06-10,30\nC2,2024-06-10,25\n"
    with_refunds = spend_only + "C1,2024-06-20,-10\nC2,2024-06-12,-7\n"
    toml = "[data]\nextract_date = 2024-06-30\n"
    frames = [
        build_scoring_frame(
            load_tables(
                make_data(
                    {"customers.csv": REFUND_CUSTOMERS, "bills.csv": bills, "churnlab.toml": toml},
                    folder=name,
                )
            ),
            as_of="2024-06-30",
        ).frame
        for name, bills in (("plain", spend_only), ("refunded", with_refunds))
    ]

    plain, refunded = frames
    columns = [
        c for c in plain.columns if c.startswith(("spend", "months_since", "late", "unpaid"))
    ]
    assert plain["spend_last_month"].tolist() == [30.0, 25.0]
    pd.testing.assert_frame_equal(plain[columns], refunded[columns])


def test_a_refund_is_not_activity_for_the_inactivity_label(make_data):
    bills = (
        "customer_id,bill_date,amount\n"
        "C1,2024-01-10,30\nC2,2024-01-10,30\n"
        "C1,2024-02-10,-30\nC2,2024-02-10,20\n"
        "C1,2024-06-10,5\nC2,2024-06-10,5\n"
    )
    folder = _refund_folder(make_data, bills)
    spec = LabelSpec(definition="inactivity", horizon_days=30, lookback_days=30)

    frame = build_training_frame(
        load_tables(folder), spec, cutoffs=["2024-01-31"], progress=False
    ).frame

    assert dict(zip(frame["customer_id"], frame["churned"], strict=True)) == {
        "C1": True,
        "C2": False,
    }
