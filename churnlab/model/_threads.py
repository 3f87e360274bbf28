"""Imported before LightGBM: OpenMP threads that wait should sleep, not spin.

LightGBM's OpenMP threads spin while they wait for each other by default. On a busy machine
(other processes on the same cores) a spinning thread steals the core its partner needs, and
training ran 3 to 5 times slower with two threads than with one. ``OMP_WAIT_POLICY=PASSIVE``
makes waiting threads sleep. It takes effect only if set before the OpenMP runtime loads (the
first ``import lightgbm``); a value set by the user is kept.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
