"""A target list's files: what each holds, safe to open, atomic, with a manifest."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from churnlab.campaign import TARGET_COLUMNS, Selection, target_list
from churnlab.errors import SpecError
from churnlab.export import verify_manifest
from churnlab.model import ChurnModel

HOSTILE = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR", "＝1+1"]


@pytest.fixture(scope="module")
def small(campaign_demo: Path, campaign_model: ChurnModel):
    return target_list(campaign_demo, campaign_model, selection=Selection.top(40))


@pytest.fixture(scope="module")
def written(small, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small.export(tmp_path_factory.mktemp("lists") / "list")


def test_the_directory_holds_every_file_and_a_manifest_that_checks_out(written: Path, tmp_path):
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(
        [
            "manifest.json",
            "profit_curve.png",
            "target_list.csv",
            "target_list.parquet",
            "target_list.xlsx",
            "winback.csv",
        ]
    )
    assert verify_manifest(written) == []
    copy = tmp_path / "copy"
    shutil.copytree(written, copy)
    (copy / "target_list.csv").write_text("tampered", encoding="utf-8")
    assert verify_manifest(copy) == ["target_list.csv: changed"]


def test_the_manifest_records_groups_parameters_model_and_data(small, written: Path):
    manifest = json.loads((written / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "target_list"
    assert manifest["rows"]["target"] + manifest["rows"]["control"] == len(small.frame)
    assert manifest["model_id"] == small.model_id
    assert len(manifest["model_card_sha256"]) == 64
    assert len(manifest["data_fingerprint"]["sha256"]) == 64
    assert manifest["as_of"] == str(small.as_of.date())
    assert manifest["horizon_days"] == 90
    assert manifest["parameters"]["selection"] == {"mode": "top", "n": 40}
    assert manifest["included_columns"] == []
    assert manifest["run_id"] is None
    assert {"lightgbm", "pandas"} <= set(manifest["software"])


def test_csv_has_a_bom_the_columns_in_order_and_rounded_numbers(written: Path):
    raw = (written / "target_list.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(
        written / "target_list.csv", dtype={"customer_id": str}, encoding="utf-8-sig"
    )
    assert tuple(frame.columns) == TARGET_COLUMNS
    assert frame["customer_id"].str.len().min() > 1  # ids kept their leading zeros
    assert (frame["churn_probability"].round(4) == frame["churn_probability"]).all()


def test_xlsx_has_the_list_a_summary_and_a_column_guide_with_ids_as_text(written: Path):
    book = openpyxl.load_workbook(written / "target_list.xlsx", read_only=True)
    assert book.sheetnames == ["list", "summary", "columns"]
    rows = list(book["list"].iter_rows(values_only=True))
    assert tuple(rows[0]) == TARGET_COLUMNS
    assert all(isinstance(row[0], str) for row in rows[1:])
    guide = {row[0]: row[1] for row in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert set(TARGET_COLUMNS) <= set(guide)


def test_parquet_keeps_full_precision_and_string_ids(small, written: Path):
    frame = pd.read_parquet(written / "target_list.parquet")
    assert frame["customer_id"].dtype == "string" or frame["customer_id"].dtype == object
    pd.testing.assert_series_equal(
        frame["expected_gain"], small.frame["expected_gain"], check_names=False
    )


def test_hostile_text_is_neutralised_in_csv_and_xlsx_and_numbers_are_not(small, tmp_path):
    frame = small.frame.head(len(HOSTILE)).copy()
    frame["customer_id"] = pd.array(HOSTILE, dtype="string")
    frame["reason_1"] = pd.array(HOSTILE, dtype="string")
    frame["expected_gain"] = -frame["expected_gain"].abs()  # negative numbers stay numbers
    hostile = dataclasses.replace(small, frame=frame, winback=None)
    out = hostile.export(tmp_path / "hostile")
    with (out / "target_list.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        assert row[0] == "'" + text and row[8] == "'" + text
        assert float(row[6]) < 0
    book = openpyxl.load_workbook(out / "target_list.xlsx")
    sheet = book["list"]
    for r, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=r, column=1)
        # openpyxl leaves a carriage return as XML's escape _x000D_: the text is whole
        assert cell.data_type == "s" and cell.value == "'" + text.replace("\r", "_x000D_")
        assert sheet.cell(row=r, column=7).data_type == "n"
    parquet = pd.read_parquet(out / "target_list.parquet")
    assert parquet["customer_id"].tolist() == HOSTILE  # the data team gets the text as it is


def test_chinese_reasons_survive_csv_and_xlsx(campaign_demo, campaign_model, tmp_path):
    found = target_list(
        campaign_demo, campaign_model, selection=Selection.top(5), language="zh", winback=False
    )
    out = found.export(tmp_path / "zh", formats=("csv", "xlsx"))
    csv_text = (out / "target_list.csv").read_text(encoding="utf-8-sig")
    assert found.frame["recommended_action"].iloc[0] in csv_text
    book = openpyxl.load_workbook(out / "target_list.xlsx", read_only=True)
    first = next(book["list"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert (
        first[TARGET_COLUMNS.index("recommended_action")]
        == found.frame["recommended_action"].iloc[0]
    )


def test_an_interrupted_export_keeps_the_previous_list_whole(small, tmp_path, monkeypatch):
    out = small.export(tmp_path / "list")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(frame, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr("churnlab.campaign.files.write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        small.export(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list"]


def test_a_directory_that_is_not_an_earlier_list_is_refused(small, tmp_path):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    with pytest.raises(SpecError, match="not an earlier export"):
        small.export(other)
    assert (other / "mine.txt").read_text() == "keep me"


def test_an_export_never_writes_into_its_inputs(small, campaign_demo):
    with pytest.raises(SpecError, match="never writes over its inputs"):
        small.export(campaign_demo / "list", protect=[campaign_demo])


def test_a_list_made_by_a_run_carries_the_runs_id(small, tmp_path):
    out = small.export(tmp_path / "list", formats=("csv",), run_id="03_target_list/x-1")
    assert json.loads((out / "manifest.json").read_text())["run_id"] == "03_target_list/x-1"


def test_an_unknown_format_is_refused(small, tmp_path):
    with pytest.raises(SpecError, match=r"'xls'.*Did you mean 'xlsx'"):
        small.export(tmp_path / "x", formats=("csv", "xls"))
    assert not (tmp_path / "x").exists()
