"""The ``churnlab`` command: each command is one library call, a rendering and an exit code.

Exit codes: 0 ok, 1 a data or validation problem, 2 a usage error (a bad option, a missing
data folder, an output that cannot or must not be written); 3 a bug in churnlab (its traceback
and a line asking for a report); 130 and 143 stopped by Ctrl-C or SIGTERM (nothing half-written).
"""

from churnlab.cli import campaign as _campaign  # noqa: F401  (registers target-list)
from churnlab.cli import monitor as _monitor  # noqa: F401  (registers compare)
from churnlab.cli import runs as _runs  # noqa: F401  (registers run, runs)
from churnlab.cli.app import app

__all__ = ["app"]
