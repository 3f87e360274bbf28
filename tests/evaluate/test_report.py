"""``write_report``: HTML with the plots embedded, evaluation.json and PNG files, escaped."""

from __future__ import annotations

import base64
import json

import pytest
from fakes import FakeModel, a_backtest

from churnlab.errors import SpecError
from churnlab.evaluate import Evaluation, evaluate_model, write_report

PLOTS = ["calibration.png", "gains_lift.png", "roc_pr.png", "score_distribution.png"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One report of the stand-in model, shared by the tests that only read it."""
    model = FakeModel()
    out = tmp_path_factory.mktemp("report") / "evaluation"
    return model, out, write_report(model, out)


def test_report_files(written):
    fake_model, out, report = written

    assert report == out / "report.html"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*PLOTS, "evaluation.json", "report.html"]
    )
    for name in PLOTS:
        assert (out / name).read_bytes().startswith(PNG)
    saved = Evaluation.read_json(out / "evaluation.json")
    assert saved.to_dict() == evaluate_model(fake_model).to_dict()


def test_report_embeds_the_plots_and_escapes_what_it_shows(written):
    html = written[2].read_text(encoding="utf-8")

    embedded = html.count('src="data:image/png;base64,')
    assert embedded == len(PLOTS)
    first = html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(first).startswith(PNG)
    assert "<script>" not in html  # the card's text is shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "model against the logistic baseline" in html
    assert "ROC-AUC" in html and "Churn by risk decile" in html


def test_report_with_a_backtest(fake_model, tmp_path):
    write_report(fake_model, tmp_path, backtest=a_backtest())

    assert (tmp_path / "metrics_by_cutoff.png").read_bytes().startswith(PNG)
    assert json.loads((tmp_path / "backtest.json").read_text())["cutoffs"][0]["cutoff"] == (
        "2024-01-31"
    )
    assert "<h2>Backtest</h2>" in (tmp_path / "report.html").read_text(encoding="utf-8")

    write_report(fake_model, tmp_path)  # a report without a backtest drops the old one's files

    assert not (tmp_path / "backtest.json").exists()
    assert not (tmp_path / "metrics_by_cutoff.png").exists()


def test_backtest_from_a_data_dir_needs_the_models_label_spec(fake_model, tmp_path, demo_dir):
    fake_model.card_.data.pop("label_spec")

    with pytest.raises(SpecError, match=r"does not record its label definition"):
        write_report(fake_model, tmp_path / "out", backtest=demo_dir)
    assert not (tmp_path / "out").exists()  # nothing written before the failure
