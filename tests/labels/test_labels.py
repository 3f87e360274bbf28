"""Churn definitions, cutoff grids, and the errors a user reads when a request cannot be answered."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlab.errors import SpecError
from churnlab.features import build_scoring_frame, build_training_frame
from churnlab.labels import LabelSpec, check_cutoffs, default_cutoffs, parse_cutoffs
from churnlab.tables import Tables

T = pd.Timestamp


def _customers(rows: list[dict]) -> pd.DataFrame:
    data = pd.DataFrame(rows)
    for column in ("signup_date", "end_date"):
        data[column] = pd.to_datetime(data[column]).astype("datetime64[us]")
    return data.astype({"customer_id": "str"})


def _tables(
    rows: list[dict], *, extract: str = "2023-12-31", bills: list[dict] | None = None
) -> Tables:
    bill_frame = None
    if bills is not None:
        bill_frame = pd.DataFrame(
            {
                "customer_id": pd.Series([b["customer_id"] for b in bills], dtype="str"),
                "bill_date": pd.Series([T(b["bill_date"]) for b in bills], dtype="datetime64[us]"),
                "amount": pd.Series([10.0] * len(bills), dtype="float64"),
            }
        )
    return Tables(customers=_customers(rows), bills=bill_frame, extract_date=T(extract))


def _customer(cid: str, signup: str, end: str | None = None, **extra: object) -> dict:
    return {"customer_id": cid, "signup_date": signup, "end_date": end, **extra}


# --- LabelSpec ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"horizon_days": 0}, "LabelSpec.horizon_days must be a positive number of days, got 0."),
        (
            {"horizon_days": -30},
            "LabelSpec.horizon_days must be a positive number of days, got -30.",
        ),
        (
            {"horizon_days": 30.5},
            "LabelSpec.horizon_days must be a positive number of days, got 30.5.",
        ),
        (
            {"horizon_days": True},
            "LabelSpec.horizon_days must be a positive number of days, got True.",
        ),
        ({"lookback_days": 0}, "LabelSpec.lookback_days must be a positive number of days, got 0."),
        ({"lead_days": -1}, "LabelSpec.lead_days must be zero or more days, got -1."),
        ({"grace_days": "30"}, "LabelSpec.grace_days must be zero or more days, got '30'."),
        (
            {"definition": "churn"},
            "LabelSpec.definition must be one of contract, inactivity, snapshot, got 'churn'.",
        ),
        ({"grace_days": 30}, "LabelSpec.grace_days needs rejoin_key: the customers column"),
        (
            {"definition": "inactivity", "grace_days": 30, "rejoin_key": "person"},
            "LabelSpec.grace_days applies to the contract definition only.",
        ),
    ],
)
def test_label_spec_refuses_bad_values_with_a_message_naming_them(
    settings: dict, message: str
) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        LabelSpec(**settings)


def test_label_spec_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        LabelSpec(horizon_days=0)


def test_label_spec_round_trips_through_json_and_counts_its_window() -> None:
    spec = LabelSpec(horizon_days=60, lead_days=14, grace_days=30, rejoin_key="person")
    assert LabelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.window_days == 14 + 60 + 30


def test_label_spec_is_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        LabelSpec("contract")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        LabelSpec().horizon_days = 30  # type: ignore[misc]


# --- cutoff grids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-30", ["2024-06-30"]),
        ("2024-01-31:2024-04-30", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]),
        ("2023-11-30:2024-02-29:1M", ["2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29"]),
        ("2024-01-31:2024-06-30:2M", ["2024-01-31", "2024-03-31", "2024-05-31"]),
        ("2024-01-15:2024-03-15", ["2024-01-15", "2024-02-15", "2024-03-15"]),
        ("2024-01-30:2024-03-30", ["2024-01-30", "2024-02-29", "2024-03-30"]),
        ("2024-01-01:2024-01-22:1W", ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]),
        ("2024-01-01:2024-01-10:3D", ["2024-01-01", "2024-01-04", "2024-01-07", "2024-01-10"]),
        (" 2024-01-31 : 2024-02-29 : 1m ", ["2024-01-31", "2024-02-29"]),
    ],
)
def test_parse_cutoffs_reads_a_date_or_a_grid(text: str, expected: list[str]) -> None:
    assert parse_cutoffs(text) == [T(d) for d in expected]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2024-31-01",
            "The 'cutoffs' date must be written YYYY-MM-DD, like 2025-06-30. Got '2024-31-01' "
            "instead, which is not a day of the calendar",
        ),
        (
            "2024-01-31:2024-02-30",
            "The 'last' date must be written YYYY-MM-DD, like 2025-06-30. Got '2024-02-30' "
            "instead, which is not a day of the calendar",
        ),
        ("2024-01-31:2024-12-31:1Y", "The cutoff step must look like 7D, 2W or 1M, got '1Y'."),
        ("2024-01-31:2024-12-31:0M", "The cutoff step must be at least 1, got '0M'."),
        ("2024-12-31:2024-01-31", "The last cutoff 2024-01-31 is before the first 2024-12-31."),
        ("2024-01-31:2024-02-29:1M:x", "Cutoffs must look like FIRST:LAST:STEP"),
    ],
)
def test_parse_cutoffs_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_cutoffs(text)


def test_parse_cutoffs_refuses_an_empty_date() -> None:
    with pytest.raises(SpecError, match="must be written YYYY-MM-DD, like 2025-06-30"):
        parse_cutoffs("")


@pytest.mark.parametrize("text", ["today", "now"])
def test_parse_cutoffs_refuses_relative_words(text: str) -> None:
    with pytest.raises(SpecError, match="must be written YYYY-MM-DD, like 2025-06-30"):
        parse_cutoffs(text)


# --- default cutoffs ------------------------------------------------------------------------


@given(
    extract=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2030, 12, 31)),
    horizon=st.integers(1, 200),
    lead=st.integers(0, 60),
    grace=st.integers(0, 60),
    count=st.integers(1, 24),
)
def test_default_cutoffs_are_month_ends_whose_label_window_is_observed(
    extract: dt.date, horizon: int, lead: int, grace: int, count: int
) -> None:
    spec = LabelSpec(
        horizon_days=horizon,
        lead_days=lead,
        grace_days=grace,
        rejoin_key="person" if grace else None,
    )
    t = _tables([_customer("001", "2015-01-01")], extract=str(extract))
    chosen = default_cutoffs(t, spec, count=count)
    assert len(chosen) == count
    assert all(c.is_month_end and c == c.normalize() for c in chosen)
    assert all(a + pd.offsets.MonthEnd(1) == b for a, b in itertools.pairwise(chosen))
    observed = [c + pd.Timedelta(days=spec.window_days) <= t.extract_date for c in chosen]
    assert all(observed)
    # ... and the next month end would not be: these are the latest observable ones.
    following = chosen[-1] + pd.offsets.MonthEnd(1)
    assert following + pd.Timedelta(days=spec.window_days) > t.extract_date
    assert check_cutoffs(t, chosen, spec) == chosen


def test_the_default_training_frame_uses_the_default_cutoffs() -> None:
    t = _tables([_customer("001", "2020-01-01"), _customer("002", "2020-01-01", "2023-05-10")])
    built = build_training_frame(t, LabelSpec(horizon_days=60), progress=False)
    assert list(built.cutoffs) == default_cutoffs(t, LabelSpec(horizon_days=60))
    assert built.cutoffs[-1] == T("2023-10-31")  # 2023-10-31 + 60 days <= 2023-12-31


def test_the_default_cutoffs_of_a_short_history_start_inside_the_data() -> None:
    t = _tables([_customer("001", "2023-01-01"), _customer("002", "2023-01-01", "2023-05-10")])
    built = build_training_frame(t, LabelSpec(), progress=False)
    assert built.cutoffs[0] >= T("2023-01-01")
    assert built.cutoffs[-1] == T("2023-09-30")


# --- requests the data cannot answer --------------------------------------------------------

HISTORY = [
    _customer("001", "2023-01-01"),
    _customer("002", "2023-01-01", "2023-03-15"),
    _customer("003", "2023-02-01", "2023-08-20"),
]


def test_a_cutoff_before_the_first_data_is_refused() -> None:
    message = re.escape("The cutoff 2022-12-31 is before the first data (2023-01-01)")
    with pytest.raises(SpecError, match=message):
        build_training_frame(_tables(HISTORY), cutoffs=["2022-12-31"], progress=False)
    with pytest.raises(SpecError, match=message):
        build_scoring_frame(_tables(HISTORY), as_of="2022-12-31")


def test_a_cutoff_after_the_extract_date_is_refused() -> None:
    with pytest.raises(SpecError, match=re.escape("after the extract date 2023-12-31")):
        build_scoring_frame(_tables(HISTORY), as_of="2024-01-31")


def test_an_unobservable_label_window_is_refused_with_the_dates() -> None:
    spec = LabelSpec(horizon_days=90, lead_days=10)
    message = (
        "The label of cutoff 2023-11-30 needs data until 2024-03-09 (lead 10 + horizon 90 + "
        "grace 0 days), but the data end on 2023-12-31. The latest cutoff with a known label "
        "is 2023-09-22."
    )
    with pytest.raises(SpecError, match=re.escape(message)):
        build_training_frame(_tables(HISTORY), spec, cutoffs=["2023-06-30", "2023-11-30"])


def test_scoring_needs_no_label_window() -> None:
    built = build_scoring_frame(_tables(HISTORY), as_of="2023-12-31")
    assert built.frame["customer_id"].tolist() == ["001"]


def test_an_unknown_definition_is_refused_before_any_work() -> None:
    with pytest.raises(SpecError, match="must be one of contract, inactivity, snapshot"):
        build_training_frame(_tables(HISTORY), LabelSpec.from_dict({"definition": "cancel"}))


def test_the_snapshot_definition_needs_a_snapshot_extract() -> None:
    with pytest.raises(SpecError, match="needs a snapshot extract"):
        build_training_frame(_tables(HISTORY), LabelSpec(definition="snapshot"))


def test_a_horizon_of_zero_is_refused() -> None:
    with pytest.raises(
        SpecError, match=re.escape("horizon_days must be a positive number of days, got 0")
    ):
        build_training_frame(_tables(HISTORY), LabelSpec.from_dict({"horizon_days": 0}))


def test_no_cutoffs_is_refused() -> None:
    with pytest.raises(SpecError, match="No cutoffs were given"):
        build_training_frame(_tables(HISTORY), cutoffs=[])


@pytest.mark.parametrize("label", [True, False], ids=["training", "scoring"])
def test_an_empty_population_is_refused_with_the_cutoff(label: bool) -> None:
    t = _tables([_customer("001", "2023-01-01", "2023-02-01"), _customer("002", "2023-06-01")])
    message = re.escape(
        "No customers are in scope at the cutoff 2023-03-31 (definition 'contract')"
    )
    with pytest.raises(SpecError, match=message):
        if label:
            build_training_frame(t, cutoffs=["2023-03-31"], progress=False)
        else:
            build_scoring_frame(t, as_of="2023-03-31")


def test_inactivity_needs_bills_and_someone_with_a_recent_bill() -> None:
    spec = LabelSpec(definition="inactivity", horizon_days=30, lookback_days=30)
    with pytest.raises(SpecError, match="The inactivity definition needs a bills table"):
        build_training_frame(_tables(HISTORY), spec, cutoffs=["2023-06-30"])
    t = _tables(HISTORY, bills=[{"customer_id": "001", "bill_date": "2023-01-05"}])
    with pytest.raises(SpecError, match="No customers are in scope at the cutoff 2023-06-30"):
        build_training_frame(t, spec, cutoffs=["2023-06-30"], progress=False)


def test_an_unknown_rejoin_key_is_refused() -> None:
    spec = LabelSpec(grace_days=30, rejoin_key="person")
    with pytest.raises(SpecError, match="rejoin_key 'person' is not a customers column"):
        build_training_frame(_tables(HISTORY), spec, cutoffs=["2023-06-30"])


# --- what "churned" means -------------------------------------------------------------------


def test_the_label_window_starts_after_the_lead_and_includes_its_last_day() -> None:
    """Cutoff 2023-06-30, lead 10, horizon 30: churned when 2023-07-10 < end <= 2023-08-09."""
    ends = {
        "001": "2023-06-30",  # ended on the cutoff day: not active
        "002": "2023-07-10",  # in the lead period: active, not churned
        "003": "2023-07-11",  # first day of the window
        "004": "2023-08-09",  # last day of the window
        "005": "2023-08-10",  # after the window
        "006": None,
    }
    t = _tables([_customer(cid, "2023-01-01", end) for cid, end in ends.items()])
    built = build_training_frame(
        t, LabelSpec(horizon_days=30, lead_days=10), cutoffs=["2023-06-30"], progress=False
    )
    churned = built.frame.set_index("customer_id")["churned"].to_dict()
    assert churned == {"002": False, "003": True, "004": True, "005": False, "006": False}


REJOINS = [
    # "A" leaves on 2023-02-10 and comes back as "A2" 15 days later.
    _customer("A", "2022-01-01", "2023-02-10", person="p1"),
    _customer("A2", "2023-02-25", person="p1"),
    # "B" leaves and never comes back.
    _customer("B", "2022-01-01", "2023-02-10", person="p2"),
    # "C" leaves; the same person comes back 50 days later, after any grace here.
    _customer("C", "2022-01-01", "2023-02-10", person="p3"),
    _customer("C2", "2023-04-01", person="p3"),
    # "D" leaves; someone with no known person signs up the next day: not a rejoin.
    _customer("D", "2022-01-01", "2023-02-10", person=None),
    _customer("D2", "2023-02-11", person=None),
    # "E" leaves, but the person's other account was opened before: not a return after leaving.
    _customer("E", "2022-06-01", "2023-02-10", person="p5"),
    _customer("E2", "2022-03-01", person="p5"),
]


@pytest.mark.parametrize(
    ("grace", "a_churned"),
    [(0, True), (14, True), (15, False), (30, False)],
    ids=["no grace", "back a day too late", "back on the last day", "back in time"],
)
def test_a_customer_who_rejoins_within_the_grace_period_has_not_churned(
    grace: int, a_churned: bool
) -> None:
    t = _tables(REJOINS, extract="2023-06-30")
    spec = LabelSpec(horizon_days=90, grace_days=grace, rejoin_key="person" if grace else None)
    built = build_training_frame(t, spec, cutoffs=["2023-01-31"], progress=False)
    churned = built.frame.set_index("customer_id")["churned"].to_dict()
    assert churned == {"A": a_churned, "B": True, "C": True, "D": True, "E": True, "E2": False}
    assert "person" not in built.frame.columns


def test_the_grace_period_must_be_observed_too() -> None:
    spec = LabelSpec(horizon_days=90, grace_days=30, rejoin_key="person")
    with pytest.raises(SpecError, match=re.escape("(lead 0 + horizon 90 + grace 30 days)")):
        build_training_frame(_tables(REJOINS, extract="2023-06-30"), spec, cutoffs=["2023-04-30"])
