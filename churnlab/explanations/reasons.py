"""Per-customer reasons: the two or three facts that raise a customer's churn risk most, in words,
each with its impact, and the retention action for the strongest one an offer can change.

How a reason list is made, for each customer:

1. **Group.** Features that state one fact (complaints in 30, 90 and 365 days, and per
   category) form one reason (their ``reason_group``); its SHAP value is the sum of theirs,
   on the log-odds scale. A missing value that states another category's fact (a spend
   trend is missing because the customer joined recently: the feature's
   ``missing_category``, tenure) counts towards one reason of that category instead, written
   with the feature's text for a missing value ("joined less than 6 months ago: no spend
   trend yet"). Without it, a new customer's missing trends read as a price reason: on the
   demo operator, 62% of the riskiest customers whose fix was service had no 6-month trend.
2. **Select.** A reason is listed only when it raises the risk (a positive sum) and carries at
   least ``min_share`` of the customer's positive total; ``k`` are listed. They come by their
   category's total first (the signed sum of all the category's reasons: what one action on
   that category would change), then by their own sum: two service facts of 0.3 and 0.25
   outrank one price fact of 0.4, and the action follows the service. On the demo operator
   this ordering named the cause whose fix lowers the hazard most for 82% of the hazard drop
   at stake, against 79% when reasons came by their own sums only, and kept the top reason of
   90% of the riskiest customers from one month to the next, against 79%
   (``benchmarks/bench_reasons.py``). The strongest *actionable* reason (see the action
   table), by the same order, is always among them: when contract, region or tenure fill the
   list, it takes the last place. A feature that lowers the risk is never cited, nor personal
   data (it is never a feature), nor a value that says nothing happened: a count of zero, or
   a missing "days since the last failure" or "mean days to resolve" when there was none
   (``Feature.missing_is_none``). "No late payment in the last 12 months" is nothing a
   reminder fixes, whatever SHAP value the model gives it (on the demo, such values made a
   payment reminder, or a priority fault fix, the action for customers 17 days old).
3. **Write.** A reason's text is that of its strongest feature, filled with the customer's own
   value and the typical value (the median, or the most frequent category, over the customers
   explained together), in English or Chinese (:mod:`churnlab.features.wording`).
4. **Impact.** A reason's impact, in probability points, is how much the model's probability
   would fall without it: ``100 * (sigmoid(f) - sigmoid(f - s))``, where ``f`` is the customer's
   raw score (log-odds: the base value plus every SHAP value) and ``s`` the reason's SHAP sum.
   It is the uncalibrated model's probability: calibration maps scores monotonically, and an
   isotonic map is flat in steps, which would show real reasons as 0 points.
5. **Act.** ``recommended_action`` is the action for the strongest actionable reason
   (``top_actionable_category``), or the table's ``no_reason`` action.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.explanations.actions import STANDARD_CATEGORIES, ActionTable, read_actions
from churnlab.features.family import Feature
from churnlab.features.wording import check_language, describe, is_missing, texts_of

MAX_REASONS = 5
DEFAULT_MIN_SHARE = 0.10


def check_k(k: object) -> int:
    """The number of reasons asked for, checked (1 to 5).

    >>> check_k(3)
    3
    >>> check_k(6)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'k' parameter of reasons must be an int in [1, 5]. Got 6 instead.
    """
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_REASONS:
        raise SpecError(
            f"The 'k' parameter of reasons must be an int in [1, {MAX_REASONS}]. Got {k!r} instead."
        )
    return k


def reason_columns(k: int) -> list[str]:
    """The columns of a reason table, in order.

    >>> reason_columns(2)  # doctest: +NORMALIZE_WHITESPACE
    ['customer_id', 'reason_1', 'reason_2', 'reason_1_category', 'reason_2_category',
     'reason_1_impact', 'reason_2_impact', 'top_actionable_category', 'recommended_action']
    """
    slots = range(1, k + 1)
    return [
        "customer_id",
        *(f"reason_{i}" for i in slots),
        *(f"reason_{i}_category" for i in slots),
        *(f"reason_{i}_impact" for i in slots),
        "top_actionable_category",
        "recommended_action",
    ]


def typical_values(data: pd.DataFrame) -> dict[str, object]:
    """Each feature's typical value: the median, or the most frequent category."""
    out: dict[str, object] = {}
    for name in data.columns:
        column = data[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
            column.dtype
        ):
            counts = column.value_counts()
            out[name] = counts.index[0] if len(counts) else None
        else:
            numbers = column.to_numpy(dtype="float64", na_value=np.nan)
            known = numbers[~np.isnan(numbers)]
            out[name] = float(np.median(known)) if len(known) else None
    return out


def reason_table(
    values: pd.DataFrame,
    data: pd.DataFrame,
    features: Sequence[Feature],
    *,
    customer_id: Sequence[Any] | pd.Series,
    raw_score: np.ndarray,
    k: int = 3,
    language: str = "en",
    actions: ActionTable | str | Path | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    typical: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """One row per customer: the ``k`` strongest reasons that raise their risk, in words, with
    categories and impacts, and the recommended action (see the module's docstring).

    Parameters
    ----------
    values:
        SHAP values (log-odds), one column per feature, one row per customer.
    data:
        The features' values, same shape.
    features:
        The features' entries (reason group, category, texts); every column of ``values``
        needs one.
    customer_id:
        The customers' ids, in row order.
    raw_score:
        The model's raw score (log-odds) per row: base value plus the SHAP values.
    k, language, actions, min_share:
        Reasons per customer (1 to 5), ``en`` or ``zh``, the action table (a TOML path, or
        the default), and the least share of the positive total a listed reason carries.
    typical:
        Typical values per feature (default: :func:`typical_values` of ``data``).
    """
    k = check_k(k)
    check_language(language)
    if not isinstance(min_share, int | float) or not 0 <= min_share < 1:
        raise SpecError(
            f"The 'min_share' parameter of reasons must be a number in [0, 1). Got {min_share!r} instead."
        )
    entries = _entries(list(values.columns), features)
    for entry in entries.values():
        texts_of(entry, language)  # every feature can be written: refuse now, not mid-list
    if isinstance(actions, ActionTable):
        table = actions
    else:
        known = {*STANDARD_CATEGORIES, *stated_categories(entries.values())}
        table = read_actions(actions, known=known)
    table.check_covers(stated_categories(entries.values()))

    members, categories = _groups(entries)
    shap = values.to_numpy(dtype="float64")
    moved = missing_elsewhere(data, list(entries.values()))
    silent = nothing_happened(data, list(entries.values()))
    n = len(shap)
    sums = np.zeros((n, len(members)))
    strongest = np.zeros((n, len(members)), dtype=int)
    for j, (m, kind) in enumerate(members):
        applies = moved[:, m] if kind == "missing" else ~moved[:, m] & ~silent[:, m]
        part = np.where(applies, shap[:, m], 0.0)
        sums[:, j] = part.sum(axis=1)
        strongest[:, j] = np.asarray(m)[np.where(applies, shap[:, m], -np.inf).argmax(axis=1)]
    actionable = np.array([table.is_actionable(c) for c in categories], dtype=bool)
    chosen, top_actionable = _select(sums, categories, actionable, k, min_share)

    typical = typical_values(data) if typical is None else typical
    columns = list(values.columns)
    references = {name: _referenced(entries[name], language, entries) for name in columns}
    raw = np.asarray(raw_score, dtype="float64")
    texts = np.full((n, k), None, dtype=object)
    cats = np.full((n, k), None, dtype=object)
    impacts = np.full((n, k), np.nan)
    data_columns = {name: data[name].to_numpy(dtype=object) for name in columns}
    for slot in range(k):
        rows = np.flatnonzero(chosen[:, slot] >= 0)
        g = chosen[rows, slot]
        feature_index = strongest[rows, g]
        s = sums[rows, g]
        impacts[rows, slot] = 100.0 * (_sigmoid(raw[rows]) - _sigmoid(raw[rows] - s))
        cats[rows, slot] = categories[g]
        for row, f in zip(rows.tolist(), feature_index.tolist(), strict=True):
            name = columns[f]
            others = references[name]
            texts[row, slot] = describe(
                entries[name],
                data_columns[name][row],
                language=language,
                typical=typical.get(name),
                row={o: data_columns[o][row] for o in others},
                others={o: entries[o] for o in others},
            )
    top = [categories[t] if t >= 0 else None for t in top_actionable.tolist()]
    out: dict[str, Any] = {"customer_id": np.asarray(customer_id)}
    for slot in range(k):
        out[f"reason_{slot + 1}"] = texts[:, slot]
    for slot in range(k):
        out[f"reason_{slot + 1}_category"] = cats[:, slot]
    for slot in range(k):
        out[f"reason_{slot + 1}_impact"] = np.round(impacts[:, slot], 2)
    out["top_actionable_category"] = top
    out["recommended_action"] = [table.action_for(c, language) for c in top]
    return pd.DataFrame(out, columns=reason_columns(k))


def _entries(columns: Sequence[str], features: Sequence[Feature]) -> dict[str, Feature]:
    by_name = {f.name: f for f in features}
    missing = [c for c in columns if c not in by_name]
    if missing:
        raise SpecError(
            f"The model's card has no entry (reason category and text) for the feature"
            f"{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing[:5]))}: retrain "
            "the model with this churnlab, which records every feature's entry."
        )
    return {c: by_name[c] for c in columns}


def _groups(entries: Mapping[str, Feature]) -> tuple[list[tuple[list[int], str]], np.ndarray]:
    """The reason groups: the column positions of each, and whether it counts the values
    that are there (``"own"``) or the missing values that state another category
    (``"missing"``: one group per such category); and each group's category. Groups in
    first-seen order, the missing-value groups last.

    Raises
    ------
    SpecError
        A group's features have different reason categories (one fact, one category).
    """
    groups: dict[str, list[int]] = {}
    category: dict[str, str] = {}
    elsewhere: dict[str, list[int]] = {}
    for position, entry in enumerate(entries.values()):
        group = entry.reason_group
        if category.setdefault(group, entry.reason_category) != entry.reason_category:
            raise SpecError(
                f"The reason group {group!r} mixes the categories {category[group]!r} and "
                f"{entry.reason_category!r} (feature {entry.name!r}): a group states one fact, "
                "of one category. Give the feature a group of its own."
            )
        groups.setdefault(group, []).append(position)
        if entry.missing_category not in ("", entry.reason_category):
            elsewhere.setdefault(entry.missing_category, []).append(position)
    members = [(m, "own") for m in groups.values()]
    members += [(m, "missing") for m in elsewhere.values()]
    labels = [*category.values(), *elsewhere]
    return members, np.array(labels, dtype=object)


def stated_categories(features: Iterable[Feature]) -> set[str]:
    """Every reason category the features state: their own and their missing values'.

    >>> from churnlab.features import get_feature
    >>> sorted(stated_categories([get_feature("spend_ratio_3m")]))
    ['price', 'tenure']
    """
    return {c for f in features for c in (f.reason_category, f.missing_category) if c}


def missing_elsewhere(data: pd.DataFrame, features: Sequence[Feature]) -> np.ndarray:
    """Per row of ``data`` and each of ``features`` (a column of it), whether the value is
    missing and states another category than the feature's (its
    ``missing_category``).

    >>> from churnlab.features import get_feature
    >>> data = pd.DataFrame({"spend_ratio_3m": [1.2, None], "complaints_90d": [None, 1.0]})
    >>> features = [get_feature("spend_ratio_3m"), get_feature("complaints_90d")]
    >>> missing_elsewhere(data, features).tolist()
    [[False, False], [True, False]]
    """
    out = np.zeros((len(data), len(features)), dtype=bool)
    for j, feature in enumerate(features):
        if feature.missing_category not in ("", feature.reason_category):
            out[:, j] = data[feature.name].isna().to_numpy()
    return out


def nothing_happened(data: pd.DataFrame, features: Sequence[Feature]) -> np.ndarray:
    """Per row of ``data`` and each of ``features`` (a column of it), whether the value says
    that nothing happened: a count of zero, or a missing value of a feature whose missing
    value means no event ever did (``Feature.missing_is_none``: "no service failure on
    record"). That is never a reason ("no late payment in the last 12 months" cannot be what a
    reminder fixes), whatever SHAP value the model gives it.

    >>> from churnlab.features import get_feature
    >>> data = pd.DataFrame({"complaints_90d": [0, 2], "spend_last_month": [0.0, 0.0],
    ...                      "days_since_failure": [None, 12.0]})
    >>> names = ["complaints_90d", "spend_last_month", "days_since_failure"]
    >>> nothing_happened(data, [get_feature(n) for n in names]).tolist()
    [[True, False, True], [False, False, False]]
    """
    out = np.zeros((len(data), len(features)), dtype=bool)
    for j, feature in enumerate(features):
        if feature.kind == "count":
            out[:, j] = (pd.to_numeric(data[feature.name], errors="coerce") == 0).to_numpy()
        elif feature.missing_is_none:
            out[:, j] = data[feature.name].isna().to_numpy()
    return out


def _select(
    sums: np.ndarray, categories: np.ndarray, actionable: np.ndarray, k: int, min_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the groups listed (``-1`` for an empty slot) and the top actionable group.

    Reasons are ranked by their category's total first (the signed sum of its groups: what
    one action on that category would change), then by their own sum. A category whose
    groups cancel out comes after every category that raises the risk.

    >>> sums = np.array([[2.0, 0.5, -1.0, 0.05], [0.0, -0.2, 0.0, 0.0]])
    >>> categories = np.array(["contract", "service", "price", "service"], dtype=object)
    >>> chosen, top = _select(sums, categories, np.array([False, True, True, True]), 2, 0.1)
    >>> chosen.tolist(), top.tolist()
    ([[0, 1], [-1, -1]], [1, -1])

    Two service facts together outrank a single stronger price fact:

    >>> sums = np.array([[0.3, 0.4, 0.25]])
    >>> categories = np.array(["service", "price", "service"], dtype=object)
    >>> _select(sums, categories, np.array([True, True, True]), 3, 0.1)[0].tolist()
    [[0, 2, 1]]
    """
    n, g = sums.shape
    positive = np.clip(sums, 0.0, None)
    total = positive.sum(axis=1, keepdims=True)
    share = np.divide(positive, total, out=np.zeros_like(positive), where=total > 0)
    eligible = (sums > 0) & (share >= min_share)
    names, of_group = np.unique(categories.astype(str), return_inverse=True)
    onehot = np.zeros((g, len(names)))
    onehot[np.arange(g), of_group] = 1.0
    category_total = (sums @ onehot)[:, of_group]  # each group's category total
    rank = np.lexsort((-sums, -np.clip(category_total, 0.0, None)), axis=-1)  # best first
    listed_first = np.argsort(~np.take_along_axis(eligible, rank, axis=1), axis=1, kind="stable")
    order = np.take_along_axis(rank, listed_first, axis=1)[:, :k]
    chosen = np.where(np.take_along_axis(eligible, order, axis=1), order, -1)
    if chosen.shape[1] < k:  # fewer groups than slots
        chosen = np.pad(chosen, ((0, 0), (0, k - chosen.shape[1])), constant_values=-1)
    top = np.full(n, -1)
    if g:
        acts = np.take_along_axis(actionable[None, :] & (sums > 0), rank, axis=1)
        first = acts.argmax(axis=1)
        top = np.where(acts.any(axis=1), rank[np.arange(n), first], -1)
    # The strongest actionable reason is always listed: it takes the last filled place (or
    # the first empty one) when stronger reasons that no offer changes fill the list.
    for row in np.flatnonzero(top >= 0):
        listed = chosen[row]
        if top[row] in listed:
            continue
        empty = np.flatnonzero(listed < 0)
        listed[empty[0] if len(empty) else k - 1] = top[row]
    return chosen, top


def _referenced(entry: Feature, language: str, entries: Mapping[str, Feature]) -> list[str]:
    """The other features an entry's texts name (their values fill it)."""
    names = {
        field
        for text in (entry.texts.get(language) or {}).values()
        for _, field, _, _ in string.Formatter().parse(text)
        if field
    }
    return sorted(n for n in names if n in entries and n != entry.name)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


__all__ = [
    "check_k",
    "is_missing",
    "missing_elsewhere",
    "nothing_happened",
    "reason_columns",
    "reason_table",
    "stated_categories",
    "typical_values",
]
