"""The truth table's per-cause columns and ``fix_cause``: definitions, a hand-worked example."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churnlab.demo import DemoSpec, generate_demo
from churnlab.demo.hazard import LEVEL, hazard_parts
from churnlab.demo.population import NATURAL_HAZARD, Population
from churnlab.demo.simulate import State
from churnlab.demo.truth import (
    DRIVERS_KEY,
    FIXABLE,
    add_fix_causes,
    fix_cause_codes,
    fix_drops,
    truth_columns,
)

CAUSE_COLUMNS = [f"hazard_{cause}" for cause in FIXABLE]


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("demo_truth")
    generate_demo(out, DemoSpec(customers=4_000, months=12, seed=5))
    return pd.read_parquet(out / "truth" / "customer_month.parquet")


# --- on a generated demo ---------------------------------------------------------------------


def test_observable_hazard_is_the_clipped_sum_of_the_components(truth: pd.DataFrame) -> None:
    total = truth["hazard_service"].to_numpy().copy()
    for column in ["hazard_price", "hazard_product", "hazard_payment", "hazard_natural"]:
        total += truth[column].to_numpy()
    np.testing.assert_allclose(
        np.clip(total, 1e-4, 0.6), truth["hazard_observable"], rtol=1e-12, atol=0
    )
    assert (truth["hazard_natural"] == NATURAL_HAZARD).all()


def test_components_are_non_negative_and_the_moderator_positive(truth: pd.DataFrame) -> None:
    assert (truth[CAUSE_COLUMNS] >= 0).all().all()
    assert (truth["hazard_moderator"] > 0).all()
    # the largest moderator: LEVEL x renewal 2.5 x a new customer's tenure factor 3, no points
    assert truth["hazard_moderator"].max() <= LEVEL * 2.5 * 3.0


def test_fix_cause_is_the_cause_with_the_largest_drop(truth: pd.DataFrame) -> None:
    drops = fix_drops(truth).to_numpy()
    codes = pd.Categorical(truth["fix_cause"], categories=[*FIXABLE, "none"]).codes
    named = np.flatnonzero(codes < len(FIXABLE))
    best = drops.max(axis=1)
    # the file's month means and the generator's differ only in summation order
    np.testing.assert_allclose(drops[named, codes[named]], best[named], rtol=1e-9, atol=1e-15)
    assert (best[codes == len(FIXABLE)] <= 1e-15).all()
    assert (best[named] > 0).all()
    assert set(truth["fix_cause"]) == {*FIXABLE, "none"}


def test_fix_drops_are_moderator_times_excess_driver(truth: pd.DataFrame) -> None:
    month = truth[truth["month"] == truth["month"].max()]
    drivers = month[CAUSE_COLUMNS].to_numpy() / month[["hazard_moderator"]].to_numpy()
    expected = month[["hazard_moderator"]].to_numpy() * np.maximum(drivers - drivers.mean(0), 0)
    np.testing.assert_allclose(fix_drops(month).to_numpy(), expected, rtol=1e-12, atol=1e-18)


# --- hand-worked -------------------------------------------------------------------------------


def _population(**values: list[float]) -> Population:
    n = len(next(iter(values.values())))
    fields = {name: np.zeros(n) for name in Population.__dataclass_fields__}
    fields.update({name: np.asarray(v) for name, v in values.items()})
    return Population(**fields)


def _state(**values: list[float]) -> State:
    n = len(next(iter(values.values())))
    fields = {name: np.zeros(n) for name in State.__dataclass_fields__}
    fields.update({name: np.asarray(v, dtype=float) for name, v in values.items()})
    return State(**fields)


def test_a_hand_worked_month_of_two_customers() -> None:
    """A: month-to-month, 6 months in, no points, a usage of twice the allowance, spend at 1.5
    times the fee, 40 points lost to a late payment. B: two-year contract between renewals,
    30 months in, 300 points, a poor network and nothing else."""
    pop = _population(
        contract=[0, 2],
        network=[1.0, 2.0],
        frailty=[5.0, 5.0],  # unobserved: replaced by 1
        service_sensitivity=[3.0, 3.0],
        price_sensitivity=[3.0, 3.0],
        payment_sensitivity=[3.0, 3.0],
        natural=[0.1, 0.1],
    )
    state = _state(points=[0.0, 300.0], ema_ratio=[1.5, 1.0], lost_points=[40.0, 0.0])
    parts = hazard_parts(
        pop,
        state,
        np.arange(2),
        months_since_signup=np.array([6, 30]),
        tenure_months=np.array([6.0, 30.0]),
        open_complaints=np.zeros(2),
        slow_resolved=np.zeros(2),
        over=np.array([math.log(2.0), 0.0]),
        under=np.zeros(2),
        observable=True,
    )
    columns = truth_columns(parts)
    moderator_a = LEVEL * 1.0 * (1 + 2 * math.exp(-1.0)) * 1.0
    moderator_b = LEVEL * 0.1 * (1 + 2 * math.exp(-5.0)) * 4.0**-0.4
    np.testing.assert_allclose(columns["hazard_moderator"], [moderator_a, moderator_b])
    drivers = np.array(
        [
            [
                0.014,
                0.085 * 0.2,
                0.05 * math.log(2.0),
                0.05 * 0.5,
            ],  # service, price, product, payment
            [0.028, 0.0, 0.0, 0.0],
        ]
    )
    for code, column in enumerate(CAUSE_COLUMNS):
        np.testing.assert_allclose(
            columns[column], columns["hazard_moderator"] * drivers[:, code], rtol=1e-15
        )
        np.testing.assert_array_equal(
            columns[column], columns["hazard_moderator"] * columns[DRIVERS_KEY][:, code]
        )
    np.testing.assert_allclose(columns[DRIVERS_KEY], drivers, rtol=1e-15)
    assert columns["hazard_natural"].tolist() == [NATURAL_HAZARD] * 2

    # means: service 0.021, price 0.0085, product 0.0173, payment 0.0125
    # A: service below its mean; product's excess 0.0173 is the largest -> product
    # B: only service above its mean (by 0.007) -> service
    add_fix_causes([columns])
    assert columns["fix_cause"].tolist() == [2, 0]
    assert DRIVERS_KEY not in columns

    frame = pd.DataFrame({"month": ["2024-01-01"] * 2, **columns})
    expected = [
        [0.0, moderator_a * 0.0085, moderator_a * 0.05 * math.log(2.0) / 2, moderator_a * 0.0125],
        [moderator_b * 0.007, 0.0, 0.0, 0.0],
    ]
    np.testing.assert_allclose(fix_drops(frame).to_numpy(), expected, rtol=1e-12, atol=1e-18)


def test_month_means_span_every_block_and_only_their_month() -> None:
    def chunk(*rows: list[float]) -> dict[str, np.ndarray]:
        return {"hazard_moderator": np.ones(len(rows)), DRIVERS_KEY: np.array(rows)}

    first = chunk([0.75, 0.0, 0.0, 0.0])  # alone, it would sit at its own means: none
    second = chunk([0.0, 0.75, 0.0, 0.0], [0.375, 0.375, 0.0, 0.0])
    add_fix_causes([first, second])  # means 0.375, 0.375, 0, 0 over both blocks
    assert first["fix_cause"].tolist() == [0]
    assert second["fix_cause"].tolist() == [1, 4]  # the last sits at both means: none

    frame = pd.DataFrame(
        {
            "month": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"],
            "hazard_moderator": [2.0, 2.0, 1.0, 1.0],
            "hazard_service": [0.2, 0.0, 0.9, 0.9],
            "hazard_price": [0.0, 0.1, 0.0, 0.0],
            "hazard_product": [0.0] * 4,
            "hazard_payment": [0.0] * 4,
        }
    )
    # January: service drivers 0.1, 0 (mean 0.05), price 0, 0.05 (mean 0.025); February equal
    expected = [[0.1, 0, 0, 0], [0, 0.05, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    np.testing.assert_allclose(fix_drops(frame).to_numpy(), expected, atol=1e-15)


def test_clipped_drops_are_what_the_capped_hazard_loses() -> None:
    frame = pd.DataFrame(
        {
            "month": ["2024-01-01"] * 3,
            "hazard_moderator": [1.0] * 3,
            "hazard_service": [0.70, 0.0, 0.0],  # mean 0.2333
            "hazard_price": [0.25, 0.0, 0.05],  # mean 0.1
            "hazard_product": [0.0] * 3,
            "hazard_payment": [0.0] * 3,
            "hazard_natural": [0.0012] * 3,
        }
    )
    plain = fix_drops(frame)
    clipped = fix_drops(frame, clipped=True)
    # row 0: sum 0.9512, capped at 0.6; fixing service (drop 0.4667) leaves 0.4845;
    # fixing price (drop 0.15) leaves 0.8012, still above the cap: no drop at all.
    np.testing.assert_allclose(plain.iloc[0], [0.7 - 0.7 / 3, 0.15, 0, 0])
    np.testing.assert_allclose(clipped.iloc[0], [0.6 - (0.9512 - (0.7 - 0.7 / 3)), 0, 0, 0])
    pd.testing.assert_frame_equal(plain.iloc[1:], clipped.iloc[1:], atol=1e-15)


@pytest.mark.parametrize(
    ("drops", "expected"),
    [
        ([[0.0, 0.0, 0.0, 0.0]], [4]),
        ([[0.1, 0.1, 0.0, 0.0]], [0]),  # ties go to the first cause
        ([[0.0, 0.0, 0.0, 1e-9]], [3]),
        ([[0.2, 0.0, 0.3, 0.1]], [2]),
    ],
)
def test_fix_cause_codes(drops: list[list[float]], expected: list[int]) -> None:
    assert fix_cause_codes(np.array(drops)).tolist() == expected


def test_truth_folder_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The demo operator", 1)[1].split("\n## ", 1)[0]
    for column in [*CAUSE_COLUMNS, "hazard_natural", "hazard_moderator", "fix_cause"]:
        assert column in section, column
