"""Backtests: one row per test cutoff, features built once, no label after the test cutoff."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest
from fakes import TenureModel

import churnlab.evaluate.backtesting as backtesting
from churnlab.errors import SpecError
from churnlab.evaluate import Backtest, MetricsByCutoffDisplay, backtest, training_cutoffs
from churnlab.labels import LabelSpec

SPEC = LabelSpec(horizon_days=60, lead_days=7)


@pytest.fixture(scope="module")
def stubbed(demo_tables):
    """A backtest with :class:`TenureModel` for training; every frame trained on and built."""
    trained, built = [], []
    build = backtesting.build_training_frame

    def fit(frame, model_spec):
        trained.append(frame)
        return TenureModel()

    def counting_build(*args, **kwargs):
        built.append(kwargs.get("cutoffs"))
        return build(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backtesting, "_fit", fit)
        patch.setattr(backtesting, "build_training_frame", counting_build)
        result = backtest(demo_tables, SPEC, train_cutoffs=3, progress=False)
    return result, trained, built


@pytest.mark.parametrize(
    ("test_cutoff", "spec", "expected"),
    [
        ("2024-06-30", LabelSpec(), ["2024-01-31", "2024-02-29", "2024-03-31"]),
        ("2024-06-28", LabelSpec(), ["2023-12-31", "2024-01-31", "2024-02-29"]),
        ("2024-06-30", LabelSpec(horizon_days=30), ["2024-03-31", "2024-04-30", "2024-05-31"]),
        (
            "2024-06-30",
            LabelSpec(horizon_days=30, lead_days=1),
            ["2024-02-29", "2024-03-31", "2024-04-30"],
        ),
    ],
)
def test_training_cutoffs_end_their_label_windows_by_the_test_cutoff(test_cutoff, spec, expected):
    chosen = training_cutoffs(test_cutoff, spec, count=3)

    assert [c.date().isoformat() for c in chosen] == expected
    assert chosen[-1] + pd.Timedelta(days=spec.window_days) <= pd.Timestamp(test_cutoff)


def test_backtest_has_no_leakage_and_one_row_per_test_cutoff(stubbed):
    result, trained, built = stubbed

    tests = list(result.frame["cutoff"])
    assert len(tests) == 4 and len(set(tests)) == 4
    assert len(built) == 1  # one feature build for every fold
    assert len(trained) == 4
    horizon = pd.Timedelta(days=SPEC.lead_days + SPEC.horizon_days)
    for test, frame in zip(tests, trained, strict=True):
        seen = set(pd.to_datetime(frame.frame["cutoff"].unique()))
        assert seen == set(frame.cutoffs) == set(result.training[test])
        assert len(seen) == 3
        assert all(c + horizon <= test for c in seen)
    assert (result.frame["rows"] > 0).all()
    assert result.frame["roc_auc"].between(0, 1).all()


def test_backtest_result_renders_and_round_trips(stubbed, tmp_path):
    result = stubbed[0]
    first, last = (c.date() for c in result.frame["cutoff"].iloc[[0, -1]])

    assert repr(result).startswith(f"<Backtest 4 cutoffs {first}..{last}: ROC-AUC ")
    assert "<table" in result._repr_html_()
    again = Backtest.read_json(result.save_json(tmp_path / "b.json"))
    pd.testing.assert_frame_equal(again.frame, result.frame)
    assert again.training == result.training
    assert MetricsByCutoffDisplay.from_backtest(result).plot().figure_ is not None


def test_a_test_cutoff_without_training_history_says_why(demo_tables):
    early = demo_tables.first_date + pd.Timedelta(days=40)

    with pytest.raises(SpecError, match=rf"The test cutoff {early.date()} has no training cutoff"):
        backtest(demo_tables, SPEC, cutoffs=[early], progress=False)


def test_snapshot_label_is_refused(demo_tables):
    with pytest.raises(SpecError, match=r"needs a dated churn definition"):
        backtest(demo_tables, LabelSpec(definition="snapshot"), progress=False)


@pytest.mark.parametrize("count", [0, -1, 2.5, True])
def test_bad_train_cutoffs(count, demo_tables):
    with pytest.raises(
        SpecError, match=r"The 'train_cutoffs' parameter of backtest must be an int"
    ):
        backtest(demo_tables, SPEC, train_cutoffs=count, progress=False)


@pytest.mark.skipif(
    importlib.util.find_spec("churnlab.model") is None, reason="churnlab.model not built yet"
)
def test_backtest_with_the_real_model(demo_tables):
    from churnlab.model import ModelSpec

    result = backtest(
        demo_tables,
        SPEC,
        cutoffs=["2023-12-31"],
        train_cutoffs=4,  # the model's own hold-out needs a cutoff a label window before it
        model_spec=ModelSpec(max_rounds=20),
        progress=False,
    )

    assert len(result.frame) == 1
    assert result.frame["roc_auc"].between(0, 1).all()
    assert result.model_spec is not None and result.model_spec["max_rounds"] == 20
