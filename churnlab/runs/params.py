"""A notebook's parameters: read from its ``parameters`` cell, checked before a kernel starts.

The parameters cell declares typed, documented defaults, one per line::

    data_dir: str = "data/demo"  # the demo operator's folder, must exist
    as_of: str = ""  # scoring date (YYYY-MM-DD; empty: the extract date)
    top: int = 0  # list the N customers with the best gain (0: profit-optimal)
    output_dir: str = ""  # where this run writes (created)

papermill's own parser (:func:`papermill.inspect_notebook`) reads the names, types, defaults
and comments. Values given as text (``-p NAME VALUE`` or a TOML file) are converted to the
declared type; the rules below are checked for every value, whatever its source:

- an unknown name is refused, with the closest declared name;
- ``int``, ``float`` and ``bool`` values must read as one (``true``/``false``, ``1``/``0``,
  ``yes``/``no`` for booleans);
- a name ``as_of`` or ending in ``_date`` is an ISO day (:func:`churnlab.parse_date`); empty
  text is allowed when the default is empty (the notebook then chooses);
- an ``int`` or ``float`` whose comment holds bounds in parentheses, in words,
  ``(at least 0)``, ``(above 0, below 1)``, ``(at most 1000)``, must lie within them
  (papermill cannot read a parameter line with a second ``=``, so no ``>=`` in comments);
- a name ending in ``_dir`` with non-empty text must name an existing folder (relative paths
  are read from the working folder), unless its comment says ``(created)``: the notebook
  makes it. ``output_dir`` is always exempt: ``churnlab run`` makes it.
"""

from __future__ import annotations

import ast
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from churnlab.dates import parse_date
from churnlab.errors import SpecError, did_you_mean

Source = Literal["default", "file", "flag", "run"]
TYPES = {"int": int, "float": float, "bool": bool, "str": str}
RUN_PARAMETERS = ("output_dir", "run_id")
"""Parameters ``churnlab run`` fills itself (source ``"run"``) when a notebook declares them."""
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One declared parameter: its name, type (``int``, ``float``, ``bool``, ``str``: the
    annotation, else the default's type; ``None`` for any other), default value and comment."""

    name: str
    type: str | None
    default: Any
    help: str = ""


@dataclass(frozen=True, kw_only=True)
class ParameterValue:
    """A checked value and where it came from."""

    value: Any
    source: Source


def read_parameters(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook's ``parameters`` cell declares, in order.

    Parameters
    ----------
    notebook : str or Path
        An ``.ipynb`` file.

    Returns
    -------
    dict of str to Parameter

    Raises
    ------
    SpecError
        If the file cannot be read as a notebook, or has no ``parameters`` cell.

    Examples
    --------
    >>> import nbformat, pathlib, tempfile
    >>> nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3",
    ...     "display_name": "Python 3", "language": "python"}})
    >>> cell = nbformat.v4.new_code_cell('top: int = 10  # list size')
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb.cells.append(cell)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.ipynb"
    >>> nbformat.write(nb, path)
    >>> read_parameters(path)["top"]
    Parameter(name='top', type='int', default=10, help='list size')
    """
    import nbformat
    import papermill

    path = Path(notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:
        raise SpecError(f"Cannot read the notebook {path}: {exc}") from None
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise SpecError(
            f"The notebook {path} has no cell tagged 'parameters'; tag the cell that holds "
            "its defaults (View > Cell toolbar > Tags in Jupyter)."
        )
    quiet = logging.getLogger("papermill.translators")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # a line it skips is said below, in one line
    try:
        found = papermill.inspect_notebook(str(path), {})
    finally:
        quiet.setLevel(level)
    _check_all_read(path, nb, found)
    params: dict[str, Parameter] = {}
    for name, info in found.items():
        type_name = info.get("inferred_type_name")
        default = _literal(info.get("default"))
        if type_name not in TYPES:  # no annotation: the default's type, when a plain one
            type_name = type(default).__name__
        params[name] = Parameter(
            name=name,
            type=type_name if type_name in TYPES else None,
            default=default,
            help=str(info.get("help") or ""),
        )
    return params


def _check_all_read(path: Path, nb: Any, found: Mapping[str, Any]) -> None:
    """papermill skips, with a log line only, an assignment it cannot parse (one with a
    second ``=``, in a comment for example); say which, rather than "no parameter"."""
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as exc:
        raise SpecError(
            f"The parameters cell of {path} is not valid Python (line {exc.lineno})."
        ) from None
    for node in tree.body:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id not in found:
            raise SpecError(
                f"papermill cannot read line {node.lineno} of the parameters cell of {path} "
                f"({target.id!r}): write one `name: type = value  # comment` per line, with "
                "no other '=' on it (write bounds in words: 'at least 0')."
            )


def _literal(text: Any) -> Any:
    """A default as a Python value (``"0.5"`` -> 0.5); text that is no literal stays text."""
    if not isinstance(text, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def read_params_file(path: str | Path) -> dict[str, Any]:
    """The values of a ``--params-file`` (TOML, top-level ``name = value`` pairs)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"Cannot read the parameters file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"The parameters file {path} is not valid TOML: {exc}.") from None
    nested = [key for key, value in data.items() if isinstance(value, dict)]
    if nested:
        raise SpecError(
            f"The parameters file {path} must hold top-level `name = value` pairs; "
            f"got the table [{nested[0]}]."
        )
    return dict(data)


def resolve_parameters(
    declared: Mapping[str, Parameter],
    *,
    flags: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
    file_values: Mapping[str, Any] | None = None,
    run_values: Mapping[str, Any] | None = None,
    run_defaults: Mapping[str, Any] | None = None,
    cwd: str | Path = ".",
) -> dict[str, ParameterValue]:
    """Every declared parameter's checked value and its source; flags win over the file.

    Parameters
    ----------
    declared : mapping of str to Parameter
        From :func:`read_parameters`.
    flags : mapping or pairs
        Values given on the command line (text) or from Python (typed).
    file_values : mapping, optional
        Values of a ``--params-file``.
    run_values : mapping, optional
        Values ``churnlab run`` injects (``output_dir``, ``run_id``); only those declared
        are used, and they cannot be given by hand.
    run_defaults : mapping, optional
        Values ``churnlab run`` suggests (``runs_dir``: its own runs folder, so that a
        notebook finds the runs it reads from where they are); a value given by hand wins.
    cwd : str or Path
        Folder relative paths are read from (the notebook runs there).

    Raises
    ------
    SpecError
        One line naming the parameter, what it must be and what was given.

    Examples
    --------
    >>> declared = {"top": Parameter(name="top", type="int", default=0)}
    >>> resolve_parameters(declared, flags={"top": "25"})["top"]
    ParameterValue(value=25, source='flag')
    >>> resolve_parameters(declared, flags={"tpo": "25"})
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The notebook has no parameter 'tpo'. Did you mean 'top'?
    """
    flag_values = dict(flags.items() if isinstance(flags, Mapping) else flags)
    run_values = {k: v for k, v in (run_values or {}).items() if k in declared}
    given: list[tuple[str, Any, Source]] = []
    for source, values in (("file", file_values or {}), ("flag", flag_values)):
        for name, value in values.items():
            if name not in declared:
                raise SpecError(
                    f"The notebook has no parameter {name!r}." + did_you_mean(name, declared)
                )
            if name in run_values:
                raise SpecError(
                    f"The {name!r} parameter is set by `churnlab run` itself; leave it out."
                )
            given.append((name, value, source))  # type: ignore[arg-type]
    chosen: dict[str, ParameterValue] = {
        name: ParameterValue(value=p.default, source="default") for name, p in declared.items()
    }
    for name, value, source in given:
        chosen[name] = ParameterValue(value=_convert(declared[name], value), source=source)
    for name, value in run_values.items():
        chosen[name] = ParameterValue(value=value, source="run")
    given_names = {name for name, _, _ in given}
    for name, value in (run_defaults or {}).items():
        if name in declared and name not in given_names:
            chosen[name] = ParameterValue(value=_convert(declared[name], value), source="run")
    for name, chosen_value in chosen.items():
        _check(declared[name], chosen_value.value, Path(cwd))
    return chosen


def _convert(param: Parameter, value: Any) -> Any:
    """A given value as the declared type; text from the command line is parsed."""
    kind = param.type
    bad = f"The {param.name!r} parameter must be {_a(kind)}. Got {value!r} instead."
    if kind is None:
        return value
    if kind == "str":
        if isinstance(value, str):
            return value
        if hasattr(value, "isoformat"):  # a TOML date
            return value.isoformat()
        raise SpecError(bad)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise SpecError(bad)
    if isinstance(value, bool):
        raise SpecError(bad)
    try:
        number = int(value) if kind == "int" and not isinstance(value, float) else float(value)
    except (TypeError, ValueError):
        raise SpecError(bad) from None
    if kind == "int" and isinstance(value, float):
        raise SpecError(bad)
    if isinstance(number, float) and not math.isfinite(number):
        raise SpecError(bad)
    return number


def _a(kind: str | None) -> str:
    return {
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "str": "text",
    }.get(kind or "", "a value")


_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_BOUND = re.compile(rf"(at least|at most|above|below)\s+({_NUMBER})")
_BOUNDS = re.compile(
    rf"\(\s*(?:at least|at most|above|below)\s+{_NUMBER}"
    rf"(?:\s*(?:,|and)\s*(?:at least|at most|above|below)\s+{_NUMBER})?\s*\)"
)
_COMPARE = {
    "at least": lambda a, b: a >= b,
    "at most": lambda a, b: a <= b,
    "above": lambda a, b: a > b,
    "below": lambda a, b: a < b,
}


def bounds(help_text: str) -> list[tuple[str, float]]:
    """The bounds a comment declares, in parentheses, in words (papermill reads no ``=`` in a
    parameter's comment): ``"share listed (above 0, below 1)"`` -> ``[("above", 0.0),
    ("below", 1.0)]``.

    >>> bounds("list size (at least 0)"), bounds("about 10 at least")
    ([('at least', 0.0)], [])
    """
    found = []
    for match in _BOUNDS.finditer(help_text):
        found += [(op, float(number)) for op, number in _BOUND.findall(match.group(0))]
    return found


def _check(param: Parameter, value: Any, cwd: Path) -> None:
    """The range, date and path rules of the module docstring."""
    name = param.name
    if param.type in ("int", "float") and isinstance(value, int | float):
        limits = bounds(param.help)
        if not all(_COMPARE[op](value, number) for op, number in limits):
            shown = " and ".join(f"{op} {number:g}" for op, number in limits)
            raise SpecError(f"The {name!r} parameter must be {shown}. Got {value!r} instead.")
    if name == "as_of" or name.endswith("_date"):
        if value == "" and param.default == "":
            return
        parse_date(value, name)
    if name.endswith("_dir") and name not in RUN_PARAMETERS and isinstance(value, str) and value:
        if "(created)" in param.help:
            return
        path = Path(value).expanduser()
        path = path if path.is_absolute() else cwd / path
        if not path.is_dir():
            raise SpecError(
                f"The {name!r} parameter must be an existing folder. Got {value!r} instead "
                f"({path} does not exist)."
            )
