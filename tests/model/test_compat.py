"""A frame that does not fit the model is an error that shows the difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlab.errors import ModelError
from churnlab.model import UnseenCategoryWarning


@pytest.fixture(scope="module")
def rows(frame) -> pd.DataFrame:
    return frame.frame.head(200).copy()


def test_a_missing_feature_is_listed(model, rows):
    with pytest.raises(ModelError, match=r"missing \(2\): 'tenure_days', 'complaints_30d'"):
        model.predict_proba(rows.drop(columns=["tenure_days", "complaints_30d"]))


def test_an_extra_feature_is_listed(model, rows):
    with pytest.raises(ModelError, match=r"extra \(1\): 'shoe_size'"):
        model.predict_proba(rows.assign(shoe_size=42.0))


def test_identifier_columns_are_not_extra(model, rows):
    assert len(model.predict_proba(rows.assign(as_of=rows["cutoff"]))) == len(rows)


def test_a_changed_kind_is_listed(model, rows):
    changed = rows.assign(tenure_days=rows["tenure_days"].astype(str))

    with pytest.raises(ModelError, match=r"changed: tenure_days holds text .*expects numbers"):
        model.predict_proba(changed)


def test_changed_category_lists_show_what_was_added_and_removed(model, rows):
    plans = [c for c in model.card_.categories["plan"] if c != "basic"] + ["platinum"]
    text = rows["plan"].astype(str)
    changed = rows.assign(plan=pd.Categorical(text.where(text != "basic"), categories=plans))

    with pytest.raises(
        ModelError, match=r"changed categories of plan: \+\['platinum'\] -\['basic'\]"
    ) as caught:
        model.predict_proba(changed)

    assert "vocabulary=model.card_.vocabulary" in str(caught.value)


def test_long_lists_are_capped(model, rows):
    extra = rows.assign(**{f"x{i}": 0.0 for i in range(12)})

    with pytest.raises(ModelError, match=r"extra \(12\): 'x0', .*'x7', \+4 more"):
        model.predict_proba(extra)


def test_category_order_does_not_matter(model, rows):
    reordered = rows.assign(
        plan=rows["plan"].cat.reorder_categories(list(reversed(rows["plan"].cat.categories)))
    )

    assert np.array_equal(model.predict_proba(reordered), model.predict_proba(rows))


def test_unseen_text_values_are_counted_and_scored_as_missing(model, rows):
    text = rows.assign(plan=rows["plan"].astype(str))
    text.loc[text.index[:3], "plan"] = "platinum"
    first = text["customer_id"].iloc[0]

    with pytest.warns(UnseenCategoryWarning, match=rf"plan: 'platinum' \(3\); e\.g\. {first}"):
        p = model.predict_proba(text)

    missing = rows.assign(plan=rows["plan"].astype(str))
    missing.loc[missing.index[:3], "plan"] = None
    assert np.array_equal(p, model.predict_proba(missing))
