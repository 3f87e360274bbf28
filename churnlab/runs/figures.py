"""``record_figures``: the key figures a notebook run reports (AUC, list size, gain...)."""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any

from churnlab.errors import SpecError
from churnlab.files import read_json, write_json

FIGURES = "figures.json"


def record_figures(output_dir: str | Path, **figures: Any) -> dict[str, Any]:
    """Add key figures to ``<output_dir>/figures.json`` (a flat name -> number or text dict).

    ``churnlab run`` copies them into the run's manifest; ``churnlab runs`` shows them. A
    second call adds to (or replaces) what the first recorded. The file is replaced atomically.

    Parameters
    ----------
    output_dir : str or Path
        The run's ``output_dir`` (created if needed).
    **figures : number or str
        E.g. ``holdout_auc=0.74, listed=5151``. NumPy scalars are stored as Python numbers;
        a missing or infinite number is stored as null.

    Returns
    -------
    dict
        Every figure now recorded.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> record_figures(folder, holdout_auc=0.74)
    {'holdout_auc': 0.74}
    >>> record_figures(folder, listed=5151)
    {'holdout_auc': 0.74, 'listed': 5151}
    """
    path = Path(output_dir) / FIGURES
    recorded = read_json(path) if path.is_file() else {}
    for name, value in figures.items():
        recorded[name] = _figure(name, value)
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    write_json(recorded, path)
    return recorded


def _figure(name: str, value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    raise SpecError(
        f"The figure {name!r} must be a number or text. Got {type(value).__name__} instead."
    )


def read_figures(output_dir: str | Path) -> dict[str, Any]:
    """The figures recorded in ``output_dir`` (empty when none)."""
    path = Path(output_dir) / FIGURES
    return dict(read_json(path)) if path.is_file() else {}
