"""score: every active customer once, a calibrated probability and a risk band."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import churnlab
from churnlab.model import Scores, UnseenCategoryWarning, score

AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def scores(model, demo_dir) -> Scores:
    return score(model, demo_dir, as_of=AS_OF)


def test_every_active_customer_is_scored_once(scores, demo_dir):
    customers = churnlab.load_tables(demo_dir).customers
    day = pd.Timestamp(AS_OF)
    active = customers.loc[
        (customers["signup_date"] <= day)
        & (customers["end_date"].isna() | (customers["end_date"] > day)),
        "customer_id",
    ]

    frame = scores.frame
    assert list(frame.columns) == ["customer_id", "as_of", "churn_probability", "risk_band"]
    assert frame["customer_id"].is_unique
    assert sorted(frame["customer_id"]) == sorted(active)
    assert frame["as_of"].eq(day).all()
    assert frame["churn_probability"].between(0, 1).all()
    assert frame["risk_band"].notna().all()
    assert list(frame["risk_band"].cat.categories) == ["low", "medium", "high"]


def test_bands_follow_the_thresholds(scores):
    frame = scores.frame
    p, band = frame["churn_probability"], frame["risk_band"].astype(str)

    assert (band[p < 0.1] == "low").all()
    assert (band[(p >= 0.1) & (p < 0.3)] == "medium").all()
    assert (band[p >= 0.3] == "high").all()


def test_the_summary_counts_customers_per_band(scores):
    counts = scores.band_counts()

    assert counts["customers"].sum() == len(scores.frame)
    assert counts["risk_band"].tolist() == ["low", "medium", "high"]
    assert repr(scores).startswith(f"<Scores at {AS_OF}: {len(scores.frame):,} customers")
    assert "<table" in scores._repr_html_()
    assert scores.to_dict()["customers"] == len(scores.frame)


def test_a_model_directory_scores_the_same(scores, model_dir, demo_dir):
    again = score(model_dir, demo_dir, as_of=AS_OF)

    assert np.array_equal(
        again.frame["churn_probability"].to_numpy(), scores.frame["churn_probability"].to_numpy()
    )


def test_unseen_categories_are_counted_and_reported(model, demo_dir, tmp_path):
    data = shutil.copytree(demo_dir, tmp_path / "data", ignore=shutil.ignore_patterns("truth"))
    customers = pd.read_parquet(data / "customers.parquet")
    customers.loc[customers.index[-5:], "plan"] = "<b>platinum</b>"
    customers.to_parquet(data / "customers.parquet", index=False)
    active = set(score(model, demo_dir, as_of=AS_OF).frame["customer_id"])
    changed = customers.loc[customers.index[-5:], "customer_id"]
    count = int(changed.isin(active).sum())

    with pytest.warns(UnseenCategoryWarning, match=rf"'<b>platinum</b>' \({count}\)"):
        scored = score(model, data, as_of=AS_OF)

    assert [u.column for u in scored.unseen] == ["customers.plan"]
    assert scored.unseen[0].counts == {"<b>platinum</b>": count}
    assert "&lt;b&gt;platinum" in scored._repr_html_()
    assert "<b>platinum" not in scored._repr_html_()
    assert scored.frame["churn_probability"].between(0, 1).all()


def test_without_as_of_the_customers_are_scored_at_the_extract_date(model, demo_dir, scores):
    extract = churnlab.load_tables(demo_dir).extract_date
    assert extract == pd.Timestamp(AS_OF)  # the fixture scores at the extract date, explicitly

    defaulted = score(model, demo_dir)

    assert defaulted.as_of == extract and defaulted.as_of_source == "extract date"
    assert scores.as_of_source == "argument"
    assert repr(defaulted).startswith(f"<Scores at {AS_OF} (the data's extract date): ")
    assert defaulted.to_dict()["as_of_source"] == "extract date"
    pd.testing.assert_frame_equal(defaulted.frame, scores.frame)


def test_a_bad_as_of_is_refused_before_the_model_is_read(demo_dir, tmp_path):
    with pytest.raises(churnlab.SpecError, match="The 'as_of' date must be written YYYY-MM-DD"):
        score(tmp_path / "no model here", demo_dir, as_of="today")


@pytest.mark.filterwarnings("ignore:.*rows the model was trained on")  # in-sample on purpose
def test_unseen_categories_count_only_complaints_known_at_the_scoring_date(
    model, demo_dir, tmp_path
):
    """A complaint opened before the scoring date but recorded after it is not known yet: the
    features leave it out, and so does the count of category values the model never saw."""
    as_of = pd.Timestamp("2024-03-31")
    data = shutil.copytree(demo_dir, tmp_path / "data", ignore=shutil.ignore_patterns("truth"))
    active = score(model, demo_dir, as_of=as_of).frame["customer_id"].iloc[0]
    complaints = pd.read_parquet(data / "complaints.parquet")
    rows = complaints.iloc[:2].copy()
    rows["customer_id"] = active
    rows["opened_at"] = pd.to_datetime(["2024-03-10 09:00", "2024-03-20 09:00"])
    rows["recorded_at"] = pd.to_datetime(["2024-03-12", "2024-04-10"])
    rows["resolved_at"] = pd.NaT
    rows["category"] = ["recorded in time", "recorded later"]
    pd.concat([complaints, rows], ignore_index=True).to_parquet(
        data / "complaints.parquet", index=False
    )

    with pytest.warns(UnseenCategoryWarning, match="recorded in time"):
        scored = score(model, data, as_of=as_of)

    found = {u.column: u.counts for u in scored.unseen}
    assert found["complaints.category"] == {"recorded in time": 1}
