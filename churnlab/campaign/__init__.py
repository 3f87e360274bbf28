"""Retention campaigns: value, expected gain, selection, segments, control groups, win-back
lists and the target list that brings them together (:func:`target_list`)."""

from churnlab.campaign.control import (
    BUCKETS,
    ControlSpec,
    assign_control,
    control_balance,
    control_buckets,
    in_control,
    risk_decile,
)
from churnlab.campaign.displays import ProfitCurveDisplay
from churnlab.campaign.gain import OfferTerms, expected_cost, expected_gain
from churnlab.campaign.power import MDE, auto_fraction, minimum_detectable_effect
from churnlab.campaign.result import TARGET_COLUMNS, TargetList
from churnlab.campaign.segments import (
    SEGMENT_DESCRIPTIONS,
    SEGMENT_DTYPE,
    SEGMENTS,
    Segments,
    SegmentSpec,
    assign_segments,
    loyalty_score,
)
from churnlab.campaign.selection import Selection
from churnlab.campaign.spec import CampaignSpec, read_campaign
from churnlab.campaign.target_list import target_list
from churnlab.campaign.value import ValueSpec, customer_value
from churnlab.campaign.winback import WinbackList, WinbackSpec, winback_list

__all__ = [
    "BUCKETS",
    "MDE",
    "SEGMENTS",
    "SEGMENT_DESCRIPTIONS",
    "SEGMENT_DTYPE",
    "TARGET_COLUMNS",
    "CampaignSpec",
    "ControlSpec",
    "OfferTerms",
    "ProfitCurveDisplay",
    "SegmentSpec",
    "Segments",
    "Selection",
    "TargetList",
    "ValueSpec",
    "WinbackList",
    "WinbackSpec",
    "assign_control",
    "assign_segments",
    "auto_fraction",
    "control_balance",
    "control_buckets",
    "customer_value",
    "expected_cost",
    "expected_gain",
    "in_control",
    "loyalty_score",
    "minimum_detectable_effect",
    "read_campaign",
    "risk_decile",
    "target_list",
    "winback_list",
]
