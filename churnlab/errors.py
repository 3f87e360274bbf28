"""The small exception and warning tree every churnlab error belongs to."""

from __future__ import annotations


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


class ModelError(ChurnlabError):
    """A model cannot be trained, saved, loaded or applied as asked (a usage or model error)."""
