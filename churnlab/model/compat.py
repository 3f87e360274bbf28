"""Does a frame fit a model? Missing, extra and changed features, and unseen categories.

Schema differences are errors that show the difference; category values the model never saw
are not errors: they become missing values, and a warning gives their counts and examples.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from churnlab.errors import ChurnlabWarning, ModelError
from churnlab.features.prepare import OTHER
from churnlab.model.card import ModelCard

ID_COLUMNS = ("customer_id", "cutoff", "as_of", "churned")
"""Columns a feature frame carries besides the features."""
SHOWN = 8


class UnseenCategoryWarning(ChurnlabWarning):
    """Category values the model never saw were scored as missing (counted, with examples)."""


@dataclass(frozen=True)
class Unseen:
    """Values of one categorical input that the model's category list lacks."""

    column: str
    counts: dict[str, int]
    examples: tuple[str, ...]
    """Customer ids (or row positions) of a few affected rows."""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        values = ", ".join(f"{v!r} ({n:,})" for v, n in list(self.counts.items())[:SHOWN])
        more = f", +{len(self.counts) - SHOWN} more" if len(self.counts) > SHOWN else ""
        e_g = f"; e.g. {', '.join(self.examples)}" if self.examples else ""
        return f"  {self.column}: {values}{more}{e_g}"


def capped(items: Sequence[str], limit: int = SHOWN) -> str:
    """A short list: the first ``limit`` items, then ``+N more``.

    >>> capped(["a", "b", "c"], limit=2)
    "'a', 'b', +1 more"
    """
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _describe(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "categories"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numbers"
    return "text"


def frame_differences(card: ModelCard, frame: pd.DataFrame) -> list[str]:
    """How ``frame``'s columns differ from the model's features, one line per kind."""
    expected = set(card.feature_names)
    missing = [f for f in card.feature_names if f not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in expected and c not in ID_COLUMNS]
    lines = []
    if missing:
        lines.append(f"  missing ({len(missing)}): {capped(missing)}")
    if extra:
        lines.append(f"  extra ({len(extra)}): {capped(extra)}")
    for name in card.feature_names:
        if name not in frame.columns:
            continue
        dtype = frame[name].dtype
        wanted = card.categories.get(name)
        kind = _describe(dtype)
        if wanted is None and kind != "numbers":
            lines.append(f"  changed: {name} holds {kind} ({dtype}), the model expects numbers")
        elif wanted is not None and kind == "numbers":
            lines.append(f"  changed: {name} holds numbers ({dtype}), the model expects categories")
        elif wanted is not None and isinstance(dtype, pd.CategoricalDtype):
            have = [str(c) for c in dtype.categories]
            added = [c for c in have if c not in set(wanted)]
            removed = [c for c in wanted if c not in set(have)]
            if added or removed:
                lines.append(
                    f"  changed categories of {name}: +[{capped(added)}] -[{capped(removed)}]"
                )
    return lines


def text_columns_changed(
    card: ModelCard, data_vocabulary: Mapping[str, Sequence[str]]
) -> list[str]:
    """Customer attributes the model learned as text categories that the data no longer hold
    as text (plan names turned into codes 1 to 4): one line each, for :func:`check_frame`'s
    message. ``data_vocabulary`` is the text values found in the data, per ``table.column``.

    >>> from types import SimpleNamespace
    >>> card = SimpleNamespace(vocabulary={"customers.plan": ("basic", "premium")})
    >>> text_columns_changed(card, {"complaints.category": ("billing",)})
    ["  changed: customers.plan does not hold text any more (numbers?), the model expects the categories 'basic', 'premium'"]
    """
    return [
        f"  changed: {key} does not hold text any more (numbers?), the model expects the "
        f"categories {capped(list(values))}"
        for key, values in card.vocabulary.items()
        if key.startswith("customers.") and key not in data_vocabulary
    ]


def refuse_changed(lines: Sequence[str], card: ModelCard) -> None:
    """Raise :class:`ModelError` listing ``lines`` (differences between the data and the model)."""
    if lines:
        raise ModelError(
            f"The frame does not match the model's {card.n_features} features:\n"
            + "\n".join(lines)
            + "\nBuild frames with the model's category lists: churnlab.score(model, data, "
            "as_of=...), or build_scoring_frame(tables, as_of=..., spec=..., "
            "vocabulary=model.card_.vocabulary). If the data changed on purpose (new codes for "
            "a column), retrain the model on the new data."
        )


def check_frame(card: ModelCard, frame: pd.DataFrame) -> None:
    """Raise :class:`ModelError` showing every difference between ``frame`` and the model."""
    refuse_changed(frame_differences(card, frame), card)


def unseen_values(
    values: pd.Series, categories: Iterable[str], *, column: str, ids: pd.Series | None = None
) -> Unseen | None:
    """The values of ``values`` outside ``categories`` (missing values are not counted).

    >>> unseen_values(pd.Series(["a", "x", None, "x"]), ["a", "b"], column="plan").counts
    {'x': 2}
    """
    known = set(categories)
    if OTHER in known:  # a capped list: values outside it are "(other)", not unseen
        return None
    if all(str(v) in known for v in pd.unique(values.dropna())):  # the usual case: fast
        return None
    text = values.astype("string")
    outside = text.notna() & ~text.isin(list(known))
    if not outside.any():
        return None
    counts = text[outside].value_counts()
    where = ids[outside.to_numpy()] if ids is not None else pd.Series(text.index[outside])
    return Unseen(
        column=column,
        counts={str(k): int(v) for k, v in counts.items()},
        examples=tuple(str(v) for v in where.head(5)),
    )


def warn_unseen(found: Sequence[Unseen], *, stacklevel: int = 3) -> None:
    """One :class:`UnseenCategoryWarning` listing every column with unseen values."""
    if not found:
        return
    total = sum(u.rows for u in found)
    warnings.warn(
        f"{total:,} values in {len(found)} column(s) are categories the model never saw; they "
        "were scored as missing:\n"
        + "\n".join(u.line() for u in found)
        + "\nRetrain the model on data that include these categories if they matter.",
        UnseenCategoryWarning,
        stacklevel=stacklevel,
    )


def align(card: ModelCard, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Unseen]]:
    """The model's features in card order, categoricals on the card's category lists.

    Text columns are converted (unseen values become missing and are returned); categorical
    columns must hold the card's categories (order may differ). Call :func:`check_frame` first.
    """
    ids = frame["customer_id"] if "customer_id" in frame.columns else None
    columns: dict[str, pd.Series] = {}
    found: list[Unseen] = []
    for name in card.feature_names:
        column = frame[name]
        wanted = card.categories.get(name)
        if wanted is not None:
            if isinstance(column.dtype, pd.CategoricalDtype):
                if tuple(str(c) for c in column.cat.categories) != wanted:
                    column = column.cat.set_categories(list(wanted))
            else:
                unseen = unseen_values(column, wanted, column=name, ids=ids)
                if unseen is not None:
                    found.append(unseen)
                text = column.astype("string")
                inside = text.isin(wanted)
                if OTHER in wanted:
                    text, inside = text.mask(~inside & text.notna(), OTHER), text.notna()
                column = pd.Series(
                    pd.Categorical(text.where(inside), categories=list(wanted)),
                    index=frame.index,
                    name=name,
                )
        columns[name] = column
    return pd.DataFrame(columns, index=frame.index, copy=False), found
