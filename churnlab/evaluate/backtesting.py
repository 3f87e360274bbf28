"""Backtests: train on the past of several cutoffs, score each cutoff, compare over time."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from churnlab.dates import DateLike, parse_date
from churnlab.display import heading
from churnlab.errors import SpecError
from churnlab.evaluate.evaluation import jsonable
from churnlab.features import FeatureFrame, build_training_frame
from churnlab.files import read_json, write_json
from churnlab.labels import LabelSpec, default_cutoffs
from churnlab.labels.choose import spec_or_settings
from churnlab.labels.window import latest_training_cutoff, month_ends_until
from churnlab.metrics import check_predictions, churn_metrics
from churnlab.tables import Tables, load_tables

if TYPE_CHECKING:
    from churnlab.model import ModelSpec

DEFAULT_TEST_CUTOFFS = 4
METRIC_COLUMNS = ("roc_auc", "pr_auc", "lift@10%", "capture@10%", "ece", "brier", "log_loss")
FRAME_COLUMNS = (
    "cutoff",
    "train_first",
    "train_last",
    "train_cutoffs",
    "train_rows",
    "rows",
    "churners",
    "churn_rate",
    "mean_probability",
    *METRIC_COLUMNS,
)


def training_cutoffs(
    test_cutoff: DateLike, spec: LabelSpec, *, count: int = 6
) -> list[pd.Timestamp]:
    """The ``count`` latest month ends whose label windows end on or before ``test_cutoff``.

    A training cutoff ``c`` qualifies only when ``c + lead + horizon + grace <= test_cutoff``
    (``spec.window_days``): every label the model learns from was known at the test cutoff,
    so nothing about the test period leaks into training.

    >>> [c.date().isoformat() for c in training_cutoffs("2024-06-30", LabelSpec(), count=3)]
    ['2024-01-31', '2024-02-29', '2024-03-31']
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SpecError(
            f"The 'train_cutoffs' parameter of backtest must be an int >= 1. Got {count!r} instead."
        )
    return month_ends_until(
        latest_training_cutoff(parse_date(test_cutoff, "test_cutoff"), spec), count
    )


def _fit(frame: FeatureFrame, model_spec: ModelSpec | None) -> Any:
    """Train one fold's model (the seam tests replace)."""
    from churnlab.model import train

    return train(frame, model_spec)


def _subset(frame: FeatureFrame, cutoffs: Sequence[pd.Timestamp]) -> FeatureFrame:
    rows = frame.frame["cutoff"].isin(list(cutoffs))
    return dataclasses.replace(
        frame, frame=frame.frame.loc[rows].reset_index(drop=True), cutoffs=tuple(cutoffs)
    )


def _spec_dict(model_spec: Any) -> dict[str, Any] | None:
    if model_spec is None:
        return None
    to_dict = getattr(model_spec, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else {"repr": repr(model_spec)}


@dataclass(frozen=True, kw_only=True, eq=False)
class Backtest:
    """Metrics of models trained on the past of each test cutoff and scored at it.

    Attributes
    ----------
    frame:
        One row per test cutoff: ``cutoff``, the training cutoffs used (``train_first``,
        ``train_last``, ``train_cutoffs``: how many, ``train_rows``), ``rows``, ``churners``,
        ``churn_rate`` (observed), ``mean_probability`` (predicted), then ``roc_auc``,
        ``pr_auc``, ``lift@10%``, ``capture@10%``, ``ece``, ``brier``, ``log_loss``.
    spec:
        The churn definition of every fold.
    training:
        For each test cutoff, the cutoffs its model was trained on.
    model_spec:
        The model settings (``ModelSpec.to_dict()``), or ``None`` for the defaults.
    """

    frame: pd.DataFrame
    spec: LabelSpec
    training: Mapping[pd.Timestamp, tuple[pd.Timestamp, ...]] = field(default_factory=dict)
    model_spec: Mapping[str, Any] | None = None

    def _range(self, column: str, digits: int) -> str:
        values = self.frame[column]
        return f"{values.mean():.{digits}f} ({values.min():.{digits}f}..{values.max():.{digits}f})"

    def headline(self) -> str:
        """The backtest in one sentence of words."""
        if self.frame.empty:
            return "No cutoff could be backtested."
        first, last = (c.date() for c in self.frame["cutoff"].iloc[[0, -1]])
        period = (
            f"at {first}"
            if first == last
            else f"at {len(self.frame)} cutoffs from {first} to {last}"
        )
        return (
            f"Trained on the past of each cutoff and scored at it, {period}: ROC-AUC "
            f"{self._range('roc_auc', 3)}, lift at the top 10% {self._range('lift@10%', 1)}, "
            f"calibration error at most {100 * self.frame['ece'].max():.1f} percentage points."
        )

    def __repr__(self) -> str:
        if self.frame.empty:
            return "<Backtest: no cutoffs>"
        first, last = (c.date() for c in self.frame["cutoff"].iloc[[0, -1]])
        period = (
            f"cutoff {first}" if first == last else f"{len(self.frame)} cutoffs {first}..{last}"
        )
        return (
            f"<Backtest {period}: ROC-AUC {self._range('roc_auc', 3)}, "
            f"lift@10% {self._range('lift@10%', 1)}, ECE max {self.frame['ece'].max():.3f}>"
        )

    def _repr_html_(self) -> str:
        shown = self.frame.assign(
            cutoff=self.frame["cutoff"].dt.strftime("%Y-%m-%d"),
            train_first=self.frame["train_first"].dt.strftime("%Y-%m-%d"),
            train_last=self.frame["train_last"].dt.strftime("%Y-%m-%d"),
        )
        percent = "{:.1%}".format
        return _HTML.render(
            title=heading(self),
            table=shown.to_html(
                index=False,
                border=0,
                float_format=lambda v: f"{v:.4f}",
                formatters={"churn_rate": percent, "mean_probability": percent},
                na_rep="–",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO text, NaN as ``None``)."""
        records = self.frame.assign(
            **{
                c: self.frame[c].dt.strftime("%Y-%m-%d")
                for c in ("cutoff", "train_first", "train_last")
            }
        ).to_dict(orient="records")
        return jsonable(
            {
                "spec": self.spec.to_dict(),
                "model_spec": None if self.model_spec is None else dict(self.model_spec),
                "training": {
                    t.date().isoformat(): [c.date().isoformat() for c in cs]
                    for t, cs in self.training.items()
                },
                "cutoffs": records,
            }
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Backtest:
        """Rebuild a backtest from :meth:`to_dict` output."""
        frame = pd.DataFrame.from_records(list(data["cutoffs"]), columns=list(FRAME_COLUMNS))
        for column in ("cutoff", "train_first", "train_last"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
        for column in ("churn_rate", "mean_probability", *METRIC_COLUMNS):
            frame[column] = frame[column].astype("float64")
        return cls(
            frame=frame,
            spec=LabelSpec.from_dict(dict(data["spec"])),
            training={
                pd.Timestamp(t): tuple(pd.Timestamp(c) for c in cs)
                for t, cs in data.get("training", {}).items()
            },
            model_spec=data.get("model_spec"),
        )

    def save_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON, atomically; return the path."""
        return write_json(self.to_dict(), path)

    @classmethod
    def read_json(cls, path: str | Path) -> Backtest:
        """Read a backtest written by :meth:`save_json`."""
        return cls.from_dict(read_json(path))


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-backtest"><p><b>{{ title }}</b></p>{{ table | safe }}</div>"""
)


def _plan(
    tables: Tables,
    spec: LabelSpec,
    cutoffs: Sequence[DateLike] | None,
    count: int,
) -> dict[pd.Timestamp, list[pd.Timestamp]]:
    """Each test cutoff with its training cutoffs (those before the first data dropped)."""
    tests = (
        sorted({parse_date(c, "cutoffs") for c in cutoffs})
        if cutoffs is not None
        else default_cutoffs(tables, spec, count=DEFAULT_TEST_CUTOFFS)
    )
    if not tests:
        raise SpecError(
            "The 'cutoffs' parameter of backtest must hold at least one date. Got none."
        )
    first = tables.first_date
    plan = {}
    for test in tests:
        chosen = [
            c for c in training_cutoffs(test, spec, count=count) if first is None or c >= first
        ]
        if not chosen:
            raise SpecError(
                f"The test cutoff {test.date()} has no training cutoff: a training cutoff's label "
                f"window ({spec.window_days} days) must end by it, and the data start on "
                f"{first.date() if first is not None else '?'}. Choose later test cutoffs or a "
                "shorter horizon."
            )
        plan[test] = chosen
    return plan


def backtest(
    tables: Tables | str | Path,
    spec: LabelSpec | None = None,
    *,
    cutoffs: Sequence[DateLike] | None = None,
    train_cutoffs: int = 6,
    model_spec: ModelSpec | None = None,
    progress: bool | None = None,
) -> Backtest:
    """Train on the past of each test cutoff, score the customers at it, report the metrics.

    For each test cutoff ``t``, a model is trained (:func:`churnlab.model.train`) on the
    ``train_cutoffs`` month ends whose label windows end on or before ``t`` (see
    :func:`training_cutoffs`), then scores every customer in scope at ``t``. The features of
    all cutoffs are built once and sliced per fold.

    Parameters
    ----------
    tables:
        Loaded :class:`~churnlab.tables.Tables`, or a data directory.
    spec:
        The churn definition (default: ``[label]`` in a data directory's churnlab.toml, else
        ``LabelSpec()``).
    cutoffs:
        Test cutoffs written ``YYYY-MM-DD`` (or dates); default the last 4 month ends whose
        label window is observed.
    train_cutoffs:
        How many month ends each fold trains on.
    model_spec:
        Model settings passed to :func:`churnlab.model.train` (default: its defaults).
    progress:
        Show progress bars (default: yes, where a terminal or notebook shows them).

    Returns
    -------
    Backtest
        One row of metrics per test cutoff.
    """
    if cutoffs is not None:  # bad dates are refused before the data are read
        cutoffs = [parse_date(c, "cutoffs") for c in cutoffs]
    spec = spec_or_settings(tables, None, spec)
    tables = tables if isinstance(tables, Tables) else load_tables(tables)
    if tables.is_snapshot:
        raise SpecError(
            f"{tables.source} is a snapshot extract with one date: a backtest needs dated "
            "history. Use evaluate_model on the model's stratified hold-out instead."
        )
    spec = spec if spec is not None else LabelSpec()
    if spec.definition == "snapshot":
        raise SpecError("A backtest needs a dated churn definition: 'contract' or 'inactivity'.")
    plan = _plan(tables, spec, cutoffs, train_cutoffs)
    union = sorted({c for cs in plan.values() for c in cs} | set(plan))
    features = build_training_frame(tables, spec, cutoffs=union, progress=progress)
    rows = []
    for test, chosen in tqdm(
        plan.items(), desc="backtest", unit="cutoff", disable=progress is False
    ):
        training = _subset(features, chosen)
        scored = _subset(features, [test])
        model = _fit(training, model_spec)
        y, p = check_predictions(
            scored.frame["churned"],
            np.asarray(model.predict_proba(scored.frame)),
            where=f"backtest (cutoff {test.date()})",
        )
        metrics = churn_metrics(y, p, fractions=(0.10,))
        rows.append(
            {
                "cutoff": test,
                "train_first": chosen[0],
                "train_last": chosen[-1],
                "train_cutoffs": len(chosen),
                "train_rows": len(training.frame),
                "rows": len(y),
                "churners": int(y.sum()),
                "churn_rate": float(y.mean()),
                "mean_probability": float(p.mean()),
                **{name: metrics[name] for name in METRIC_COLUMNS},
            }
        )
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    for column in ("cutoff", "train_first", "train_last"):
        frame[column] = frame[column].astype("datetime64[us]")
    return Backtest(
        frame=frame,
        spec=spec,
        training={t: tuple(cs) for t, cs in plan.items()},
        model_spec=_spec_dict(model_spec),
    )
