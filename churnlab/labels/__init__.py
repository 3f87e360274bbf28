"""Churn definitions (``LabelSpec``), the cutoff convention, and cutoff grids."""

from churnlab.dates import parse_date
from churnlab.labels.cutoffs import check_cutoffs, cutoff_grid, default_cutoffs, parse_cutoffs
from churnlab.labels.spec import LabelSpec
from churnlab.labels.window import CutoffBounds, epoch_day

__all__ = [
    "CutoffBounds",
    "LabelSpec",
    "check_cutoffs",
    "cutoff_grid",
    "default_cutoffs",
    "epoch_day",
    "parse_cutoffs",
    "parse_date",
]
