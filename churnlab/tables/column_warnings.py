"""Customer columns that would make useless or dangerous features, found before they do.

Four kinds, each a :class:`~churnlab.errors.ColumnWarning` of its own with the count behind
it and what to do:

- **id-like** (:class:`~churnlab.errors.IdLikeColumnWarning`): a whole-number or text column
  unique per row, or a number strictly increasing (or decreasing) in row order (a row number,
  a running id). It says nothing about churn, and a model would learn the row order.
- **constant** (:class:`~churnlab.errors.ConstantColumnWarning`): one value (or none) in
  every row.
- **a copy of the label** (:class:`~churnlab.errors.LabelCopyWarning`): the column alone
  ranks churners above stayers with a ROC-AUC above :data:`LABEL_COPY_AUC` (either way
  round): the label itself, or something recorded only after the churn.
- **date-like text** (:class:`~churnlab.errors.DateLikeCategoryWarning`): text that reads
  as dates, which a model would take as a category with one value per date.

Such a column is left out of the features, and the warning says so; name it in ``keep`` (the
``--keep-column`` option) to keep it. ``churnlab validate`` lists them; building a training
frame warns and leaves them out, and the model card records what was left out.

>>> import pandas as pd
>>> customers = pd.DataFrame({"row": range(1, 21), "country": "DE", "plan": list("ab") * 10})
>>> [(f.column, f.kind) for f in column_findings(customers, ["row", "country", "plan"])]
[('row', 'id_like'), ('country', 'constant')]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from churnlab.errors import (
    ColumnWarning,
    ConstantColumnWarning,
    DateLikeCategoryWarning,
    IdLikeColumnWarning,
    LabelCopyWarning,
)
from churnlab.metrics import roc_auc
from churnlab.tables.problems import examples_of

if TYPE_CHECKING:
    from churnlab.tables.tables import Tables

Kind = Literal["id_like", "constant", "label_copy", "date_like"]
LABEL_COPY_AUC = 0.99
"""A single column whose ROC-AUC for the label is above this (either way round) is taken for
a copy of the label."""
MIN_ROWS = 20
"""Fewer rows than this prove nothing about a column: no finding is made."""
MIN_CLASS = 10
"""Fewer churners (or non-churners) than this prove no copy of the label: with 2 churners
among 30 rows, one column in 15 ranks them first by chance."""
DATE_SHARE = 0.9
"""Text is date-like when at least this share of its distinct values read as dates."""
_DATE_TEXT = re.compile(
    r"\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?([ T]\d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{1,2}[ -]?[A-Za-z]{3,9}[ -,]*\d{2,4}"
    r"|[A-Za-z]{3,9}[ -]\d{1,2},? \d{4}"
)
CATEGORIES: dict[str, type[ColumnWarning]] = {
    "id_like": IdLikeColumnWarning,
    "constant": ConstantColumnWarning,
    "label_copy": LabelCopyWarning,
    "date_like": DateLikeCategoryWarning,
}


@dataclass(frozen=True, kw_only=True)
class ColumnFinding:
    """One column found useless or dangerous as a feature.

    Attributes
    ----------
    table, column:
        Where it is.
    kind:
        ``"id_like"``, ``"constant"``, ``"label_copy"`` or ``"date_like"``.
    rows:
        The rows the finding rests on.
    found:
        What was found, with its numbers (``"unique per row: 300 values in 300 rows"``).
    examples:
        A few of its values.
    kept:
        Whether the user asked to keep it (``keep``); otherwise it is left out.
    """

    table: str
    column: str
    kind: Kind
    rows: int
    found: str
    examples: tuple[str, ...] = ()
    kept: bool = False

    @property
    def category(self) -> type[ColumnWarning]:
        """The warning class of this kind."""
        return CATEGORIES[self.kind]

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}"
        seen = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
        fate = (
            "kept as a feature, as asked"
            if self.kept
            else f"left out of the features; keep it with --keep-column {self.column} "
            f"(keep_columns=[{self.column!r}])"
        )
        return f"{where} {_WHAT[self.kind]}: {self.found}{seen}; {fate}. {_TO_DO[self.kind]}"

    def __repr__(self) -> str:
        return f"<ColumnFinding {self.table}.{self.column}: {self.kind}, {self.rows:,} rows>"


_WHAT = {
    "id_like": "looks like an id",
    "constant": "is constant",
    "label_copy": "predicts churn almost perfectly on its own",
    "date_like": "holds dates as text, which would be a category with one value per date",
}
_TO_DO = {
    "id_like": "An id or row number says nothing about churn.",
    "constant": "A column with one value cannot tell customers apart.",
    "label_copy": "It is the label itself or recorded after the churn: remove it from the "
    "data, or keep it only if it is known before each cutoff.",
    "date_like": "Turn it into a number in the data (days since it, at the extract date) or "
    "map it as a date.",
}


def column_findings(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    table: str = "customers",
    label: pd.Series | np.ndarray | None = None,
    keep: Collection[str] = (),
) -> list[ColumnFinding]:
    """Check ``columns`` of ``frame`` (one row per customer): constant, date-like text,
    id-like, a copy of the label, in that order; a column gets one finding at most.

    Parameters
    ----------
    frame:
        One row per customer, in the order of the file (row order matters for id-like).
    columns:
        The columns to check (the candidate features).
    table:
        The table's name, for the messages.
    label:
        Whether each row churned; without it, no column is checked against the label.
    keep:
        Columns to keep as features even when found (their findings say so).

    Returns
    -------
    list of ColumnFinding

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"status": ["gone", "here"] * 10, "region": list("nsew") * 5})
    >>> churned = frame["status"] == "gone"
    >>> [f.kind for f in column_findings(frame, ["status", "region"], label=churned)]
    ['label_copy']
    """
    y = None if label is None else np.asarray(label, dtype=bool)
    out = []
    for column in columns:
        values = frame[column]
        if len(values) < MIN_ROWS:
            continue
        finding = (
            _constant(values)
            or _date_like(values)
            or _id_like(values)
            or (_label_copy(values, y) if y is not None else None)
        )
        if finding is not None:
            kind, found, examples = finding
            out.append(
                ColumnFinding(
                    table=table,
                    column=column,
                    kind=kind,
                    rows=len(values),
                    found=found,
                    examples=examples,
                    kept=column in keep,
                )
            )
    return out


def table_findings(tables: Tables, *, keep: Collection[str] = ()) -> list[ColumnFinding]:
    """:func:`column_findings` for the customer attributes of loaded tables; a snapshot
    extract's attributes are also checked against its churn flag.

    Examples
    --------
    >>> import pandas as pd
    >>> from churnlab.tables.tables import Tables
    >>> customers = pd.DataFrame({"customer_id": [f"{i:02}" for i in range(24)], "plan": "x"})
    >>> tables = Tables(customers=customers, extract_date=pd.Timestamp("2024-01-31"),
    ...                 attribute_columns=("plan",))
    >>> print(table_findings(tables)[0])  # doctest: +ELLIPSIS
    customers.plan is constant: one value in all 24 rows (e.g. x); left out of the features...
    """
    customers = tables.customers
    label = customers["churned"] if tables.is_snapshot and "churned" in customers else None
    return column_findings(customers, tables.attribute_columns, label=label, keep=keep)


def warn_columns(findings: Sequence[ColumnFinding]) -> None:
    """Issue each finding as its warning category."""
    for finding in findings:
        warnings.warn(str(finding), finding.category, stacklevel=3)


def _constant(values: pd.Series) -> tuple[Kind, str, tuple[str, ...]] | None:
    distinct = values.nunique(dropna=False)
    if distinct > 1:
        return None
    if values.isna().all():
        return "constant", f"no value in any of its {len(values):,} rows", ()
    return "constant", f"one value in all {len(values):,} rows", examples_of(values.dropna()[:1])


def _whole_numbers(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values.dtype):
        return False
    if pd.api.types.is_integer_dtype(values.dtype):
        return True
    if pd.api.types.is_float_dtype(values.dtype):
        present = values.dropna()
        return bool(len(present) and (present % 1 == 0).all())
    return False


def _is_text(values: pd.Series) -> bool:
    return bool(
        pd.api.types.is_string_dtype(values.dtype)
        or pd.api.types.is_object_dtype(values.dtype)
        or isinstance(values.dtype, pd.CategoricalDtype)
    )


def _id_like(values: pd.Series) -> tuple[Kind, str, tuple[str, ...]] | None:
    if values.isna().any():
        return None
    n = len(values)
    examples = examples_of(values.astype("string")[:3])
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        steps = np.diff(values.to_numpy(dtype="float64"))
        if (steps > 0).all() or (steps < 0).all():
            way = "increasing" if steps[0] > 0 else "decreasing"
            return "id_like", f"{way} with the row order in all {n:,} rows", examples
    if (_whole_numbers(values) or _is_text(values)) and values.nunique() == n:
        return "id_like", f"unique per row: {n:,} distinct values in {n:,} rows", examples
    return None


def single_column_auc(values: pd.Series, y: np.ndarray) -> float | None:
    """How well one column alone ranks churners above the others: ROC-AUC
    (:func:`churnlab.metrics.roc_auc`), taken in the better direction (0.5 to 1), or ``None``
    when it cannot say (one class, or a constant column). Numbers are ranked as they are
    (missing values lowest); categories by their churn rate in these rows, when each category
    has at least 20 rows on average (otherwise a category per customer would look perfect).

    >>> y = np.array([True, False, True, False])
    >>> single_column_auc(pd.Series([1, 0, 1, 0]), y), single_column_auc(pd.Series([1, 1, 0, 0]), y)
    (1.0, 0.5)
    >>> single_column_auc(pd.Series(["yes", "no", "yes", "no"], dtype="category"), y)
    1.0
    """
    y = np.asarray(y, dtype=bool)
    if len(y) == 0 or y.all() or not y.any():
        return None
    if _is_text(values) or not (
        pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    ):
        text = values.astype("string").fillna("\x00missing")
        groups = text.nunique()
        if groups < 2 or len(text) / groups < min(20, len(text) / 2):
            return None
        score = pd.Series(y, index=values.index).groupby(text).transform("mean").to_numpy(float)
    else:
        score = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        if np.isnan(score).all():
            return None
        score = np.where(np.isnan(score), np.nanmin(score) - 1.0, score)
    if np.ptp(score) == 0:
        return None
    ranks = pd.Series(score).rank(method="average").to_numpy() / len(score)  # roc_auc's (0, 1]
    auc = roc_auc(y, ranks)
    return float(max(auc, 1.0 - auc))


def _label_copy(values: pd.Series, y: np.ndarray) -> tuple[Kind, str, tuple[str, ...]] | None:
    churners = int(y.sum())
    if len(y) != len(values) or min(churners, len(y) - churners) < MIN_CLASS:
        return None
    best = single_column_auc(values.reset_index(drop=True), y)
    if best is None or not best > LABEL_COPY_AUC:
        return None
    return (
        "label_copy",
        f"ROC-AUC {best:.3f} for the churn label over {len(y):,} rows ({int(y.sum()):,} churners)",
        (),
    )


def _date_like(values: pd.Series) -> tuple[Kind, str, tuple[str, ...]] | None:
    if not _is_text(values):
        return None
    distinct = pd.Series(values.dropna().astype("string").str.strip().unique())
    if distinct.empty:
        return None
    dated = distinct.str.fullmatch(_DATE_TEXT.pattern).fillna(False).astype(bool)
    share = float(dated.mean())
    if share < DATE_SHARE:
        return None
    found = f"{share:.0%} of its {len(distinct):,} distinct values read as dates"
    return "date_like", found, examples_of(distinct[dated][:3])
