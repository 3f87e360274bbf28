"""Dates on the command line, churnlab.toml settings and encodings, and the data folder
argument: a clear message and exit code 2, never a traceback."""

from __future__ import annotations

import pytest
from cases import case
from writers import bench_fixture, invoke  # noqa: F401  (fixtures)

CUSTOMERS = "customer_id,signup_date,end_date\n007,01.01.2024,\n008,02.01.2024,01.03.2024\n"


def _refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1  # one line
    for word in words:
        assert word in result.stderr


# ---- dates on the command line -----------------------------------------------------------

BAD = [
    ("yesterday", ""),
    ("2024-02-31", "not a day of the calendar"),
    ("2023-02-29", "not a day of the calendar"),
    ("31/03/2024", ""),
    ("2024-3-31", ""),
    ("", ""),
]
DATED = ["score", "features", "explain", "target-list"]


def _dated(command: str, bench, tmp_path, date: str) -> list:
    return {
        "score": ["score", bench.data, "--model", bench.model, "--out", tmp_path / "s.csv"],
        "features": ["features", bench.data, "--out", tmp_path / "f.csv"],
        "explain": ["explain", bench.model, bench.data, "--out", tmp_path / "e"],
        "target-list": ["target-list", bench.data, "--model", bench.model, "--out", tmp_path / "l"],
    }[command] + ["--as-of", date]


@pytest.mark.parametrize(
    ("command", "date", "words"),
    [
        case(f"{command} --as-of {date!r}", command, date, words, verdict="error", code="exit2")
        for command in DATED
        for date, words in BAD[: 6 if command == "score" else 2]
    ],
)
def test_a_bad_as_of_is_one_clear_line(bench, tmp_path, command, date, words):
    result = invoke(*_dated(command, bench, tmp_path, date))
    _refused(result, "'as_of' date must be written YYYY-MM-DD", repr(date), words)
    assert list(tmp_path.iterdir()) == []  # nothing written, no lock left


@pytest.mark.parametrize(
    "cutoffs",
    [
        case("train --cutoffs yesterday", "yesterday", verdict="error", code="exit2"),
        case(
            "train --cutoffs ending 2024-02-31",
            "2024-01-31:2024-02-31:1M",
            verdict="error",
            code="exit2",
        ),
    ],
)
def test_bad_cutoffs_are_one_clear_line(bench, tmp_path, cutoffs):
    result = invoke("train", bench.data, "--out", tmp_path / "m", "--cutoffs", cutoffs)
    _refused(result, "date must be written YYYY-MM-DD")


@pytest.mark.parametrize(
    "date", [case("--as-of with spaces around it", " 2024-03-31 ", verdict="ok")]
)
def test_a_date_with_spaces_is_read(bench, tmp_path, date):
    result = invoke("features", bench.data, "--out", tmp_path / "f.csv", "--as-of", date)
    assert result.exit_code == 0, result.stderr
    assert "2024-03-31" in (tmp_path / "f.csv").read_text(encoding="utf-8")


# ---- churnlab.toml -----------------------------------------------------------------------

SETTINGS = [
    case(
        "date_format = '%Q-%Y'",
        b'[data]\ndate_format = "%Q-%Y"\n',
        "'Q' is a bad directive",
        verdict="error",
        code="exit2",
    ),
    case(
        "date_format = '%'",
        b'[data]\ndate_format = "%"\n',
        "stray %",
        verdict="error",
        code="exit2",
    ),
    case(
        "date_format = 12", b"[data]\ndate_format = 12\n", "got 12", verdict="error", code="exit2"
    ),
    case(
        "date_format = ''", b'[data]\ndate_format = ""\n', "got ''", verdict="error", code="exit2"
    ),
    case(
        "churnlab.toml saved in GBK",
        "# 数据设置\n[data]\ndelimiter = ','\n".encode("gbk"),
        "not UTF-8 text",
        verdict="error",
        code="exit2",
    ),
    case(
        "churnlab.toml saved in UTF-16",
        "[data]\ndelimiter = ','\n".encode("utf-16"),
        "not UTF-8 text",
        verdict="error",
        code="exit2",
    ),
    case(
        "churnlab.toml saved in Latin-1",
        "# données\n[data]\n".encode("latin-1"),
        "not UTF-8 text",
        verdict="error",
        code="exit2",
    ),
]


@pytest.mark.parametrize(("content", "words"), SETTINGS)
def test_a_bad_setting_names_the_file_and_what_to_do(make_data, content, words):
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": content})
    result = invoke("validate", folder)
    _refused(result, str(folder / "churnlab.toml"), words)
    assert "date_format" in result.stderr or "Save it as UTF-8" in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        case(
            "date_format = '%d.%m.%Y' on such dates",
            b'[data]\ndate_format = "%d.%m.%Y"\nextract_date = 2024-06-30\n',
            verdict="ok",
        ),
        case(
            "churnlab.toml in UTF-8 with a byte-order mark",
            '\ufeff[data]\ndate_format = "%d.%m.%Y"\nextract_date = 2024-06-30\n'.encode(),
            verdict="ok",
        ),
    ],
)
def test_good_settings_are_read(make_data, content):
    folder = make_data({"customers.csv": CUSTOMERS, "churnlab.toml": content})
    result = invoke("validate", folder)
    assert result.exit_code == 0, result.stderr
    assert "no problems" in result.stdout + result.stderr


# ---- the data folder argument ------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        case(f"{c} with a missing data folder", c, verdict="error", code="exit2")
        for c in ["validate", "features", "train", "score", "explain", "target-list"]
    ],
)
def test_a_missing_data_folder_is_a_usage_error(bench, tmp_path, command):
    missing = tmp_path / "nowhere"
    args = {
        "validate": ["validate", missing],
        "features": ["features", missing, "--out", tmp_path / "f.csv"],
        "train": ["train", missing, "--out", tmp_path / "m"],
        "score": ["score", missing, "--model", bench.model, "--out", tmp_path / "s.csv"],
        "explain": ["explain", bench.model, missing, "--out", tmp_path / "e"],
        "target-list": ["target-list", missing, "--model", bench.model, "--out", tmp_path / "l"],
    }[command]
    result = invoke(*args)
    _refused(result, f"the data folder {missing} does not exist", "customers.csv")


@pytest.mark.parametrize(
    "name", [case("a data folder that is a file", "customers.csv", verdict="error", code="exit2")]
)
def test_a_file_given_as_the_data_folder_is_a_usage_error(tmp_path, name):
    (tmp_path / name).write_text(CUSTOMERS, encoding="utf-8")
    result = invoke("validate", tmp_path / name)
    _refused(result, "is a file, not a folder")


@pytest.mark.parametrize(
    "out",
    [
        case(
            "a bad date with --out in folders still to make",
            "new/deeper/s.csv",
            verdict="error",
            code="exit2",
        )
    ],
)
def test_a_refused_run_leaves_no_folder_behind(bench, tmp_path, out):
    result = invoke(
        *_dated("score", bench, tmp_path, "yesterday")[:-4],
        "--out",
        tmp_path / out,
        "--as-of",
        "yesterday",
    )
    _refused(result, "'as_of' date must be written YYYY-MM-DD")
    assert list(tmp_path.iterdir()) == []
