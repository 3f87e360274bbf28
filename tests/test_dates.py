"""parse_date: the one reader of dates, for options, arguments, notebook parameters and config."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import churnlab
from churnlab.dates import parse_date
from churnlab.errors import ConfigError, SpecError
from churnlab.tables import DataConfig, SnapshotSpec
from churnlab.tables.config import config_from_dict

EXPECTED = "The 'as_of' date must be written YYYY-MM-DD, like 2025-06-30."

BAD_TEXT = [
    "today",
    "now",
    "yesterday",
    "",
    "   ",
    "01.06.2025",  # day first: would be read as 6 January
    "06/01/2025",
    "2025/06/01",
    "2025-6-1",  # missing zeros
    "20250601",
    "2025-06",
    "2025-W22-7",
    "2025-06-01T00:00",
    "2025-06-01 12:00",
    "1 June 2025",
    "२०२५-०६-०१",  # digits of another script
]
IMPOSSIBLE = ["2024-13-01", "2024-00-10", "2023-02-29", "2024-04-31", "2024-06-00"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_anything_but_an_iso_day_is_refused_showing_the_form_and_the_value(text):
    with pytest.raises(SpecError, match="^" + re.escape(f"{EXPECTED} Got {text!r} instead.") + "$"):
        parse_date(text, "as_of")


@pytest.mark.parametrize("text", IMPOSSIBLE)
def test_a_day_not_in_the_calendar_is_refused_saying_so(text):
    message = f"{EXPECTED} Got {text!r} instead, which is not a day of the calendar ("
    with pytest.raises(SpecError, match="^" + re.escape(message)):
        parse_date(text, "as_of")


@pytest.mark.parametrize("value", [None, 20250601, 2025.5, True, pd.NaT, np.datetime64("NaT")])
def test_values_that_are_neither_text_nor_a_date_are_refused(value):
    with pytest.raises(SpecError, match="^" + re.escape(f"{EXPECTED} Got {value!r} instead.")):
        parse_date(value, "as_of")  # type: ignore[arg-type]


def test_every_message_is_one_line_and_a_value_error():
    for text in [*BAD_TEXT, *IMPOSSIBLE]:
        with pytest.raises(ValueError) as caught:
            parse_date(text, "cutoffs")
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith("The 'cutoffs' date must be written YYYY-MM-DD")


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-29",
        " 2024-02-29 ",
        dt.date(2024, 2, 29),
        dt.datetime(2024, 2, 29, 23, 59),
        pd.Timestamp("2024-02-29 17:45"),
        pd.Timestamp("2024-02-29 23:30", tz="Europe/Zurich"),
        np.datetime64("2024-02-29T08:00"),
    ],
    ids=["text", "spaces", "date", "datetime", "timestamp", "zoned", "datetime64"],
)
def test_a_day_is_read_from_text_or_taken_from_a_date_as_midnight(value):
    day = parse_date(value)

    assert day == pd.Timestamp("2024-02-29")
    assert day.tzinfo is None


@given(st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_any_valid_day_round_trips(day):
    assert parse_date(day.isoformat()).date() == day
    assert parse_date(day) == parse_date(day.isoformat())


def test_the_parser_is_public_where_users_look_for_it():
    from churnlab.labels import parse_date as from_labels

    assert from_labels is parse_date
    assert churnlab.parse_date is parse_date


# --- the settings file reads its dates with it ----------------------------------------------


@pytest.mark.parametrize("text", ["today", "30.06.2025", "2025-02-29"])
def test_config_dates_are_read_by_the_same_parser(text):
    message = "The '[data] extract_date' date must be written YYYY-MM-DD, like 2025-06-30. "
    with pytest.raises(ConfigError, match="^" + re.escape(message + f"Got {text!r} instead")):
        config_from_dict({"data": {"extract_date": text}})
    with pytest.raises(ConfigError, match=re.escape("'[snapshot] as_of' date must be written")):
        config_from_dict({"snapshot": {"label_column": "Exited", "as_of": text}})


def test_config_dates_built_in_python_are_read_too():
    assert DataConfig(extract_date="2025-06-30").extract_date == dt.date(2025, 6, 30)  # type: ignore[arg-type]
    assert SnapshotSpec(label_column="x", as_of=dt.datetime(2024, 6, 30, 9)).as_of == dt.date(
        2024, 6, 30
    )
    with pytest.raises(ConfigError, match="Got '06/30/2025' instead"):
        DataConfig(extract_date="06/30/2025")  # type: ignore[arg-type]
