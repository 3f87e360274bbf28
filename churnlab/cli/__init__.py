"""The ``churnlab`` command: each command is one library call, a rendering and an exit code.

Exit codes: 0 ok, 1 a data or validation problem, 2 a usage error.
"""

from churnlab.cli import campaign as _campaign  # noqa: F401  (registers target-list)
from churnlab.cli import monitor as _monitor  # noqa: F401  (registers compare)
from churnlab.cli import runs as _runs  # noqa: F401  (registers run, runs)
from churnlab.cli.app import app

__all__ = ["app"]
