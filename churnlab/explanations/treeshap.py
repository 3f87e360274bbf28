"""Exact path-dependent TreeSHAP of a LightGBM booster, two ways.

``"lightgbm"``: the booster's own TreeSHAP, ``booster.predict(X, pred_contrib=True)``.

``"tables"``: the same values, computed from tables made once per model (the "v2" algorithm of
Yang, *Fast TreeSHAP*, 2021). For a leaf ``l`` with value ``v`` whose path splits on the
distinct features ``U`` (``d`` of them), let ``z_j`` be the share of the training rows that
follow the path at the splits on ``j`` (the product of the cover ratios), and ``H`` the
features whose every split on the path a customer satisfies. TreeSHAP's value function is
``E[f | x_S] = sum_l v_l prod_{j in U_l} (1[j in H] if j in S else z_j)``, and the Shapley value
of ``j`` from leaf ``l`` is

- ``-T(H)`` when ``j`` is not in ``H``,
- ``(1 - z_j) / z_j * T(H - {j})`` when it is,

with ``T(H) = v * sum_{S subset of H} w(|S|, d) * prod_{k in U - S} z_k`` and the Shapley weight
``w(s, d) = s! (d - 1 - s)! / d!``. ``T`` has ``2 ** d`` entries per leaf, computed once per
model; a customer then costs ``O(leaves x depth)`` per tree instead of ``O(leaves x depth^2)``.
The decisions at each split are LightGBM's own (``<=``; missing values by the split's missing
type and default direction; categories by their list, missing or negative to the right).

Tables for very deep trees would not fit in memory: then (and for models this module does not
read, such as linear trees) ``"auto"`` uses LightGBM's own TreeSHAP.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from churnlab.errors import SpecError

Method = Literal["auto", "tables", "lightgbm"]
METHODS = ("auto", "tables", "lightgbm")
MAX_TABLE_ENTRIES = 1 << 24
"""Largest table size (entries, 8 bytes each: 128 MiB) for ``"auto"`` to use the tables."""
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
BLOCK = 512
"""Rows per task of the parallel loop."""

try:  # numba comes with shap
    import numba
except ImportError:  # pragma: no cover - shap depends on numba
    numba = None  # type: ignore[assignment]


@dataclass(frozen=True)
class TreeTables:
    """A booster's splits and leaf tables, as flat arrays (see the module docstring).

    Internal nodes of tree ``t`` are ``node_start[t]`` to ``node_start[t + 1]`` (local ids in
    LightGBM's ``split_index`` order); leaves are ``leaf_start[t]`` to ``leaf_start[t + 1]``.
    """

    node_start: NDArray[np.int64]
    feature: NDArray[np.int32]
    threshold: NDArray[np.float64]
    categorical: NDArray[np.bool_]
    default_left: NDArray[np.bool_]
    missing: NDArray[np.int8]
    cat_start: NDArray[np.int64]
    cat_left: NDArray[np.bool_]
    position: NDArray[np.int32]
    left_child: NDArray[np.int32]
    right_child: NDArray[np.int32]
    leaf_start: NDArray[np.int64]
    feat_start: NDArray[np.int64]
    feat_index: NDArray[np.int32]
    feat_coef: NDArray[np.float64]
    table_start: NDArray[np.int64]
    table: NDArray[np.float64]
    base_value: float
    n_features: int

    @property
    def entries(self) -> int:
        return len(self.table)


class _Unsupported(Exception):
    """The booster has something the tables do not read (use LightGBM's own TreeSHAP)."""


def _nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if "split_index" in node:
            stack += [node["right_child"], node["left_child"]]


def _count(node: dict[str, Any]) -> float:
    return float(node["internal_count"] if "split_index" in node else node.get("leaf_count", 0))


class _Builder:
    """Collects the flat arrays tree by tree."""

    def __init__(self, n_features: int, budget: int | None) -> None:
        self.n_features, self.budget = n_features, budget
        self.node: dict[str, list[Any]] = {
            k: [] for k in ("f", "t", "c", "d", "m", "cs", "pos", "left", "right")
        }
        self.cat_left: list[bool] = []
        self.node_start, self.leaf_start = [0], [0]
        self.feat_start, self.table_start = [0], [0]
        self.feat_index: list[int] = []
        self.feat_z: list[float] = []
        self.leaf_d: list[int] = []
        self.leaf_value: list[float] = []
        self.entries = 0
        self.base = 0.0

    def add_tree(self, info: dict[str, Any]) -> None:
        root = info["tree_structure"]
        if "split_index" not in root:  # a single leaf: a constant
            self.base += float(root["leaf_value"])
            self._close_tree()
            return
        internal = {n["split_index"]: n for n in _nodes(root) if "split_index" in n}
        first_leaf = len(self.leaf_value)
        positions = self._add_leaves(root)
        for index in range(len(internal)):
            node = internal[index]
            self._add_split(node, positions[index])
            for side in ("left", "right"):
                child = node[f"{side}_child"]
                if "split_index" in child:
                    if child["split_index"] <= index:
                        raise _Unsupported("splits out of order")
                    self.node[side].append(int(child["split_index"]))
                else:  # leaves as ~(local leaf index)
                    self.node[side].append(~(self.leaf_index[id(child)] - first_leaf))
        self._close_tree()

    def _add_split(self, node: dict[str, Any], position: int) -> None:
        self.node["pos"].append(position)
        categorical = node["decision_type"] == "=="
        if not categorical and node["decision_type"] != "<=":
            raise _Unsupported(f"decision type {node['decision_type']}")
        self.node["f"].append(int(node["split_feature"]))
        self.node["d"].append(bool(node["default_left"]))
        self.node["m"].append(_MISSING[node["missing_type"]])
        self.node["c"].append(categorical)
        self.node["cs"].append(len(self.cat_left))
        if categorical:
            left = [int(c) for c in str(node["threshold"]).split("||")]
            flags = np.zeros(max(left) + 1, dtype=bool)
            flags[left] = True
            self.cat_left.extend(flags.tolist())
            self.node["t"].append(float(len(flags)))
        else:
            self.node["t"].append(float(node["threshold"]))

    def _add_leaves(self, root: dict[str, Any]) -> dict[int, int]:
        """Add the tree's leaves; return each split's bit: the position of its feature among
        the distinct features of the path from the root (the same for every leaf below)."""
        positions: dict[int, int] = {}
        self.leaf_index: dict[int, int] = {}
        # (node, path so far: distinct features in order of appearance, and their z)
        stack: list[tuple[dict[str, Any], tuple[int, ...], tuple[float, ...]]] = [(root, (), ())]
        while stack:
            node, features, z = stack.pop()
            if "split_index" in node:
                feature = int(node["split_feature"])
                if feature in features:
                    position = features.index(feature)
                    below = features
                else:
                    position = len(features)
                    below = (*features, feature)
                    z = (*z, 1.0)
                positions[node["split_index"]] = position
                for side in ("right_child", "left_child"):
                    child = node[side]
                    ratio = _count(child) / _count(node)
                    scaled = (*z[:position], z[position] * ratio, *z[position + 1 :])
                    stack.append((child, below, scaled))
                continue
            if "leaf_coeff" in node:
                raise _Unsupported("linear trees")
            if z and min(z) <= 0.0:
                raise _Unsupported("a path that no training row follows")
            self.leaf_index[id(node)] = len(self.leaf_value)
            self.feat_index += features
            self.feat_z += z
            self.feat_start.append(len(self.feat_index))
            self.entries += 1 << len(features)
            if self.budget is not None and self.entries > self.budget:
                raise _Unsupported(f"tables over {self.budget:,} entries")
            self.table_start.append(self.entries)
            value = float(node["leaf_value"])
            self.leaf_value.append(value)
            self.base += value * math.prod(z)
        return positions

    def _close_tree(self) -> None:
        self.node_start.append(len(self.node["f"]))
        self.leaf_start.append(len(self.leaf_value))

    def finish(self) -> TreeTables:
        z = np.asarray(self.feat_z, dtype=np.float64)
        feat_start = np.asarray(self.feat_start, dtype=np.int64)
        table_start = np.asarray(self.table_start, dtype=np.int64)
        table = np.empty(self.entries, dtype=np.float64)
        values = np.asarray(self.leaf_value, dtype=np.float64)
        if len(values):
            _fill_tables(feat_start, z, values, table_start, table)
        return TreeTables(
            node_start=np.asarray(self.node_start, dtype=np.int64),
            feature=np.asarray(self.node["f"], dtype=np.int32),
            threshold=np.asarray(self.node["t"], dtype=np.float64),
            categorical=np.asarray(self.node["c"], dtype=np.bool_),
            default_left=np.asarray(self.node["d"], dtype=np.bool_),
            missing=np.asarray(self.node["m"], dtype=np.int8),
            cat_start=np.asarray(self.node["cs"], dtype=np.int64),
            cat_left=np.asarray(self.cat_left, dtype=np.bool_),
            position=np.asarray(self.node["pos"], dtype=np.int32),
            left_child=np.asarray(self.node["left"], dtype=np.int32),
            right_child=np.asarray(self.node["right"], dtype=np.int32),
            leaf_start=np.asarray(self.leaf_start, dtype=np.int64),
            feat_start=feat_start,
            feat_index=np.asarray(self.feat_index, dtype=np.int32),
            feat_coef=(1.0 - z) / z,
            table_start=table_start,
            table=table,
            base_value=self.base,
            n_features=self.n_features,
        )


def tree_tables(booster: lgb.Booster, *, budget: int | None = MAX_TABLE_ENTRIES) -> TreeTables:
    """The tables of ``booster``; :class:`SpecError` when it has something they cannot read
    (linear trees, more than one output) or when they would pass ``budget`` entries."""
    model = booster.dump_model()
    if numba is None:
        raise SpecError("The 'tables' method needs numba (pip install numba).")
    if model.get("num_tree_per_iteration", 1) != 1:
        raise SpecError("The 'tables' method explains models with one output only.")
    builder = _Builder(int(model["max_feature_idx"]) + 1, budget)
    try:
        for info in model["tree_info"]:
            builder.add_tree(info)
    except _Unsupported as exc:
        raise SpecError(f"The 'tables' method cannot explain this model: {exc}.") from None
    return builder.finish()


def design_matrix(booster: lgb.Booster, matrix: pd.DataFrame) -> NDArray[np.float64]:
    """The numbers LightGBM decides on: categories as their codes in the booster's category
    lists (missing as NaN), everything else as float64."""
    categories = iter(booster.pandas_categorical or [])
    out = np.empty((len(matrix), matrix.shape[1]), dtype=np.float64)
    for j, name in enumerate(matrix.columns):
        column = matrix[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            listed = next(categories)
            if list(column.cat.categories) != list(listed):
                column = column.cat.set_categories(listed)
            codes = column.cat.codes.to_numpy()
            out[:, j] = np.where(codes < 0, np.nan, codes)
        else:
            out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


if numba is not None:

    @numba.njit(cache=True)
    def _fill_tables(feat_start, z, values, table_start, table):  # type: ignore[no-untyped-def]
        for leaf in range(len(values)):
            lo = feat_start[leaf]
            d = feat_start[leaf + 1] - lo
            weights = np.empty(d + 1)  # w(s, d) for s = 0..d-1
            for s in range(d):
                weights[s] = math.exp(math.lgamma(s + 1) + math.lgamma(d - s) - math.lgamma(d + 1))
            e = np.empty(d + 1)
            for h in range(1 << d):
                outside = 1.0  # prod of z over U - H
                e[0] = 1.0  # elementary symmetric polynomials of z over H
                m = 0
                for p in range(d):
                    if (h >> p) & 1:
                        m += 1
                        e[m] = 0.0
                        for k in range(m, 0, -1):
                            e[k] += e[k - 1] * z[lo + p]
                    else:
                        outside *= z[lo + p]
                total = 0.0
                for k in range(m + 1):  # |S| = k, so |H - S| = m - k
                    total += weights[k] * e[m - k]
                table[table_start[leaf] + h] = values[leaf] * outside * total

    @numba.njit(cache=True, nogil=True)
    def _rows(  # type: ignore[no-untyped-def]
        start,
        stop,
        x,
        out,
        node_start,
        feature,
        threshold,
        categorical,
        default_left,
        missing,
        cat_start,
        cat_left,
        position,
        left_child,
        right_child,
        leaf_start,
        feat_start,
        feat_index,
        feat_coef,
        table_start,
        table,
    ):
        n_trees = len(node_start) - 1
        width = 1
        for t in range(n_trees):
            width = max(width, node_start[t + 1] - node_start[t] + 1)
        hot_node = np.empty(width, dtype=np.int64)  # hot-feature bits on the way to a node
        hot_leaf = np.empty(width, dtype=np.int64)
        for t in range(n_trees):  # tree by tree over a block of rows: its tables stay in cache
            for r in range(start, stop):
                row = x[r]
                phi = out[r]
                first = node_start[t]
                hot_node[0] = -1  # every bit set: nothing failed yet
                for local in range(node_start[t + 1] - first):
                    node = first + local
                    value = row[feature[node]]
                    if categorical[node]:
                        if np.isnan(value) or value < 0:
                            goes_left = False
                        else:
                            code = int(value)
                            goes_left = code < threshold[node] and cat_left[cat_start[node] + code]
                    else:
                        kind = missing[node]
                        if np.isnan(value) and kind != 2:
                            value = 0.0
                        if (kind == 1 and abs(value) <= 1e-35) or (kind == 2 and np.isnan(value)):
                            goes_left = default_left[node]
                        else:
                            goes_left = value <= threshold[node]
                    bits = hot_node[local]
                    failed = bits & ~(np.int64(1) << position[node])
                    left_bits = bits if goes_left else failed
                    right_bits = failed if goes_left else bits
                    child = left_child[node]
                    if child >= 0:
                        hot_node[child] = left_bits
                    else:
                        hot_leaf[~child] = left_bits
                    child = right_child[node]
                    if child >= 0:
                        hot_node[child] = right_bits
                    else:
                        hot_leaf[~child] = right_bits
                leaves = leaf_start[t]
                for local in range(leaf_start[t + 1] - leaves):
                    leaf = leaves + local
                    lo = feat_start[leaf]
                    d = feat_start[leaf + 1] - lo
                    h = hot_leaf[local] & ((np.int64(1) << d) - 1)
                    base = table_start[leaf]
                    cold = -table[base + h]
                    for p in range(d):  # without branches: hot or not is a coin toss
                        hot = feat_coef[lo + p] * table[base + (h ^ (np.int64(1) << p))]
                        phi[feat_index[lo + p]] += hot if (h >> p) & 1 else cold

    @numba.njit(cache=True, parallel=True)
    def _all_rows(x, out, block, *arrays):  # type: ignore[no-untyped-def]
        blocks = (x.shape[0] + block - 1) // block
        for b in numba.prange(blocks):
            _rows(b * block, min(x.shape[0], (b + 1) * block), x, out, *arrays)


def tables_contributions(tables: TreeTables, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """SHAP values (rows x features, log-odds) of the rows of ``x`` from ``tables``."""
    out = np.zeros((x.shape[0], tables.n_features), dtype=np.float64)
    if len(tables.leaf_start) > 1 and tables.leaf_start[-1] > 0:
        _all_rows(
            np.ascontiguousarray(x),
            out,
            BLOCK,
            tables.node_start,
            tables.feature,
            tables.threshold,
            tables.categorical,
            tables.default_left,
            tables.missing,
            tables.cat_start,
            tables.cat_left,
            tables.position,
            tables.left_child,
            tables.right_child,
            tables.leaf_start,
            tables.feat_start,
            tables.feat_index,
            tables.feat_coef,
            tables.table_start,
            tables.table,
        )
    return out
