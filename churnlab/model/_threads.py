"""Imported before LightGBM: its OpenMP threads that wait should sleep, not spin.

LightGBM's OpenMP threads spin while they wait for each other by default. On a busy machine
(other processes on the same cores) a spinning thread steals the core its partner needs, and
training ran 3 to 5 times slower with two threads than with one. ``OMP_WAIT_POLICY=PASSIVE``
makes waiting threads sleep.

The OpenMP runtime reads the variable once, when it loads: with the first ``import lightgbm``
(later changes have no effect). So the variable is set only while LightGBM is first imported,
and the environment is then restored: the process's environment, and the subprocesses it
starts, are as the user left them. A value set by the user is kept, and so is LightGBM's
runtime when it was loaded before churnlab (then its policy is whatever the user chose).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

POLICY = "OMP_WAIT_POLICY"


@contextlib.contextmanager
def passive_openmp() -> Iterator[None]:
    """``OMP_WAIT_POLICY=PASSIVE`` while the block runs, unless set already; then as before.

    >>> before = dict(os.environ)
    >>> with passive_openmp():
    ...     os.environ[POLICY] == before.get(POLICY, "PASSIVE")
    True
    >>> dict(os.environ) == before
    True
    """
    if POLICY in os.environ:
        yield
        return
    os.environ[POLICY] = "PASSIVE"
    try:
        yield
    finally:
        os.environ.pop(POLICY, None)


with passive_openmp():
    import lightgbm  # noqa: F401  (loads LightGBM's OpenMP runtime, which reads the policy now)
