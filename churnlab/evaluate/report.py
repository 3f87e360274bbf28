"""The evaluation report: one HTML page with the summary and the plots, plus the JSON behind it."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from churnlab.errors import SpecError
from churnlab.evaluate.backtesting import Backtest
from churnlab.evaluate.backtesting import backtest as run_backtest
from churnlab.evaluate.displays import (
    CalibrationDisplay,
    GainsLiftDisplay,
    MetricsByCutoffDisplay,
    RocPrDisplay,
    ScoreDistributionDisplay,
)
from churnlab.evaluate.drivers_section import DataLike, DriversSection, drivers_section
from churnlab.evaluate.evaluation import Evaluation, evaluate_model, holdout_of
from churnlab.files import atomic_path
from churnlab.labels import LabelSpec

if TYPE_CHECKING:
    from churnlab.model import ChurnModel

REPORT_FILE = "report.html"
EVALUATION_FILE = "evaluation.json"
BACKTEST_FILE = "backtest.json"
BACKTEST_PLOT = "metrics_by_cutoff"
DRIVERS_PLOT = "what_drives_churn"
DPI = 100


@dataclass(frozen=True)
class _Plot:
    name: str
    title: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _render(
    draw: Callable[[Figure], object], *, name: str, title: str, size: tuple[float, float]
) -> _Plot:
    """Draw on a figure that pyplot never sees (no global state, no window), as PNG bytes."""
    figure = Figure(figsize=size, layout="constrained")
    draw(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return _Plot(name=name, title=title, png=buffer.getvalue())


def _plots(holdout: pd.DataFrame, backtest: Backtest | None) -> list[_Plot]:
    y, p = holdout["churned"], holdout["probability"]
    base = holdout.get("baseline_probability")
    if base is not None and base.isna().all():
        base = None
    plots = [
        _render(
            lambda f: RocPrDisplay.from_predictions(y, p, baseline=base).plot(ax=f.subplots(1, 2)),
            name="roc_pr",
            title="ROC and precision-recall curves",
            size=(11, 4.8),
        ),
        _render(
            lambda f: GainsLiftDisplay.from_predictions(y, p, baseline=base).plot(
                ax=f.subplots(1, 2)
            ),
            name="gains_lift",
            title="Cumulative gains and lift",
            size=(11, 4.8),
        ),
        _render(
            lambda f: CalibrationDisplay.from_predictions(y, p).plot(
                ax=f.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
            ),
            name="calibration",
            title="Calibration",
            size=(6.4, 6.4),
        ),
        _render(
            lambda f: ScoreDistributionDisplay.from_predictions(y, p).plot(ax=f.subplots()),
            name="score_distribution",
            title="Score distribution by outcome",
            size=(7, 4.5),
        ),
    ]
    if backtest is not None and not backtest.frame.empty:
        plots.append(
            _render(
                lambda f: MetricsByCutoffDisplay.from_backtest(backtest).plot(ax=f.subplots(1, 3)),
                name=BACKTEST_PLOT,
                title="Backtest: metrics by cutoff",
                size=(14, 4.2),
            )
        )
    return plots


def _load(model_or_dir: Any) -> Any:
    if isinstance(model_or_dir, str | Path):
        from churnlab.model import load_model

        return load_model(model_or_dir)
    return model_or_dir


def _card(model: Any) -> dict[str, Any]:
    card = getattr(model, "card_", None)
    to_dict = getattr(card, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else {}


def _label_spec(model: Any) -> LabelSpec:
    """The label definition the model was trained with (for its backtest)."""
    card = getattr(model, "card_", None)
    for holder in (model, card):
        for name in ("label_spec", "spec"):
            value = getattr(holder, name, None)
            if isinstance(value, LabelSpec):
                return value
    data = _card(model)
    for key in ("label_spec", "label"):
        if isinstance(data.get(key), Mapping):
            return LabelSpec.from_dict(dict(data[key]))
    raise SpecError(
        "The model does not record its label definition (LabelSpec), so it cannot be "
        "backtested; pass a Backtest computed with churnlab.evaluate.backtesting instead."
    )


def _model_spec(model: Any) -> Any:
    card = getattr(model, "card_", None)
    for holder in (model, card):
        value = getattr(holder, "model_spec", None)
        if value is not None:
            return value
    return None


def _card_table(card: Mapping[str, Any]) -> pd.DataFrame:
    """The model card's main facts in words (the whole card is ``card.json`` in the model's
    directory)."""

    def span(days: Any) -> str:
        days = list(days or [])
        if not days:
            return "none"
        return days[0] if len(days) == 1 else f"{len(days)} month ends, {days[0]} to {days[-1]}"

    label = card.get("label_spec") or {}
    facts = [
        ("Trained", str(card.get("created_at", ""))[:19].replace("T", " ")),
        (
            "Churn definition",
            f"{label.get('definition', '?')}, within {label.get('horizon_days', '?')} days",
        ),
        ("Training cutoffs", span(card.get("training_cutoffs"))),
        ("Hold-out cutoffs", span(card.get("holdout_cutoffs"))),
        ("Validation", str(card.get("validation", ""))),
        ("Training rows", f"{card.get('rows', 0):,}, of which {card.get('churned', 0):,} churned"),
        ("Churn rate", f"{card.get('churn_rate', float('nan')):.2%}"),
        ("Features", _features_text(card)),
        ("Trees", f"{card.get('trees', 0):,} ({card.get('rounds', 0):,} boosting rounds)"),
        ("Calibration", str(card.get("calibration", ""))),
        ("Versions", ", ".join(f"{k} {v}" for k, v in (card.get("versions") or {}).items())),
    ]
    if card.get("monthly_retention") is not None:
        facts.insert(7, ("Monthly retention", f"{card['monthly_retention']:.3f}"))
    return pd.DataFrame(facts, columns=["", "value"])


def _features_text(card: Mapping[str, Any]) -> str:
    """How many features, and from which families (cards that record them).

    >>> _features_text({"feature_names": ["a", "b"], "families": ["spend", "purchases"]})
    '2, from the families spend, purchases'
    >>> _features_text({"feature_names": ["a"]})
    '1'
    """
    count = f"{len(card.get('feature_names', ())):,}"
    families = card.get("families") or ()
    return f"{count}, from the families {', '.join(families)}" if families else count


_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Churn model evaluation: {{ label }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; text-align: right; border-bottom: 1px solid #ddd; }
th:first-child, td:first-child { text-align: left; }
img { max-width: 100%; display: block; margin: 0.5em 0 1.5em; }
code { background: #f4f4f4; padding: 0 0.3em; }
</style></head><body>
<h1>Churn model evaluation</h1>
<p>{{ headline }}</p>
{% if source %}<p>Model: <code>{{ source }}</code></p>{% endif %}
{% if cutoffs %}<p>Hold-out cutoffs: {{ cutoffs }}</p>{% endif %}
<h2>Summary{% if has_baseline %}: model against the logistic baseline{% endif %}</h2>
{{ summary | safe }}
<h2>Churn by risk decile (1 = highest risk)</h2>
{{ deciles | safe }}
{% for plot in plots %}<h2>{{ plot.title }}</h2>
<img alt="{{ plot.title }}" src="{{ plot.data_uri }}">
{% endfor %}
{% if drivers %}<h2>What drives churn</h2>
<p>{{ drivers.note }}</p>
<img alt="What drives churn: SHAP values by feature" src="{{ drivers_plot.data_uri }}">
<h3>By reason category</h3>
<p>Mean |SHAP| of each category's summed values, and the share of predicted churn it carries
(each customer's probability split over the categories that raise it, in proportion).</p>
{{ drivers.categories_html() | safe }}
<h3>The top drivers in words</h3>
<ul>{% for sentence in drivers.sentences() %}<li>{{ sentence }}</li>{% endfor %}</ul>
<h3>Share of predicted churn by reason category, per risk band</h3>
{{ drivers.bands_html() | safe }}
{% elif drivers_hint %}<h2>What drives churn</h2><p>{{ drivers_hint }}</p>{% endif %}
{% if backtest %}<h2>Backtest</h2><p>{{ backtest_headline }}</p>
{{ backtest | safe }}{% endif %}
{% if card %}<h2>Model card</h2>{{ card | safe }}
<p>The whole card, with every setting and checksum, is <code>card.json</code> in the model's
directory.</p>{% endif %}
</body></html>
"""
)


def _html(
    evaluation: Evaluation,
    plots: list[_Plot],
    backtest: Backtest | None,
    card: Mapping[str, Any],
    source: str,
    drivers: DriversSection | None = None,
    drivers_plot: _Plot | None = None,
) -> str:
    return _TEMPLATE.render(
        drivers=drivers,
        drivers_plot=drivers_plot,
        drivers_hint=(
            "Not computed: pass the data the model was trained on (write_report(..., data=) "
            "or `churnlab evaluate --data DIR`) to add the SHAP values of the hold-out customers."
            if drivers is None and card.get("features")
            else ""
        ),
        label=evaluation.label,
        headline=evaluation.headline(),
        source=source,
        cutoffs=", ".join(evaluation.cutoffs),
        has_baseline=evaluation.baseline is not None,
        summary=evaluation.summary_html(),
        deciles=evaluation.deciles_html(full=True),
        plots=plots,
        backtest=None if backtest is None else backtest._repr_html_(),
        backtest_headline="" if backtest is None else backtest.headline(),
        card=_card_table(card).to_html(index=False, border=0) if card else "",
    )


def write_report(
    model_or_dir: ChurnModel | str | Path,
    out_dir: str | Path,
    *,
    backtest: Backtest | str | Path | None = None,
    data: DataLike | None = None,
) -> Path:
    """Write the evaluation report of a model: HTML with the plots, JSON, and the PNG files.

    Parameters
    ----------
    model_or_dir:
        A trained ``ChurnModel``, or a model directory (loaded with
        :func:`churnlab.model.load_model`).
    out_dir:
        Folder to write into (created when missing). Receives ``report.html`` (the summary
        table, deciles and plots embedded as PNG), ``evaluation.json``
        (:meth:`Evaluation.to_dict`), one PNG file per plot and, with a backtest,
        ``backtest.json`` (an earlier report's backtest files are removed otherwise). Each
        file is written atomically; ``report.html`` comes last.
    backtest:
        A :class:`Backtest` to include, or a data directory to backtest the model's label
        definition and settings on (:func:`backtest`).
    data:
        The data the model was trained on, to add "What drives churn": the exact SHAP values
        of the hold-out customers (at most 50,000, drawn at random), their beeswarm
        (``what_drives_churn.png``), the importance and share of predicted churn of each
        reason category, and the top drivers in words. The training frame, or the data
        directory (the hold-out cutoffs' features are built again). The model does not keep
        the hold-out features, so without ``data`` the section says how to add it.

    Returns
    -------
    Path
        The ``report.html`` written.
    """
    model = _load(model_or_dir)
    holdout = holdout_of(model)
    evaluation = evaluate_model(model)
    if isinstance(backtest, str | Path):
        backtest = run_backtest(
            backtest, _label_spec(model), model_spec=_model_spec(model), progress=False
        )
    section = drivers_section(model, data) if data is not None else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots = _plots(holdout, backtest)
    drivers_plot = None
    if section is not None:
        rows = min(len(section.explanation.features), 12)
        drivers_plot = _render(
            lambda f: section.draw_beeswarm(f.subplots()),
            name=DRIVERS_PLOT,
            title="What drives churn",
            size=(10, 0.45 * rows + 1.8),
        )
        with atomic_path(out / f"{DRIVERS_PLOT}.png") as tmp:
            tmp.write_bytes(drivers_plot.png)
    else:  # an earlier report's picture would no longer match this one
        (out / f"{DRIVERS_PLOT}.png").unlink(missing_ok=True)
    for plot in plots:
        with atomic_path(out / f"{plot.name}.png") as tmp:
            tmp.write_bytes(plot.png)
    evaluation.save_json(out / EVALUATION_FILE)
    if backtest is not None:
        backtest.save_json(out / BACKTEST_FILE)
    else:  # a backtest of an earlier report would no longer match this one
        (out / BACKTEST_FILE).unlink(missing_ok=True)
        (out / f"{BACKTEST_PLOT}.png").unlink(missing_ok=True)
    source = str(model_or_dir) if isinstance(model_or_dir, str | Path) else ""
    html = _html(evaluation, plots, backtest, _card(model), source, section, drivers_plot)
    report = out / REPORT_FILE
    with atomic_path(report) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return report
