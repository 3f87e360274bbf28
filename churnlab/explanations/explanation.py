"""``Explanation``: SHAP values of a churn model for a set of customers, computed once.

The values are on the booster's log-odds scale. Global views group them by feature, reason
group, feature family or reason category (the features' entries say which):

- :meth:`Explanation.importance`: mean absolute SHAP value per feature or group;
- :meth:`Explanation.attribution`: the share of predicted churn attributed to each group,
  over all customers and within each risk band;
- :meth:`Explanation.drivers`: the top drivers in one plain-language sentence each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from churnlab.display import heading
from churnlab.errors import SpecError
from churnlab.explanations.actions import ActionTable
from churnlab.explanations.entries import check_grouping
from churnlab.explanations.reasons import DEFAULT_MIN_SHARE, missing_elsewhere, reason_table
from churnlab.features import Feature
from churnlab.model.calibration import Calibrator

if TYPE_CHECKING:
    import shap

KEY_COLUMNS = ("customer_id", "cutoff", "as_of")
"""Columns of ``Explanation.customers`` that say who and when (those the frame had)."""
ALL = "all customers"
UNATTRIBUTED = "unattributed"
KEY_NAMES = {
    "feature": "feature",
    "group": "reason_group",
    "family": "family",
    "category": "reason_category",
}


def import_shap() -> Any:
    """``import shap``, without the deprecation notices its import raises in matplotlib."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import shap
    return shap


def _number(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _number(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass(frozen=True, kw_only=True, eq=False)
class Explanation:
    """SHAP values of a churn model for a set of customers: made by :func:`explain`.

    Attributes
    ----------
    customers:
        One row per explained row: ``customer_id`` (and ``cutoff`` or ``as_of`` when the
        frame had them), the calibrated ``churn_probability`` and the ``risk_band``.
    values:
        SHAP values on the log-odds scale: one column per model feature, rows as
        ``customers``. Each row plus :attr:`base_value` is the booster's raw score.
    base_value:
        The booster's expected raw score (log-odds) over its training rows.
    data:
        The model's inputs (categorical features as categories), rows as ``customers``.
    features:
        Each feature's entry (family, description, reason category and group, template), in
        the columns' order.
    calibrator:
        Maps the booster's raw probability to the calibrated one (``None`` when unknown).
    model:
        The one-line description of the model explained.
    method:
        How the values were computed: ``"tables"`` or ``"lightgbm"`` (both exact TreeSHAP).
    """

    customers: pd.DataFrame
    values: pd.DataFrame
    base_value: float
    data: pd.DataFrame
    features: tuple[Feature, ...]
    calibrator: Calibrator | None = None
    model: str = ""
    method: str = "lightgbm"

    def __post_init__(self) -> None:
        names = [f.name for f in self.features]
        if list(self.values.columns) != names or list(self.data.columns) != names:
            raise SpecError(
                "An Explanation needs 'values' and 'data' with one column per feature entry, "
                f"in order; got {list(self.values.columns)[:5]}... for {names[:5]}...."
            )
        if not len(self.customers) == len(self.values) == len(self.data):
            raise SpecError(
                "An Explanation needs as many rows in 'customers', 'values' and 'data'; got "
                f"{len(self.customers)}, {len(self.values)} and {len(self.data)}."
            )
        for column in ("customer_id", "churn_probability", "risk_band"):
            if column not in self.customers.columns:
                raise SpecError(f"Explanation.customers needs a {column!r} column.")

    # ----------------------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.values)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def probability(self) -> NDArray[np.float64]:
        """Each customer's calibrated churn probability."""
        return self.customers["churn_probability"].to_numpy(dtype=float)

    @property
    def risk_band(self) -> pd.Categorical:
        """Each customer's risk band (ordered, lowest risk first)."""
        return pd.Categorical(self.customers["risk_band"])

    @property
    def raw_score(self) -> NDArray[np.float64]:
        """The booster's raw score (log-odds) of each customer: base value plus SHAP values."""
        return self.base_value + self.values.to_numpy().sum(axis=1)

    @property
    def base_probability(self) -> float:
        """The base value as a raw (uncalibrated) probability."""
        return 1.0 / (1.0 + math.exp(-self.base_value))

    def entry(self, name: str) -> Feature:
        """The entry of feature ``name``."""
        for feature in self.features:
            if feature.name == name:
                return feature
        raise SpecError(f"The explanation has no feature {name!r}; it has {len(self.features)}.")

    def select(self, rows: ArrayLike | slice) -> Explanation:
        """The explanation of some of the customers: a boolean mask, positions or a slice
        (``explanation.select(explanation.probability > 0.5)``)."""
        if isinstance(rows, slice):
            positions = np.arange(len(self))[rows]
        else:
            chosen = np.asarray(rows)
            if chosen.dtype == bool and chosen.shape == (len(self),):
                positions = np.flatnonzero(chosen)
            elif chosen.ndim == 1 and (chosen.dtype.kind in "iu" or len(chosen) == 0):
                positions = chosen.astype(np.intp)
            else:
                raise SpecError(
                    "The 'rows' parameter of Explanation.select must be a boolean mask with "
                    f"one value per customer ({len(self):,}), positions or a slice."
                )

        def take(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.iloc[positions].reset_index(drop=True)

        return replace(
            self, customers=take(self.customers), values=take(self.values), data=take(self.data)
        )

    # ----------------------------------------------------------------------- global views
    def _groups(self, by: str, where: str) -> tuple[list[str], NDArray[np.intp]]:
        attribute = check_grouping(by, where=where)
        labels = [str(getattr(f, attribute)) for f in self.features]
        names = list(dict.fromkeys(labels))
        return names, np.asarray([names.index(label) for label in labels], dtype=np.intp)

    def grouped(self, by: str = "category") -> pd.DataFrame:
        """SHAP values summed over the features of each group: one column per group.

        ``by``: ``"feature"`` (the values as they are), ``"group"`` (reason group: features
        that state one fact), ``"family"`` or ``"category"`` (reason category). A group's sum
        is its contribution to the customer's raw score. By category, a missing value that
        states another category (a feature's ``missing_category``: a spend trend missing
        because the customer joined recently is tenure) counts there, as in the reasons.
        """
        names, index = self._groups(by, "Explanation.grouped")
        if by == "feature":
            return self.values
        onehot = np.zeros((len(index), len(names)))
        onehot[np.arange(len(index)), index] = 1.0
        values = self.values.to_numpy()
        grouped = pd.DataFrame(values @ onehot, columns=names)
        moved = missing_elsewhere(self.data, self.features) if by == "category" else None
        if moved is None or not moved.any():
            return grouped
        for j in np.flatnonzero(moved.any(axis=0)):
            shift = np.where(moved[:, j], values[:, j], 0.0)
            grouped[names[index[j]]] -= shift
            target = self.features[j].missing_category
            grouped[target] = grouped.get(target, 0.0) + shift
        return grouped

    def importance(self, by: str = "feature") -> pd.DataFrame:
        """Mean absolute SHAP value per feature, reason group, family or reason category.

        A group's importance is the mean absolute value of its summed SHAP values (the group
        taken as one input: features of one group that pull against each other cancel out).
        ``share`` is the importance over the sum of all importances; ``mean_shap`` the mean
        signed value. Rows are sorted by importance, highest first. Columns: the group
        (``feature``, ``reason_group``, ``family`` or ``reason_category``), its entry (family,
        reason category and description) or its number of ``features``, ``mean_abs_shap``,
        ``share`` and ``mean_shap``.
        """
        check_grouping(by, where="Explanation.importance")
        grouped = self.grouped(by)
        mean_abs = grouped.abs().mean().to_numpy()
        total = float(mean_abs.sum())
        key = KEY_NAMES[by]
        table = pd.DataFrame({key: list(grouped.columns)})
        if by == "feature":
            table["family"] = [f.family for f in self.features]
            table["reason_category"] = [f.reason_category for f in self.features]
            table["description"] = [f.description for f in self.features]
        else:
            _, index = self._groups(by, "Explanation.importance")
            table["features"] = np.bincount(index, minlength=len(table))
        table["mean_abs_shap"] = mean_abs
        table["share"] = mean_abs / total if total > 0 else 0.0
        table["mean_shap"] = grouped.mean().to_numpy()
        return table.sort_values("mean_abs_shap", ascending=False, ignore_index=True)

    @property
    def top_driver(self) -> str:
        """The feature with the highest mean absolute SHAP value."""
        mean_abs = self.values.abs().mean()
        return str(mean_abs.idxmax())

    def attribution(self, by: str = "category") -> pd.DataFrame:
        """The share of predicted churn attributed to each group, overall and per risk band.

        Each customer's calibrated churn probability is split over the groups in proportion
        to the *positive* parts of the groups' summed SHAP values (what raises the customer's
        risk above the base value); groups that lower the risk get none of it. A customer
        with no positive group (every group lowers the risk) is counted as
        ``"unattributed"``. Summed over customers this gives expected churners per group.

        The probability split is the whole probability, base risk included: a group is
        credited with the churn of the customers whose risk it raises, in proportion to how
        much it raises it on the log-odds scale.

        Returns
        -------
        DataFrame
            One row per segment (``"all customers"``, then each risk band, lowest first) and
            group: ``risk_band``, the group (``reason_category``, ``family``, ...),
            ``customers`` (in the segment), ``expected_churners`` (attributed) and ``share``
            (of the segment's predicted churn).
        """
        check_grouping(by, where="Explanation.attribution")
        grouped = self.grouped(by)
        names = [*grouped.columns, UNATTRIBUTED]
        positive = np.clip(grouped.to_numpy(), 0.0, None)
        total = positive.sum(axis=1)
        p = self.probability
        weights = np.divide(
            positive, total[:, None], out=np.zeros_like(positive), where=total[:, None] > 0
        )
        credited = np.column_stack([p[:, None] * weights, np.where(total > 0, 0.0, p)])
        bands = self.risk_band
        segments = [(ALL, np.ones(len(p), dtype=bool))]
        segments += [(str(b), np.asarray(bands == b)) for b in bands.categories]
        rows = []
        for segment, mask in segments:
            churners = credited[mask].sum(axis=0)
            whole = float(p[mask].sum())
            for name, value in zip(names, churners, strict=True):
                if name == UNATTRIBUTED and value == 0:
                    continue
                rows.append(
                    {
                        "risk_band": segment,
                        KEY_NAMES[by]: name,
                        "customers": int(mask.sum()),
                        "expected_churners": float(value),
                        "share": float(value) / whole if whole > 0 else 0.0,
                    }
                )
        return pd.DataFrame(rows)

    def drivers(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` features with the highest mean absolute SHAP value, each in a sentence.

        The direction comes from the sign of the rank correlation between the feature's value
        and its SHAP value ("more complaints raise the churn risk"); for a categorical
        feature, from the categories with the highest and lowest mean SHAP value.
        """
        from churnlab.explanations.drivers import driver_table

        return driver_table(self, n)

    # -------------------------------------------------------------------------- rendering
    def _period(self) -> str:
        for column in ("cutoff", "as_of"):
            if column in self.customers.columns:
                stamps = pd.to_datetime(pd.unique(self.customers[column].to_numpy()))
                days = sorted({stamp.date() for stamp in stamps})
                if len(days) == 1:
                    return f" at {days[0]}"
                return f" at {len(days)} {column}s {min(days)}..{max(days)}"
        return ""

    def __repr__(self) -> str:
        return (
            f"<Explanation: {len(self):,} customers x {len(self.features)} features"
            f"{self._period()}, top driver {self.top_driver}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """The summary (not the rows) as JSON-ready values."""
        return {
            "customers": len(self),
            "features": self.feature_names,
            "period": self._period().removeprefix(" at "),
            "model": self.model,
            "method": self.method,
            "base_value": self.base_value,
            "base_probability": self.base_probability,
            "top_driver": self.top_driver,
            "importance": {
                by: _records(self.importance(by)) for by in ("feature", "family", "category")
            },
            "attribution": _records(self.attribution("category")),
            "drivers": _records(self.drivers()),
        }

    def _repr_html_(self) -> str:
        categories = self.importance("category")
        features = self.importance("feature").head(10)
        attribution = self.attribution("category").pivot(
            index="reason_category", columns="risk_band", values="share"
        )
        order = [c for c in [ALL, *map(str, self.risk_band.categories)] if c in attribution]
        percent = "{:.1%}".format
        return _HTML.render(
            title=heading(self),
            model=self.model,
            base=f"{self.base_value:.3f} (raw probability {self.base_probability:.1%})",
            method=self.method,
            categories=categories.to_html(
                index=False,
                border=0,
                formatters={
                    "share": percent,
                    "mean_abs_shap": "{:.4f}".format,
                    "mean_shap": "{:+.4f}".format,
                },
            ),
            features=features.to_html(
                index=False,
                border=0,
                formatters={
                    "share": percent,
                    "mean_abs_shap": "{:.4f}".format,
                    "mean_shap": "{:+.4f}".format,
                },
            ),
            attribution=attribution.reindex(columns=order).to_html(
                border=0, float_format=percent, na_rep="-"
            ),
            sentences=list(self.drivers()["sentence"]),
        )

    def reasons(
        self,
        k: int = 3,
        language: str = "en",
        *,
        actions: ActionTable | str | Path | None = None,
        min_share: float = DEFAULT_MIN_SHARE,
        typical: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        """Each customer's ``k`` strongest reasons in words, with categories and impacts,
        and the recommended action (see :mod:`churnlab.explanations.reasons`).

        Parameters
        ----------
        k:
            Reasons per customer, 1 to 5.
        language:
            ``en`` or ``zh``.
        actions:
            The action table: a TOML file, or the default (``actions.toml``).
        min_share:
            The least share of a customer's risk-raising total that a listed reason carries.
        typical:
            The typical value of each feature that texts compare with (default: the median or
            most frequent value over these customers). Pass
            ``churnlab.explanations.reasons.typical_values(all_customers)`` when explaining a
            few customers picked from many, such as a target list.
        """
        return reason_table(
            self.values,
            self.data,
            self.features,
            customer_id=self.customers["customer_id"],
            raw_score=self.raw_score,
            k=k,
            language=language,
            actions=actions,
            min_share=min_share,
            typical=typical,
        )

    def to_shap(self) -> shap.Explanation:
        """The values as a :class:`shap.Explanation`, for every ``shap.plots`` function.

        ``data`` holds numbers (categories as their codes, missing as NaN, so plots can colour
        by value) and ``display_data`` the values as shown (categories as their labels).
        It copies every value: :meth:`select` customers first for large explanations.
        """
        shap = import_shap()
        numbers = np.empty(self.data.shape, dtype=np.float64)
        shown = np.empty(self.data.shape, dtype=object)
        for j, name in enumerate(self.data.columns):
            column = self.data[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                codes = column.cat.codes.to_numpy()
                numbers[:, j] = np.where(codes < 0, np.nan, codes)
                shown[:, j] = column.astype(object).where(column.notna(), np.nan).to_numpy()
            else:
                numbers[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
                shown[:, j] = numbers[:, j]
        return shap.Explanation(
            values=self.values.to_numpy(),
            base_values=np.full(len(self), self.base_value),
            data=numbers,
            display_data=shown,
            feature_names=self.feature_names,
        )


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<div class="churnlab-explanation"><p><b>{{ title }}</b></p>
{% if model %}<p>{{ model }}</p>{% endif %}
<p>Base value {{ base }}; SHAP values on the log-odds scale ({{ method }}).</p>
<p>What drives churn, by reason category (mean |SHAP|)</p>{{ categories | safe }}
<ul>{% for s in sentences %}<li>{{ s }}</li>{% endfor %}</ul>
<details><summary>Top features</summary>{{ features | safe }}</details>
<details><summary>Predicted churn attributed to each reason category, by risk band</summary>
{{ attribution | safe }}</details></div>"""
)
