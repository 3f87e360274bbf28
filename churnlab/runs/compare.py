"""Month-on-month monitoring: this month's target-list run against an earlier one.

:func:`compare_runs` reads two snapshots (:mod:`churnlab.runs.snapshot`) and reports the score
distribution's PSI, each feature's PSI ranked by its mean |SHAP| in the later month, missing
and unseen shares, the shift in the mix of reason categories, list churn, and, once the earlier
run's outcome window has closed in the data, how its predictions came true.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from churnlab.errors import SpecError
from churnlab.runs.drift import DriftThresholds, ListChurn, list_churn, psi
from churnlab.runs.measures import (
    MonitorWarning,
    Realised,
    feature_table,
    json_number,
    load_model_or_note,
    read_tables_or_note,
    realised_outcomes,
    reason_mix,
    shap_importance,
    unseen_by_model,
)
from churnlab.runs.snapshot import Snapshot, read_snapshot

SHAP_SAMPLE = 5_000
"""Customers of the later run whose SHAP values rank the features."""


@dataclass(frozen=True, kw_only=True, eq=False)
class RunComparison:
    """Two target-list runs compared (made by :func:`compare_runs`).

    Attributes
    ----------
    run_a, run_b:
        The earlier and the later run (their ids, or folder names).
    as_of_a, as_of_b:
        Their scoring dates.
    score_psi:
        The PSI of the churn probability (bins: deciles of the earlier run).
    features:
        One row per model feature, ranked by ``mean_abs_shap`` in the later run: ``feature``,
        ``mean_abs_shap``, ``psi``, ``level``, ``missing_a``, ``missing_b``, ``unseen_b``: the
        share of the later run's customers whose category (in its data) the later model never
        saw, or, when its data or model are gone, that the earlier run never had (NaN for
        numbers).
    reasons:
        Per reason category: its share of the explained customers in ``a`` and ``b``, and the
        ``change``.
    lists:
        Who entered and left the target list (:class:`~churnlab.runs.drift.ListChurn`).
    realised:
        The earlier run's outcomes (``None`` while its window is still open in the data).
    scores_a, scores_b:
        The two runs' churn probabilities (for the pictures).
    thresholds:
        The warning thresholds used.
    notes:
        What could not be compared, and why.
    """

    run_a: str
    run_b: str
    as_of_a: pd.Timestamp
    as_of_b: pd.Timestamp
    customers_a: int
    customers_b: int
    score_psi: float
    features: pd.DataFrame
    reasons: pd.DataFrame
    lists: ListChurn
    realised: Realised | None
    scores_a: np.ndarray = field(repr=False)
    scores_b: np.ndarray = field(repr=False)
    thresholds: DriftThresholds = field(default_factory=DriftThresholds)
    notes: tuple[str, ...] = ()

    # -- findings -----------------------------------------------------------------------------
    @property
    def score_level(self) -> str:
        """``stable``, ``moderate`` or ``significant``."""
        return self.thresholds.level(self.score_psi)

    def warnings(self) -> list[str]:
        """Each threshold crossed, as a plain sentence (empty when nothing crossed one)."""
        t, out = self.thresholds, []
        if np.isfinite(self.score_psi) and self.score_psi >= t.psi_moderate:
            out.append(
                f"The churn scores shifted ({self.score_level}): PSI {self.score_psi:.3f} "
                f"(at least {t.psi_moderate:g} warns)."
            )
        f = self.features
        for row in f[f["psi"] > t.psi_significant].itertuples():
            out.append(
                f"The feature {row.feature} shifted significantly: PSI {row.psi:.3f} "
                f"(above {t.psi_significant:g} warns)."
            )
        rise = f["missing_b"] - f["missing_a"]
        for row, up in zip(f.itertuples(), rise, strict=True):
            if up > t.missing_increase:
                out.append(
                    f"{row.feature} is missing for {row.missing_b:.1%} of customers, "
                    f"up from {row.missing_a:.1%}."
                )
        for row in f[f["unseen_b"] > t.unseen_share].itertuples():
            out.append(
                f"{row.unseen_b:.1%} of customers have a {row.feature} the model never saw "
                "(scored as missing)."
            )
        for row in self.reasons[self.reasons["change"].abs() > t.reason_shift].itertuples():
            out.append(
                f"The reason category {row.reason_category} moved from {row.share_a:.1%} to "
                f"{row.share_b:.1%} of the explained customers."
            )
        if np.isfinite(self.lists.jaccard) and self.lists.jaccard < t.min_overlap:
            out.append(
                f"The target lists overlap little: Jaccard {self.lists.jaccard:.2f} (below "
                f"{t.min_overlap:g} warns); {len(self.lists.entered):,} entered, "
                f"{len(self.lists.left):,} left."
            )
        r = self.realised
        if r is not None:
            if r.holdout_auc is not None and r.roc_auc < r.holdout_auc - t.auc_drop:
                out.append(
                    f"The earlier run's realised ROC-AUC is {r.roc_auc:.3f}, below the model's "
                    f"hold-out {r.holdout_auc:.3f} by more than {t.auc_drop:g}."
                )
            if r.ece > t.max_ece:
                out.append(
                    f"The earlier run's probabilities are miscalibrated: ECE {r.ece:.3f} "
                    f"(above {t.max_ece:g} warns)."
                )
            if r.predicted_rate > 0 and abs(r.churn_rate / r.predicted_rate - 1) > t.rate_gap:
                out.append(
                    f"{r.churn_rate:.1%} of the earlier run's customers churned; it predicted "
                    f"{r.predicted_rate:.1%}."
                )
        return out

    def summary(self) -> pd.DataFrame:
        """The comparison's headline figures as a two-column table (``measure``, ``value``)."""
        rows = [
            ("Earlier run", f"{self.run_a} (as of {self.as_of_a.date()})"),
            ("Later run", f"{self.run_b} (as of {self.as_of_b.date()})"),
            ("Customers scored", f"{self.customers_a:,} then {self.customers_b:,}"),
            ("Score PSI", f"{self.score_psi:.3f} ({self.score_level})"),
        ]
        f = self.features
        if len(f):
            top = f.sort_values("psi", ascending=False, na_position="last").iloc[0]
            rows.append(("Most shifted feature", f"{top['feature']} (PSI {top['psi']:.3f})"))
        lc = self.lists
        rows.append(
            (
                "Target list",
                f"{len(lc.stayed) + len(lc.left):,} then {len(lc.stayed) + len(lc.entered):,}: "
                f"{len(lc.entered):,} entered, {len(lc.left):,} left, Jaccard {lc.jaccard:.2f}",
            )
        )
        r = self.realised
        if r is None:
            rows.append(("Realised outcomes", "the earlier run's window has not closed yet"))
        else:
            rows.append(
                (
                    "Realised outcomes",
                    f"{r.churn_rate:.1%} churned ({r.predicted_rate:.1%} predicted) of "
                    f"{r.customers:,}; ROC-AUC {r.roc_auc:.3f}, ECE {r.ece:.3f}",
                )
            )
        rows.append(("Warnings", str(len(self.warnings()))))
        return pd.DataFrame(rows, columns=["measure", "value"])

    # -- pictures -----------------------------------------------------------------------------
    def score_display(self) -> Any:
        """The two runs' score distributions (:class:`ScoreShiftDisplay`)."""
        from churnlab.runs.monitor_displays import ScoreShiftDisplay

        return ScoreShiftDisplay.from_comparison(self)

    def feature_display(self, n: int = 15) -> Any:
        """The ``n`` most important features' PSI (:class:`FeatureShiftDisplay`)."""
        from churnlab.runs.monitor_displays import FeatureShiftDisplay

        return FeatureShiftDisplay.from_comparison(self, n=n)

    def reason_display(self) -> Any:
        """The mix of reason categories, earlier against later (:class:`ReasonMixDisplay`)."""
        from churnlab.runs.monitor_displays import ReasonMixDisplay

        return ReasonMixDisplay.from_comparison(self)

    # -- views --------------------------------------------------------------------------------
    def __repr__(self) -> str:
        lc = self.lists
        return (
            f"<RunComparison {self.as_of_a.date()} -> {self.as_of_b.date()}: score PSI "
            f"{self.score_psi:.3f} ({self.score_level}), list Jaccard {lc.jaccard:.2f} "
            f"(+{len(lc.entered):,} -{len(lc.left):,}), {len(self.warnings())} warnings>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything but the per-customer arrays, as JSON-ready values."""
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "as_of_a": str(self.as_of_a.date()),
            "as_of_b": str(self.as_of_b.date()),
            "customers_a": self.customers_a,
            "customers_b": self.customers_b,
            "score_psi": json_number(self.score_psi),
            "score_level": self.score_level,
            "features": json.loads(self.features.to_json(orient="records")),
            "reasons": json.loads(self.reasons.to_json(orient="records")),
            "lists": self.lists.to_dict(),
            "realised": None if self.realised is None else self.realised.to_dict(),
            "thresholds": self.thresholds.to_dict(),
            "warnings": self.warnings(),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        pct = "{:.1%}".format
        shown = self.features.head(15).rename(columns=_FEATURE_HEADINGS)
        features = shown.to_html(
            index=False,
            border=0,
            na_rep="",
            formatters={
                _FEATURE_HEADINGS["mean_abs_shap"]: "{:.3f}".format,
                _FEATURE_HEADINGS["psi"]: "{:.3f}".format,
                **{_FEATURE_HEADINGS[k]: pct for k in ("missing_a", "missing_b", "unseen_b")},
            },
        )
        reasons = self.reasons.rename(columns=_REASON_HEADINGS).to_html(
            index=False, border=0, na_rep="", float_format=lambda v: f"{v:.1%}"
        )
        return _TEMPLATE.render(
            title=(f"Target-list run of {self.as_of_b.date()} against {self.as_of_a.date()}"),
            summary=self.summary().to_html(index=False, header=False, border=0),
            warnings=self.warnings(),
            notes=self.notes,
            features=jinja2.utils.markupsafe.Markup(features),
            reasons=jinja2.utils.markupsafe.Markup(reasons),
        )


_FEATURE_HEADINGS = {
    "feature": "Feature",
    "mean_abs_shap": "Mean |SHAP|",
    "psi": "PSI",
    "level": "Reading",
    "missing_a": "Missing, earlier",
    "missing_b": "Missing, later",
    "unseen_b": "Unseen categories",
}
_REASON_HEADINGS = {
    "reason_category": "Reason category",
    "share_a": "Share, earlier",
    "share_b": "Share, later",
    "change": "Change",
}
_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-comparison">
<h3>{{ title }}</h3>
{{ summary | safe }}
{% if warnings %}<p><strong>Warnings</strong></p><ul>
{% for w in warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% else %}<p>No warning: nothing crossed a threshold.</p>{% endif %}
{% if notes %}<p>Notes:</p><ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<p><strong>Features, most important first</strong></p>
{{ features }}
<p><strong>Reason categories</strong></p>
{{ reasons }}
</div>"""
)


def _run_name(path: Path, snapshot: Snapshot) -> str:
    """The run's id: from the snapshot, the manifest next to ``outputs/``, or the folder's
    name."""
    if snapshot.run_id:
        return snapshot.run_id
    for folder in (path, snapshot.directory.parent):
        manifest = folder / "manifest.json"
        if manifest.is_file():
            try:
                found = json.loads(manifest.read_text()).get("run_id")
            except (OSError, json.JSONDecodeError, AttributeError):
                found = None
            if found:
                return str(found)
    return path.resolve().name


def compare_runs(
    a: str | Path,
    b: str | Path,
    *,
    data_dir: str | Path | None = None,
    thresholds: DriftThresholds | None = None,
    shap_sample: int = SHAP_SAMPLE,
    seed: int = 0,
) -> RunComparison:
    """Compare an earlier target-list run ``a`` with a later one ``b``.

    Parameters
    ----------
    a, b:
        Run folders of ``03_target_list`` (their ``outputs/`` hold ``scores.parquet`` and
        ``snapshot.json``), or snapshot directories (:func:`~churnlab.runs.write_snapshot`).
    data_dir:
        The data that tells the earlier run's outcomes (default: the later run's data).
    thresholds:
        When to warn (:class:`~churnlab.runs.drift.DriftThresholds`).
    shap_sample, seed:
        At most this many customers of the later run, drawn with ``seed``, give each
        feature's mean |SHAP| (with the later run's model).

    Returns
    -------
    RunComparison
        ``.warnings()``, ``.summary()``, ``.features``, ``.lists``, ``.realised``, pictures.

    Raises
    ------
    SpecError
        A folder is not a target-list run.
    DataError
        A snapshot's files are unreadable.

    Examples
    --------
    >>> found = compare_runs("reports/runs/03_target_list/2024-06-01T020000-a1b2c3",
    ...                      "reports/runs/03_target_list/2024-07-01T020000-d4e5f6")  # doctest: +SKIP
    >>> found.warnings()  # doctest: +SKIP
    ['The churn scores shifted (moderate): PSI 0.132 (at least 0.1 warns).']
    """
    if not isinstance(shap_sample, int) or isinstance(shap_sample, bool) or shap_sample < 1:
        raise SpecError(
            "The 'shap_sample' parameter of compare_runs must be an int >= 1. "
            f"Got {shap_sample!r} instead."
        )
    thresholds = thresholds or DriftThresholds()
    first, second = read_snapshot(a), read_snapshot(b)
    if first.as_of > second.as_of:
        warnings.warn(
            f"The earlier run {a} is as of {first.as_of.date()}, after the later one "
            f"({second.as_of.date()}): pass the older run first.",
            MonitorWarning,
            stacklevel=2,
        )
    notes: list[str] = []
    fa, fb = first.frame, second.frame
    score_psi = psi(
        fa["churn_probability"],
        fb["churn_probability"],
        bins=thresholds.bins,
        epsilon=thresholds.epsilon,
    )
    model_b = load_model_or_note(second.model_dir, notes, "the later run's")
    names = (
        list(model_b.card_.feature_names)
        if model_b is not None
        else [n for n in second.feature_names if n in fa.columns]
    )
    importance = shap_importance(model_b, fb, names, shap_sample, seed, notes)
    outcome_data = Path(data_dir) if data_dir else second.data_dir
    tables = read_tables_or_note(second.data_dir, notes)
    unseen = unseen_by_model(model_b, tables, fb)
    features = feature_table(fa, fb, names, importance, unseen, thresholds)
    return RunComparison(
        run_a=_run_name(Path(a), first),
        run_b=_run_name(Path(b), second),
        as_of_a=first.as_of,
        as_of_b=second.as_of,
        customers_a=len(fa),
        customers_b=len(fb),
        score_psi=score_psi,
        features=features,
        reasons=reason_mix(fa, fb),
        lists=list_churn(sorted(first.targets()), sorted(second.targets())),
        realised=realised_outcomes(
            first, outcome_data, tables if outcome_data == second.data_dir else None, notes
        ),
        scores_a=fa["churn_probability"].to_numpy(dtype="float64"),
        scores_b=fb["churn_probability"].to_numpy(dtype="float64"),
        thresholds=thresholds,
        notes=tuple(notes),
    )
