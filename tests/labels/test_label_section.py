"""``[label]`` in churnlab.toml: read into a LabelSpec by the one reader, overridden by what a
command or caller gives, refused with a clear message when wrong, used by the builders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churnlab.errors import ConfigError, SpecError
from churnlab.features import build_training_frame
from churnlab.labels import LabelSpec
from churnlab.labels.choose import label_spec_for
from churnlab.tables.config import config_from_dict


def _folder(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "churnlab.toml").write_text(toml, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("", LabelSpec()),
        ('[label]\ndefinition = "inactivity"\n', LabelSpec(definition="inactivity")),
        (
            '[label]\ndefinition = "inactivity"\nlookback_days = 180\nhorizon_days = 60\n'
            "lead_days = 7\n",
            LabelSpec(definition="inactivity", lookback_days=180, horizon_days=60, lead_days=7),
        ),
        (
            '[label]\ngrace_days = 30\nrejoin_key = "person"\n',
            LabelSpec(grace_days=30, rejoin_key="person"),
        ),
        (
            '[snapshot]\nlabel_column = "Exited"\n[label]\nhorizon_days = 30\n',
            LabelSpec(definition="snapshot", horizon_days=30),
        ),
    ],
)
def test_the_label_section_becomes_the_label_spec(tmp_path, toml, expected):
    assert label_spec_for(_folder(tmp_path, toml)) == expected


def test_what_a_command_gives_wins_over_the_file(tmp_path):
    folder = _folder(
        tmp_path, '[label]\ndefinition = "inactivity"\nlookback_days = 180\nhorizon_days = 60\n'
    )

    assert label_spec_for(folder, horizon_days=30, lookback_days=400) == LabelSpec(
        definition="inactivity", horizon_days=30, lookback_days=400
    )
    # the file's look-back belongs to its inactivity definition: contract leaves it out
    assert label_spec_for(folder, definition="contract") == LabelSpec(horizon_days=60)


def test_the_files_grace_period_is_left_out_under_inactivity(tmp_path):
    folder = _folder(tmp_path, '[label]\ngrace_days = 30\nrejoin_key = "person"\n')

    assert label_spec_for(folder, definition="inactivity") == LabelSpec(definition="inactivity")
    assert label_spec_for(folder, grace_days=10).grace_days == 10


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (
            {"definiton": "inactivity"},
            r"Unknown setting in \[label\] 'definiton' in churnlab.toml. Did you mean "
            r"'definition'\?",
        ),
        (
            {"definition": "churned"},
            r"\[label\] definition = 'churned' in churnlab.toml is not a churn definition. "
            r'Use "contract" \(.*\) or "inactivity" \(.*shops\)\)\.$',
        ),
        ({"definition": "snapshot"}, r"set with \[snapshot\] label_column"),
        (
            {"horizon_days": "90"},
            r"\[label\] horizon_days in churnlab.toml must be a whole number of days, 1 or "
            r"more \(no quotes\), got '90'\.",
        ),
        ({"lead_days": -1}, r"\[label\] lead_days .* 0 or more .* got -1\."),
        ({"lookback_days": 0}, r"\[label\] lookback_days .* 1 or more .* got 0\."),
        ({"grace_days": True, "rejoin_key": "p"}, r"\[label\] grace_days .* got True\."),
        ({"horizon_days": 30.5}, r"\[label\] horizon_days .* got 30\.5\."),
        ({"rejoin_key": ""}, r"\[label\] rejoin_key must name a customers column"),
        (
            {"lookback_days": 200},
            r"\[label\] lookback_days applies to the inactivity definition only \(the file's is "
            r'contract\): add definition = "inactivity"',
        ),
        (
            {"definition": "inactivity", "rejoin_key": "p"},
            r"grace_days and rejoin_key apply to the contract definition only",
        ),
        ({"grace_days": 30}, r"\[label\] grace_days needs rejoin_key"),
    ],
)
def test_bad_label_settings_are_refused_with_what_to_write(label, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict({"label": label})


def test_a_snapshot_refuses_dated_label_settings():
    raw = {"snapshot": {"label_column": "Exited"}, "label": {"definition": "inactivity"}}

    with pytest.raises(ConfigError, match=r"\[label\] definition cannot apply to a snapshot"):
        config_from_dict(raw)


def test_a_look_back_given_under_the_files_contract_definition_is_refused(tmp_path):
    folder = _folder(tmp_path, "[label]\nhorizon_days = 60\n")

    with pytest.raises(SpecError, match=r"--lookback .* applies to the inactivity definition"):
        label_spec_for(folder, lookback_days=100)


def _shop(tmp_path: Path, toml: str) -> Path:
    """Thirty buyers without end dates, buying monthly until a drawn month."""
    rng = np.random.default_rng(2)
    ids = [f"S{i:02d}" for i in range(30)]
    stops = rng.integers(3, 18, len(ids))
    rows = [
        (cid, pd.Timestamp("2022-01-05") + pd.DateOffset(months=m), 10.0)
        for cid, stop in zip(ids, stops, strict=True)
        for m in range(int(stop))
    ]
    folder = _folder(tmp_path, toml)
    customers = pd.DataFrame(
        {"customer_id": ids, "signup_date": pd.Timestamp("2022-01-01"), "end_date": pd.NaT}
    )
    customers.to_parquet(folder / "customers.parquet")
    bills = pd.DataFrame(rows, columns=["customer_id", "bill_date", "amount"])
    bills.to_parquet(folder / "bills.parquet")
    return folder


def test_the_builders_use_the_files_label_when_the_caller_gives_none(tmp_path):
    toml = '[data]\nextract_date = "2023-12-31"\n[label]\ndefinition = "inactivity"\n'
    folder = _shop(tmp_path, toml)
    cutoffs = ["2022-09-30"]

    by_file = build_training_frame(folder, cutoffs=cutoffs, progress=False)
    given = build_training_frame(folder, LabelSpec(), cutoffs=cutoffs, progress=False)

    assert by_file.spec == LabelSpec(definition="inactivity")
    assert by_file.frame["churned"].sum() > 0
    assert given.spec == LabelSpec() and given.frame["churned"].sum() == 0
