"""kill -9 and SIGTERM during the write of every writing command: the previous output survives,
and no temporary file is left (after SIGTERM at once; after kill -9 once the next run on the
same path has run). The runs themselves happen once, in ``writers.killed``."""

from __future__ import annotations

import pytest
from cases import case
from writers import WRITERS, bench_fixture, killed_fixture  # noqa: F401  (fixtures)

COMMANDS = [w.name for w in WRITERS]


@pytest.mark.parametrize(
    "command", [case(f"kill -9 during {name}", name, verdict="ok") for name in COMMANDS]
)
def test_kill_9_keeps_the_previous_output_and_the_next_run_cleans_up(killed, command):
    found = killed[command]
    assert found.a_returncode == -9
    assert found.a_after == found.before  # the previous output, byte for byte
    assert found.a_leftovers, "the killed run left nothing: it was not killed during its write"
    assert found.a_left_at_b == []  # the next run on the same path removed them first
    assert found.b_leftovers == []
    assert found.b_after == found.before


@pytest.mark.parametrize(
    "command",
    [case(f"SIGTERM during {name}", name, verdict="error", code="exit143") for name in COMMANDS],
)
def test_sigterm_stops_cleanly_and_leaves_no_temporary(killed, command):
    found = killed[command]
    assert found.b_returncode == 143
    assert "Stopped by SIGTERM" in found.b_stderr
    assert "Traceback" not in found.b_stderr
    assert found.b_leftovers == []
    assert found.b_after == found.before
