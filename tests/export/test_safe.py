"""Neutralising text that a spreadsheet could read as a formula; numbers never touched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.export import (
    FORMULA_STARTS,
    LEADING_IGNORED,
    is_formula_like,
    neutralise,
    neutralise_frame,
    neutralise_series,
)

FAST = settings(max_examples=200, deadline=None)

# Texts biased towards the edges: formula characters and ignorable whitespace up front.
edgy_text = st.builds(
    lambda lead, start, rest: lead + start + rest,
    st.text(alphabet=sorted(LEADING_IGNORED), max_size=3),
    st.sampled_from([*sorted(FORMULA_STARTS), "'", "a", "0", ""]),
    st.text(max_size=12),
)
texts = st.one_of(st.text(max_size=20), edgy_text)


@pytest.mark.parametrize(
    "start",
    sorted(FORMULA_STARTS),
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_every_formula_start_is_neutralised(start):
    text = start + "SUM(A1:A9)"
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "char",
    ["=", "+", "-", "@", "\t", "\r", "\x00", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫", "−"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_the_owasp_list_and_the_full_width_forms_are_all_formula_starts(char):
    assert char in FORMULA_STARTS


@pytest.mark.parametrize("lead", [" ", "  ", "\n", "\u00a0", "\u3000", " \t"])
def test_a_formula_after_leading_whitespace_is_neutralised(lead):
    # LibreOffice's "Trim spaces" import option turns " =1+1" into a formula.
    assert neutralise(lead + "=1+1") == "'" + lead + "=1+1"


@pytest.mark.parametrize(
    "text", ["", "00123", "a=b", "5-3", "C-9", "'=1+1", "\u200b=1", "客户", " x", "_x003D_1"]
)
def test_other_texts_are_left_as_they_are(text):
    assert neutralise(text) == text
    assert not is_formula_like(text)


def test_neutralise_takes_text_only():
    with pytest.raises(TypeError, match=r"neutralise\(\) takes a str, got float instead"):
        neutralise(-1.5)  # type: ignore[arg-type]


@FAST
@given(texts)
def test_a_neutralised_text_never_starts_a_formula(text):
    out = neutralise(text)
    assert not is_formula_like(out)
    assert out.lstrip("".join(LEADING_IGNORED))[:1] not in FORMULA_STARTS
    assert out in (text, "'" + text)  # only ever a prefix, the text itself intact


@FAST
@given(texts)
def test_neutralising_twice_is_neutralising_once(text):
    assert neutralise(neutralise(text)) == neutralise(text)


@FAST
@given(st.lists(st.one_of(texts, st.none()), max_size=30), st.sampled_from(["str", "object"]))
def test_the_vectorised_form_agrees_with_the_scalar_one(values, dtype):
    # String columns are matched by pyarrow's RE2, object columns by Python's re.
    out = neutralise_series(pd.Series(values, dtype=dtype))
    expected = [None if v is None else neutralise(v) for v in values]
    assert [None if pd.isna(v) else v for v in out] == expected


def test_numeric_boolean_and_date_columns_are_never_touched():
    frame = pd.DataFrame(
        {
            "gain": [-3.5, -0.0, 2.0],
            "rank": np.array([-1, -2, 3]),
            "nullable": pd.array([-1, None, 2], dtype="Int64"),
            "flag": [True, False, True],
            "as_of": pd.to_datetime(["2025-01-31", None, "2025-02-28"]),
        }
    )
    out = neutralise_frame(frame)
    pd.testing.assert_frame_equal(out, frame)
    assert out.dtypes.equals(frame.dtypes)


def test_text_columns_of_every_kind_are_neutralised_and_keep_their_dtype():
    frame = pd.DataFrame(
        {
            "id": pd.Series(["=1", "00123", None], dtype="str"),
            "mixed": pd.Series(["-x", -5, None], dtype=object),
            "band": pd.Categorical(["@a", "low", None]),
        }
    )
    out = neutralise_frame(frame)
    assert out["id"].tolist()[:2] == ["'=1", "00123"] and pd.isna(out["id"].iloc[2])
    assert out["mixed"].tolist() == ["'-x", -5, None]  # the number in an object column stays
    assert out["band"].tolist()[:2] == ["'@a", "low"]
    assert out.dtypes.equals(frame.dtypes.replace({frame["band"].dtype: out["band"].dtype}))
    assert isinstance(out["band"].dtype, pd.CategoricalDtype)
    assert frame["id"].iloc[0] == "=1"  # the input is not changed


def test_categories_that_become_equal_are_merged():
    values = pd.Series(pd.Categorical(["=x", "'=x", "y", None]))
    out = neutralise_series(values)
    assert out.tolist()[:3] == ["'=x", "'=x", "y"] and pd.isna(out.iloc[3])
    assert list(out.cat.categories) == ["'=x", "y"]


def test_column_names_are_neutralised_too():
    frame = pd.DataFrame({"=name": ["a"], "-gain": [-1.0], 3: [1]})
    assert neutralise_frame(frame).columns.tolist() == ["'=name", "'-gain", 3]


def test_a_million_rows_take_well_under_a_second():
    import time

    frame = pd.DataFrame(
        {
            "id": pd.Series([f"{i:07d}" for i in range(1_000_000)], dtype="str"),
            "reason": pd.Series(["-20% spend", "Two complaints"] * 500_000, dtype="str"),
            "band": pd.Categorical(["low", "=high"] * 500_000),
            "gain": np.linspace(-1, 1, 1_000_000),
        }
    )
    start = time.perf_counter()
    out = neutralise_frame(frame)
    elapsed = time.perf_counter() - start
    assert out["reason"].iloc[0] == "'-20% spend" and out["band"].iloc[1] == "'=high"
    assert elapsed < 3  # about 0.3 s on one core; generous for a busy machine
