"""Runs of the notebooks and what they leave behind; month-on-month monitoring of target-list
runs (:func:`compare_runs`) over their snapshots (:func:`write_snapshot`)."""

from churnlab.runs.compare import RunComparison, compare_runs
from churnlab.runs.drift import DriftThresholds, ListChurn, list_churn, psi
from churnlab.runs.measures import MonitorWarning, Realised
from churnlab.runs.monitor_displays import (
    FeatureShiftDisplay,
    ReasonMixDisplay,
    ScoreShiftDisplay,
)
from churnlab.runs.pick import latest_pair, successful_runs
from churnlab.runs.snapshot import Snapshot, read_snapshot, write_snapshot

__all__ = [
    "DriftThresholds",
    "FeatureShiftDisplay",
    "ListChurn",
    "MonitorWarning",
    "Realised",
    "ReasonMixDisplay",
    "RunComparison",
    "ScoreShiftDisplay",
    "Snapshot",
    "compare_runs",
    "latest_pair",
    "list_churn",
    "psi",
    "read_snapshot",
    "successful_runs",
    "write_snapshot",
]
