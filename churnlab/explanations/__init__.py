"""Why a churn model predicts what it does: exact SHAP values and the global views over them.

``explain(model, features)`` gives an :class:`Explanation`: TreeSHAP values on the log-odds
scale for every customer, with the importance of each feature, family and reason category, the
share of predicted churn each reason category carries, and the top drivers in words. Display
objects draw them (:mod:`churnlab.explanations.displays`); :func:`write_explanation` writes
the pictures and tables of a data directory at a date.
"""

from churnlab.explanations.compute import ExplainMethodWarning, explain
from churnlab.explanations.displays import (
    BeeswarmDisplay,
    DependenceDisplay,
    ImportanceDisplay,
    SegmentDriversDisplay,
    WaterfallDisplay,
)
from churnlab.explanations.explanation import Explanation
from churnlab.explanations.write import WrittenExplanation, write_explanation

__all__ = [
    "BeeswarmDisplay",
    "DependenceDisplay",
    "ExplainMethodWarning",
    "Explanation",
    "ImportanceDisplay",
    "SegmentDriversDisplay",
    "WaterfallDisplay",
    "WrittenExplanation",
    "explain",
    "write_explanation",
]
