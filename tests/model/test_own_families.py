"""A feature family of your own, taken from the README, works end to end: frame, train, score."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_helpers import CREATED, SMALL

from churnlab.errors import SpecError
from churnlab.features import (
    Feature,
    FeatureFamily,
    build_scoring_frame,
    build_training_frame,
    load_families,
)
from churnlab.model import load_model, save_model, score, train
from churnlab.tables import load_tables

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def own_features(tmp_path_factory: pytest.TempPathFactory):
    """The README's example module, written where Python imports it from."""
    section = README.read_text(encoding="utf-8").split("### Features of your own", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    folder = tmp_path_factory.mktemp("own")
    (folder / "own_features.py").write_text(code, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        import own_features

        yield own_features
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("own_features", None)


def long_outages(demo_dir: Path, cutoff: str) -> pd.Series:
    """The README's feature computed in pandas, per customer id."""
    events = load_tables(demo_dir).service_events
    day = pd.Timestamp(cutoff)
    known = events["occurred_at"].dt.normalize() <= day
    if "recorded_at" in events.columns:
        known &= events["recorded_at"].isna() | (events["recorded_at"].dt.normalize() <= day)
    recent = events["occurred_at"].dt.normalize() > day - pd.Timedelta(days=180)
    hits = events[known & recent & (events["duration_minutes"] > 60)]
    return hits.groupby(hits["customer_id"].astype(str), observed=True).size()


def test_an_own_family_adds_its_feature_to_scoring_frames(demo_dir, own_features):
    frame = build_scoring_frame(demo_dir, as_of="2024-03-31", families=[own_features.LongOutages()])
    names = frame.feature_names
    # A fixed feature: after the built-in ones, before those made per category value.
    assert names.index("long_outages_180d") < names.index("plan")
    assert names.index("long_outages_180d") < min(
        i for i, n in enumerate(names) if n.startswith("complaints_365d_")
    )
    got = frame.frame.set_index("customer_id")["long_outages_180d"]
    expected = long_outages(demo_dir, "2024-03-31").reindex(got.index, fill_value=0)
    assert got.sum() > 0
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert frame.families[0].spec == "own_features:LongOutages"


def test_many_cutoffs_set_rows_apart_for_an_own_family_and_agree_with_one(demo_dir, own_features):
    family = own_features.LongOutages()
    many = build_training_frame(
        demo_dir, cutoffs=["2023-12-31", "2024-03-31"], families=[family], progress=False
    ).frame
    for cutoff in ("2023-12-31", "2024-03-31"):
        one = build_scoring_frame(demo_dir, as_of=cutoff, families=[family]).frame
        same = many[many["cutoff"] == cutoff].drop(columns="churned").reset_index(drop=True)
        pd.testing.assert_frame_equal(same, one)


@pytest.mark.filterwarnings("ignore:.*rows the model was trained on")  # in-sample on purpose
def test_a_model_with_an_own_family_records_it_and_scores_with_it(demo_dir, own_features, tmp_path):
    frame = build_training_frame(demo_dir, families=[own_features.LongOutages()], progress=False)
    model = train(frame, SMALL, created_at=CREATED)
    assert "long_outages_180d" in model.card_.feature_names
    assert model.card_.feature_families == ("own_features:LongOutages",)
    saved = save_model(model, tmp_path / "model")
    assert load_model(saved).card_.feature_families == ("own_features:LongOutages",)
    scores = score(saved, demo_dir, as_of="2024-03-31")
    assert len(scores.frame) > 0 and scores.frame["churn_probability"].between(0, 1).all()


def test_scoring_without_the_family_module_says_what_to_import():
    with pytest.raises(
        SpecError, match=r"feature family 'not_here:Gone', which cannot be imported"
    ):
        load_families(["not_here:Gone"])


class _Twice(FeatureFamily):
    name = "twice"
    table = "customers"
    entries = (
        Feature(
            name="tenure_days",
            family="twice",
            description="again",
            reason_category="tenure",
            template="{value}",
            table="customers",
        ),
    )


class _Sneaky(FeatureFamily):
    name = "sneaky"
    table = "customers"
    entries = (
        Feature(
            name="bills_ever",
            family="sneaky",
            description="bills ever",
            reason_category="price",
            template="{value}",
            table="customers",
            kind="count",
        ),
    )

    def aggregate(self, scans, c):
        scans["bills"].add(bills_ever=scans["bills"].count())


@pytest.mark.parametrize(
    ("family", "message"),
    [
        (_Twice(), r"'tenure_days' is defined twice, by the 'tenure' and 'twice' families"),
        (_Sneaky(), r"'sneaky' family aggregates bills but reads only customers"),
    ],
)
def test_a_family_that_clashes_or_hides_what_it_reads_is_refused(demo_dir, family, message):
    with pytest.raises(SpecError, match=message):
        build_scoring_frame(demo_dir, as_of="2024-03-31", families=[family])


def test_the_cli_trains_and_scores_with_an_own_family(demo_dir, own_features, tmp_path):
    from typer.testing import CliRunner

    from churnlab.cli import app

    runner = CliRunner()
    out = tmp_path / "model"
    args = ["train", str(demo_dir), "--out", str(out), "--family", "own_features:LongOutages"]
    trained = runner.invoke(app, args)
    assert trained.exit_code == 0, trained.output
    assert load_model(out).card_.feature_families == ("own_features:LongOutages",)
    scored = runner.invoke(
        app,
        [
            "score",
            str(demo_dir),
            "--model",
            str(out),
            "--as-of",
            "2024-03-31",
            "--out",
            str(tmp_path / "scores.csv"),
        ],
    )
    assert scored.exit_code == 0, scored.output
    wrong = runner.invoke(app, [*args[:4], "--family", "own_features:Nope"])
    assert wrong.exit_code == 2
    assert "feature family 'own_features:Nope', which cannot be imported" in wrong.output
