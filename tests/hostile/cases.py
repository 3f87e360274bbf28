"""The hostile-input suite's one convention: every case states its expected verdict.

A case is a ``pytest.param`` made by :func:`case`. Its id starts with the verdict, so that
``pytest tests/hostile --collect-only -q`` counts the cases by verdict (see
``tests/hostile/count_cases.py``):

- ``ok``: churnlab accepts the input and does the right thing;
- ``error-<code>``: churnlab refuses it with a clear message (``<code>`` is a
  :class:`~churnlab.tables.problems.ProblemCode`, or the CLI exit code ``exit1``/``exit2``, or the
  exception's class name), never a traceback;
- ``warn``: churnlab goes on and warns with a :class:`~churnlab.errors.ChurnlabWarning`.
"""

from __future__ import annotations

from typing import Any

import pytest

VERDICTS = ("ok", "error", "warn")


def case(name: str, *values: Any, verdict: str, code: str = "") -> Any:
    """One hostile case: ``pytest.param(*values, id="<verdict>[-<code>]:<name>")``.

    >>> case("empty file", b"", verdict="error", code="empty_file").id
    'error-empty_file:empty file'
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if verdict == "error" and not code:
        raise ValueError(f"the error case {name!r} must name its code")
    label = f"{verdict}-{code}" if code else verdict
    return pytest.param(*values, id=f"{label}:{name}")
