"""target_list: the list's columns, order, selection, control group, value and offers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churnlab.campaign import (
    TARGET_COLUMNS,
    CampaignSpec,
    OfferTerms,
    Selection,
    ValueSpec,
    expected_gain,
    target_list,
)
from churnlab.campaign.segments import SegmentSpec
from churnlab.errors import ConfigError, DataError, SpecError
from churnlab.model import ChurnModel


@pytest.fixture(scope="module")
def default(campaign_demo: Path, campaign_model: ChurnModel):
    return target_list(campaign_demo, campaign_model, winback=False)


def test_the_list_has_the_documented_columns_in_order(default):
    assert tuple(default.frame.columns) == TARGET_COLUMNS
    assert default.frame["customer_id"].dtype == "string"
    assert set(default.frame["group"].astype(str)) <= {"target", "control"}


def test_the_list_is_ranked_by_expected_gain_best_first(default):
    frame = default.frame
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert frame["expected_gain"].is_monotonic_decreasing


def test_profit_optimal_lists_exactly_the_customers_with_a_positive_gain(default):
    scored = default.scored
    assert len(default.frame) == int((scored["expected_gain"] > 0).sum()) > 0
    assert (default.frame["expected_gain"] > 0).all()


def test_every_listed_customer_has_reasons_and_an_action(default):
    frame = default.frame
    assert frame["reason_1"].notna().all()
    assert frame["recommended_action"].notna().all()


def test_expected_gain_is_the_documented_formula(default):
    s = default.scored
    recomputed = expected_gain(
        s["churn_probability"],
        s["value"],
        s["offer_cost"],
        acceptance=s["acceptance"],
        take_up=s["take_up"],
        contact_cost=s["contact_cost"],
    )
    np.testing.assert_allclose(s["expected_gain"], recomputed)
    np.testing.assert_allclose(s["offer_cost"], 0.2 * s["monthly_spend"].fillna(0.0))


def test_value_uses_the_retention_the_model_card_records(default, campaign_model):
    card = campaign_model.card_
    assert default.monthly_retention == pytest.approx(card.monthly_retention)
    r, d = card.monthly_retention, 0.01
    months = min(r / (1 + d - r), 36)
    s = default.scored
    np.testing.assert_allclose(s["value"], s["monthly_spend"].fillna(0) * 0.3 * months)


def test_the_control_group_is_part_of_the_list_and_the_same_on_a_rerun(
    default, campaign_demo, campaign_model
):
    again = target_list(campaign_demo, campaign_model, winback=False)
    pd.testing.assert_frame_equal(default.frame, again.frame)
    control = default.frame["group"] == "control"
    assert 0 < control.sum() < len(default.frame)
    assert default.campaign_id == "retention-" + f"{default.as_of:%Y-%m}"


def test_another_seed_draws_another_control_group(default, campaign_demo, campaign_model):
    other = target_list(campaign_demo, campaign_model, seed=99, winback=False)
    assert set(other.frame["customer_id"]) == set(default.frame["customer_id"])
    mine = default.frame.set_index("customer_id")["group"]
    theirs = other.frame.set_index("customer_id")["group"].reindex(mine.index)
    assert (mine != theirs).any()


def test_top_n_and_min_probability(campaign_demo, campaign_model):
    top = target_list(campaign_demo, campaign_model, selection=Selection.top(25), winback=False)
    assert len(top.frame) == 25
    sure = target_list(
        campaign_demo, campaign_model, selection=Selection.above_probability(0.2), winback=False
    )
    assert (sure.frame["churn_probability"] >= 0.2).all()
    assert len(sure.frame) == int((sure.scored["churn_probability"] >= 0.2).sum())


def test_a_budget_bounds_the_contacted_customers_expected_cost(campaign_demo, campaign_model):
    found = target_list(
        campaign_demo, campaign_model, selection=Selection.within_budget(200.0), winback=False
    )
    totals = found.totals()
    assert 0 < totals["cost"] <= 200.0
    assert found.budget_left == pytest.approx(200.0 - totals["cost"])


def test_a_budget_smaller_than_one_contact_is_refused(campaign_demo, campaign_model):
    with pytest.raises(SpecError, match="smaller than one contact"):
        target_list(
            campaign_demo, campaign_model, selection=Selection.within_budget(0.5), winback=False
        )


def test_offer_terms_per_action_apply_to_that_actions_customers(campaign_demo, campaign_model):
    spec = CampaignSpec(offers={"service": OfferTerms(spend_share=0.0, fixed_cost=3.0)})
    found = target_list(campaign_demo, campaign_model, campaign=spec, winback=False)
    s = found.scored[found.scored["explained"]]
    service = s["action_key"] == "service"
    assert service.any()
    np.testing.assert_allclose(s.loc[service, "offer_cost"], 3.0)
    others = s.loc[~service]
    np.testing.assert_allclose(others["offer_cost"], 0.2 * others["monthly_spend"].fillna(0))


def test_key_accounts_get_the_one_to_one_action(campaign_demo, campaign_model):
    spec = CampaignSpec(segments=SegmentSpec(key_account_top=5))
    found = target_list(campaign_demo, campaign_model, campaign=spec, winback=False)
    keys = found.scored[found.scored["key_account"]]
    assert len(keys) == 5
    listed = found.frame.set_index("customer_id").reindex(keys["customer_id"]).dropna(how="all")
    assert (listed["recommended_action"] == "One-to-one call from the account manager").all()


def test_reasons_and_actions_in_chinese(campaign_demo, campaign_model):
    found = target_list(
        campaign_demo, campaign_model, selection=Selection.top(10), language="zh", winback=False
    )
    text = " ".join(found.frame["reason_1"].astype(str)) + " ".join(
        found.frame["recommended_action"].astype(str)
    )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_personal_columns_are_left_out_unless_asked_for(default, campaign_demo, campaign_model):
    assert "phone" not in default.frame.columns
    asked = target_list(
        campaign_demo,
        campaign_model,
        selection=Selection.top(10),
        include_columns=["phone"],
        winback=False,
    )
    assert list(asked.frame.columns) == [*TARGET_COLUMNS, "phone"]
    assert asked.frame["phone"].notna().all()


def test_an_unknown_include_column_is_refused_with_a_hint(campaign_demo, campaign_model):
    with pytest.raises(SpecError, match=r"no column 'phon'.*Did you mean 'phone'"):
        target_list(campaign_demo, campaign_model, include_columns=["phon"], winback=False)


def test_a_value_column_of_your_own(campaign_demo, campaign_model):
    spec = CampaignSpec(value=ValueSpec(method="column", column="monthly_fee"))
    found = target_list(campaign_demo, campaign_model, campaign=spec, winback=False)
    assert found.value_method == "column: the customer attribute 'monthly_fee'"
    from churnlab.tables import read_customers

    fees = read_customers(campaign_demo).set_index("customer_id")["monthly_fee"]
    s = found.scored
    np.testing.assert_allclose(s["value"], fees.reindex(s["customer_id"]).to_numpy())


def test_a_negative_or_missing_value_column_is_refused(campaign_demo, campaign_model, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(campaign_demo, data)
    customers = pd.read_parquet(data / "customers.parquet")
    customers.loc[customers.index[:3], "monthly_fee"] = -5.0
    customers.to_parquet(data / "customers.parquet", index=False)
    spec = CampaignSpec(value=ValueSpec(method="column", column="monthly_fee"))
    with pytest.raises(DataError, match=r"customers.monthly_fee: the value column is negative"):
        target_list(data, campaign_model, campaign=spec, winback=False)


def test_a_campaign_file_with_an_unknown_key_is_refused(campaign_demo, campaign_model, tmp_path):
    file = tmp_path / "campaign.toml"
    file.write_text("[offer]\nacceptence = 0.4\n")
    with pytest.raises(ConfigError, match=r"Unknown key 'acceptence'.*Did you mean 'acceptance'"):
        target_list(campaign_demo, campaign_model, campaign=file, winback=False)


def test_offer_terms_for_an_unknown_action_are_refused(campaign_demo, campaign_model):
    spec = CampaignSpec(offers={"servce": OfferTerms()})
    with pytest.raises(SpecError, match=r"'servce'.*Did you mean 'service'"):
        target_list(campaign_demo, campaign_model, campaign=spec, winback=False)


def test_an_as_of_date_after_the_data_is_refused(campaign_demo, campaign_model):
    with pytest.raises(SpecError, match="after"):
        target_list(campaign_demo, campaign_model, as_of="2031-01-31", winback=False)


def test_auto_control_fraction_has_the_power_or_the_most_it_may(campaign_demo, campaign_model):
    found = target_list(campaign_demo, campaign_model, control_fraction="auto", winback=False)
    assert 0.05 <= found.control_fraction <= 0.5
    if found.control_fraction < 0.5:
        assert found.control_is_large_enough()


def test_the_result_has_a_summary_repr_html_and_dict(default):
    assert repr(default).startswith("<TargetList retention-")
    html = default._repr_html_()
    assert "<table" in html and "control" in html and "&lt;TargetList" not in html
    data = default.to_dict()
    assert data["totals"]["listed"] == len(default.frame)
    assert data["selection"] == {"mode": "profit_optimal"}


def test_the_profit_curve_marks_the_maximum_and_the_chosen_cut(default):
    curve = default.profit_curve()
    assert curve.chosen_size == len(default.frame)
    assert curve.best_gain >= curve.chosen_gain - 1e-6
    curve.plot()
    assert curve.figure_ is not None


def test_a_target_list_is_a_frozen_result(default):
    with pytest.raises(dataclasses.FrozenInstanceError):
        default.as_of = None  # type: ignore[misc]
