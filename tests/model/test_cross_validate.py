"""cross_validate: out-of-fold metrics with nested early stopping, grouped by customer when a
frame has several cutoffs; snapshot models evaluated and scored honestly."""

from __future__ import annotations

import dataclasses
import importlib
import json

import numpy as np
import pandas as pd
import pytest
from model_helpers import CREATED, SMALL, synthetic_frame

import churnlab
from churnlab.errors import SpecError
from churnlab.evaluate import evaluate_model
from churnlab.metrics import roc_auc
from churnlab.model import InSampleScoresWarning, cross_validate, score, train

train_module = importlib.import_module("churnlab.model.train")  # the package shadows it


@pytest.fixture(scope="module")
def snapshot():
    frame, true_p = synthetic_frame(rows_per_cutoff=1500, cutoffs=1, base_rate=0.2, seed=1)
    return frame, true_p


@pytest.fixture(scope="module")
def snapshot_result(snapshot):
    return cross_validate(snapshot[0], folds=5, spec=SMALL)


def test_every_row_is_predicted_once_out_of_fold(snapshot, snapshot_result):
    frame, true_p = snapshot
    cv = snapshot_result

    assert cv.grouping == "stratified"
    assert len(cv.predictions) == len(frame.frame)
    assert sorted(cv.predictions["fold"].unique()) == [1, 2, 3, 4, 5]
    assert cv.folds["rows"].sum() == len(frame.frame)
    assert cv.folds["churners"].sum() == int(frame.frame["churned"].sum())
    # Honest: below the true probabilities' AUC, and not far below it.
    best = roc_auc(frame.frame["churned"], true_p)
    assert best - 0.06 < cv.metrics["roc_auc"] < best + 0.02


def test_the_result_renders_in_one_line_html_and_json(snapshot_result):
    cv = snapshot_result

    assert repr(cv).startswith("<CrossValidation: 5 folds stratified, out-of-fold ROC-AUC 0.")
    assert "\n" not in repr(cv)
    assert "pooled" in cv._repr_html_()
    data = json.loads(json.dumps(cv.to_dict()))
    assert len(data["folds"]) == 5
    assert data["min_child_samples"] == cv.min_child_samples == 74  # 27% churn: 20 / 0.27


def test_no_fold_stops_its_boosting_on_the_rows_it_scores(snapshot, monkeypatch):
    stopped_on: list[set[int]] = []
    fit = train_module._fit

    def spy(params, train_set, valid, spec):
        stopped_on.append(set(valid[0].index))
        return fit(params, train_set, valid, spec)

    monkeypatch.setattr(train_module, "_fit", spy)
    cv = cross_validate(snapshot[0], folds=4, spec=SMALL)

    fold = cv.predictions["fold"].to_numpy()
    assert len(stopped_on) == 4
    for k, rows in enumerate(stopped_on, start=1):
        scored = set(np.flatnonzero(fold == k))
        assert rows and not rows & scored
        assert rows == set(np.flatnonzero(fold == k % 4 + 1))  # the next fold stops it


def test_several_cutoffs_keep_each_customer_in_one_fold():
    frame, _ = synthetic_frame(rows_per_cutoff=400, cutoffs=3, base_rate=0.2, seed=2)

    cv = churnlab.cross_validate(frame, folds=3, spec=SMALL)

    assert cv.grouping == "grouped by customer"
    assert cv.predictions.groupby("customer_id")["fold"].nunique().max() == 1
    assert len(cv.folds) == 3


@pytest.mark.parametrize("folds", [2, 0, True, 2.5])
def test_too_few_folds_are_refused(snapshot, folds):
    with pytest.raises(SpecError, match="'folds' parameter of cross_validate must be an int >= 3"):
        cross_validate(snapshot[0], folds=folds)


@pytest.fixture(scope="module")
def snapshot_model(snapshot):
    return train(snapshot[0], SMALL, created_at=CREATED)


def test_a_snapshot_model_is_evaluated_out_of_fold(snapshot_model):
    evaluation = evaluate_model(snapshot_model)

    assert snapshot_model.card_.validation == "stratified 5-fold, out-of-fold"
    assert evaluation.label == "out-of-fold (stratified 5-fold, nested early stopping)"
    assert repr(evaluation).startswith("<Evaluation out-of-fold (stratified 5-fold")
    deciles = evaluation.to_text().split("Churn by risk decile", 1)[1]
    assert "." not in "".join(line.split()[2] for line in deciles.splitlines()[2:])


def test_scoring_the_training_snapshot_warns_that_scores_are_in_sample(snapshot, snapshot_model):
    frame = snapshot[0]
    scoring = dataclasses.replace(
        frame, frame=frame.frame.drop(columns="churned").iloc[:300], labelled=False
    )

    with pytest.warns(InSampleScoresWarning, match=r"300 of the 300 customers scored at 2023-01"):
        score(snapshot_model, None, features=scoring)  # type: ignore[arg-type]


def test_scoring_another_date_does_not_warn(snapshot, snapshot_model, recwarn):
    frame = snapshot[0]
    later = pd.Timestamp("2023-12-31")
    scoring = dataclasses.replace(
        frame,
        frame=frame.frame.drop(columns="churned").assign(cutoff=later).iloc[:50],
        cutoffs=(later,),
        labelled=False,
    )

    score(snapshot_model, None, features=scoring)  # type: ignore[arg-type]

    assert not [w for w in recwarn if issubclass(w.category, InSampleScoresWarning)]
