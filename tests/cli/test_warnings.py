"""The CLI prints library warnings as one readable line on stderr, never hides them."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

import churnlab.demo
from churnlab.cli import app
from churnlab.errors import DataRepairWarning


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Generated:
    def __repr__(self) -> str:
        return "<DemoResult>"


def warn_then_return(*warned: Warning):
    """A stand-in for generate_demo that warns, then returns."""

    def generate_demo(*args, **kwargs):
        for warning in warned:
            warnings.warn(warning, stacklevel=2)
        return Generated()

    return generate_demo


def test_a_churnlab_warning_in_a_command_reaches_stderr_as_one_line(runner, monkeypatch, tmp_path):
    message = "3 bills had a negative amount; they were set to 0 (e.g. rows 18, 1093, 5521)."
    monkeypatch.setattr(
        churnlab.demo, "generate_demo", warn_then_return(DataRepairWarning(message))
    )

    result = runner.invoke(app, ["demo-data", str(tmp_path / "demo")])

    assert result.exit_code == 0, result.output
    assert result.stdout == "<DemoResult>\n"
    assert result.stderr == f"Warning: {message}\n"


def test_another_library_s_future_warning_is_shown_with_its_category(runner, monkeypatch, tmp_path):
    monkeypatch.setattr(
        churnlab.demo,
        "generate_demo",
        warn_then_return(FutureWarning("Downcasting object dtype arrays is deprecated")),
    )

    result = runner.invoke(app, ["demo-data", str(tmp_path / "demo")])

    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "Warning: Downcasting object dtype arrays is deprecated (FutureWarning, "
    )
    assert len(result.stderr.splitlines()) == 1, "no source line, no traceback"
