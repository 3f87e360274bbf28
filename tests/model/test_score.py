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
