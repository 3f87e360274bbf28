"""Importing churnlab changes nothing in the process's environment, yet LightGBM's OpenMP
threads sleep while they wait (see churnlab/model/_threads.py)."""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), clean.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


IMPORT_AND_DIFF = """
import json, os
before = dict(os.environ)
import churnlab, churnlab.model, churnlab.model.train
after = dict(os.environ)
print(json.dumps({k: [before.get(k), after.get(k)] for k in before.keys() | after.keys()
                  if before.get(k) != after.get(k)}))
"""


@pytest.mark.parametrize("user", [{}, {"OMP_WAIT_POLICY": "ACTIVE"}], ids=["unset", "set"])
def test_importing_churnlab_model_leaves_the_environment_unchanged(user):
    changed = json.loads(run_python(IMPORT_AND_DIFF, **user).stdout)

    assert changed == {}


@pytest.mark.skipif(
    sys.platform != "linux" or ctypes.util.find_library("gomp") is None,
    reason="reads the settings of GNU OpenMP (libgomp), which LightGBM's Linux wheels use",
)
def test_lightgbm_threads_still_sleep_while_they_wait():
    shown = run_python(  # libgomp prints its settings on stderr
        "import ctypes, churnlab.model; ctypes.CDLL('libgomp.so.1').omp_display_env(1)"
    ).stderr

    assert "GOMP_SPINCOUNT = '0'" in shown  # what OMP_WAIT_POLICY=PASSIVE sets
