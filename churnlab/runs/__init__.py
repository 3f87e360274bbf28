"""Notebook runs: ``churnlab run`` folders, their parameters, reports and history."""

from churnlab.runs.figures import record_figures
from churnlab.runs.history import latest_run, list_runs, write_index
from churnlab.runs.params import read_parameters, resolve_parameters
from churnlab.runs.run import Run, find_notebook, run_notebook

__all__ = [
    "Run",
    "find_notebook",
    "latest_run",
    "list_runs",
    "read_parameters",
    "record_figures",
    "resolve_parameters",
    "run_notebook",
    "write_index",
]
