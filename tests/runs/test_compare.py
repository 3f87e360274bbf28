"""compare_runs on two month ends of the tiny demo: shifts, list churn, realised outcomes."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from churnlab import metrics
from churnlab.errors import SpecError
from churnlab.features import build_training_frame
from churnlab.runs import (
    DriftThresholds,
    FeatureShiftDisplay,
    ReasonMixDisplay,
    RunComparison,
    ScoreShiftDisplay,
    compare_runs,
    psi,
    read_snapshot,
)


@pytest.fixture(scope="module")
def jan_feb(snapshots) -> RunComparison:
    return compare_runs(snapshots["jan"], snapshots["feb"])


def test_the_score_psi_is_that_of_the_two_runs_probabilities(jan_feb, snapshots):
    a, b = (read_snapshot(snapshots[m]).frame["churn_probability"] for m in ("jan", "feb"))
    assert jan_feb.score_psi == pytest.approx(psi(a, b))
    assert jan_feb.score_level == DriftThresholds().level(jan_feb.score_psi)


def test_features_are_ranked_by_mean_absolute_shap(jan_feb, monitor_model):
    f = jan_feb.features
    assert set(f["feature"]) == set(monitor_model.card_.feature_names)
    assert f["mean_abs_shap"].is_monotonic_decreasing and f["mean_abs_shap"].iloc[0] > 0
    assert f["psi"].notna().all() and (f["psi"] >= 0).all()
    categorical = f["unseen_b"].notna()
    assert categorical.any() and (~categorical).any()


def test_list_churn_matches_the_two_target_groups(jan_feb, snapshots):
    a, b = (read_snapshot(snapshots[m]).targets() for m in ("jan", "feb"))
    lists = jan_feb.lists
    assert set(lists.entered) == b - a and set(lists.left) == a - b
    assert lists.jaccard == pytest.approx(len(a & b) / len(a | b))


def test_the_reason_mix_sums_to_one_on_each_side(jan_feb):
    r = jan_feb.reasons
    assert r["share_a"].sum() == pytest.approx(1.0) and r["share_b"].sum() == pytest.approx(1.0)
    assert np.allclose(r["change"], r["share_b"] - r["share_a"])


def test_realised_outcomes_of_a_closed_window_use_the_labels_and_metrics(
    jan_feb, snapshots, monitor_tables, monitor_model
):
    first = read_snapshot(snapshots["jan"]).frame
    labels = build_training_frame(
        monitor_tables, monitor_model.card_.label_spec, cutoffs=["2024-01-31"], progress=False
    ).frame
    joined = first.merge(
        labels[["customer_id", "churned"]].astype({"customer_id": "string"}), on="customer_id"
    )
    y, p = joined["churned"].to_numpy(), joined["churn_probability"].to_numpy()
    r = jan_feb.realised
    assert r is not None and r.customers == len(joined) > 1000
    assert r.churn_rate == pytest.approx(y.mean())
    assert r.predicted_rate == pytest.approx(p.mean())
    assert r.roc_auc == pytest.approx(metrics.roc_auc(y, p)) and r.roc_auc > 0.6
    assert r.ece == pytest.approx(metrics.expected_calibration_error(y, p))
    assert r.holdout_auc == monitor_model.card_.auc("model")


def test_an_open_window_gives_no_realised_outcomes_and_says_when_it_closes(snapshots):
    found = compare_runs(snapshots["may"], snapshots["may"])
    assert found.realised is None
    assert any("outcomes are known from 2024-08-29" in n for n in found.notes)
    assert found.score_psi == 0.0 and found.lists.jaccard == 1.0
    assert not found.lists.entered and not found.lists.left
    assert "the earlier run's window has not closed yet" in found.summary().to_string()


def test_thresholds_crossed_are_plain_sentences(snapshots):
    tight = DriftThresholds(psi_moderate=1e-6, psi_significant=1e-5, min_overlap=0.99)
    found = compare_runs(snapshots["jan"], snapshots["feb"], thresholds=tight)
    said = found.warnings()
    assert any(s.startswith("The churn scores shifted (significant): PSI ") for s in said)
    assert any(s.startswith("The feature ") and "shifted significantly" in s for s in said)
    assert any(s.startswith("The target lists overlap little: Jaccard ") for s in said)
    assert all(s.endswith(".") and "\n" not in s for s in said)


def test_missing_values_and_unseen_categories_are_warned_about(
    snapshots, jan_feb, monitor_demo, tmp_path
):
    later = shutil.copytree(snapshots["feb"], tmp_path / "feb")
    frame = pd.read_parquet(later / "scores.parquet")
    numeric = jan_feb.features.loc[jan_feb.features["unseen_b"].isna(), "feature"].iloc[0]
    frame.loc[: len(frame) // 2, numeric] = np.nan
    frame.to_parquet(later / "scores.parquet", index=False)
    # the data now hold a category the model never saw for 100 of the scored customers
    data = shutil.copytree(monitor_demo, tmp_path / "data")
    customers = pd.read_parquet(data / "customers.parquet")
    category = "contract"
    changed = customers["customer_id"].isin(frame["customer_id"].iloc[:100].astype(str))
    customers[category] = customers[category].astype(object)
    customers.loc[changed, category] = "never seen before"
    customers.to_parquet(data / "customers.parquet", index=False)
    meta = json.loads((later / "snapshot.json").read_text())
    meta["data_dir"] = str(data)
    (later / "snapshot.json").write_text(json.dumps(meta))
    found = compare_runs(snapshots["jan"], later)
    said = " ".join(found.warnings())
    assert f"{numeric} is missing for" in said
    assert f"of customers have a {category} the model never saw" in said
    row = found.features.set_index("feature").loc[category]
    assert row["unseen_b"] == pytest.approx(100 / len(frame))
    assert jan_feb.features.set_index("feature").loc[category, "unseen_b"] == 0.0


def test_a_run_folder_is_named_by_its_manifest(snapshots, tmp_path):
    run = tmp_path / "2024-02-01T020000-abc123"
    shutil.copytree(snapshots["jan"], run / "outputs")
    (run / "manifest.json").write_text(
        json.dumps({"run_id": "03_target_list/2024-02-01T020000-abc123"})
    )
    found = compare_runs(run, snapshots["feb"])
    assert found.run_a == "03_target_list/2024-02-01T020000-abc123"


def test_views_are_one_line_escaped_and_json_ready(snapshots, tmp_path):
    odd = shutil.copytree(snapshots["feb"], tmp_path / "run<b>2")
    found = compare_runs(snapshots["jan"], odd)
    text = repr(found)
    assert "\n" not in text and text.startswith(
        "<RunComparison 2024-01-31 -> 2024-02-29: score PSI"
    )
    html = found._repr_html_()
    assert "run&lt;b&gt;2" in html and "run<b>2" not in html
    assert "Target-list run of 2024-02-29 against 2024-01-31" in html
    data = json.loads(json.dumps(found.to_dict()))
    assert data["lists"]["jaccard"] == pytest.approx(found.lists.jaccard)
    assert data["thresholds"] == DriftThresholds().to_dict()


def test_a_missing_model_still_compares_the_distributions(snapshots, tmp_path):
    later = shutil.copytree(snapshots["feb"], tmp_path / "feb")
    meta = json.loads((later / "snapshot.json").read_text())
    meta["model_dir"] = str(tmp_path / "gone")
    (later / "snapshot.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match=r"Cannot load the later run's model"):
        found = compare_runs(snapshots["jan"], later)
    assert found.features["mean_abs_shap"].isna().all() and len(found.features) > 10
    assert not math.isnan(found.score_psi)


@pytest.mark.parametrize(
    ("make", "cls"),
    [
        (lambda c: c.score_display(), ScoreShiftDisplay),
        (lambda c: c.feature_display(n=8), FeatureShiftDisplay),
        (lambda c: c.reason_display(), ReasonMixDisplay),
    ],
    ids=["scores", "features", "reasons"],
)
def test_displays_draw_and_keep_their_figure(jan_feb, make, cls):
    display = make(jan_feb)
    assert isinstance(display, cls) and display.figure_ is None
    assert display.plot().figure_ is not None and display.ax_ is not None


def test_shap_ranks_the_features_on_a_sample_of_the_later_run(snapshots):
    found = compare_runs(snapshots["jan"], snapshots["feb"], shap_sample=200)
    later = len(read_snapshot(snapshots["feb"]).frame)
    said = f"Mean |SHAP| over 200 of the later run's {later:,} customers"
    assert any(said in n for n in found.notes)
    assert found.features["mean_abs_shap"].notna().all()


def test_runs_passed_in_the_wrong_order_are_warned_about(snapshots):
    with pytest.warns(UserWarning, match=r"after the later one .*pass the older run first"):
        compare_runs(snapshots["feb"], snapshots["jan"])


def test_a_bad_shap_sample_is_refused(snapshots):
    with pytest.raises(
        SpecError, match=r"'shap_sample' parameter of compare_runs must be an int >= 1"
    ):
        compare_runs(snapshots["jan"], snapshots["feb"], shap_sample=0)
