"""XLSX for spreadsheets: typed cells, text ids, no formula, sheets split at the row limit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hostile import CHINESE, HOSTILE, excel_text, hostile_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlab.errors import DataError, SpecError
from churnlab.export import WORKBOOK_OPTIONS, is_formula_like, neutralise, write_xlsx
from churnlab.export.xlsx_cells import display_width


def sheet_values(path, sheet="list") -> list[list]:
    return [[cell.value for cell in row] for row in openpyxl.load_workbook(path)[sheet].iter_rows()]


def test_the_workbook_turns_no_text_into_a_formula_link_or_number():
    assert WORKBOOK_OPTIONS == {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
    }


def test_hostile_ids_categories_and_reasons_are_text_cells_and_never_formulas(tmp_path):
    frame = hostile_frame()
    path = write_xlsx(frame, tmp_path / "list.xlsx")
    sheet = openpyxl.load_workbook(path)["list"]
    rows = list(sheet.iter_rows(min_row=2))
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for position in range(4):  # customer_id, segment, reason_1, note
        cells = [row[position] for row in rows]
        assert all(cell.data_type == "s" for cell in cells[:-1])
        shown = [excel_text(cell.value) for cell in cells[: len(HOSTILE)]]
        assert shown == ["'" + text for text in HOSTILE]
        assert not any(is_formula_like(excel_text(cell.value)) for cell in cells if cell.value)


def test_ids_keep_their_leading_zeros_and_chinese_text_its_characters(tmp_path):
    path = write_xlsx(hostile_frame(), tmp_path / "list.xlsx")
    values = sheet_values(path)
    assert [row[0] for row in values[-4:]] == ["00123", "C-9", "0007", "中文-001"]
    assert values[-1][2] == CHINESE and values[-1][1] == "高价值"


def test_numbers_dates_and_booleans_keep_their_types(tmp_path):
    frame = hostile_frame()
    path = write_xlsx(frame, tmp_path / "list.xlsx")
    sheet = openpyxl.load_workbook(path)["list"]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["expected_gain"].data_type == "n" and row["expected_gain"].value == -5.5
    assert row["rank"].value == -1  # a negative number stays a number, no quote
    assert row["as_of"].value == dt.datetime(2025, 6, 30)
    assert row["as_of"].number_format == "yyyy-mm-dd"
    assert row["listed"].value is True and row["listed"].data_type == "b"
    last = {name: cell.value for name, cell in zip(header, sheet[sheet.max_row], strict=True)}
    assert last["churn_probability"] is None and last["note"] is None  # NaN, None: blank


def test_the_header_is_bold_and_frozen_with_filters_and_widths_fit(tmp_path):
    frame = pd.DataFrame({"customer_id": ["00123"], "原因": [CHINESE], "=x": [1.0]})
    sheet = openpyxl.load_workbook(write_xlsx(frame, tmp_path / "l.xlsx"))["list"]
    assert [cell.value for cell in sheet[1]] == ["customer_id", "原因", "'=x"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert widths[0] > len("customer_id")
    assert widths[1] > display_width(CHINESE) > len(CHINESE)  # wide characters count twice


def test_text_columns_and_column_formats_apply_by_name(tmp_path):
    frame = pd.DataFrame({"customer_id": [123, -5], "p": [0.12345, 0.5]})
    path = write_xlsx(
        frame, tmp_path / "l.xlsx", text_columns=["customer_id"], column_formats={"p": "0.0%"}
    )
    sheet = openpyxl.load_workbook(path)["list"]
    assert [sheet["A2"].value, sheet["A3"].value] == ["123", "'-5"]  # text now: neutralised
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 0.12345 and sheet["B2"].number_format == "0.0%"


def test_object_columns_are_written_cell_by_cell_by_type(tmp_path):
    values = ["-x", -5, 2.5, None, np.nan, True, dt.date(2025, 1, 31), dt.timedelta(days=1)]
    values += [np.datetime64("2025-02-01"), np.datetime64("NaT")]
    frame = pd.DataFrame({"value": pd.Series(values, dtype=object)})
    sheet = openpyxl.load_workbook(write_xlsx(frame, tmp_path / "l.xlsx"))["list"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=len(values) + 1)]
    assert [cell.value for cell in cells] == [
        "'-x",
        -5,
        2.5,
        None,
        None,
        True,
        dt.datetime(2025, 1, 31),
        "1 day, 0:00:00",
        dt.datetime(2025, 2, 1),
        None,
    ]
    assert cells[6].number_format == "yyyy-mm-dd"


def test_a_summary_and_a_column_guide_follow_the_list(tmp_path):
    summary = pd.DataFrame({"key": ["mode", "budget", "=x"], "value": ["top", 1000, "-y"]})
    guide = pd.DataFrame({"column": ["customer_id"], "meaning": ["The customer's id, as text"]})
    path = write_xlsx(
        hostile_frame(), tmp_path / "l.xlsx", extra_sheets={"summary": summary, "columns": guide}
    )
    assert openpyxl.load_workbook(path).sheetnames == ["list", "summary", "columns"]
    assert sheet_values(path, "summary") == [
        ["key", "value"],
        ["mode", "top"],
        ["budget", 1000],
        ["'=x", "'-y"],
    ]


def test_a_long_list_is_split_over_sheets_in_order_each_with_its_header(tmp_path):
    frame = pd.DataFrame(
        {"customer_id": [f"{i:05d}" for i in range(7)], "gain": np.arange(7) - 3.0}
    )
    path = write_xlsx(
        frame, tmp_path / "l.xlsx", max_rows=3, extra_sheets={"summary": frame.head(1)}
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["list", "list (2)", "list (3)", "summary"]
    rows = []
    for name in ["list", "list (2)", "list (3)"]:
        header, *body = sheet_values(path, name)
        assert header == ["customer_id", "gain"]
        assert book[name].freeze_panes == "A2"
        rows += body
    assert rows == [[f"{i:05d}", i - 3.0] for i in range(7)]
    assert len(sheet_values(path, "list (3)")) == 2  # the last sheet holds the 7th row only


def test_an_empty_list_is_a_sheet_with_its_header(tmp_path):
    frame = pd.DataFrame({"customer_id": pd.Series([], dtype="str"), "gain": []})
    assert sheet_values(write_xlsx(frame, tmp_path / "l.xlsx")) == [["customer_id", "gain"]]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sheet": "a/b"}, r"sheet name must not contain any of \[\]:\*\?/\\. Got 'a/b'"),
        ({"sheet": "x" * 32}, "at most 31 characters"),
        ({"sheet": ""}, "must be a non-empty str"),
        ({"extra_sheets": {"LIST": pd.DataFrame()}}, "named 'list' and 'LIST'"),
        ({"max_rows": 0}, r"'max_rows' parameter of write_xlsx must be an int in \[1, 1048575\]"),
        (
            {"text_columns": ["customer_ic"]},
            "no sheet has: 'customer_ic'. Did you mean 'customer_id'",
        ),
        ({"column_formats": {"gain": 3}}, "must map column names to Excel number formats"),
        ({"extra_sheets": {"s": [1]}}, "must map sheet names to DataFrames. Got list"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path, options, message):
    frame = pd.DataFrame({"customer_id": ["1"], "gain": [1.0]})
    with pytest.raises(SpecError, match=message):
        write_xlsx(frame, tmp_path / "l.xlsx", **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (pd.Series([1.0, np.inf]), "holds 1 infinite values"),
        (pd.Series(["x" * 40_000]), "longer than Excel's 32,767 characters"),
        (pd.Series(pd.to_datetime(["1899-01-01"])), "before 1 March 1900"),
        (pd.Series([1, -np.inf], dtype=object), "infinite number"),
        (pd.Series([1, "y" * 40_000], dtype=object), "longer than Excel's 32,767 characters"),
    ],
)
def test_values_excel_cannot_hold_are_data_errors_and_leave_no_file(tmp_path, column, message):
    with pytest.raises(DataError, match=message):
        write_xlsx(pd.DataFrame({"x": column}), tmp_path / "l.xlsx")
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=15), st.none()), min_size=1, max_size=20))
def test_any_text_comes_back_from_the_xlsx_neutralised_and_whole(tmp_path_factory, values):
    path = write_xlsx(
        pd.DataFrame({"t": values}, dtype="str"), tmp_path_factory.mktemp("x") / "t.xlsx"
    )
    cells = [row[0] for row in sheet_values(path)[1:]]
    cells += [None] * (len(values) - len(cells))  # trailing blank rows are not stored
    assert [None if c is None else excel_text(c) for c in cells] == [
        None if v is None else neutralise(v) for v in values
    ]
