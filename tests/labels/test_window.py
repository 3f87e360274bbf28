"""labels.window: the cutoff convention, the label window and the month-end grids, in one place."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from churnlab.errors import SpecError
from churnlab.evaluate.backtesting import training_cutoffs
from churnlab.labels import LabelSpec, check_cutoffs, default_cutoffs
from churnlab.labels.cutoffs import last_labelled_cutoff
from churnlab.labels.window import (
    CutoffBounds,
    from_epoch_day,
    known_at,
    label_known_on,
    label_window,
    last_past_day,
    latest_labelled_cutoff,
    latest_training_cutoff,
    month_ends_until,
)
from churnlab.tables import Tables

T = pd.Timestamp
DAY = pd.Timedelta(days=1)

specs = st.builds(
    LabelSpec,
    horizon_days=st.integers(1, 200),
    lead_days=st.integers(0, 60),
)
days = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2030, 12, 31)).map(T)


# --- the convention: these are the tests a change of convention breaks ----------------------


def test_the_cutoff_day_counts_as_the_past():
    assert last_past_day("2024-06-30") == T("2024-06-30")
    assert CutoffBounds.at("2024-06-30").known_until == dt.date(2024, 6, 30)


def test_a_row_of_the_cutoff_day_is_known_at_it_and_one_of_the_next_day_is_not():
    rows = pd.DataFrame(
        {"opened_at": pd.to_datetime(["2024-06-30 23:59:59", "2024-07-01 00:00:00"])}
    )

    assert known_at(rows, "2024-06-30", "opened_at").tolist() == [True, False]


def test_the_label_window_starts_the_day_after_the_cutoff_and_lead():
    start, end = label_window(CutoffBounds.at("2023-06-30"), LabelSpec(horizon_days=30))

    assert from_epoch_day(start + 1) == T("2023-07-01")  # start is exclusive
    assert from_epoch_day(end) == T("2023-07-30")  # end is inclusive
    assert label_known_on("2023-06-30", LabelSpec(horizon_days=30)) == T("2023-07-30")
    assert latest_labelled_cutoff("2023-07-30", LabelSpec(horizon_days=30)) == T("2023-06-30")


# --- every bound follows from the convention ------------------------------------------------


@given(cutoff=days, spec=specs)
def test_the_label_window_is_lead_then_horizon_days_after_the_past(cutoff, spec):
    c = CutoffBounds.at(cutoff)
    start, end = label_window(c, spec)

    assert end - start == spec.horizon_days
    assert from_epoch_day(start) == last_past_day(cutoff) + spec.lead_days * DAY
    assert from_epoch_day(end) == label_known_on(cutoff, spec)


@given(extract=days, spec=specs)
def test_the_latest_labelled_cutoff_is_the_last_whose_label_is_known(extract, spec):
    latest = latest_labelled_cutoff(extract, spec)

    assert label_known_on(latest, spec) == extract
    assert label_known_on(latest + DAY, spec) > extract


@given(extract=days, spec=specs)
def test_check_cutoffs_accepts_the_latest_labelled_cutoff_and_refuses_the_next_day(extract, spec):
    tables = Tables(
        customers=pd.DataFrame(
            {
                "customer_id": ["1"],
                "signup_date": pd.Series([T("2015-01-01")], dtype="datetime64[us]"),
                "end_date": pd.Series([pd.NaT], dtype="datetime64[us]"),
            }
        ),
        extract_date=extract,
    )
    latest = last_labelled_cutoff(tables, spec)

    assert check_cutoffs(tables, [latest], spec) == [latest]
    with pytest.raises(SpecError, match="The latest cutoff with a known label is"):
        check_cutoffs(tables, [latest + DAY], spec)


@given(day=days, count=st.integers(1, 24))
def test_month_ends_until_are_the_latest_month_ends_on_or_before_the_day(day, count):
    grid = month_ends_until(day, count)

    assert len(grid) == count and all(c.is_month_end for c in grid)
    assert grid == sorted(grid) and grid[-1] <= day
    assert grid[-1] + pd.offsets.MonthEnd(1) > day
    assert all(a + pd.offsets.MonthEnd(1) == b for a, b in itertools.pairwise(grid))


@given(extract=days, spec=specs, count=st.integers(1, 12))
def test_default_and_backtest_training_cutoffs_share_one_grid(extract, spec, count):
    """A backtest at the extract date trains on the cutoffs a model trained then would use."""
    tables = Tables(
        customers=pd.DataFrame(
            {
                "customer_id": ["1"],
                "signup_date": pd.Series([T("2015-01-01")], dtype="datetime64[us]"),
                "end_date": pd.Series([pd.NaT], dtype="datetime64[us]"),
            }
        ),
        extract_date=extract,
    )

    assert training_cutoffs(extract, spec, count=count) == default_cutoffs(
        tables, spec, count=count
    )
    assert latest_training_cutoff(extract, spec) == last_labelled_cutoff(tables, spec)


# --- the pandas known_at --------------------------------------------------------------------

stamps = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2024, 3, 31))


@given(
    rows=st.lists(st.tuples(stamps, st.one_of(st.none(), stamps)), min_size=1, max_size=20),
    cutoff=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 3, 31)),
    recorded=st.booleans(),
)
def test_known_at_keeps_rows_dated_and_recorded_by_the_end_of_the_cutoff_day(
    rows, cutoff, recorded
):
    frame = pd.DataFrame(
        {
            "opened_at": pd.Series([r[0] for r in rows], dtype="datetime64[us]"),
            "recorded_at": pd.Series([r[1] for r in rows], dtype="datetime64[us]"),
        }
    )
    if not recorded:
        frame = frame.drop(columns="recorded_at")

    known = known_at(frame, cutoff, "opened_at")

    expected = [
        when.date() <= cutoff and (not recorded or rec is None or rec.date() <= cutoff)
        for when, rec in rows
    ]
    assert known.tolist() == expected
