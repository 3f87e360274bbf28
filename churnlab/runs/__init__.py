"""Notebook runs (``churnlab run`` folders, their parameters, reports and history) and the
month-on-month monitoring of target-list runs (:func:`compare_runs`) over their snapshots
(:func:`write_snapshot`)."""

from churnlab.runs.compare import RunComparison, compare_runs
from churnlab.runs.drift import DriftThresholds, ListChurn, list_churn, psi
from churnlab.runs.figures import record_figures
from churnlab.runs.history import latest_run, list_runs, write_index
from churnlab.runs.measures import MonitorWarning, Realised
from churnlab.runs.monitor_displays import (
    FeatureShiftDisplay,
    ReasonMixDisplay,
    ScoreShiftDisplay,
)
from churnlab.runs.params import read_parameters, resolve_parameters
from churnlab.runs.pick import latest_pair, next_month_end, successful_runs
from churnlab.runs.run import Run, find_notebook, run_notebook
from churnlab.runs.snapshot import Snapshot, read_snapshot, write_snapshot

__all__ = [
    "DriftThresholds",
    "FeatureShiftDisplay",
    "ListChurn",
    "MonitorWarning",
    "Realised",
    "ReasonMixDisplay",
    "Run",
    "RunComparison",
    "ScoreShiftDisplay",
    "Snapshot",
    "compare_runs",
    "find_notebook",
    "latest_pair",
    "latest_run",
    "list_churn",
    "list_runs",
    "next_month_end",
    "psi",
    "read_parameters",
    "read_snapshot",
    "record_figures",
    "resolve_parameters",
    "run_notebook",
    "successful_runs",
    "write_index",
    "write_snapshot",
]
