"""Check LightGBM's text model before LightGBM parses it.

LightGBM's parser aborts the whole process (``SIGABRT``, exit 134) on some malformed files
instead of raising an error: a tree whose ``num_leaves`` disagrees with its arrays, a field
that is not a number, a ``tree_sizes`` entry that does not match its tree. A ``model.txt``
edited by hand (with its checksum updated in ``card.json``) would then kill the notebook or
the command that loads it. :func:`check_booster_text` reads the file's structure first and
raises :class:`~churnlab.errors.ModelError` naming the line that is wrong:

- the header: ``tree``, ``version``, one class, ``max_feature_idx``, ``feature_names`` and
  ``feature_infos`` matching the model card's features, and one ``tree_sizes`` entry per tree;
- every tree: its byte size as ``tree_sizes`` says, ``num_leaves`` and ``num_cat`` integers,
  every array of the length ``num_leaves`` implies, every value a number, split features and
  child indices in range;
- ``end of trees``, and a ``pandas_categorical`` line that is JSON.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence

from churnlab.errors import ModelError

_HEADER_KEYS = (
    "version",
    "num_class",
    "num_tree_per_iteration",
    "max_feature_idx",
    "objective",
    "feature_names",
    "feature_infos",
    "tree_sizes",
)
_SPLIT_INT = ("split_feature", "decision_type", "left_child", "right_child", "internal_count")
_SPLIT_FLOAT = ("split_gain", "threshold", "internal_value", "internal_weight")
_LEAF_INT = ("leaf_count",)
_LEAF_FLOAT = ("leaf_value", "leaf_weight")
_OPTIONAL = ("leaf_weight", "leaf_count", "internal_weight", "internal_count")
_TREE_START = re.compile(rb"^Tree=", re.MULTILINE)


class _Bad(Exception):
    """One structural problem, as a sentence."""


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Bad(f"{what} is {text[:40]!r}, not an integer") from None


def _numbers(text: str, what: str, *, integer: bool) -> list[float]:
    out = []
    for item in text.split():
        try:
            value = float(int(item)) if integer else float(item)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise _Bad(f"{what} holds {item[:40]!r}, not {kind}") from None
        if math.isnan(value):
            raise _Bad(f"{what} holds nan")
        out.append(value)
    return out


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise _Bad(f"the line {line[:60]!r} is not key=value")
        fields[key] = value
    return fields


def _check_tree(index: int, block: str, n_features: int) -> None:
    fields = _fields(block)
    where = f"tree {index}"
    if fields.get("Tree") != str(index):
        raise _Bad(f"{where} is numbered {fields.get('Tree')!r}")
    if "num_leaves" not in fields:
        raise _Bad(f"{where} has no num_leaves")
    leaves = _int(fields["num_leaves"], f"num_leaves of {where}")
    cats = _int(fields.get("num_cat", "0"), f"num_cat of {where}")
    if leaves < 1 or leaves > 1 << 20 or cats < 0:
        raise _Bad(f"{where} has {leaves} leaves and {cats} categorical splits")
    lengths = {name: leaves - 1 for name in (*_SPLIT_INT, *_SPLIT_FLOAT)}
    lengths |= {name: leaves for name in (*_LEAF_INT, *_LEAF_FLOAT)}
    values: dict[str, list[float]] = {}
    for name, length in lengths.items():
        if name not in fields:
            if leaves == 1 or name in _OPTIONAL:
                continue
            raise _Bad(f"{where} has no {name}")
        integer = name in (*_SPLIT_INT, *_LEAF_INT)
        values[name] = _numbers(fields[name], f"{name} of {where}", integer=integer)
        if leaves == 1 and name != "leaf_value" and not values[name]:
            continue  # a one-leaf tree writes its other arrays empty
        if len(values[name]) != length:
            raise _Bad(f"{name} of {where} has {len(values[name])} values, {length} expected")
    if leaves > 1:
        if any(not 0 <= f < n_features for f in values["split_feature"]):
            raise _Bad(f"split_feature of {where} names a feature beyond the {n_features}")
        for name in ("left_child", "right_child"):
            if any(not -leaves <= c < leaves - 1 for c in values[name]):
                raise _Bad(f"{name} of {where} points outside the tree")
    if cats:
        for name in ("cat_boundaries", "cat_threshold"):
            if name not in fields:
                raise _Bad(f"{where} has {cats} categorical splits but no {name}")
            _numbers(fields[name], f"{name} of {where}", integer=True)
        if len(fields["cat_boundaries"].split()) != cats + 1:
            raise _Bad(f"cat_boundaries of {where} does not hold {cats + 1} values")
    for name in ("shrinkage",):
        if name in fields:
            _numbers(fields[name], f"{name} of {where}", integer=False)
    if "is_linear" in fields and _int(fields["is_linear"], f"is_linear of {where}") != 0:
        raise _Bad(f"{where} is a linear tree, which churnlab never trains")


def _check(raw: bytes, feature_names: Sequence[str], trees: int | None) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(f"it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    first = _TREE_START.search(raw)
    end = raw.find(b"end of trees")
    if not text.startswith("tree\n") or first is None or end < first.start():
        raise _Bad("it does not start with 'tree', or has no trees, or no 'end of trees'")
    header = _fields(raw[5 : first.start()].decode("utf-8"))
    missing = [key for key in _HEADER_KEYS if key not in header]
    if missing:
        raise _Bad(f"the header lacks {', '.join(missing)}")
    if header["version"] not in ("v2", "v3", "v4"):
        raise _Bad(f"version is {header['version'][:20]!r}")
    for key in ("num_class", "num_tree_per_iteration"):
        if _int(header[key], key) != 1:
            raise _Bad(f"{key} is {header[key]!r}; a churn model has one class")
    names = header["feature_names"].split(" ")
    feature_names = booster_names(feature_names)
    if names != feature_names:
        differ = [(a, b) for a, b in zip(names, feature_names, strict=False) if a != b]
        shown = f"; first difference {differ[0][0]!r} for {differ[0][1]!r}" if differ else ""
        raise _Bad(
            f"feature_names lists {len(names)} features, the card {len(feature_names)}{shown}"
        )
    if _int(header["max_feature_idx"], "max_feature_idx") != len(names) - 1:
        raise _Bad(f"max_feature_idx is {header['max_feature_idx']}, not {len(names) - 1}")
    if len(header["feature_infos"].split(" ")) != len(names):
        raise _Bad("feature_infos does not hold one entry per feature")
    sizes = [int(s) for s in _numbers(header["tree_sizes"], "tree_sizes", integer=True)]
    starts = [m.start() for m in _TREE_START.finditer(raw, 0, end)]
    if len(sizes) != len(starts):
        raise _Bad(f"tree_sizes lists {len(sizes)} trees, the file holds {len(starts)}")
    if trees is not None and len(starts) != trees:
        raise _Bad(f"the file holds {len(starts)} trees, the card says {trees}")
    bounds = [*starts, end]
    for index, size in enumerate(sizes):
        if bounds[index + 1] - bounds[index] != size:
            found = bounds[index + 1] - bounds[index]
            raise _Bad(f"tree {index} is {found} bytes, tree_sizes says {size}")
        block = raw[bounds[index] : bounds[index + 1]].decode("utf-8")
        _check_tree(index, block, len(names))
    tail = raw[end:].decode("utf-8")
    marker = "\npandas_categorical:"
    if marker in tail:
        line = tail.split(marker, 1)[1].split("\n", 1)[0]
        try:
            categories = json.loads(line)
        except json.JSONDecodeError:
            raise _Bad("pandas_categorical is not JSON") from None
        if categories is not None and not isinstance(categories, list):
            raise _Bad("pandas_categorical is not a list")


_UNSAFE = re.compile(r'[\s",:\[\]{}]|[^\x20-\x7e\u00a0-\U0010ffff]')


def booster_names(names: Sequence[str]) -> list[str]:
    """The names LightGBM knows the features by: JSON characters (quotes, commas, colons,
    brackets, braces), whitespace and control characters become ``_`` (LightGBM refuses the
    first and rewrites whitespace itself), and a name that then repeats gets ``__<position>``.
    The model card keeps the real names; only ``model.txt`` holds these.

    >>> booster_names(["plan", 'a "b"', "k:v", "Plan Type", "k,v"])
    ['plan', 'a__b_', 'k_v', 'Plan_Type', 'k_v__4']
    """
    out: list[str] = []
    for position, name in enumerate(names):
        safe = _UNSAFE.sub("_", name)
        out.append(f"{safe}__{position}" if safe in out else safe)
    return out


def check_booster_text(
    raw: bytes, feature_names: Sequence[str], *, trees: int | None = None, where: str = "model.txt"
) -> None:
    """Raise :class:`ModelError` unless ``raw`` is a well-formed LightGBM text model whose
    features are ``feature_names`` (and which holds ``trees`` trees, when given).

    Parameters
    ----------
    raw:
        The bytes of ``model.txt``.
    feature_names:
        The model card's features, in order (as :func:`booster_names` writes them there).
    trees:
        The model card's tree count, or ``None`` not to check it.
    where:
        How to name the file in the message.

    Examples
    --------
    >>> check_booster_text(b"tree\\nversion=v4\\n", ["a"])
    Traceback (most recent call last):
    ...
    churnlab.errors.ModelError: model.txt is not a well-formed LightGBM model: it does not start with 'tree', or has no trees, or no 'end of trees'. Copy the model directory again, or retrain.
    """
    try:
        _check(raw, feature_names, trees)
    except _Bad as exc:
        raise ModelError(
            f"{where} is not a well-formed LightGBM model: {exc}. Copy the model directory "
            "again, or retrain."
        ) from None
