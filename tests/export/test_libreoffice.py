"""What LibreOffice makes of our hostile files: no formula, ids still text (skipped without it).

The CSV is imported the strictest way: formulas evaluated ("Evaluate formulas") and spaces
trimmed ("Trim spaces", which turns " =1+1" into a formula), as UTF-8.
"""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from hostile import HOSTILE, excel_text, hostile_frame

from churnlab.export import write_csv, write_xlsx

SOFFICE = shutil.which("soffice")
# Tokens: separator, quote, UTF-8, first line, formats, language, quoted as text, detect
# special numbers, (export), (export), trim spaces, (export), evaluate formulas.
CSV_IMPORT = "CSV:44,34,76,1,,0,false,true,false,false,true,-1,true"


def convert(source, out, profile, *infilter):
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        *infilter,
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return out / (source.stem + ".xlsx")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_no_formula_and_keeps_ids_as_text(tmp_path):
    frame = hostile_frame()
    csv_path = write_csv(frame, tmp_path / "hostile_csv.csv")
    xlsx_path = write_xlsx(frame, tmp_path / "hostile_xlsx.xlsx")
    out, profile = tmp_path / "converted", tmp_path / "profile"
    from_csv = convert(csv_path, out, profile, f"--infilter={CSV_IMPORT}")
    from_xlsx = convert(xlsx_path, out, profile)
    for path in (from_csv, from_xlsx):
        sheet = openpyxl.load_workbook(path).active
        formulas = {
            cell.value for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
        }
        # LibreOffice has no boolean cells: it saves TRUE and FALSE as these two formulas.
        assert formulas <= {"=TRUE()", "=FALSE()"}, path.name
    ids_from_csv = [
        row[0].value for row in openpyxl.load_workbook(from_csv).active.iter_rows(min_row=2)
    ]
    ids_from_xlsx = [
        row[0].value for row in openpyxl.load_workbook(from_xlsx).active.iter_rows(min_row=2)
    ]
    # Hostile ids stay visible text with their quote; LibreOffice drops a NUL ("'=1+1").
    expected = ["'" + text.replace("\x00", "") for text in HOSTILE]
    assert [excel_text(v).replace("\x00", "") for v in ids_from_xlsx[: len(HOSTILE)]] == expected
    assert [v.replace("\r", "\n") for v in ids_from_csv[: len(HOSTILE)]] == [
        t.replace("\r", "\n") for t in expected
    ]
    # The XLSX keeps every id as text, leading zeros included.
    assert ids_from_xlsx[len(HOSTILE) :] == ["00123", "C-9", "0007", "中文-001"]
