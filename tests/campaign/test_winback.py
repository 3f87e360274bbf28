"""The win-back list: who left in the window, who came back, value, ranking, reasons, leakage."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.campaign.lapsed import customers_only, last_month_end_before
from churnlab.campaign.value import ValueSpec
from churnlab.campaign.winback import WINBACK_COLUMNS, WinbackList, WinbackSpec, winback_list
from churnlab.errors import DataError, SpecError
from churnlab.features.prepare import coded_by_position
from churnlab.labels import LabelSpec
from churnlab.model import ChurnModel
from churnlab.tables import Tables, load_tables

AS_OF = pd.Timestamp("2024-05-20")
DAYS = 30
DAY = pd.Timedelta(days=1)
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- fixtures: the campaign tests' tiny demo operator and model (tests/campaign/conftest.py) --


@pytest.fixture(scope="module")
def demo_dir(campaign_demo: Path) -> Path:
    return campaign_demo


@pytest.fixture(scope="module")
def tables(demo_dir: Path) -> Tables:
    return load_tables(demo_dir)


@pytest.fixture(scope="module")
def model(campaign_model: ChurnModel) -> ChurnModel:
    return campaign_model


@pytest.fixture(scope="module")
def base(model: ChurnModel, tables: Tables) -> WinbackList:
    """Everyone who left in the 30 days up to 2024-05-20 (no value threshold)."""
    return winback_list(
        model, tables, as_of=AS_OF, spec=WinbackSpec(days=DAYS), min_value=0.0, progress=False
    )


def _long_standing(tables: Tables, n: int) -> list[int]:
    """Row positions of ``n`` customers who joined before 2024 and never left."""
    c = tables.customers
    rows = np.flatnonzero((c["end_date"].isna() & (c["signup_date"] < "2024-01-01")).to_numpy())
    return rows[:n].tolist()


def _with_customers(tables: Tables, customers: pd.DataFrame) -> Tables:
    return dataclasses.replace(tables, customers=customers)


def _ids(wl: WinbackList) -> list[str]:
    return wl.frame["customer_id"].tolist()


# --- the spec ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "The 'days' parameter of WinbackSpec must be an int >= 1. Got 0 instead."),
        ({"days": 1.5}, "The 'days' parameter of WinbackSpec must be an int >= 1. Got 1.5"),
        ({"days": True}, "The 'days' parameter of WinbackSpec must be an int >= 1. Got True"),
        ({"min_value": -1.0}, "The 'min_value' parameter of WinbackSpec must be a number >= 0"),
        ({"min_value": float("nan")}, "must be a number >= 0. Got nan instead."),
        ({"min_value": "high"}, "must be a number >= 0. Got 'high' instead."),
    ],
)
def test_bad_specs_are_refused_with_the_parameter_and_the_value(kwargs, message) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        WinbackSpec(**kwargs)


def test_a_spec_round_trips_through_a_dict_and_unknown_keys_get_a_hint() -> None:
    spec = WinbackSpec(days=60, min_value=120.5)
    assert WinbackSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(
        SpecError, match=r"WinbackSpec has no parameter 'dayz'.*Did you mean 'days'"
    ):
        WinbackSpec.from_dict({"dayz": 30})


def test_the_cutoff_is_the_last_month_end_before_the_day_they_left() -> None:
    left = pd.Series(pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-31", "2024-01-01"]))
    assert last_month_end_before(left).dt.strftime("%Y-%m-%d").tolist() == [
        "2024-04-30",
        "2024-04-30",
        "2024-04-30",
        "2023-12-31",
    ]


# --- the window ---------------------------------------------------------------------------------


def test_the_window_holds_the_days_after_as_of_minus_days_up_to_as_of(model, tables) -> None:
    customers = tables.customers.copy()
    exactly, inside, on_as_of, after = _long_standing(tables, 4)
    ends = {
        exactly: AS_OF - DAYS * DAY,  # left exactly `days` ago: outside
        inside: AS_OF - (DAYS - 1) * DAY,  # the first day inside
        on_as_of: AS_OF,  # the last day inside
        after: AS_OF + DAY,  # after as_of: not known yet
    }
    for row, end in ends.items():
        customers.loc[row, "end_date"] = end
    planted = _with_customers(tables, customers)
    wl = winback_list(
        model, planted, as_of=AS_OF, spec=WinbackSpec(days=DAYS), min_value=0.0, progress=False
    )
    ids = customers["customer_id"]
    listed = wl.frame.set_index("customer_id")
    assert ids[inside] in listed.index and ids[on_as_of] in listed.index
    assert ids[exactly] not in listed.index and ids[after] not in listed.index
    assert listed.loc[ids[inside], "days_since_left"] == DAYS - 1
    assert listed.loc[ids[inside], "left_on"] == AS_OF - (DAYS - 1) * DAY
    assert listed.loc[ids[on_as_of], "days_since_left"] == 0
    end = customers["end_date"].dt.normalize()
    assert wl.left == int(((end > AS_OF - DAYS * DAY) & (end <= AS_OF)).sum())
    assert wl.listed == wl.left - wl.already_won_back - wl.too_new  # no threshold here


def test_everyone_listed_left_in_the_window_and_nobody_who_left_is_missed(base, tables) -> None:
    frame = base.frame
    assert frame["days_since_left"].between(0, DAYS - 1).all()
    assert (
        frame["left_on"] == frame["as_of"] - pd.to_timedelta(frame["days_since_left"], "D")
    ).all()
    c = tables.customers
    end = c["end_date"].dt.normalize()
    left = c.loc[(end > AS_OF - DAYS * DAY) & (end <= AS_OF)]
    cutoff = last_month_end_before(left["end_date"].dt.normalize())
    with_history = left.loc[left["signup_date"].dt.normalize() <= cutoff, "customer_id"]
    assert sorted(_ids(base)) == sorted(with_history.astype(str))
    assert base.too_new == len(left) - len(with_history)
    assert base.left == len(left) and base.left > 20


# --- coming back ----------------------------------------------------------------------------------


def test_customers_who_came_back_by_as_of_are_left_out_and_counted(model, tables) -> None:
    came_back, later, concurrent, other_account = _long_standing(tables, 4)
    customers = tables.customers.copy()
    customers["person"] = "P" + customers["customer_id"].astype(str)
    for row in (came_back, later, concurrent):
        customers.loc[row, "end_date"] = AS_OF - 10 * DAY
    # a second account of the same person, opened years before they left: not a return
    customers.loc[other_account, "person"] = customers.loc[concurrent, "person"]
    new = pd.DataFrame(
        {
            "customer_id": ["99001", "99002"],
            "signup_date": [AS_OF - 5 * DAY, AS_OF + DAY],  # back by as_of; back only after it
            "person": [customers.loc[came_back, "person"], customers.loc[later, "person"]],
        }
    )
    for column in ("plan", "region", "contract", "payment_method"):
        new[column] = customers.loc[came_back, column]
    new["monthly_fee"] = 30.0
    joined = pd.concat([customers, new], ignore_index=True)
    rejoining = dataclasses.replace(
        model, card_=dataclasses.replace(model.card_, label_spec=LabelSpec(rejoin_key="person"))
    )
    wl = winback_list(
        rejoining,
        _with_customers(tables, joined),
        as_of=AS_OF,
        spec=WinbackSpec(days=DAYS),
        min_value=0.0,
        progress=False,
    )
    ids = customers["customer_id"]
    assert ids[came_back] not in _ids(wl)
    assert ids[later] in _ids(wl) and ids[concurrent] in _ids(wl)
    assert wl.already_won_back == 1
    assert wl.left == base_left(tables) + 3
    assert "99001" not in _ids(wl) and "99002" not in _ids(wl)


@pytest.fixture(scope="module")
def rejoining_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files, with a ``national_id`` column (personal data, not a feature) and a
    customer who left in the 90 days up to AS_OF coming back under a new id by then."""
    folder = tmp_path_factory.mktemp("rejoining") / "data"
    shutil.copytree(demo_dir, folder)
    customers = pd.read_parquet(folder / "customers.parquet")
    customers["national_id"] = "N" + customers["customer_id"].astype(str)
    end = customers["end_date"].dt.normalize()
    back = customers.loc[(end > AS_OF - 90 * DAY) & (end <= AS_OF)].head(1).copy()
    back["customer_id"], back["signup_date"], back["end_date"] = "99001", AS_OF - 5 * DAY, pd.NaT
    customers = pd.concat([customers, back], ignore_index=True)
    customers.to_parquet(folder / "customers.parquet", index=False)
    return folder


@pytest.mark.parametrize(
    ("rejoin_key", "value_spec", "settings_file"),
    [
        (None, ValueSpec(), True),
        ("national_id", ValueSpec(), True),
        ("national_id", ValueSpec(method="column", column="monthly_fee"), True),
        ("national_id", ValueSpec(), False),  # the extract date is the latest date in the data
    ],
)
def test_a_data_directory_gives_the_list_its_loaded_tables_give(
    model, rejoining_dir, tmp_path, rejoin_key, value_spec, settings_file
) -> None:
    # From a folder, who left and who came back are read off the whole customers table, then
    # the other tables are loaded for those who may be listed only.
    folder = tmp_path / "data"
    shutil.copytree(rejoining_dir, folder)
    if not settings_file:
        (folder / "churnlab.toml").unlink()
    label = LabelSpec(rejoin_key=rejoin_key)
    chosen = dataclasses.replace(model, card_=dataclasses.replace(model.card_, label_spec=label))
    kwargs = {"as_of": AS_OF, "value_spec": value_spec, "min_value": 0.0, "progress": False}

    from_folder = winback_list(chosen, folder, **kwargs)
    from_tables = winback_list(chosen, load_tables(folder), **kwargs)

    pd.testing.assert_frame_equal(from_folder.frame, from_tables.frame)
    assert from_folder.to_dict() == from_tables.to_dict()
    assert from_folder.listed > 20
    assert from_folder.already_won_back == (1 if rejoin_key else 0)


def base_left(tables: Tables) -> int:
    end = tables.customers["end_date"].dt.normalize()
    return int(((end > AS_OF - DAYS * DAY) & (end <= AS_OF)).sum())


# --- value, ranking, columns ------------------------------------------------------------------------


def test_the_value_threshold_keeps_values_at_or_above_it(model, tables, base) -> None:
    threshold = float(base.frame["value"].iloc[4])
    by_argument = winback_list(
        model,
        tables,
        as_of=AS_OF,
        spec=WinbackSpec(days=DAYS),
        min_value=threshold,
        progress=False,
    )
    expected = base.frame.loc[base.frame["value"] >= threshold]
    assert _ids(by_argument) == expected["customer_id"].tolist()
    assert len(expected) >= 5  # the row at the threshold is kept
    assert by_argument.valuable == by_argument.listed == len(expected)
    assert by_argument.left == base.left and by_argument.min_value == threshold
    # the spec's threshold wins over the caller's
    by_spec = winback_list(
        model,
        tables,
        as_of=AS_OF,
        spec=WinbackSpec(days=DAYS, min_value=threshold),
        min_value=1e12,
        progress=False,
    )
    pd.testing.assert_frame_equal(by_spec.frame, by_argument.frame)


def test_a_value_column_ranks_by_value_then_by_customer_id(model, tables) -> None:
    customers = tables.customers.copy()
    customers["ltv"] = 100.0
    end = customers["end_date"].dt.normalize()
    lapsed = np.flatnonzero(((end > AS_OF - DAYS * DAY) & (end <= AS_OF)).to_numpy())
    top = lapsed[[-1, -2]]  # two of them, the highest ids first: ties break by id
    customers.loc[top, "ltv"] = 500.0
    customers.loc[lapsed[0], "ltv"] = 99.0  # below the threshold
    wl = winback_list(
        model,
        _with_customers(tables, customers),
        as_of=AS_OF,
        spec=WinbackSpec(days=DAYS),
        value_spec=ValueSpec(method="column", column="ltv"),
        min_value=100.0,
        progress=False,
    )
    frame = wl.frame
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert frame["value"].head(2).tolist() == [500.0, 500.0]
    assert frame["customer_id"].head(2).tolist() == sorted(customers["customer_id"][top])
    rest = frame["customer_id"].iloc[2:].tolist()
    assert rest == sorted(rest) and (frame["value"].iloc[2:] == 100.0).all()
    assert customers["customer_id"][lapsed[0]] not in rest
    assert wl.value_method == "column: the customer attribute 'ltv'"


@pytest.mark.parametrize(
    ("column", "values", "error", "message"),
    [
        (
            "monthly_fees",
            None,
            SpecError,
            "The customers table has no column 'monthly_fees' for the value. Did you mean "
            "'monthly_fee'?",
        ),
        ("ltv", "gold", DataError, "customers.ltv: the value column is missing or not a number"),
        ("ltv", -5.0, DataError, "customers.ltv: the value column is negative for"),
    ],
)
def test_a_value_column_that_is_missing_or_not_a_value_is_refused(
    model, tables, column, values, error, message
) -> None:
    customers = tables.customers if values is None else tables.customers.assign(ltv=values)
    with pytest.raises(error, match=re.escape(message)):
        winback_list(
            model,
            _with_customers(tables, customers),
            as_of=AS_OF,
            value_spec=ValueSpec(method="column", column=column),
            min_value=0.0,
            progress=False,
        )


def test_the_columns_come_in_their_fixed_order_with_their_types(base, tables) -> None:
    frame = base.frame
    assert tuple(frame.columns) == WINBACK_COLUMNS
    assert frame["customer_id"].dtype == "str"
    assert frame["customer_id"].str.fullmatch(r"\d{5}").all()  # leading zeros kept
    assert set(frame["customer_id"]) <= set(tables.customers["customer_id"])
    assert frame["rank"].dtype == "int64" and frame["days_since_left"].dtype == "int64"
    assert frame["left_on"].dtype == "datetime64[us]" and frame["as_of"].dtype == "datetime64[us]"
    assert (frame["as_of"] == AS_OF).all() and (frame["segment"] == "recently_lapsed").all()
    assert frame["value"].is_monotonic_decreasing
    assert frame["last_churn_probability"].between(0, 1).all()
    assert frame["last_reason"].notna().mean() > 0.9
    assert frame["recommended_action"].notna().all()
    assert (
        frame["last_reason_category"]
        .dropna()
        .isin(
            [
                "service",
                "price",
                "payment",
                "product",
                "engagement",
                "tenure",
                "contract",
                "region",
                "profile",
                "other",
            ]
        )
        .all()
    )


@pytest.mark.parametrize("position", [0, -1])
def test_value_and_probability_are_those_at_the_last_month_end_before_leaving(
    base, model, tables, position
) -> None:
    from churnlab.campaign.value import customer_value
    from churnlab.model import scoring_frame

    row = base.frame.iloc[position]
    cutoff = last_month_end_before(pd.Series([row["left_on"]])).iloc[0]
    assert cutoff < row["left_on"] and cutoff.is_month_end
    frame = scoring_frame(model, tables, as_of=cutoff).frame
    mine = frame.loc[frame["customer_id"] == row["customer_id"]].reset_index(drop=True)
    assert len(mine) == 1  # active at the cutoff
    value = customer_value(
        mine["spend_mean_3m"], spec=ValueSpec(), retention=model.card_.monthly_retention
    )[0]
    assert row["value"] == pytest.approx(value, rel=1e-9)
    assert row["last_churn_probability"] == pytest.approx(model.predict_proba(mine)[0], rel=1e-9)


def test_chinese_reasons_and_actions_with_language_zh(model, tables, base) -> None:
    zh = winback_list(
        model,
        tables,
        as_of=AS_OF,
        spec=WinbackSpec(days=DAYS),
        min_value=0.0,
        language="zh",
        progress=False,
    )
    assert _ids(zh) == _ids(base)
    reasons = zh.frame["last_reason"].dropna()
    assert len(reasons) and reasons.map(lambda s: bool(CJK.search(s))).all()
    assert zh.frame["recommended_action"].map(lambda s: bool(CJK.search(s))).all()
    assert zh.frame["last_reason_category"].equals(base.frame["last_reason_category"])


# --- bad requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, SpecError, "winback_list needs a value threshold: pass min_value"),
        ({"min_value": -3.0}, SpecError, "The 'min_value' parameter of winback_list must be a"),
        ({"min_value": 0.0, "as_of": "2024-07-01"}, SpecError, "after the data's extract date"),
        ({"min_value": 0.0, "as_of": "01.05.2024"}, SpecError, "The 'as_of' date must be"),
        ({"min_value": 0.0, "k": 0}, SpecError, "The 'k' parameter of reasons must be an int"),
        ({"min_value": 0.0, "language": "fr"}, SpecError, "The 'language' must be one of"),
        ({"min_value": 0.0, "spec": {"days": 30}}, SpecError, "must be a WinbackSpec. Got dict"),
        ({"min_value": 0.0, "retention": 1.5}, SpecError, "'retention' parameter of winback_list"),
    ],
)
def test_bad_requests_are_refused(model, tables, kwargs, error, message) -> None:
    kwargs = {"as_of": AS_OF, **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        winback_list(model, tables, progress=False, **kwargs)


def test_a_model_whose_label_records_no_day_of_leaving_is_refused(model, tables) -> None:
    shops = dataclasses.replace(
        model, card_=dataclasses.replace(model.card_, label_spec=LabelSpec(definition="inactivity"))
    )
    with pytest.raises(SpecError, match=r"needs the day each customer left.*'inactivity'"):
        winback_list(shops, tables, as_of=AS_OF, min_value=0.0)


# --- nothing after as_of ----------------------------------------------------------------------------


def _truncated(tables: Tables, as_of: pd.Timestamp) -> Tables:
    """The tables as an extract taken at the end of ``as_of`` would hold them."""
    end = as_of + DAY
    c = tables.customers.loc[tables.customers["signup_date"] < end].reset_index(drop=True)
    c["end_date"] = c["end_date"].where(c["end_date"] < end)
    dtype = pd.CategoricalDtype(pd.Index(c["customer_id"], dtype="str"))
    out = {}
    for name, date, later in (
        ("bills", "bill_date", ("paid_date",)),
        ("complaints", "opened_at", ("resolved_at",)),
        ("service_events", "occurred_at", ()),
    ):
        frame = tables.table(name)
        known = frame[date] < end
        if "recorded_at" in frame.columns:
            known &= frame["recorded_at"].isna() | (frame["recorded_at"] < end)
        frame = frame.loc[known].reset_index(drop=True)
        for column in later:
            frame[column] = frame[column].where(frame[column] < end)
        frame["customer_id"] = pd.Categorical(frame["customer_id"].astype(str), dtype=dtype)
        out[name] = frame
    return dataclasses.replace(tables, customers=c, extract_date=as_of, **out)


def test_an_extract_taken_at_as_of_gives_the_same_list(model, tables, base) -> None:
    short = _truncated(tables, AS_OF)
    assert coded_by_position(short)
    again = winback_list(
        model, short, as_of=AS_OF, spec=WinbackSpec(days=DAYS), min_value=0.0, progress=False
    )
    pd.testing.assert_frame_equal(again.frame, base.frame, rtol=1e-9)
    assert again.to_dict() == base.to_dict()


def _future_noise(tables: Tables, as_of: pd.Timestamp, seed: int) -> Tables:
    """Random changes to what lies after ``as_of`` only: big bills and complaints dated after
    it, payments and resolutions moved after it, end dates after it moved or removed, rows
    after it dropped, and a new customer signing up after it."""
    rng = np.random.default_rng(seed)
    extract = tables.extract_date
    span = (extract - as_of).days

    def later(n: int) -> pd.DatetimeIndex:
        return as_of + pd.to_timedelta(rng.integers(1, span + 1, n), "D")

    ids = tables.customers["customer_id"].to_numpy()
    who = rng.choice(ids, 40)
    bills = tables.bills.copy()
    moved = (bills["paid_date"] > as_of + DAY) & (rng.random(len(bills)) < 0.5)
    bills.loc[moved, "paid_date"] = pd.NaT
    new_bills = pd.DataFrame(
        {
            "customer_id": pd.Categorical(who, dtype=bills["customer_id"].dtype),
            "bill_date": later(40),
            "amount": rng.uniform(500, 5000, 40),
        }
    )
    new_bills["due_date"] = new_bills["bill_date"] + 14 * DAY
    # dated before as_of but recorded after it: unknown at every cutoff
    recorded_late = new_bills.assign(
        bill_date=as_of - pd.to_timedelta(rng.integers(1, 200, 40), "D"),
        recorded_at=as_of + DAY,
    )
    bills = pd.concat([bills, new_bills, recorded_late], ignore_index=True)
    complaints = tables.complaints
    complaints = complaints.loc[
        ~((complaints["opened_at"] > as_of + DAY) & (rng.random(len(complaints)) < 0.5))
    ]
    extra = pd.DataFrame(
        {
            "customer_id": pd.Categorical(who, dtype=complaints["customer_id"].dtype),
            "opened_at": later(40),
            "category": rng.choice(complaints["category"].unique(), 40),
        }
    )
    complaints = pd.concat([complaints, extra], ignore_index=True)
    customers = tables.customers.copy()
    after = customers.index[customers["end_date"] > as_of + DAY]
    pick = rng.random(len(after)) < 0.5
    customers.loc[after[pick], "end_date"] = pd.NaT
    customers.loc[after[~pick], "end_date"] = later(int((~pick).sum())).normalize()
    customers = pd.concat(
        [
            customers,
            customers.iloc[[0]].assign(customer_id="99999", signup_date=later(1), end_date=pd.NaT),
        ],
        ignore_index=True,
    )
    return dataclasses.replace(
        tables,
        customers=customers,
        bills=bills.reset_index(drop=True),
        complaints=complaints.reset_index(drop=True),
    )


@settings(max_examples=4, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_rows_dated_after_as_of_never_change_the_list(model, tables, base, seed) -> None:
    changed = _future_noise(tables, AS_OF, seed)
    again = winback_list(
        model, changed, as_of=AS_OF, spec=WinbackSpec(days=DAYS), min_value=0.0, progress=False
    )
    pd.testing.assert_frame_equal(again.frame, base.frame, rtol=1e-9)
    assert (again.left, again.already_won_back, again.too_new) == (
        base.left,
        base.already_won_back,
        base.too_new,
    )


# --- narrowing the tables ---------------------------------------------------------------------------


def test_narrowed_tables_keep_their_codes_and_only_those_customers(tables) -> None:
    rows = np.array([3, 10, 400])
    narrow = customers_only(tables, rows)
    ids = tables.customers["customer_id"].iloc[rows].tolist()
    assert narrow.customers["customer_id"].tolist() == ids
    assert coded_by_position(narrow)
    for name in ("bills", "complaints", "service_events"):
        whole, part = tables.table(name), narrow.table(name)
        expected = whole.loc[whole["customer_id"].isin(ids)].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            part.astype({"customer_id": str}), expected.astype({"customer_id": str})
        )
    hand_built = dataclasses.replace(
        tables, bills=tables.bills.astype({"customer_id": str}), complaints=None
    )
    loose = customers_only(hand_built, rows)
    assert sorted(loose.bills["customer_id"].unique()) == sorted(ids)
    assert loose.complaints is None


# --- rendering -------------------------------------------------------------------------------------


def test_the_list_prints_in_one_line_and_escapes_its_html(base) -> None:
    assert "\n" not in repr(base)
    assert repr(base).startswith(f"<WinbackList at 2024-05-20: {base.listed:,} listed of ")
    hostile = base.frame.head(2).copy()
    hostile.loc[0, "last_reason"] = "<script>alert(1)</script>"
    shown = dataclasses.replace(base, frame=hostile)._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    summary = base.to_dict()
    assert summary["listed"] == base.listed and summary["spec"] == {"days": DAYS, "min_value": None}
    assert summary["as_of"] == "2024-05-20"


def test_nobody_left_gives_an_empty_list_with_the_columns(model, tables) -> None:
    first = tables.customers["end_date"].min()
    wl = winback_list(
        model, tables, as_of=first - 400 * DAY, spec=WinbackSpec(days=1), min_value=0.0
    )
    assert wl.listed == wl.left == 0 and tuple(wl.frame.columns) == WINBACK_COLUMNS
    assert wl.frame["customer_id"].dtype == "str"
