"""Every command that takes a date refuses a bad one with one line on stderr and exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from churnlab.cli import app

CUSTOMERS = "customer_id,signup_date,end_date\n007,2024-01-01,\n008,2024-01-02,2024-03-01\n"

BAD_DATES = {
    "2024-13-01": "which is not a day of the calendar (month must be in 1..12)",
    "2023-02-29": "which is not a day of the calendar (day is out of range for month)",
    "today": "",
    "now": "",
    "01.06.2025": "",
    "06/01/2025": "",
    "2025-6-1": "",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _commands(data: str, out: str, date: str) -> dict[str, list[str]]:
    return {
        "features --as-of": ["features", data, "--out", out, "--as-of", date],
        "features --labels --as-of": ["features", data, "--out", out, "--labels", "--as-of", date],
        "features --labels --cutoffs": [
            *("features", data, "--out", out, "--labels", "--cutoffs", f"2024-01-31:{date}"),
        ],
        "train --cutoffs": ["train", data, "--out", out, "--cutoffs", date],
        "score --as-of": ["score", data, "--model", f"{out}.model", "--out", out, "--as-of", date],
    }


@pytest.mark.parametrize("command", list(_commands("", "", "")))
@pytest.mark.parametrize("date", list(BAD_DATES))
def test_a_bad_date_is_one_line_on_stderr_and_exit_2(runner, make_data, tmp_path, command, date):
    data = make_data({"customers.csv": CUSTOMERS})
    out = tmp_path / "out.parquet"
    name = "as_of" if command.endswith("--as-of") else "cutoffs"
    if command == "features --labels --cutoffs":
        name = "last"  # the grid's end

    result = runner.invoke(app, _commands(str(data), str(out), date)[command])

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    expected = (
        f"Error: The '{name}' date must be written YYYY-MM-DD, like 2025-06-30. Got '{date}' "
        f"instead{', ' + BAD_DATES[date] if BAD_DATES[date] else ''}.\n"
    )
    assert result.stderr == expected
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("date", list(BAD_DATES))
def test_a_bad_date_in_the_settings_file_is_exit_2(runner, make_data, date):
    data = make_data(
        {"customers.csv": CUSTOMERS, "churnlab.toml": f'[data]\nextract_date = "{date}"\n'}
    )

    result = runner.invoke(app, ["validate", str(data)])

    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: The '[data] extract_date' date must be written YYYY-MM-DD, like 2025-06-30. "
        f"Got '{date}' instead"
    )
    assert result.stderr.count("\n") == 1
