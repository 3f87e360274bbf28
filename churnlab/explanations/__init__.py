"""Why a churn model predicts what it does: exact SHAP values and the global views over them.

``explain(model, features)`` gives an :class:`Explanation`: TreeSHAP values on the log-odds
scale for every customer, with the importance of each feature, family and reason category, the
share of predicted churn each reason category carries, and the top drivers in words. Display
objects draw them (:mod:`churnlab.explanations.displays`); :func:`write_explanation` writes
the pictures and tables of a data directory at a date.
"""

from churnlab.explanations.actions import ActionTable, default_actions, read_actions
from churnlab.explanations.compute import ExplainMethodWarning, explain
from churnlab.explanations.displays import (
    BeeswarmDisplay,
    DependenceDisplay,
    ImportanceDisplay,
    SegmentDriversDisplay,
    WaterfallDisplay,
)
from churnlab.explanations.explanation import Explanation
from churnlab.explanations.scored import score_with_reasons
from churnlab.explanations.write import WrittenExplanation, write_explanation

__all__ = [
    "ActionTable",
    "BeeswarmDisplay",
    "DependenceDisplay",
    "ExplainMethodWarning",
    "Explanation",
    "ImportanceDisplay",
    "SegmentDriversDisplay",
    "WaterfallDisplay",
    "WrittenExplanation",
    "default_actions",
    "explain",
    "read_actions",
    "score_with_reasons",
    "write_explanation",
]
