"""The win-back list: valuable customers who left recently and have not come back.

Winning back a lapsed customer succeeds about 1 time in 4, against 1 in 16 for a prospect
(the domain primer's case studies), so customers lost in the last ``days`` days who were worth
keeping deserve a list of their own, apart from the retention list of active customers.

How the list is made (:func:`winback_list`), at an as-of date ``as_of``:

1. **Who left.** Customers who left in the ``days`` days up to ``as_of``, ``as_of - days <
   end_date <= as_of``, by the model's label definition (``contract``: the day the contract
   ended, the day from which a customer is no longer active; the ``inactivity`` and
   ``snapshot`` definitions record no such day and are refused).
2. **Not already won back.** With the label's ``rejoin_key`` (a customers column that
   identifies one person across customer ids), a customer came back when another record of
   the same person signed up on or after the day they left and on or before ``as_of``: the
   rule of the label's grace period (:func:`churnlab.labels.window.came_back`), with ``as_of``
   as its last day. They are counted (``already_won_back``) and left out. Without a
   ``rejoin_key`` nobody can be seen coming back.
3. **What they looked like.** Each customer's features at the last month end before the day
   they left (:func:`~churnlab.campaign.lapsed.last_month_end_before`): the last cutoff at which they were active, on the
   month-end grid the model was trained on, and known then (the cutoff day counts as the
   past; nothing after it is used). Customers who left before their first month end as
   customers have no such cutoff and are counted as ``too_new``. One scoring frame is built
   per cutoff (a 90-day window has three or four), each on the tables restricted to that
   cutoff's customers.
4. **What they were worth.** ``value`` as for active customers
   (:func:`churnlab.campaign.value.customer_value`) from their mean monthly spend over the
   last three months at that cutoff, with the segment ``recently_lapsed`` (whose monthly
   retention ``ValueSpec.retention`` may set), or the customer attribute named by
   ``ValueSpec(method="column")``.
5. **Valuable enough.** ``value >= min_value``: by default the caller's threshold, the value
   that makes an active customer high-value (``WinbackSpec.min_value`` overrides it). Ranked
   by value, highest first; ties by ``customer_id``.
6. **Why they left.** The reasons the model gave at that cutoff, explained for the listed
   customers only (:meth:`churnlab.explanations.Explanation.reasons`): the strongest is
   ``last_reason`` and its category ``last_reason_category``; ``recommended_action`` is the
   action for the strongest reason an offer can change (``top_actionable_category``).

Columns of :attr:`WinbackList.frame`, in this order (:data:`WINBACK_COLUMNS`):

==========================  =========================================================
``customer_id``             text (``str``; leading zeros kept)
``rank``                    1 = the most valuable (``int64``)
``left_on``                 the day they left (``datetime64``, midnight)
``days_since_left``         ``as_of - left_on`` in days, ``0 .. days - 1`` (``int64``)
``value``                   what they were worth at their cutoff (``float64``)
``segment``                 always ``recently_lapsed``
``last_churn_probability``  the model's calibrated churn probability at their cutoff
``last_reason``             their strongest reason then, in ``language``
``last_reason_category``    its category (``service``, ``price``, ...)
``recommended_action``      what to offer, in ``language``
``as_of``                   the list's date (``datetime64``, midnight)
==========================  =========================================================
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from churnlab.campaign.lapsed import Leavers, customers_only, leavers
from churnlab.campaign.value import ValueSpec, column_values, customer_value
from churnlab.dates import DateLike, parse_date
from churnlab.display import heading
from churnlab.errors import ModelError, SpecError, did_you_mean
from churnlab.explanations import ActionTable, explain, read_actions
from churnlab.explanations.actions import STANDARD_CATEGORIES
from churnlab.explanations.reasons import check_k, stated_categories
from churnlab.features.wording import check_language
from churnlab.metrics import monthly_retention
from churnlab.model import ChurnModel, load_model, scoring_frame
from churnlab.tables import DataConfig, Tables, load_tables, read_customers
from churnlab.tables.config import resolve_config

SEGMENT = "recently_lapsed"
SPEND = "spend_mean_3m"
WINBACK_COLUMNS = (
    "customer_id",
    "rank",
    "left_on",
    "days_since_left",
    "value",
    "segment",
    "last_churn_probability",
    "last_reason",
    "last_reason_category",
    "recommended_action",
    "as_of",
)
_DTYPES = {
    "customer_id": "str",
    "rank": "int64",
    "left_on": "datetime64[us]",
    "days_since_left": "int64",
    "value": "float64",
    "segment": "str",
    "last_churn_probability": "float64",
    "last_reason": "str",
    "last_reason_category": "str",
    "recommended_action": "str",
    "as_of": "datetime64[us]",
}


@dataclass(frozen=True, kw_only=True)
class WinbackSpec:
    """Which lapsed customers a win-back list holds.

    Parameters
    ----------
    days:
        Customers who left in the last ``days`` days: ``as_of - days < left_on <= as_of``
        (default 90).
    min_value:
        The least value a listed customer had. ``None`` (default): the threshold the caller
        passes to :func:`winback_list`, which the target list sets to the value that makes an
        active customer high-value, so lapsed customers are held to the same bar.

    Examples
    --------
    >>> WinbackSpec(days=60).to_dict()
    {'days': 60, 'min_value': None}
    >>> WinbackSpec.from_dict({"days": 30, "min_value": 250.0}) == WinbackSpec(days=30, min_value=250.0)
    True
    >>> WinbackSpec(days=0)
    Traceback (most recent call last):
    ...
    churnlab.errors.SpecError: The 'days' parameter of WinbackSpec must be an int >= 1. Got 0 instead.
    """

    days: int = 90
    min_value: float | None = None

    def __post_init__(self) -> None:
        days = self.days
        if not isinstance(days, int | np.integer) or isinstance(days, bool) or days < 1:
            raise SpecError(
                f"The 'days' parameter of WinbackSpec must be an int >= 1. Got {days!r} instead."
            )
        if self.min_value is not None:
            _check_min_value(self.min_value, "The 'min_value' parameter of WinbackSpec")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WinbackSpec:
        """A spec from :meth:`to_dict` output (or a campaign file's ``[winback]`` table);
        unknown keys are refused with a "did you mean"."""
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                raise SpecError(
                    f"WinbackSpec has no parameter {key!r}; it has {', '.join(names)}."
                    f"{did_you_mean(key, names)}"
                )
        return cls(**data)


def _check_min_value(value: object, where: str) -> float:
    if (
        not isinstance(value, int | float | np.integer | np.floating)
        or isinstance(value, bool)
        or not np.isfinite(value)
        or value < 0
    ):
        raise SpecError(f"{where} must be a number >= 0. Got {value!r} instead.")
    return float(value)


@dataclass(frozen=True, kw_only=True, eq=False)
class WinbackList:
    """A win-back list, made by :func:`winback_list`.

    Attributes
    ----------
    frame:
        One row per listed customer, best first (columns: see the module's docstring).
    as_of:
        The list's date: customers who left up to the end of this day.
    spec:
        The window and threshold settings.
    min_value:
        The value threshold applied.
    left:
        Customers who left in the window.
    already_won_back:
        Of those, customers who came back by ``as_of`` (left out).
    too_new:
        Of those, customers who left before their first month end (no features; left out).
    valuable:
        Of the rest, customers whose value reached ``min_value``.
    listed:
        Rows of ``frame``.
    value_method:
        How ``value`` was computed, in words.
    language, model:
        The language of the texts, and the one-line description of the model.
    """

    frame: pd.DataFrame
    as_of: pd.Timestamp
    spec: WinbackSpec
    min_value: float
    left: int
    already_won_back: int
    too_new: int
    valuable: int
    listed: int
    value_method: str
    language: str = "en"
    model: str = ""

    def __len__(self) -> int:
        return self.listed

    def __repr__(self) -> str:
        return (
            f"<WinbackList at {self.as_of.date()}: {self.listed:,} listed of {self.left:,} who "
            f"left in the last {self.spec.days} days ({self.already_won_back:,} already won "
            f"back, {self.valuable:,} worth >= {self.min_value:,.2f})>"
        )

    def counts(self) -> pd.DataFrame:
        """How the list was narrowed down: one row per step, with its number of customers."""
        return pd.DataFrame(
            {
                "step": [
                    f"left in the last {self.spec.days} days",
                    "already won back (left out)",
                    "left before their first month end (left out)",
                    f"worth >= {self.min_value:,.2f}",
                    "listed",
                ],
                "customers": [
                    self.left,
                    self.already_won_back,
                    self.too_new,
                    self.valuable,
                    self.listed,
                ],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The summary (not the rows) as JSON-ready values."""
        return {
            "as_of": str(self.as_of.date()),
            "spec": self.spec.to_dict(),
            "min_value": self.min_value,
            "left": self.left,
            "already_won_back": self.already_won_back,
            "too_new": self.too_new,
            "valuable": self.valuable,
            "listed": self.listed,
            "value_method": self.value_method,
            "language": self.language,
            "model": self.model,
        }

    def _repr_html_(self) -> str:
        head = self.frame.head(_HTML_ROWS)
        return _HTML.render(
            title=heading(self),
            model=self.model,
            value_method=self.value_method,
            counts=self.counts().to_html(index=False, border=0),
            rows=head.to_html(index=False, border=0, float_format="{:,.3f}".format),
            more=max(self.listed - len(head), 0),
        )


_HTML_ROWS = 20
_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-winback"><p><b>{{ title }}</b></p>
{% if model %}<p>{{ model }}</p>{% endif %}<p>Value: {{ value_method }}</p>
{{ counts | safe }}{{ rows | safe }}{% if more %}<p>... and {{ more }} more</p>{% endif %}</div>"""
)


def _value(
    frame: pd.DataFrame, own: pd.DataFrame | None, value_spec: ValueSpec, retention: float
) -> np.ndarray:
    """Each row's value: its own (the customers table ``own``'s value column), or the margin
    of its spend at the cutoff."""
    if own is not None:
        return column_values(own, str(value_spec.column), frame["customer_id"])
    if SPEND not in frame.columns:
        raise SpecError(
            f"The margin value needs each customer's mean monthly spend ({SPEND!r}), which "
            "only data with bills give: add a bills table, or name a value column with "
            "ValueSpec(method='column', column=...)."
        )
    segment = np.full(len(frame), SEGMENT, dtype=object)
    return customer_value(frame[SPEND], spec=value_spec, retention=retention, segment=segment)


def _retention(model: ChurnModel, retention: float | None) -> float:
    card = model.card_
    if retention is None:
        retention = card.monthly_retention
        if retention is None:  # a card written before it was recorded
            retention = monthly_retention(card.churn_rate, card.label_spec.horizon_days)
    ok = isinstance(retention, int | float) and not isinstance(retention, bool)
    if not ok or not 0 < retention <= 1:  # type: ignore[operator]
        raise SpecError(
            "The 'retention' parameter of winback_list must be a number in (0, 1]. "
            f"Got {retention!r} instead."
        )
    return float(retention)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in _DTYPES.items()})


def winback_list(
    model: ChurnModel | str | Path,
    tables: Tables | str | Path,
    *,
    as_of: DateLike,
    spec: WinbackSpec | None = None,
    value_spec: ValueSpec | None = None,
    retention: float | None = None,
    min_value: float | None = None,
    k: int = 3,
    language: str = "en",
    actions: ActionTable | str | Path | None = None,
    config: DataConfig | str | Path | None = None,
    progress: bool | None = None,
) -> WinbackList:
    """The valuable customers who left in the last ``spec.days`` days and have not come back,
    ranked by the value they had, with the reason they showed last (see the module's
    docstring for each step and the columns).

    Parameters
    ----------
    model:
        A trained :class:`~churnlab.model.ChurnModel`, or a model directory to load. Its label
        definition says when a customer left; it must be ``contract``.
    tables:
        Loaded :class:`~churnlab.tables.Tables`, or a data directory. From a directory, the
        customers table is read whole (to see who left and who came back), then the other
        tables for the customers the list may hold only; the data's checks then cover those
        customers' rows (:func:`churnlab.load_tables` with ``customers``).
    as_of:
        The list's date, ``YYYY-MM-DD``: customers who left up to the end of this day.
    spec:
        The window and the value threshold (default ``WinbackSpec()``: 90 days).
    value_spec:
        How value is computed (default ``ValueSpec()``).
    retention:
        The monthly retention of a retained customer (default: the model card's).
    min_value:
        The value threshold when ``spec.min_value`` is ``None``: the value that makes an
        active customer high-value. One of the two is needed.
    k, language, actions:
        Reasons explained per customer (the first is ``last_reason``), ``en`` or ``zh``, and
        the action table (default: churnlab's).
    config:
        Settings for a data directory (default: its ``churnlab.toml``).
    progress:
        Show a progress bar over the cutoffs (default: when there are several).

    Returns
    -------
    WinbackList

    Raises
    ------
    SpecError
        A bad parameter, no threshold, an as-of date after the data, or a label definition
        that records no day of leaving.

    Examples
    --------
    >>> import tempfile
    >>> from churnlab.demo import DemoSpec, generate_demo
    >>> from churnlab.features import build_training_frame
    >>> from churnlab.model import ModelSpec, train
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = generate_demo(tmp, DemoSpec(customers=1500, months=18, seed=1))
    ...     model = train(build_training_frame(tmp, progress=False), ModelSpec(max_rounds=40),
    ...                   created_at="2024-01-01", progress=False)
    ...     lapsed = winback_list(model, tmp, as_of="2024-06-30", min_value=100.0)
    >>> list(lapsed.frame.columns) == list(WINBACK_COLUMNS)
    True
    >>> bool(lapsed.frame["value"].is_monotonic_decreasing and (lapsed.frame["value"] >= 100).all())
    True
    """
    spec = WinbackSpec() if spec is None else spec
    value_spec = ValueSpec() if value_spec is None else value_spec
    for name, given, kind in (("spec", spec, WinbackSpec), ("value_spec", value_spec, ValueSpec)):
        if not isinstance(given, kind):
            raise SpecError(
                f"The {name!r} parameter of winback_list must be a {kind.__name__}. "
                f"Got {type(given).__name__} instead."
            )
    day = parse_date(as_of, "as_of")
    check_k(k)
    check_language(language)
    if min_value is not None:
        min_value = _check_min_value(min_value, "The 'min_value' parameter of winback_list")
    if spec.min_value is not None:
        threshold = spec.min_value
    elif min_value is not None:
        threshold = min_value
    else:
        raise SpecError(
            "winback_list needs a value threshold: pass min_value (the value that makes an "
            "active customer high-value) or set WinbackSpec(min_value=...)."
        )
    if not isinstance(model, ChurnModel):
        model = load_model(model)
    label = model.card_.label_spec
    if label.definition != "contract":
        raise SpecError(
            "A win-back list needs the day each customer left, which the 'contract' label "
            f"definition records (end_date); this model's definition is {label.definition!r}."
        )
    r = _retention(model, retention) if value_spec.method == "margin" else float("nan")
    known = {*STANDARD_CATEGORIES, *stated_categories(model.card_.features)}
    table = actions if isinstance(actions, ActionTable) else read_actions(actions, known=known)
    if isinstance(tables, Tables):
        found = leavers(tables.customers, day, spec.days, label.rejoin_key)
        rows = found.rows
    else:
        tables, found = _load_leavers(Path(tables), config, day, spec.days, label.rejoin_key)
        rows = _positions(tables, found.ids)
    if day > tables.extract_date:
        raise SpecError(
            f"The as-of date {day.date()} is after the data's extract date "
            f"{tables.extract_date.date()}: the data do not reach it."
        )
    own = tables.customers if value_spec.method == "column" else None
    summary = found.counts()

    if len(rows) == 0:
        return _result(_empty(), day, spec, threshold, value_spec, r, language, model, summary)
    frame = _features(model, tables, rows, found.cutoff.to_numpy(), progress=progress)
    frame["left_on"] = frame["customer_id"].map(
        pd.Series(found.left_on.to_numpy(), index=found.ids)
    )
    frame["value"] = _value(frame, own, value_spec, r)
    frame = frame.loc[frame["value"] >= threshold]
    frame = frame.sort_values(["value", "customer_id"], ascending=[False, True], kind="stable")
    frame = frame.reset_index(drop=True)
    out = _listed(model, frame, day, k=k, language=language, actions=table)
    return _result(out, day, spec, threshold, value_spec, r, language, model, summary)


def _load_leavers(
    data_dir: Path,
    config: DataConfig | str | Path | None,
    as_of: pd.Timestamp,
    days: int,
    rejoin_key: str | None,
) -> tuple[Tables, Leavers]:
    """The leavers of a data directory, found on its whole customers table (so that whoever
    came back is seen), and the tables of those customers alone: their rows are all the list
    reads, a few percent of a million customers' (the data's extract date is the whole
    data's). A snapshot extract, which records no day of leaving, is loaded whole."""
    settings = resolve_config(data_dir, config)
    if settings.snapshot is not None:
        tables = load_tables(data_dir, config=settings)
        return tables, leavers(tables.customers, as_of, days, rejoin_key)
    found = leavers(read_customers(data_dir, config=settings), as_of, days, rejoin_key)
    return load_tables(data_dir, config=settings, customers=found.ids), found


def _positions(tables: Tables, ids: np.ndarray) -> np.ndarray:
    """The row positions of ``ids`` in ``tables.customers`` (loaded for those ids)."""
    positions = pd.Index(tables.customers["customer_id"].astype("str")).get_indexer(pd.Index(ids))
    if (positions < 0).any():
        raise ModelError(
            f"{int((positions < 0).sum()):,} lapsed customers were not loaded with their "
            "rows; please report it."
        )
    return positions


def _result(
    frame: pd.DataFrame,
    as_of: pd.Timestamp,
    spec: WinbackSpec,
    threshold: float,
    value_spec: ValueSpec,
    retention: float,
    language: str,
    model: ChurnModel,
    summary: dict[str, int],
) -> WinbackList:
    return WinbackList(
        frame=frame,
        as_of=as_of,
        spec=spec,
        min_value=float(threshold),
        valuable=len(frame),
        listed=len(frame),
        value_method=value_spec.describe(retention),
        language=language,
        model=repr(model),
        **summary,
    )


def _features(
    model: ChurnModel,
    tables: Tables,
    rows: np.ndarray,
    cutoffs: np.ndarray,
    *,
    progress: bool | None,
) -> pd.DataFrame:
    """The model's features of each lapsed customer at their cutoff: one scoring frame per
    cutoff, on the tables of that cutoff's customers only."""
    everyone = customers_only(tables, rows)  # narrowed once; each cutoff narrows it again
    groups = pd.Series(np.arange(len(rows))).groupby(cutoffs, sort=True)
    parts = []
    bar = tqdm(
        groups,
        desc="win-back features",
        unit="cutoff",
        disable=progress is False or (progress is None and groups.ngroups < 2),
    )
    for cutoff, members in bar:
        positions = members.to_numpy()
        part = scoring_frame(
            model, customers_only(everyone, positions), as_of=pd.Timestamp(cutoff)
        ).frame
        if len(part) != len(positions):
            raise ModelError(
                f"The features at {pd.Timestamp(cutoff).date()} came out for {len(part):,} of "
                f"{len(positions):,} lapsed customers; please report it."
            )
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _listed(
    model: ChurnModel,
    frame: pd.DataFrame,
    as_of: pd.Timestamp,
    *,
    k: int,
    language: str,
    actions: ActionTable,
) -> pd.DataFrame:
    """The list's rows, in :data:`WINBACK_COLUMNS` order, with the reasons at each cutoff."""
    if frame.empty:
        return _empty()
    explanation = explain(model, frame.drop(columns=["left_on", "value"]), progress=False)
    reasons = explanation.reasons(k, language, actions=actions)
    ids = frame["customer_id"].to_numpy()
    if not np.array_equal(ids, reasons["customer_id"].to_numpy()):
        raise ModelError("The win-back rows and their reasons came out in different orders.")
    left_on = pd.to_datetime(frame["left_on"]).astype("datetime64[us]")
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype("str").to_numpy(),
            "rank": np.arange(1, len(frame) + 1, dtype="int64"),
            "left_on": left_on.to_numpy(),
            "days_since_left": (as_of - left_on).dt.days.to_numpy(dtype="int64"),
            "value": frame["value"].to_numpy(dtype="float64"),
            "segment": SEGMENT,
            "last_churn_probability": explanation.probability,
            "last_reason": reasons["reason_1"].to_numpy(),
            "last_reason_category": reasons["reason_1_category"].to_numpy(),
            "recommended_action": reasons["recommended_action"].to_numpy(),
            "as_of": np.datetime64(as_of.date(), "us"),
        },
        columns=list(WINBACK_COLUMNS),
    )
    return out.astype(_DTYPES)
