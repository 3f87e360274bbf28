"""CSV for spreadsheets (BOM, neutralised text, plain dates) and Parquet for programs."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hostile import CHINESE, HOSTILE, hostile_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.errors import DataError
from churnlab.export import is_formula_like, neutralise, write_csv, write_parquet


def read_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_csv_starts_with_a_byte_order_mark_and_keeps_chinese_text(tmp_path):
    path = write_csv(pd.DataFrame({"原因": [CHINESE]}), tmp_path / "list.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8") == f"原因\r\n{CHINESE}\r\n"


def test_hostile_ids_categories_and_reasons_are_neutralised_in_the_csv(tmp_path):
    frame = hostile_frame()
    path = write_csv(frame, tmp_path / "list.csv")
    header, *rows = read_rows(path)
    assert header == list(frame.columns)
    for column in ("customer_id", "segment", "reason_1", "note"):
        cells = [row[header.index(column)] for row in rows]
        assert cells[: len(HOSTILE)] == ["'" + text for text in HOSTILE]
        assert not any(is_formula_like(cell) for cell in cells)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"customer_id": str})
    assert back["customer_id"].tolist()[: len(HOSTILE)] == ["'" + t for t in HOSTILE]
    assert back["customer_id"].tolist()[len(HOSTILE) :] == ["00123", "C-9", "0007", "中文-001"]
    assert back["reason_1"].iloc[-1] == CHINESE


def test_numbers_are_untouched_in_the_csv(tmp_path):
    frame = hostile_frame()
    back = pd.read_csv(write_csv(frame, tmp_path / "list.csv"), encoding="utf-8-sig")
    # Negative numbers stay numbers: no quote, read back numeric and equal.
    assert back["expected_gain"].dtype == float and back["rank"].dtype == np.int64
    np.testing.assert_array_equal(back["expected_gain"], frame["expected_gain"])
    np.testing.assert_array_equal(back["rank"], frame["rank"])
    text = (tmp_path / "list.csv").read_bytes().decode("utf-8-sig")
    assert ",-5.5," in text and "'-5.5" not in text


def test_dates_floats_and_missing_values_are_written_plainly(tmp_path):
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2025-06-30", None]),
            "p": [1 / 3, np.nan],
            "n": pd.array([7, None], dtype="Int64"),
            "t": pd.Series(["x", None], dtype="str"),
            "flag": [True, False],
        }
    )
    text = write_csv(frame, tmp_path / "x.csv").read_bytes().decode("utf-8-sig")
    assert text == "as_of,p,n,t,flag\r\n2025-06-30,0.3333333333333333,7,x,True\r\n,,,,False\r\n"


@pytest.mark.parametrize("text", ["x\r=1+1", "x\n=1+1", "x\r\n=1+1", 'a,"=1+1'])
def test_a_line_break_or_separator_inside_a_text_never_starts_a_row_or_a_cell(tmp_path, text):
    frame = pd.DataFrame({"id": pd.Series([text, "next"], dtype="str"), "n": [-1, 2]})
    path = write_csv(frame, tmp_path / "x.csv")
    assert read_rows(path) == [["id", "n"], [text, "-1"], ["next", "2"]]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["id"].tolist() == [text, "next"] and back["n"].tolist() == [-1, 2]


def test_a_failed_csv_write_leaves_the_earlier_file(tmp_path, monkeypatch):
    path = tmp_path / "list.csv"
    path.write_text("earlier", encoding="utf-8")

    def half_then_fail(self, target, **options):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("customer_id\r\n001")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_csv(pd.DataFrame({"customer_id": ["001", "002"]}), path)
    assert path.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=15), min_size=1, max_size=15))
def test_any_text_comes_back_from_the_csv_neutralised_and_whole(tmp_path_factory, values):
    path = write_csv(
        pd.DataFrame({"t": values}, dtype="str"), tmp_path_factory.mktemp("c") / "t.csv"
    )
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert [row[0] if row else "" for row in rows[1:]] == [neutralise(v) for v in values]


def test_parquet_keeps_full_precision_string_ids_and_raw_text(tmp_path):
    frame = hostile_frame()
    back = pd.read_parquet(write_parquet(frame, tmp_path / "list.parquet"))
    assert back["customer_id"].tolist() == frame["customer_id"].tolist()  # not neutralised
    assert back["customer_id"].dtype == frame["customer_id"].dtype
    assert back["expected_gain"].tolist() == frame["expected_gain"].tolist()
    pd.testing.assert_frame_equal(back.drop(columns="note"), frame.drop(columns="note"))
    assert back["note"].tolist()[:-1] == frame["note"].tolist()[:-1]  # the object column
    import pyarrow.parquet as pq

    assert str(pq.read_schema(tmp_path / "list.parquet").field("customer_id").type) in (
        "string",
        "large_string",
    )


def test_a_column_parquet_cannot_store_is_a_data_error_and_leaves_no_file(tmp_path):
    frame = pd.DataFrame({"id": pd.Series(["a", 1], dtype=object)})
    with pytest.raises(DataError, match=r"list.parquet cannot be written as Parquet.*single type"):
        write_parquet(frame, tmp_path / "list.parquet")
    assert list(tmp_path.iterdir()) == []
