"""What every result's HTML view shares."""

from __future__ import annotations


def heading(result: object) -> str:
    """A result's one-line summary as an HTML view's heading: its ``repr`` without the angle
    brackets, so that a report reads as words, not as a Python object.

    >>> class Scores:
    ...     def __repr__(self):
    ...         return "<Scores at 2025-12-31: 12,136 customers>"
    >>> heading(Scores())
    'Scores at 2025-12-31: 12,136 customers'
    """
    text = repr(result)
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text
