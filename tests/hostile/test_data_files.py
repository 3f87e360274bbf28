"""Hostile files: empty, odd bytes, encodings, separators, headers and damaged Parquet. Each
reads cleanly or is one clear problem, never a traceback."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cases import case
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import ConfigError, DataRepairWarning
from churnlab.tables import check_data

HEADER = "customer_id,signup_date,end_date\n"
ROWS = "C1,2024-01-01,\nC2,2024-02-01,2024-05-01\n"
CUSTOMERS = HEADER + ROWS


def _parquet_bytes() -> bytes:
    sink = pa.BufferOutputStream()
    frame = pd.DataFrame({"customer_id": ["C1"], "signup_date": pd.to_datetime(["2024-01-01"])})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue().to_pybytes()


PARQUET = _parquet_bytes()


def codes(folder: Path) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)
        return [str(p.code) for p in check_data(folder).problems]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        case("zero bytes", "customers.csv", b"", "empty_file", verdict="error", code="empty_file"),
        case(
            "only a newline",
            "customers.csv",
            b"\n",
            "empty_file",
            verdict="error",
            code="empty_file",
        ),
        case(
            "header only",
            "customers.csv",
            HEADER.encode(),
            "no_rows",
            verdict="error",
            code="no_rows",
        ),
        case(
            "only NUL bytes",
            "customers.csv",
            b"\0\0\0\0",
            "no_rows",
            verdict="error",
            code="no_rows",
        ),
        case(
            "a PNG as CSV",
            "customers.csv",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "an unclosed quote",
            "customers.csv",
            (HEADER + '"C1,2024-01-01,\n').encode(),
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "a row with extra fields",
            "customers.csv",
            (HEADER + "C1,2024-01-01,,x,y\n").encode(),
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "a zero-byte Parquet",
            "customers.parquet",
            b"",
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "a truncated Parquet",
            "customers.parquet",
            PARQUET[: len(PARQUET) // 2],
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "text named .parquet",
            "customers.parquet",
            CUSTOMERS.encode(),
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "Parquet with a broken footer",
            "customers.parquet",
            PARQUET[:-8] + b"XXXXPAR1",
            "unreadable_file",
            verdict="error",
            code="unreadable_file",
        ),
    ],
)
def test_a_broken_file_is_one_clear_problem(
    make_data, name: str, content: bytes, code: str
) -> None:
    assert codes(make_data({name: content})) == [code]


@pytest.mark.parametrize(
    "content",
    [
        case("CRLF line ends", CUSTOMERS.replace("\n", "\r\n").encode(), verdict="ok"),
        case("old Mac CR line ends", CUSTOMERS.replace("\n", "\r").encode(), verdict="ok"),
        case("no newline at the end", CUSTOMERS.rstrip("\n").encode(), verdict="ok"),
        case(
            "blank lines between rows",
            (HEADER + "\nC1,2024-01-01,\n\n\nC2,2024-02-01,2024-05-01\n").encode(),
            verdict="ok",
        ),
        case(
            "spaces around header names",
            (" customer_id , signup_date ,end_date\n" + ROWS).encode(),
            verdict="ok",
        ),
        case(
            "quoted values",
            (HEADER + '"C1","2024-01-01",""\n"C2","2024-02-01","2024-05-01"\n').encode(),
            verdict="ok",
        ),
    ],
)
def test_harmless_byte_differences_read_the_same(make_data, content: bytes) -> None:
    tables = check_data(make_data({"customers.csv": content})).raise_for_problems()
    assert tables.customers["customer_id"].tolist() == ["C1", "C2"]
    assert tables.customers["end_date"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    "content", [case("UTF-8 byte-order mark", b"\xef\xbb\xbf" + CUSTOMERS.encode(), verdict="warn")]
)
def test_a_byte_order_mark_is_removed_with_a_warning(make_data, content: bytes) -> None:
    with pytest.warns(DataRepairWarning, match="byte-order mark"):
        tables = check_data(make_data({"customers.csv": content})).raise_for_problems()
    assert tables.customers.columns[0] == "customer_id"


CITY = HEADER.replace("\n", ",city\n") + "C1,2024-01-01,,Zürich\n"


@pytest.mark.parametrize(
    ("content", "toml"),
    [
        case(
            "Latin-1 read as UTF-8",
            CITY.encode("latin-1"),
            "",
            verdict="error",
            code="unreadable_file",
        ),
        case(
            "GBK read as UTF-8",
            (HEADER.replace("\n", ",city\n") + "C1,2024-01-01,,北京\n").encode("gbk"),
            "",
            verdict="error",
            code="unreadable_file",
        ),
    ],
)
def test_an_encoding_error_suggests_the_setting(make_data, content: bytes, toml: str) -> None:
    report = check_data(make_data({"customers.csv": content, "churnlab.toml": toml}))
    (problem,) = report.problems
    assert problem.code == "unreadable_file"
    assert "encoding =" in problem.check and "churnlab.toml" in problem.check


@pytest.mark.parametrize(
    ("content", "toml", "city"),
    [
        case(
            "Latin-1 with its setting",
            CITY.encode("latin-1"),
            '[data]\nencoding = "latin-1"\n',
            "Zürich",
            verdict="ok",
        ),
        case(
            "GBK with its setting",
            (HEADER.replace("\n", ",city\n") + "C1,2024-01-01,,北京\n").encode("gbk"),
            '[data]\nencoding = "gbk"\n',
            "北京",
            verdict="ok",
        ),
        case(
            "UTF-16 with its setting",
            CITY.encode("utf-16"),
            '[data]\nencoding = "utf-16"\n',
            "Zürich",
            verdict="ok",
        ),
    ],
)
def test_an_encoding_setting_reads_the_file(
    make_data, content: bytes, toml: str, city: str
) -> None:
    tables = check_data(
        make_data({"customers.csv": content, "churnlab.toml": toml})
    ).raise_for_problems()
    assert tables.customers["city"].tolist() == [city]


@pytest.mark.parametrize(
    "toml",
    [
        case(
            "unknown encoding", '[data]\nencoding = "utf-9"\n', verdict="error", code="ConfigError"
        ),
        case(
            "churnlab.toml in GBK",
            '[data]\ndate_format = "%Y年%m月%d日"\n'.encode("gbk"),
            verdict="error",
            code="ConfigError",
        ),
        case(
            "a date format with a bad directive",
            '[data]\ndate_format = "%Q-%Y"\n',
            verdict="error",
            code="ConfigError",
        ),
        case(
            "a date format that is a number",
            "[data]\ndate_format = 5\n",
            verdict="error",
            code="ConfigError",
        ),
        case(
            "a delimiter that is a number",
            "[data]\ndelimiter = 5\n",
            verdict="error",
            code="ConfigError",
        ),
        case(
            "two-character delimiter",
            '[data]\ndelimiter = ";;"\n',
            verdict="error",
            code="ConfigError",
        ),
    ],
)
def test_a_bad_file_setting_is_a_config_error(make_data, toml: str | bytes) -> None:
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": toml})
    with pytest.raises(ConfigError, match=r"churnlab\.toml|encoding|delimiter|date_format"):
        check_data(folder)


@pytest.mark.parametrize(
    ("content", "toml"),
    [
        case(
            "semicolons with the setting",
            CUSTOMERS.replace(",", ";"),
            '[data]\ndelimiter = ";"\n',
            verdict="ok",
        ),
        case(
            "tabs with the setting",
            CUSTOMERS.replace(",", "\t"),
            '[data]\ndelimiter = "\\t"\n',
            verdict="ok",
        ),
        case(
            "pipes with the setting",
            CUSTOMERS.replace(",", "|"),
            '[data]\ndelimiter = "|"\n',
            verdict="ok",
        ),
    ],
)
def test_a_delimiter_setting_reads_the_file(make_data, content: str, toml: str) -> None:
    tables = check_data(
        make_data({"customers.csv": content, "churnlab.toml": toml})
    ).raise_for_problems()
    assert tables.customers["customer_id"].tolist() == ["C1", "C2"]


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        case(
            "semicolons without the setting",
            CUSTOMERS.replace(",", ";"),
            "';'",
            verdict="error",
            code="not_a_table",
        ),
        case(
            "tabs without the setting",
            CUSTOMERS.replace(",", "\t"),
            "'\\t'",
            verdict="error",
            code="not_a_table",
        ),
    ],
)
def test_a_wrong_delimiter_names_the_right_one(make_data, content: str, hint: str) -> None:
    (problem,) = check_data(make_data({"customers.csv": content})).problems
    assert problem.code == "not_a_table"
    assert f"is the delimiter {hint}?" in problem.check


def _twice(frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.append_column("amount", pa.array([1.0] * len(frame)))


@pytest.mark.parametrize(
    "kind",
    [
        case("duplicate header in a CSV", "csv", verdict="error", code="duplicate_column"),
        case(
            "duplicate header in a Parquet file",
            "parquet",
            verdict="error",
            code="duplicate_column",
        ),
        case("names equal once trimmed", "trimmed", verdict="error", code="duplicate_column"),
    ],
)
def test_a_duplicate_header_is_a_problem(make_data, kind: str) -> None:
    bills = pd.DataFrame(
        {"customer_id": ["C1"], "bill_date": pd.to_datetime(["2024-03-01"]), "amount": [9.0]}
    )
    folder = make_data({"customers.csv": CUSTOMERS})
    if kind == "parquet":
        pq.write_table(_twice(bills), folder / "bills.parquet")
    elif kind == "csv":
        (folder / "bills.csv").write_text(
            "customer_id,bill_date,amount,amount\nC1,2024-03-01,9,1\n"
        )
    else:
        (folder / "bills.csv").write_text(
            "customer_id,bill_date,amount, amount\nC1,2024-03-01,9,1\n"
        )

    report = check_data(folder)

    assert [(str(p.code), p.where) for p in report.problems] == [
        ("duplicate_column", "bills.amount")
    ]


@pytest.mark.parametrize(
    ("toml", "where"),
    [
        case(
            "optional column mapped to nothing",
            '[columns.bills]\npaid_date = "PaidOn"\n',
            "bills.paid_date",
            verdict="error",
            code="mapped_column_missing",
        ),
        case(
            "required column mapped to nothing",
            '[columns.bills]\namount = "Total"\n',
            "bills.amount",
            verdict="error",
            code="mapped_column_missing",
        ),
    ],
)
def test_a_mapping_to_a_missing_column_names_the_mapping(make_data, toml: str, where: str) -> None:
    bills = "customer_id,bill_date,amount,paid\nC1,2024-03-01,9,2024-03-02\n"
    folder = make_data({"customers.csv": CUSTOMERS, "bills.csv": bills, "churnlab.toml": toml})
    (problem,) = check_data(folder).problems
    assert (str(problem.code), problem.where) == ("mapped_column_missing", where)
    assert "[columns.bills]" in problem.check


@pytest.mark.parametrize(
    "toml",
    [
        case(
            "mapping to a missing column, Parquet",
            '[columns.bills]\npaid_date = "PaidOn"\n',
            verdict="error",
            code="mapped_column_missing",
        )
    ],
)
def test_a_mapping_to_a_missing_column_declines_the_direct_read(make_data, toml: str) -> None:
    from churnlab.tables.direct import plan_direct_read

    bills = pd.DataFrame(
        {"customer_id": ["C1"], "bill_date": pd.to_datetime(["2024-03-01"]), "amount": [9.0]}
    )
    customers = pd.read_csv(pd.io.common.StringIO(CUSTOMERS), dtype=str)
    customers["signup_date"] = pd.to_datetime(customers["signup_date"])
    customers["end_date"] = pd.to_datetime(customers["end_date"])
    folder = make_data(
        {"customers.parquet": customers, "bills.parquet": bills, "churnlab.toml": toml}
    )

    assert plan_direct_read(folder) is None
    assert [str(p.code) for p in check_data(folder).problems] == ["mapped_column_missing"]


@pytest.mark.parametrize(
    "files",
    [
        case(
            "both CSV and Parquet",
            {"customers.csv": CUSTOMERS, "customers.parquet": PARQUET},
            verdict="error",
            code="two_files",
        ),
        case(
            "no customers file",
            {"bills.csv": "customer_id,bill_date,amount\n"},
            verdict="error",
            code="missing_file",
        ),
    ],
)
def test_which_file_is_the_table_is_never_guessed(make_data, files: dict) -> None:
    assert codes(make_data(files))[0] in {"two_files", "missing_file"}


@pytest.mark.parametrize(
    "content",
    [case("validate, Latin-1 file", CITY.encode("latin-1"), verdict="error", code="exit1")],
)
def test_validate_prints_the_encoding_hint(make_data, content: bytes) -> None:
    result = CliRunner().invoke(app, ["validate", str(make_data({"customers.csv": content}))])
    assert result.exit_code == 1
    assert "encoding =" in result.output and "Traceback" not in result.output
