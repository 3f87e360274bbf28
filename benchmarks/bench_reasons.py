"""Benchmark: would acting on each customer's reasons lower their churn risk the most?

The demo operator knows which fix lowers each customer's hazard most (``fix_cause`` in its truth
table, see :mod:`churnlab.demo.truth`), so reasons are measured there. The default model is
trained as the product does (``churnlab.build_training_frame(data)``, ``churnlab.train``) and
scores the latest month end whose 90-day outcome the data hold (the training frame's last
cutoff; the model was refitted on it, as the product does). The measured customers are those in
the model's top 10% at that cutoff who churn within 90 days and have some cause above its mean
(``fix_cause`` is not ``none``) in the month after the cutoff.

A reason list *names* a cause by its first reason whose category is service, price, product or
payment (none when it has no such reason).

- **Fix efficiency**: the hazard drop from fixing each customer's named cause (0 when none is
  named), summed, over the drop from fixing each one's ``fix_cause``. Target >= 85%.
- **Recall**: for each cause that is the ``fix_cause`` of at least 30 measured customers, the
  share of them whose named cause is that cause. Target >= 40% for each.
- **Stability**: of the customers in the top risk decile at two consecutive month ends (the
  cutoff and the one before), the share whose top reason category is the same at both.

The namers, side by side:

a. the SHAP reasons, ``churnlab.explain(model, frame).reasons(k=5, language="en")`` (when this
   checkout has them);
b. raw TreeSHAP values (LightGBM ``pred_contrib``) summed by each feature's reason category in
   the model card, naming the cause with the largest positive sum (today's grouping);
c. always naming service;
d. a data-only oracle: one LightGBM regressor per cause, trained on the model's features of every
   customer at the cutoff to predict that cause's drop, cross-fitted in 5 folds, naming the cause
   with the largest predicted drop. It shows what the data can tell at best.

Drops are ``hazard_moderator x max(driver - month mean, 0)`` (the issue's definition); the
"capped" column uses the drop of ``hazard_observable`` itself, which the hazard's 0.6 cap shrinks
for the riskiest customers (``fix_drops(..., clipped=True)``).

    .venv/bin/python benchmarks/bench_reasons.py                      # 50,000 customers x 36 months
    .venv/bin/python benchmarks/bench_reasons.py --data benchmarks/out/demo_50000_36
    .venv/bin/python benchmarks/bench_reasons.py --data benchmarks/out/demo_50000_36 --all-cutoffs

``--all-cutoffs`` measures the SHAP reasons of the one trained model at every cutoff of the
training frame but the first (each against the one before for stability), one row each, and
the fix efficiency over all of them pooled: one cutoff holds some 450 measured customers, and
its figure moves by several points from one month to the next.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CAUSES = ("service", "price", "product", "payment")
NONE = "(none)"
"""What a namer names when its reasons hold no cause."""
TOP_SHARE = 0.10
MIN_CUSTOMERS = 30
EFFICIENCY_TARGET = 0.85
RECALL_TARGET = 0.40
FOLDS = 5
SEASONED_DAYS = 31
"""Customers with us for at least this long have had a bill; the report shows them apart."""

# --- measurement (pure functions on small frames) --------------------------------------------


def top_share(probability: pd.Series, share: float = TOP_SHARE) -> pd.Index:
    """The ids (``probability``'s index) of the ``ceil(share x n)`` highest probabilities.

    Ties are broken by id, so the choice does not depend on row order.

    >>> top_share(pd.Series([0.1, 0.9, 0.5, 0.9], index=["a", "b", "c", "d"]), 0.5).tolist()
    ['b', 'd']
    """
    count = int(np.ceil(share * len(probability)))
    ranked = probability.rename("p").rename_axis("id").reset_index()
    ranked = ranked.sort_values(["p", "id"], ascending=[False, True], kind="stable")
    return pd.Index(ranked["id"].head(count))


def first_cause(categories: pd.DataFrame) -> pd.Series:
    """Per row, the first value (left to right) that is one of :data:`CAUSES`, else ``NONE``.

    >>> first_cause(pd.DataFrame({"c1": ["tenure", "price", None], "c2": ["service", None, None]}))
    0    service
    1      price
    2     (none)
    dtype: object
    """
    named = pd.Series(NONE, index=categories.index, dtype=object)
    for column in reversed(list(categories.columns)):
        values = categories[column]
        named = named.mask(values.isin(CAUSES), values)
    return named


def reasons_named_cause(reasons: pd.DataFrame) -> pd.Series:
    """The named cause of each row of a reasons table (``reason_i_category`` columns), by id.

    The ids come from a ``customer_id`` column, or else the index.
    """
    table = reasons.set_index("customer_id") if "customer_id" in reasons.columns else reasons
    columns = sorted(
        (c for c in table.columns if c.startswith("reason_") and c.endswith("_category")),
        key=lambda c: int(c.split("_")[1]),
    )
    return first_cause(table[columns])


def top_category(reasons: pd.DataFrame) -> pd.Series:
    """The category of each row's first reason (``NONE`` when it has none), by id."""
    table = reasons.set_index("customer_id") if "customer_id" in reasons.columns else reasons
    return table["reason_1_category"].astype(object).fillna(NONE)


def category_sums(contributions: np.ndarray, categories: Sequence[str]) -> pd.DataFrame:
    """SHAP values summed by category: ``contributions`` has one column per feature (in
    ``categories``' order) and a last column for the base value, which is dropped.

    >>> category_sums(np.array([[0.2, -0.1, 0.3, 9.0]]), ["price", "service", "price"])
       price  service
    0    0.5     -0.1
    """
    values = pd.DataFrame(contributions[:, : len(categories)])
    return values.T.groupby(np.asarray(categories), sort=True).sum().T


def largest_positive(sums: pd.DataFrame, among: Sequence[str] | None = None) -> pd.Series:
    """Per row, the column with the largest positive value (``among`` only), else ``NONE``.

    >>> sums = pd.DataFrame({"price": [0.5, -0.2], "service": [0.1, -0.1], "tenure": [0.9, 0]})
    >>> largest_positive(sums, CAUSES).tolist(), largest_positive(sums).tolist()
    (['price', '(none)'], ['tenure', '(none)'])
    """
    table = sums[[c for c in sums.columns if among is None or c in among]]
    best = table.idxmax(axis=1).astype(object)
    return best.where(table.max(axis=1) > 0, NONE)


def fix_efficiency(drops: pd.DataFrame, fix_cause: pd.Series, named: pd.Series) -> float:
    """Sum of the drops from fixing each named cause over the sum from fixing ``fix_cause``.

    All three share one index; a named ``NONE`` (or anything not a drop column) drops nothing.

    >>> drops = pd.DataFrame({"service": [0.2, 0.0], "price": [0.1, 0.3]})
    >>> fix_efficiency(drops, pd.Series(["service", "price"]), pd.Series(["price", "(none)"]))
    0.2
    """
    columns = list(drops.columns)
    chosen = drops.to_numpy()
    rows = np.arange(len(drops))

    def total(causes: pd.Series) -> float:
        codes = np.array([columns.index(c) if c in columns else -1 for c in causes])
        picked = np.where(codes >= 0, chosen[rows, np.maximum(codes, 0)], 0.0)
        return float(picked.sum())

    best = total(fix_cause.reindex(drops.index))
    return total(named.reindex(drops.index)) / best if best > 0 else float("nan")


def recall_by_cause(
    fix_cause: pd.Series, named: pd.Series, min_customers: int = MIN_CUSTOMERS
) -> pd.Series:
    """For each cause that is the ``fix_cause`` of ``min_customers`` or more, the share of those
    customers whose named cause is that cause.

    >>> fix = pd.Series(["price"] * 3 + ["service"])
    >>> recall_by_cause(fix, pd.Series(["price", "service", "price", "service"]), 2).round(3).to_dict()
    {'price': 0.667}
    """
    named = named.reindex(fix_cause.index)
    counts = fix_cause.value_counts()
    kept = [c for c in CAUSES if counts.get(c, 0) >= min_customers]
    return pd.Series(
        {c: float((named[fix_cause == c] == c).mean()) for c in kept}, dtype=float, name="recall"
    )


def confusion(fix_cause: pd.Series, named: pd.Series) -> pd.DataFrame:
    """Customers by ``fix_cause`` (rows) and named cause (columns), every cause shown.

    >>> confusion(pd.Series(["price", "service"]), pd.Series(["price", "(none)"])).loc["price"].tolist()
    [0, 1, 0, 0, 0]
    """
    table = pd.crosstab(
        fix_cause.rename("fix_cause"), named.reindex(fix_cause.index).rename("named")
    )
    return table.reindex(index=list(CAUSES), columns=[*CAUSES, NONE], fill_value=0)


def same_top_share(before: pd.Series, after: pd.Series) -> tuple[float, int]:
    """Of the ids in both series (each: top category by id, for one cutoff's top decile), the
    share whose category is the same at both, and how many ids that is.

    >>> same_top_share(pd.Series({"a": "price", "b": "service"}), pd.Series({"b": "service", "c": "price"}))
    (1.0, 1)
    """
    both = before.index.intersection(after.index)
    if not len(both):
        return float("nan"), 0
    return float((before[both] == after[both]).mean()), len(both)


def oracle_named(
    features: pd.DataFrame, drops: pd.DataFrame, *, folds: int = FOLDS, seed: int = 0
) -> pd.Series:
    """The cause with the largest drop predicted out of fold by one LightGBM regressor per
    cause (``NONE`` when no prediction is positive), on ``features``' index."""
    import lightgbm as lgb
    from tqdm.auto import tqdm

    fold = np.random.default_rng(seed).permutation(len(features)) % folds
    predicted = pd.DataFrame(0.0, index=features.index, columns=list(drops.columns))
    fits = [(cause, k) for cause in drops.columns for k in range(folds)]
    for cause, k in tqdm(fits, desc="Oracle regressors", unit="fit", leave=False):
        train = fold != k
        regressor = lgb.LGBMRegressor(
            n_estimators=300,
            learning_rate=0.05,
            num_leaves=31,
            min_child_samples=40,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            random_state=seed,
            n_jobs=2,
            verbose=-1,
        )
        regressor.fit(features[train], drops[cause].to_numpy()[train])
        predicted.loc[~train, cause] = regressor.predict(features[~train])
    return largest_positive(predicted, CAUSES)


def cutoff_figures(drops: pd.DataFrame, fix: pd.Series, named: pd.Series) -> dict[str, float]:
    """One cutoff's figures: customers measured, fix efficiency and recall per cause (``R <cause>``).

    >>> drops = pd.DataFrame({"service": [0.2, 0.0], "price": [0.1, 0.3]})
    >>> cutoff_figures(drops, pd.Series(["service", "price"]), pd.Series(["price", "price"]))
    {'customers': 2, 'fix eff.': 0.8}
    """
    recall = recall_by_cause(fix, named)
    return {
        "customers": len(fix),
        "fix eff.": fix_efficiency(drops, fix, named),
        **{f"R {cause}": float(value) for cause, value in recall.items()},
    }


def across_cutoffs(frame: Any, model: Any, data: Path) -> tuple[pd.DataFrame, float]:
    """The SHAP reasons measured at each cutoff of ``frame`` but the first (one row each, with
    the stable top share against the cutoff before), and the fix efficiency pooled over all."""
    from churnlab.demo.truth import fix_drops

    cutoffs = list(frame.cutoffs)
    truth_all = pd.read_parquet(data / "truth" / "customer_month.parquet")
    rows, pooled = [], []
    before: pd.Series | None = None
    for at in cutoffs:
        scored = frame.frame[frame.frame["cutoff"] == at]
        probability = pd.Series(model.predict_proba(scored), index=scored["customer_id"])
        top = top_share(probability)
        reasons = shap_reasons(model, subset(frame, top, at))
        if reasons is None:
            raise SystemExit("--all-cutoffs needs the SHAP reasons (churnlab.explain)")
        now = top_category(reasons)
        if before is not None:
            truth = truth_all[truth_all["month"] == at + pd.Timedelta(days=1)]
            truth = truth.set_index("customer_id")
            churned = scored.set_index("customer_id").loc[top, "churned"].to_numpy(dtype=bool)
            fix_cause = truth["fix_cause"].astype(str).reindex(top[churned]).fillna("none")
            measured = fix_cause.index[fix_cause.to_numpy() != "none"]
            fix, drops = fix_cause[measured], fix_drops(truth).loc[measured]
            named = reasons_named_cause(reasons).reindex(measured).fillna(NONE)
            pooled.append((drops, fix, named))
            stable = same_top_share(before, now)[0]
            rows.append(
                {
                    "cutoff": str(at.date()),
                    **cutoff_figures(drops, fix, named),
                    "stable top": stable,
                }
            )
        before = now
    table = pd.DataFrame(rows).set_index("cutoff")
    drops, fix, named = (pd.concat([p[i] for p in pooled], ignore_index=True) for i in range(3))
    return table, fix_efficiency(drops, fix, named)


# --- the benchmark -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Namer:
    name: str
    named: pd.Series | None
    """Named cause of each measured customer; None when this checkout cannot name."""
    stable: tuple[float, int] | None = None
    """Share of top-decile customers at both cutoffs with the same top reason category."""
    stable_cause: tuple[float, int] | None = None
    """The same for the named cause."""


def timed(label: str, timings: list[tuple[str, float]], step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    timings.append((label, time.perf_counter() - start))
    return result


def ensure_demo(folder: Path, customers: int, months: int, seed: int) -> None:
    if (folder / "churnlab.toml").exists():
        return
    subprocess.run(
        [
            str(BIN / "churnlab"),
            *("demo-data", str(folder), "--customers", str(customers)),
            *("--months", str(months), "--seed", str(seed)),
        ],
        check=True,
    )


def feature_categories(model: Any, *, attributes: str | None = None) -> list[str]:
    """Each model feature's reason category: the card's entry, else the registry's, else
    the attributes family's category for its name (customer attributes). With ``attributes``, the features of the
    attributes family get that category instead."""
    from churnlab.errors import SpecError
    from churnlab.features import get_feature
    from churnlab.features.families.attributes import attribute_category

    by_name = {
        f.name: attributes if attributes and f.family == "attributes" else f.reason_category
        for f in model.card_.features
    }
    names = list(model.booster_.feature_name())
    categories = []
    for name in names:
        if name not in by_name:
            try:
                by_name[name] = get_feature(name).reason_category
            except SpecError:
                by_name[name] = attribute_category(name)
        categories.append(by_name[name])
    return categories


def shap_reasons(model: Any, frame: Any) -> pd.DataFrame | None:
    """``churnlab.explain(model, frame).reasons(k=5)``, or None when this checkout lacks it."""
    import churnlab

    explain = getattr(churnlab, "explain", None)
    if explain is None:
        return None
    reasons: pd.DataFrame = explain(model, frame).reasons(k=5, language="en")
    return reasons


def subset(frame: Any, ids: pd.Index, cutoff: pd.Timestamp) -> Any:
    """The training frame's rows of ``ids`` at ``cutoff``, as a FeatureFrame."""
    rows = frame.frame[(frame.frame["cutoff"] == cutoff) & frame.frame["customer_id"].isin(ids)]
    return dataclasses.replace(frame, frame=rows.reset_index(drop=True), cutoffs=(cutoff,))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=None, help="reuse this demo folder")
    parser.add_argument(
        "--cutoff", default=None, help="a training cutoff to measure at (default: the latest)"
    )
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle (slowest)")
    parser.add_argument(
        "--all-cutoffs",
        action="store_true",
        help="measure the SHAP reasons at every training cutoff (one model), pooled too",
    )
    args = parser.parse_args()

    import churnlab
    from churnlab.demo.truth import fix_drops

    timings: list[tuple[str, float]] = []
    data = args.data or HERE / "out" / f"demo_{args.customers}_{args.months}"
    if args.data is None and args.seed != 7:
        data = data.with_name(f"{data.name}_seed{args.seed}")
    timed("demo data", timings, lambda: ensure_demo(data, args.customers, args.months, args.seed))
    frame = timed(
        "training frame (12 cutoffs)",
        timings,
        lambda: churnlab.build_training_frame(data, progress=False),
    )
    model = timed("train (default model)", timings, lambda: churnlab.train(frame))
    if args.all_cutoffs:
        table, pooled = timed(
            "SHAP reasons, top decile at every cutoff",
            timings,
            lambda: across_cutoffs(frame, model, data),
        )
        print_across(
            table, pooled, facts={"data": str(data), "model": repr(model)}, timings=timings
        )
        return
    cutoffs = list(frame.cutoffs)
    cutoff = pd.Timestamp(args.cutoff) if args.cutoff else cutoffs[-1]
    if cutoff not in cutoffs[1:]:
        raise SystemExit(
            f"--cutoff must be one of {', '.join(str(c.date()) for c in cutoffs[1:])}; "
            f"got {args.cutoff}."
        )
    previous = cutoffs[cutoffs.index(cutoff) - 1]

    def scored(at: pd.Timestamp) -> pd.DataFrame:
        rows = frame.frame[frame.frame["cutoff"] == at]
        return rows.assign(probability=model.predict_proba(rows)).set_index("customer_id")

    now, before = scored(cutoff), scored(previous)
    top_now, top_before = top_share(now["probability"]), top_share(before["probability"])

    month = cutoff + pd.Timedelta(days=1)
    truth = pd.read_parquet(
        data / "truth" / "customer_month.parquet", filters=[("month", "==", month)]
    )
    truth = truth.set_index("customer_id")
    drops, capped = fix_drops(truth), fix_drops(truth, clipped=True)
    fix_cause = truth["fix_cause"].astype(str)
    churners = top_now[now.loc[top_now, "churned"].to_numpy(dtype=bool)]
    measured = churners[fix_cause.reindex(churners).fillna("none").to_numpy() != "none"]
    fix = fix_cause[measured]

    namers = []
    categories = feature_categories(model)
    top_rows = {
        at: subset(frame, ids, at) for at, ids in ((cutoff, top_now), (previous, top_before))
    }

    def reasons_both() -> tuple[pd.DataFrame, pd.DataFrame] | None:
        first = shap_reasons(model, top_rows[cutoff])
        return None if first is None else (first, shap_reasons(model, top_rows[previous]))

    reasons = timed("SHAP reasons, top decile at 2 cutoffs", timings, reasons_both)
    if reasons is None:
        print("SHAP reasons: not available in this checkout")
        namers.append(Namer(name="a. SHAP reasons (explain)", named=None))
    else:
        named_now = reasons_named_cause(reasons[0])
        namers.append(
            Namer(
                name="a. SHAP reasons (explain)",
                named=named_now.reindex(measured).fillna(NONE),
                stable=same_top_share(top_category(reasons[1]), top_category(reasons[0])),
                stable_cause=same_top_share(reasons_named_cause(reasons[1]), named_now),
            )
        )

    def contributions(at: pd.Timestamp) -> np.ndarray:
        matrix = model.features_matrix(top_rows[at])
        return np.asarray(model.booster_.predict(matrix, pred_contrib=True))

    shap_now, shap_before = timed(
        "TreeSHAP, top decile at 2 cutoffs",
        timings,
        lambda: (contributions(cutoff), contributions(previous)),
    )
    variants = {
        "b. TreeSHAP by category": categories,
        "b'. same, attributes apart": feature_categories(model, attributes="attribute"),
    }
    for name, by_feature in variants.items():
        sums_now = category_sums(shap_now, by_feature).set_axis(
            top_rows[cutoff].frame["customer_id"]
        )
        sums_before = category_sums(shap_before, by_feature).set_axis(
            top_rows[previous].frame["customer_id"]
        )
        namers.append(
            Namer(
                name=name,
                named=largest_positive(sums_now, CAUSES).reindex(measured),
                stable=same_top_share(largest_positive(sums_before), largest_positive(sums_now)),
                stable_cause=same_top_share(
                    largest_positive(sums_before, CAUSES), largest_positive(sums_now, CAUSES)
                ),
            )
        )
    namers.append(Namer(name="c. always service", named=pd.Series("service", index=measured)))

    everyone = now.index.intersection(truth.index)
    if not args.no_oracle:
        oracle = timed(
            f"oracle: 4 causes x {FOLDS} folds, {len(everyone):,} customers",
            timings,
            lambda: oracle_named(
                model.features_matrix(
                    now.loc[everyone].drop(columns="probability").reset_index()
                ).set_axis(everyone),
                drops.loc[everyone],
                seed=args.seed,
            ),
        )
        namers.append(Namer(name="d. data-only oracle", named=oracle.reindex(measured)))

    shrunk = int((capped.loc[measured].max(axis=1) < drops.loc[measured].max(axis=1) - 1e-12).sum())
    print_report(
        namers,
        fix=fix,
        drops=drops.loc[measured],
        capped=capped.loc[measured],
        facts={
            "data": str(data),
            "cutoff": f"{cutoff.date()} (truth month {month.date()}), previous {previous.date()}",
            "model": repr(model),
            "top decile": f"{len(top_now):,} of {len(now):,} customers; {len(churners):,} churn "
            f"within 90 days; {len(measured):,} of them have a cause above its mean",
            "capped": f"{shrunk:,} measured customers have a hazard the 0.6 cap shrinks",
        },
        timings=timings,
        seasoned=measured[now.loc[measured, "tenure_days"].to_numpy() >= SEASONED_DAYS],
    )


def print_across(
    table: pd.DataFrame,
    pooled: float,
    *,
    facts: dict[str, str],
    timings: list[tuple[str, float]],
) -> None:
    for key, value in facts.items():
        print(f"{key:>10}: {value}")
    shown = table.copy()
    for column in shown.columns:
        if column != "customers":
            shown[column] = shown[column].map(lambda v: f"{v:.1%}")
    print(
        "\nSHAP reasons (explain) at each cutoff, measured as at one cutoff; stable top: against the cutoff before"
    )
    print(shown.to_string())
    efficiency = table["fix eff."]
    recalls = table.filter(like="R ")
    print(
        f"\nfix efficiency: pooled {pooled:.1%}, mean {efficiency.mean():.1%}, "
        f"from {efficiency.min():.1%} to {efficiency.max():.1%}; cutoffs >= {EFFICIENCY_TARGET:.0%}: "
        f"{int((efficiency >= EFFICIENCY_TARGET).sum())} of {len(table)}; lowest recall "
        f"{recalls.min().min():.1%}; stable top mean {table['stable top'].mean():.1%}"
    )
    print("\nwall time")
    for label, seconds in timings:
        print(f"  {label:44} {seconds:7.1f} s")


def print_report(
    namers: list[Namer],
    *,
    fix: pd.Series,
    drops: pd.DataFrame,
    capped: pd.DataFrame,
    facts: dict[str, str],
    timings: list[tuple[str, float]],
    seasoned: pd.Index | None = None,
) -> None:
    for key, value in facts.items():
        print(f"{key:>10}: {value}")
    counts = fix.value_counts().reindex(list(CAUSES), fill_value=0)
    print(
        "fix_cause of the measured customers: " + ", ".join(f"{c} {n}" for c, n in counts.items())
    )
    recall_causes = [c for c in CAUSES if counts[c] >= MIN_CUSTOMERS]
    header = (
        f"\n{'namer':28} {'fix eff.':>8} {'capped':>7} "
        + " ".join(f"{'R ' + c:>10}" for c in recall_causes)
        + f" {'stable top':>11} {'stable cause':>13}"
    )
    print(header)
    target = (
        f"{'target':28} {f'>= {EFFICIENCY_TARGET:.0%}':>8} {'':>7} "
        + " ".join(f"{f'>= {RECALL_TARGET:.0%}':>10}" for _ in recall_causes)
        + f" {'(report)':>11} {'(report)':>13}"
    )
    print(target)
    for namer in namers:
        if namer.named is None:
            print(f"{namer.name:28} not available in this checkout")
            continue
        named = namer.named.fillna(NONE)
        recall = recall_by_cause(fix, named)
        stable = f"{namer.stable[0]:.1%}" if namer.stable else "-"
        stable_cause = f"{namer.stable_cause[0]:.1%}" if namer.stable_cause else "-"
        print(
            f"{namer.name:28} {fix_efficiency(drops, fix, named):>8.1%} "
            f"{fix_efficiency(capped, fix, named):>7.1%} "
            + " ".join(f"{recall[c]:>10.1%}" for c in recall_causes)
            + f" {stable:>11} {stable_cause:>13}"
        )
    if seasoned is not None:
        print(
            f"\namong the {len(seasoned):,} of them with us for at least {SEASONED_DAYS} days "
            "(the others have no bill and, mostly, no event yet: nothing in their data says "
            "their cause, bar region and plan, which no offer changes):"
        )
        for namer in namers:
            if namer.named is not None:
                named = namer.named.fillna(NONE).loc[seasoned]
                recall = recall_by_cause(fix.loc[seasoned], named)
                print(
                    f"{namer.name:28} {fix_efficiency(drops.loc[seasoned], fix.loc[seasoned], named):>8.1%} "
                    f"{fix_efficiency(capped.loc[seasoned], fix.loc[seasoned], named):>7.1%} "
                    + " ".join(f"{recall.get(c, float('nan')):>10.1%}" for c in recall_causes)
                )
    pairs = [n.stable for n in namers if n.stable]
    print(
        "fix eff.: drops hazard_moderator x max(driver - month mean, 0); capped: the drops of "
        "hazard_observable under its 0.6 cap;\nR <cause>: recall (causes that are the fix_cause "
        f"of >= {MIN_CUSTOMERS}); stable top / cause: the same top reason category / named cause "
        "at both cutoffs"
        + (f", over {pairs[0][1]:,} customers in the top decile at both" if pairs else "")
    )
    for namer in namers:
        if namer.named is not None:
            print(f"\nconfusion, {namer.name} (rows: fix_cause, columns: named cause)")
            print(confusion(fix, namer.named.fillna(NONE)).to_string())
    print("\nwall time")
    for label, seconds in timings:
        print(f"  {label:44} {seconds:7.1f} s")
    print(f"  {'total (these steps)':44} {sum(s for _, s in timings):7.1f} s")


if __name__ == "__main__":
    main()
