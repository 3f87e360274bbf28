"""Text that is safe to open in a spreadsheet: see :mod:`churnlab.safe`, where the one sanitiser
lives (below every stage that writes a file for people: scores, features, explanations and the
campaign exports all use it)."""

from churnlab.safe import (
    FORMULA_STARTS,
    LEADING_IGNORED,
    QUOTE,
    is_formula_like,
    neutralise,
    neutralise_frame,
    neutralise_series,
)

__all__ = [
    "FORMULA_STARTS",
    "LEADING_IGNORED",
    "QUOTE",
    "is_formula_like",
    "neutralise",
    "neutralise_frame",
    "neutralise_series",
]
