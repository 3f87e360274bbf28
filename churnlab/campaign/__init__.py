"""Retention campaigns: segments, control groups and their size."""

from churnlab.campaign.control import (
    BUCKETS,
    ControlSpec,
    assign_control,
    control_balance,
    control_buckets,
    in_control,
    risk_decile,
)
from churnlab.campaign.power import MDE, auto_fraction, minimum_detectable_effect
from churnlab.campaign.segments import (
    SEGMENT_DESCRIPTIONS,
    SEGMENT_DTYPE,
    SEGMENTS,
    Segments,
    SegmentSpec,
    assign_segments,
    loyalty_score,
)

__all__ = [
    "BUCKETS",
    "MDE",
    "SEGMENTS",
    "SEGMENT_DESCRIPTIONS",
    "SEGMENT_DTYPE",
    "ControlSpec",
    "SegmentSpec",
    "Segments",
    "assign_control",
    "assign_segments",
    "auto_fraction",
    "control_balance",
    "control_buckets",
    "in_control",
    "loyalty_score",
    "minimum_detectable_effect",
    "risk_decile",
]
