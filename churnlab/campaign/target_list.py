"""``target_list``: whom a retention campaign contacts, why, with which offer, what each
contact is worth, and who is deliberately left out so that the effect can be measured.

The steps, each timed in ``TargetList.timings``:

1. **features** and **scores**: the model's features at ``as_of`` and every active
   customer's calibrated churn probability (:func:`churnlab.model.score`);
2. **value**: what keeping each customer is worth (:mod:`churnlab.campaign.value`), and each
   customer's segment (:mod:`churnlab.campaign.segments`);
3. **gain**: the expected gain of contacting each customer (:mod:`churnlab.campaign.gain`),
   with the offer terms of their recommended action;
4. **reasons**: SHAP reasons, in words, for the customers who can make the list (only they
   are explained, so a large base stays fast);
5. **selection** and **control**: the cut (:mod:`churnlab.campaign.selection`) and the
   control group (:mod:`churnlab.campaign.control`), with its minimum detectable effect;
6. **winback**: the separate list of valuable customers who left recently
   (:mod:`churnlab.campaign.winback`).

The list's columns are fixed (:data:`TARGET_COLUMNS`); columns of personal data are added at
the end only when asked for (``include_columns``).
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from churnlab.campaign.control import ControlSpec, control_buckets, in_control
from churnlab.campaign.gain import (
    OfferTerms,
    expected_cost,
    expected_gain,
)
from churnlab.campaign.power import MDE, minimum_detectable_effect
from churnlab.campaign.result import REASONS, TARGET_COLUMNS, TargetList
from churnlab.campaign.segments import assign_segments
from churnlab.campaign.selection import Selection, check_budget, rank_order, select
from churnlab.campaign.spec import KEY_ACCOUNT, NO_REASON, CampaignSpec, read_campaign
from churnlab.campaign.value import column_values, customer_value
from churnlab.campaign.winback import winback_list
from churnlab.dates import DateLike
from churnlab.errors import ChurnlabWarning, DataError, SpecError, did_you_mean
from churnlab.explanations import explain
from churnlab.explanations.actions import ActionTable, read_actions
from churnlab.explanations.reasons import stated_categories, typical_values
from churnlab.features.engine import EngineLike, storage_of
from churnlab.features.wording import check_language
from churnlab.files import is_remote
from churnlab.metrics import monthly_retention
from churnlab.model import ChurnModel, load_model, score, scoring_frame
from churnlab.tables import DataConfig, Tables, data_fingerprint, read_customers


class _Clock:
    """Seconds per stage, for ``TargetList.timings``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def _campaign(
    campaign: CampaignSpec | str | Path | None,
    control_fraction: float | str | None,
    seed: int | None,
) -> CampaignSpec:
    spec = (
        campaign
        if isinstance(campaign, CampaignSpec)
        else CampaignSpec()
        if campaign is None
        else read_campaign(campaign)
    )
    if control_fraction is not None:
        spec = spec.replace(
            control=dataclasses.replace(spec.control, fraction=control_fraction)  # type: ignore[arg-type]
        )
    if seed is not None:
        spec = spec.replace(seed=seed)
    return spec


def _check_columns(names: Sequence[str], customers: pd.DataFrame | None, what: str) -> None:
    available = [] if customers is None else list(customers.columns)
    for name in names:
        if name not in available:
            raise SpecError(
                f"The customers table has no column {name!r} for {what}."
                f"{did_you_mean(name, available)} Columns: {', '.join(available)}."
            )


def _customer_columns(
    customers: pd.DataFrame, ids: np.ndarray, columns: Sequence[str]
) -> pd.DataFrame:
    """``columns`` of ``customers`` in the order of ``ids``."""
    positions = pd.Index(customers["customer_id"].astype(str)).get_indexer(pd.Index(ids))
    return customers[list(columns)].iloc[positions].reset_index(drop=True)


def _here_only(uri: object, winback: bool, needs_customers: bool) -> bool:
    """What a list of data at a URI can be made with: the features and scores (built by the
    engine that reads it), not the customer columns read beside them nor the win-back list,
    which read a few customers' rows from the files on this machine."""
    if needs_customers:
        raise SpecError(
            f"{uri} is not on this machine: --include-columns and a value column read the "
            "customers table here. Copy the data here, or make the list without them."
        )
    if winback:
        warnings.warn(
            f"{uri} is not on this machine: the win-back list (customers who left lately) "
            "reads their rows from files here, so it is left out. Copy the data here for it.",
            ChurnlabWarning,
            stacklevel=3,
        )
    return False


def target_list(
    data: Tables | str | Path,
    model: ChurnModel | str | Path,
    *,
    as_of: DateLike | None = None,
    selection: Selection | None = None,
    campaign: CampaignSpec | str | Path | None = None,
    control_fraction: float | str | None = None,
    seed: int | None = None,
    language: str = "en",
    actions: ActionTable | str | Path | None = None,
    include_columns: Sequence[str] = (),
    winback: bool = True,
    config: DataConfig | str | Path | None = None,
    engine: EngineLike = None,
) -> TargetList:
    """Build a retention campaign's target list.

    Parameters
    ----------
    data:
        Loaded :class:`~churnlab.tables.Tables`, or a data directory.
    model:
        A trained :class:`~churnlab.model.ChurnModel`, or a model directory.
    as_of:
        The scoring date, ``YYYY-MM-DD`` (default: the data's extract date).
    selection:
        How to cut the list (default: :meth:`Selection.profit_optimal`).
    campaign:
        The campaign's settings, or a campaign TOML file (see :mod:`churnlab.campaign.spec`).
    control_fraction, seed:
        Override the campaign's control fraction (a number in (0, 1), or ``"auto"``) and seed.
    language:
        ``en`` or ``zh``: the reasons' and actions' language.
    actions:
        The action table (default: ``churnlab/explanations/actions.toml``).
    include_columns:
        Customer columns to carry into the list (personal data is left out unless named here).
    winback:
        Also build the win-back list of valuable customers who left recently.
    config:
        Settings of a data directory (default: its ``churnlab.toml``).
    engine:
        Where the features are built: an engine, ``"duckdb"`` or ``"spark"`` (default: as
        ``[engine]`` in churnlab.toml says, else DuckDB).

    Returns
    -------
    TargetList
        ``.frame`` (the list), ``.summary()``, ``.profit_curve()``, ``.export(directory)``.

    Examples
    --------
    >>> tl = target_list("data/demo", "reports/demo/model", selection=Selection.top(500))  # doctest: +SKIP
    >>> tl.frame.columns[:3].tolist()  # doctest: +SKIP
    ['customer_id', 'group', 'rank']
    """
    clock = _Clock()
    selection = selection or Selection()
    check_language(language)
    table = actions if isinstance(actions, ActionTable) else read_actions(actions)
    spec = _campaign(campaign, control_fraction, seed)
    spec.check_actions(table.categories)
    include = tuple(include_columns)
    if not isinstance(model, ChurnModel):
        model = load_model(model)
    card = model.card_
    table.check_covers(stated_categories(card.features))
    needs_customers = bool(include) or spec.value.method == "column"
    if is_remote(data):
        winback = _here_only(data, winback, needs_customers)
    customers: pd.DataFrame | None = None
    if needs_customers:
        customers = (
            data.customers if isinstance(data, Tables) else read_customers(data, config=config)
        )
    _check_columns(include, customers, "--include-columns")

    with clock.stage("features"):
        frame = scoring_frame(model, data, as_of=as_of, config=config, engine=engine)
    with clock.stage("scores"):
        scores = score(model, data, config=config, features=frame)
    features = frame.frame
    stamp = frame.cutoffs[0]
    campaign_id = spec.resolved_id(stamp)
    ids = features["customer_id"].astype(str).to_numpy()
    probability = scores.frame["churn_probability"].to_numpy(dtype="float64")

    with clock.stage("value"):
        spend = _monthly_spend(features)
        retention = card.monthly_retention or monthly_retention(
            card.churn_rate, card.label_spec.horizon_days
        )
        if spec.value.method == "column":
            value = column_values(cast(pd.DataFrame, customers), str(spec.value.column), ids)
        else:
            value = customer_value(
                spend, spec=dataclasses.replace(spec.value, retention={}), retention=retention
            )
        segments = assign_segments(
            pd.DataFrame(
                {
                    "value": value,
                    "monthly_spend": spend,
                    "tenure_days": _column(features, "tenure_days"),
                    "loyalty_points": _column(features, "loyalty_points"),
                }
            ),
            spec.segments,
        )
        if spec.value.method == "margin" and spec.value.retention:
            value = customer_value(
                spend, spec=spec.value, retention=retention, segment=np.asarray(segments.segment)
            )
        key_account = np.asarray(segments.key_account, dtype=bool)

    with clock.stage("gain"):
        terms = _Terms(spec, spend, key_account)
        low_gain, high_gain = terms.bounds(probability, value)

    with clock.stage("control"):
        buckets = control_buckets(ids, seed=spec.seed, campaign_id=campaign_id)

    candidates = _candidates(selection, probability, low_gain, high_gain)
    with clock.stage("reasons"):
        reasons = _reasons(model, features, candidates, table, language)
    with clock.stage("gain"):
        actions_key = np.full(len(ids), NO_REASON, dtype=object)
        actions_key[candidates] = reasons["action_key"].to_numpy()
        actions_key[key_account] = KEY_ACCOUNT
        explained = candidates | key_account
        first_category = np.full(len(ids), None, dtype=object)
        if len(reasons):
            first_category[candidates] = reasons["reason_1_category"].to_numpy(dtype=object)
        per = terms.per_customer(actions_key, explained)
        gain = expected_gain(probability, value, per["offer_cost"], **per.gain_terms())
        cost = expected_cost(probability, per["offer_cost"], **per.gain_terms())
        order = rank_order(gain, ids)

    with clock.stage("selection"):
        if selection.mode == "budget":
            cheapest = float(np.min(cost[gain > 0])) if np.any(gain > 0) else float(np.min(cost))
            check_budget(selection, cheapest)
        fraction, notes = _control_fraction(
            spec.control,
            selection,
            buckets,
            gain=gain,
            probability=probability,
            cost=cost,
            order=order,
            acceptance=per["acceptance"].to_numpy(),
        )
        control = in_control(buckets, fraction)
        cut = select(
            selection, gain=gain, probability=probability, cost=cost, control=control, order=order
        )
        listed = cut.listed
        mde, reduction = _power(
            spec.control, probability, per["acceptance"].to_numpy(), listed, control
        )
        if cut.budget_left and cut.budget_left > 0 and listed.sum() == np.sum(gain > 0):
            notes.append(
                f"{cut.budget_left:,.2f} of the budget is left: every further contact has a "
                "negative expected gain."
            )

    scored = pd.DataFrame(
        {
            "customer_id": ids,
            "churn_probability": probability,
            "risk_band": scores.frame["risk_band"].to_numpy(),
            "value": value,
            "monthly_spend": spend,
            "expected_gain": gain,
            "expected_cost": cost,
            "offer_cost": per["offer_cost"].to_numpy(),
            "acceptance": per["acceptance"].to_numpy(),
            "take_up": per["take_up"].to_numpy(),
            "contact_cost": per["contact_cost"].to_numpy(),
            "action_key": actions_key,
            "segment": segments.segment,
            "key_account": key_account,
            "control": control,
            "listed": listed,
            "explained": explained,
            "reason_1_category": pd.Series(first_category, dtype="string"),
        }
    )
    frame_out = _list_frame(
        scored, order, reasons, candidates, table, language, stamp, card, include, customers
    )
    found_winback = None
    if winback:
        with clock.stage("winback"):
            found_winback = winback_list(
                model,
                data,
                as_of=stamp,
                spec=spec.winback,
                value_spec=spec.value,
                retention=retention,
                min_value=segments.value_threshold
                if spec.winback.min_value is None
                else spec.winback.min_value,
                k=REASONS,
                language=language,
                actions=table,
                config=config,
            )
    with clock.stage("fingerprint"):
        fingerprint = data_fingerprint(data, storage_of(engine, data))
    return TargetList(
        frame=frame_out,
        scored=scored,
        winback=found_winback,
        selection=selection,
        campaign=spec,
        campaign_id=campaign_id,
        control_fraction=fraction,
        mde=mde,
        expected_reduction=reduction,
        as_of=stamp,
        as_of_source=scores.as_of_source,
        horizon_days=card.label_spec.horizon_days,
        model_id=card.model_id,
        model_digest=card.digest(),
        value_method=spec.value.describe(retention),
        monthly_retention=retention,
        segment_thresholds=segments.thresholds(),
        budget_left=cut.budget_left,
        language=language,
        include_columns=include,
        data_fingerprint=fingerprint,
        timings=clock.seconds,
        notes=tuple(notes),
    )


def _column(features: pd.DataFrame, name: str) -> np.ndarray:
    if name not in features.columns:
        return np.full(len(features), np.nan)
    return features[name].to_numpy(dtype="float64", na_value=np.nan)


def _monthly_spend(features: pd.DataFrame) -> np.ndarray:
    """Mean monthly spend over the last 3 months: the feature ``spend_mean_3m``."""
    if "spend_mean_3m" not in features.columns:
        raise DataError(
            "The model's features have no spend_mean_3m (mean monthly spend over the last 3 "
            "months): without bills there is no margin to value customers by, nor a monthly "
            "spend to price the offer. Add a bills table, or set [value] method = 'column' and "
            "[offer] spend_share = 0 with a fixed_cost in the campaign file."
        )
    return _column(features, "spend_mean_3m")


class _Terms:
    """The offer terms of each customer: by recommended action, once it is known."""

    def __init__(self, spec: CampaignSpec, spend: np.ndarray, key_account: np.ndarray) -> None:
        self.spec, self.spend, self.key_account = spec, spend, key_account
        names = {NO_REASON, *spec.offers}
        self.options = {name: spec.terms_for(name) for name in names}
        self.key_terms = spec.terms_for(KEY_ACCOUNT)

    def _gain(self, terms: OfferTerms, probability: np.ndarray, value: np.ndarray) -> np.ndarray:
        return expected_gain(
            probability,
            value,
            terms.offer_cost(self.spend),
            acceptance=terms.acceptance,
            take_up=terms.take_up,
            contact_cost=terms.contact_cost,
        )

    def bounds(self, probability: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's lowest and highest expected gain over the actions they may get."""
        gains = [self._gain(t, probability, value) for t in self.options.values()]
        low, high = np.min(gains, axis=0), np.max(gains, axis=0)
        key = self._gain(self.key_terms, probability, value)
        return np.where(self.key_account, key, low), np.where(self.key_account, key, high)

    def per_customer(self, action_key: np.ndarray, explained: np.ndarray) -> _PerCustomer:
        """Each customer's terms: their action's when explained, the campaign's offer else."""
        keys = np.where(explained, action_key, NO_REASON)
        out = {
            name: np.empty(len(keys))
            for name in ("acceptance", "take_up", "contact_cost", "offer_cost")
        }
        for name in set(keys.tolist()) | {NO_REASON}:
            terms = self.spec.terms_for(str(name))
            rows = keys == name
            out["acceptance"][rows] = terms.acceptance
            out["take_up"][rows] = terms.take_up
            out["contact_cost"][rows] = terms.contact_cost
            out["offer_cost"][rows] = terms.offer_cost(self.spend[rows])
        return _PerCustomer(out)


class _PerCustomer(dict[str, pd.Series]):
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        super().__init__({k: pd.Series(v) for k, v in arrays.items()})

    def gain_terms(self) -> dict[str, np.ndarray]:
        return {
            "acceptance": self["acceptance"].to_numpy(),
            "take_up": self["take_up"].to_numpy(),
            "contact_cost": self["contact_cost"].to_numpy(),
        }


def _candidates(
    selection: Selection, probability: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """The customers who may make the list whatever their action: only they are explained.

    A customer's expected gain lies between ``low`` and ``high`` (its range over the
    actions' offer terms). When every action has the same terms, the two are equal and the
    candidates are exactly the list.
    """
    if selection.mode == "min_probability":
        return probability >= float(selection.min_probability or 0.0)
    if selection.mode in ("profit_optimal", "budget"):
        return high > 0
    size = (
        int(selection.n or 0)
        if selection.mode == "top"
        else int(np.ceil(float(selection.share or 0.0) * len(low) - 1e-9))
    )
    size = min(size, len(low))
    if size == 0:
        return np.zeros(len(low), dtype=bool)
    threshold = np.partition(low, len(low) - size)[len(low) - size]
    return high >= threshold


def _reasons(
    model: ChurnModel,
    features: pd.DataFrame,
    rows: np.ndarray,
    table: ActionTable,
    language: str,
) -> pd.DataFrame:
    """The reasons of ``rows`` (typical values over every scored customer)."""
    columns = ["customer_id", *model.card_.feature_names]
    typical = typical_values(features[list(model.card_.feature_names)])
    if not rows.any():
        return pd.DataFrame(
            columns=[
                "customer_id",
                *(f"reason_{i}" for i in range(1, REASONS + 1)),
                "recommended_action",
                "action_key",
            ]
        )
    picked = features.loc[rows, columns].reset_index(drop=True)
    found = explain(model, picked).reasons(REASONS, language, actions=table, typical=typical)
    category = found["top_actionable_category"]
    found["action_key"] = category.where(category.notna(), NO_REASON).astype(object)
    return found


def _control_fraction(
    control: ControlSpec,
    selection: Selection,
    buckets: np.ndarray,
    *,
    gain: np.ndarray,
    probability: np.ndarray,
    cost: np.ndarray,
    order: np.ndarray,
    acceptance: np.ndarray,
) -> tuple[float, list[str]]:
    """The control fraction: the campaign's, or with ``auto`` the smallest one with the
    power to detect the offer's effect on the list (never below ``min_fraction``)."""
    notes: list[str] = []
    if control.fraction != "auto":
        return float(control.fraction), notes
    first = in_control(buckets, control.min_fraction)
    listed = select(
        selection, gain=gain, probability=probability, cost=cost, control=first, order=order
    ).listed
    n = int(listed.sum())
    if n < 2:
        return float(control.min_fraction), notes
    baseline = float(probability[listed].mean())
    reduction = float((probability[listed] * acceptance[listed]).mean())
    return control.fraction_for(baseline, n, reduction), notes


def _power(
    control: ControlSpec,
    probability: np.ndarray,
    acceptance: np.ndarray,
    listed: np.ndarray,
    in_group: np.ndarray,
) -> tuple[MDE | None, float]:
    """The list's minimum detectable effect and the effect the acceptance implies."""
    n_control = int((listed & in_group).sum())
    n_target = int((listed & ~in_group).sum())
    if not listed.any():
        return None, 0.0
    baseline = float(probability[listed].mean())
    reduction = float((probability[listed] * acceptance[listed]).mean())
    if n_control == 0 or n_target == 0 or not 0.0 < baseline < 1.0:
        return None, reduction
    mde = minimum_detectable_effect(
        baseline, n_target, n_control, alpha=control.alpha, power=control.power
    )
    return mde, reduction


def _spread(values: np.ndarray, positions: np.ndarray, size: int) -> np.ndarray:
    """``values`` placed at ``positions`` of an array of ``size`` missing values."""
    out = np.full(size, None, dtype=object)
    out[positions] = values
    return out


def _list_frame(
    scored: pd.DataFrame,
    order: np.ndarray,
    reasons: pd.DataFrame,
    candidates: np.ndarray,
    table: ActionTable,
    language: str,
    as_of: pd.Timestamp,
    card: Any,
    include: tuple[str, ...],
    customers: pd.DataFrame | None,
) -> pd.DataFrame:
    """The listed customers in rank order, in the fixed columns."""
    ranked = order[scored["listed"].to_numpy()[order]]
    rows = scored.iloc[ranked].reset_index(drop=True)
    texts = pd.DataFrame(
        index=range(len(scored)),
        columns=[f"reason_{i}" for i in range(1, REASONS + 1)] + ["recommended_action"],
        dtype=object,
    )
    if len(reasons):
        positions = np.flatnonzero(candidates)
        for name in texts.columns:
            texts[name] = _spread(reasons[name].to_numpy(), positions, len(scored))
    texts = texts.iloc[ranked].reset_index(drop=True)
    key = rows["key_account"].to_numpy()
    action = texts["recommended_action"].to_numpy(dtype=object, copy=True)
    action[key] = table.key_account_action(language)
    missing = pd.isna(action)
    action[missing] = table.action_for(None, language)
    out = pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype("string"),
            "group": pd.Categorical(
                np.where(rows["control"], "control", "target"), categories=["target", "control"]
            ),
            "rank": np.arange(1, len(rows) + 1, dtype="int64"),
            "churn_probability": rows["churn_probability"].to_numpy(),
            "risk_band": rows["risk_band"].to_numpy(),
            "value": rows["value"].to_numpy(),
            "expected_gain": rows["expected_gain"].to_numpy(),
            "segment": rows["segment"].to_numpy(),
            **{f"reason_{i}": texts[f"reason_{i}"].astype("string") for i in range(1, REASONS + 1)},
            "recommended_action": pd.Series(action, dtype="string"),
            "as_of": np.repeat(as_of.to_datetime64(), len(rows)).astype("datetime64[us]"),
            "horizon_days": np.full(len(rows), card.label_spec.horizon_days, dtype="int64"),
            "model_id": pd.Series([card.model_id] * len(rows), dtype="string"),
        },
        columns=list(TARGET_COLUMNS),
    )
    if include:
        extra = _customer_columns(
            cast(pd.DataFrame, customers), rows["customer_id"].to_numpy(), include
        )
        for name in include:
            out[name] = extra[name].to_numpy()
    return out
