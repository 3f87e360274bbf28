"""train: out-of-time validation, calibration, determinism, sampling, baseline, card."""

from __future__ import annotations

import dataclasses
import importlib
import re

import numpy as np
import pandas as pd
import pytest
from model_helpers import CREATED, SMALL, synthetic_frame
from sklearn.metrics import roc_auc_score

import churnlab
from churnlab.errors import DataError, SpecError
from churnlab.features import build_training_frame
from churnlab.model import GapWarning, ModelSpec, expected_calibration_error, train


def test_the_hold_out_is_exactly_the_latest_cutoff(model, frame):
    latest = frame.cutoffs[-1]
    expected = frame.frame.loc[frame.frame["cutoff"] == latest, "customer_id"]

    holdout = model.holdout_

    assert holdout["cutoff"].unique().tolist() == [latest]
    assert sorted(holdout["customer_id"]) == sorted(expected)
    assert model.card_.holdout_cutoffs == (str(latest.date()),)
    assert model.card_.validation == "out-of-time"


def test_cutoffs_whose_labels_overlap_the_hold_out_are_left_out_of_the_first_fit(model, frame):
    # 90-day labels: the two month ends before the hold-out cutoff see into its window.
    assert model.card_.gap_cutoffs == tuple(str(c.date()) for c in frame.cutoffs[-3:-1])
    assert model.card_.training_cutoffs == tuple(str(c.date()) for c in frame.cutoffs)


def test_more_hold_out_cutoffs(frame):
    model = train(frame, dataclasses.replace(SMALL, holdout_cutoffs=2), created_at=CREATED)

    assert model.holdout_["cutoff"].nunique() == 2
    assert model.card_.holdout_cutoffs == tuple(str(c.date()) for c in frame.cutoffs[-2:])


def test_training_is_deterministic_for_a_seed(model, frame):
    again = train(frame, SMALL, created_at=CREATED)

    assert again.booster_.model_to_string() == model.booster_.model_to_string()
    pd.testing.assert_frame_equal(again.holdout_, model.holdout_)
    assert again.card_ == model.card_


def test_probabilities_are_calibrated_probabilities(model, frame):
    p = model.predict_proba(frame.frame)
    holdout = model.holdout_

    assert p.shape == (len(frame.frame),)
    assert np.all((p >= 0) & (p <= 1))
    assert holdout["probability"].between(0, 1).all()
    assert abs(holdout["probability"].mean() - holdout["churned"].mean()) < 0.02


def test_the_card_describes_the_model(model, frame):
    card = model.card_

    assert card.feature_names == tuple(frame.feature_names)
    assert card.categories["plan"] == frame.vocabulary["customers.plan"]
    assert card.label_spec == frame.spec
    assert card.model_spec == SMALL
    assert card.rows == len(frame.frame)
    assert card.churned == int(frame.frame["churned"].sum())
    assert card.fingerprint["rows"] == len(frame.frame)
    assert len(card.fingerprint["sha256"]) == 64
    assert set(card.metrics) == {"model", "raw", "baseline"}
    assert set(card.metrics["model"]) == {"roc_auc", "pr_auc", "brier", "log_loss", "ece"}
    assert card.calibration in {"none", "platt", "isotonic"}
    assert card.trees == model.booster_.num_trees()
    assert {"lightgbm", "scikit-learn", "pandas", "numpy", "churnlab"} <= set(card.versions)
    assert card.created_at == CREATED
    assert card.sampling["negative_fraction"] == 1.0
    assert card.lightgbm_params["objective"] == "binary"
    assert "is_unbalance" not in card.lightgbm_params
    assert "scale_pos_weight" not in card.lightgbm_params


def test_the_repr_shows_size_and_hold_out_scores(model):
    assert re.fullmatch(
        r"<ChurnModel: \d+ trees x 15 leaves, \d+ features, hold-out AUC 0\.\d{3} "
        r"\(baseline 0\.\d{3}\), calibrated (none|platt|isotonic)>",
        repr(model),
    )
    assert "Hold-out metrics" in model._repr_html_()


def test_the_baseline_is_trained_on_the_same_split(model):
    holdout = model.holdout_
    assert holdout["baseline_probability"].between(0, 1).all()
    assert model.card_.baseline["kind"] == "logistic_regression"
    assert model.card_.auc("baseline") == pytest.approx(
        roc_auc_score(holdout["churned"], holdout["baseline_probability"])
    )


@pytest.mark.parametrize("base_rate", [0.02, 0.25])
def test_a_well_specified_problem_is_learned_and_calibrated(base_rate):
    frame, true_p = synthetic_frame(base_rate=base_rate)

    model = train(frame, ModelSpec(max_rounds=150), created_at=CREATED)

    holdout = model.holdout_
    rows = (frame.frame["cutoff"] == frame.cutoffs[-1]).to_numpy()
    y = holdout["churned"].to_numpy()
    truth_auc = roc_auc_score(y, true_p[rows])
    assert model.card_.gap_cutoffs == ()
    assert roc_auc_score(y, holdout["probability"]) >= 0.97 * truth_auc
    # The true probabilities themselves score an ECE of about 0.015 on 6,000 rows (binning
    # noise): the model must be calibrated within 0.01 of that.
    truth_ece = expected_calibration_error(y, true_p[rows])
    assert expected_calibration_error(y, holdout["probability"]) < truth_ece + 0.01
    assert abs(holdout["probability"].mean() - holdout["churned"].mean()) < 0.01


def test_sampling_keeps_every_churner_and_weights_the_others(frame):
    spec = dataclasses.replace(SMALL, negative_sample=0.5)

    model = train(frame, spec, created_at=CREATED)

    sampling = model.card_.sampling
    churners = int(frame.frame["churned"].sum())
    assert sampling["negative_fraction"] == 0.5
    assert sampling["negative_weight"] == 2.0
    assert churners < sampling["rows_kept"] < len(frame.frame)
    holdout = model.holdout_
    assert len(holdout) == (frame.frame["cutoff"] == frame.cutoffs[-1]).sum(), "never sampled"
    assert abs(holdout["raw_probability"].mean() - holdout["churned"].mean()) < 0.02


def test_a_small_search_lists_every_try(frame):
    spec = dataclasses.replace(SMALL, search=True, search_budget_s=0.001)

    model = train(frame, spec, created_at=CREATED)

    tries = model.card_.search
    assert tries[0]["settings"] == "defaults"
    assert len(tries) == 1, "the budget was spent on the defaults"
    assert tries[0]["chosen"]


def test_too_few_cutoffs_before_the_hold_out_warn(frame):
    two = dataclasses.replace(
        frame,
        frame=frame.frame[frame.frame["cutoff"].isin(frame.cutoffs[-2:])].reset_index(drop=True),
        cutoffs=frame.cutoffs[-2:],
    )

    with pytest.warns(GapWarning, match="hold-out metrics may be optimistic"):
        model = train(two, SMALL, created_at=CREATED)

    assert model.card_.gap_cutoffs == ()
    assert model.card_.validation == "out-of-time, 20% of customers held out"


def test_without_a_gap_held_out_customers_stay_out_of_the_first_fit(frame, monkeypatch):
    # Same customers at neighbouring cutoffs share one outcome: fitting on them would let early
    # stopping and calibration reward memorising customers.
    two = dataclasses.replace(
        frame,
        frame=frame.frame[frame.frame["cutoff"].isin(frame.cutoffs[-2:])].reset_index(drop=True),
        cutoffs=frame.cutoffs[-2:],
    )
    train_module = importlib.import_module("churnlab.model.train")
    fitted: list[np.ndarray] = []
    real_dataset = train_module._dataset

    def spy(d, rows):
        fitted.append(rows.copy())
        return real_dataset(d, rows)

    monkeypatch.setattr(train_module, "_dataset", spy)
    with pytest.warns(GapWarning, match="20% of the customers are held out"):
        model = train(two, SMALL, created_at=CREATED)

    rows = two.frame
    held = set(model.holdout_["customer_id"])
    first_fit = rows[fitted[0]]
    latest = rows.loc[rows["cutoff"] == frame.cutoffs[-1], "customer_id"]
    assert held and not held & set(first_fit["customer_id"])
    assert 0.1 < len(held) / latest.nunique() < 0.3
    assert set(first_fit["cutoff"]) == {frame.cutoffs[-2]}
    assert set(model.holdout_["cutoff"]) == {frame.cutoffs[-1]}
    assert fitted[-1].all(), "the refit uses every row"


def test_hold_out_cutoffs_must_leave_cutoffs_to_train_on(frame):
    with pytest.raises(
        SpecError, match=r"must be smaller than the number of cutoffs in the frame \(12\)"
    ):
        train(frame, dataclasses.replace(SMALL, holdout_cutoffs=12))


def test_an_unlabelled_frame_is_refused(demo_dir):
    from churnlab.features import build_scoring_frame

    scoring = build_scoring_frame(demo_dir, as_of="2024-03-31")

    with pytest.raises(SpecError, match="train needs a labelled training frame"):
        train(scoring)


def test_a_frame_without_churners_is_a_data_problem(frame):
    none = dataclasses.replace(frame, frame=frame.frame.assign(churned=False))

    with pytest.raises(DataError, match="0 churners among"):
        train(none)


@pytest.fixture(scope="module")
def snapshot_frame(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 1200
    plan = rng.choice(["basic", "gold", "silver"], n)
    balance = rng.gamma(2, 500, n).round(2)
    p = 1 / (1 + np.exp(-(-1.5 + 1.5 * (plan == "basic") - balance / 1000)))
    folder = tmp_path_factory.mktemp("snapshot")
    pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "Exited": (rng.uniform(size=n) < p).astype(int),
            "plan": plan,
            "balance": balance,
        }
    ).to_csv(folder / "customers.csv", index=False)
    (folder / "churnlab.toml").write_text(
        '[snapshot]\nlabel_column = "Exited"\nas_of = "2024-06-30"\n'
    )
    return build_training_frame(churnlab.load_tables(folder), progress=False)


def test_a_snapshot_extract_uses_stratified_folds(snapshot_frame):
    model = train(snapshot_frame, SMALL, created_at=CREATED)

    holdout = model.holdout_
    assert model.card_.validation == "stratified 5-fold, out-of-fold"
    assert model.card_.holdout_cutoffs == ("2024-06-30",)
    assert holdout["customer_id"].is_unique
    assert len(holdout) == len(snapshot_frame.frame)
    assert holdout["probability"].between(0, 1).all()
    assert repr(model).startswith("<ChurnModel: ")
    assert "cross-validated AUC" in repr(model)
    assert model.card_.auc() > 0.6
