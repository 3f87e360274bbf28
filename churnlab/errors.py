"""The small exception and warning tree every churnlab error belongs to."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ChurnlabError(Exception):
    """Base class of every error churnlab raises on purpose."""


class SpecError(ChurnlabError, ValueError):
    """A specification or parameter has a bad value (a usage error)."""


class ConfigError(ChurnlabError, ValueError):
    """A ``churnlab.toml`` file cannot be read or has unknown or bad settings."""


class DataError(ChurnlabError, ValueError):
    """Input data break the data contract; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class ChurnlabWarning(UserWarning):
    """Base class of churnlab's warnings."""


class DataRepairWarning(ChurnlabWarning):
    """A safe repair was applied to input data (reported, never silent)."""


class DataPlausibilityWarning(ChurnlabWarning):
    """Input data look wrong in a way that may be right (exact duplicate event rows): nothing
    was changed, and the data are used as they are."""


class ColumnWarning(ChurnlabWarning):
    """A customer column looks useless or dangerous as a feature (see
    :mod:`churnlab.tables.column_warnings`); each kind has its own subclass."""


class IdLikeColumnWarning(ColumnWarning):
    """A column unique per row, or monotone in row order (a row number): left out."""


class ConstantColumnWarning(ColumnWarning):
    """A column with one value only: left out."""


class LabelCopyWarning(ColumnWarning):
    """A column that predicts the label almost perfectly on its own (a copy of it): left out."""


class DateLikeCategoryWarning(ColumnWarning):
    """Text that reads as dates, used as a category (each date its own value)."""


class PopulationWarning(ChurnlabWarning):
    """The label definition leaves out a large share of the customers active at a cutoff."""


class ModelError(ChurnlabError):
    """A model cannot be trained, saved, loaded or applied as asked (a usage or model error)."""


class EngineError(ChurnlabError):
    """The engine chosen to run the queries cannot be used as set up (Spark or Java missing,
    a cluster that does not answer, a path it cannot read, a query it refuses)."""


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """The hint every "unknown name" message ends with: `` Did you mean 'x'?``, or nothing.

    >>> did_you_mean("horizon_day", ["horizon_days", "lead_days"])
    " Did you mean 'horizon_days'?"
    >>> did_you_mean("zzz", ["horizon_days"])
    ''
    """
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
