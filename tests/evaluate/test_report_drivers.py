"""The report's "What drives churn": SHAP values of the hold-out customers, from the training
frame or the data directory, with the beeswarm, the category table and the drivers in words."""

from __future__ import annotations

import base64

import pytest
from typer.testing import CliRunner

import churnlab.evaluate.drivers_section as section
from churnlab.cli import app
from churnlab.demo import DemoSpec, generate_demo
from churnlab.errors import SpecError
from churnlab.evaluate import write_report
from churnlab.evaluate.drivers_section import holdout_features
from churnlab.features import build_training_frame
from churnlab.model import ModelSpec, save_model, train

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    data = tmp_path_factory.mktemp("drivers_demo")
    generate_demo(data, DemoSpec(customers=1200, months=18, seed=4))
    frame = build_training_frame(data, progress=False)
    model = train(frame, ModelSpec(max_rounds=40), created_at="2024-07-01", progress=False)
    return data, frame, model


def test_the_section_explains_the_holdout_from_the_data_directory(trained, tmp_path):
    data, _, model = trained
    report = write_report(model, tmp_path, data=data)
    html = report.read_text(encoding="utf-8")

    assert "<h2>What drives churn</h2>" in html
    assert f"Exact TreeSHAP values of all {len(model.holdout_):,} hold-out customers" in html
    assert "share of predicted churn" in html and "<td>service</td>" in html
    assert "raise the churn risk" in html or "lower the churn risk" in html
    assert (tmp_path / "what_drives_churn.png").read_bytes().startswith(PNG)
    images = html.split('src="data:image/png;base64,')[1:]
    assert len(images) == 5
    assert (
        base64.b64decode(images[-1].split('"', 1)[0])
        == (tmp_path / "what_drives_churn.png").read_bytes()
    )


def test_the_training_frame_and_the_directory_give_the_same_rows(trained):
    data, frame, model = trained

    from_frame = holdout_features(model, frame)
    from_dir = holdout_features(model, data)

    assert list(from_frame["customer_id"]) == list(model.holdout_["customer_id"])
    assert from_frame.equals(from_dir)


def test_without_data_the_report_says_how_to_add_the_section(trained, tmp_path):
    data, _, model = trained
    write_report(model, tmp_path, data=data)

    html = write_report(model, tmp_path).read_text(encoding="utf-8")

    assert "Not computed: pass the data the model was trained on" in html
    assert not (tmp_path / "what_drives_churn.png").exists()  # an old picture is removed


def test_other_data_are_refused_with_the_count_found(trained, tmp_path):
    _, frame, model = trained
    some = frame.frame.iloc[: len(frame.frame) // 2]

    with pytest.raises(
        SpecError, match=r"The data hold [\d,]+ of the model's [\d,]+ hold-out rows"
    ):
        write_report(model, tmp_path / "out", data=some)
    assert not (tmp_path / "out").exists()


def test_large_holdouts_are_sampled_and_the_report_says_so(trained, tmp_path, monkeypatch):
    _, frame, model = trained
    monkeypatch.setattr(section, "MAX_ROWS", 200)

    html = write_report(model, tmp_path, data=frame).read_text(encoding="utf-8")

    assert f"200 of the {len(model.holdout_):,} hold-out customers (drawn at random)" in html


def test_evaluate_command_takes_the_data(trained, tmp_path):
    data, _, model = trained
    model_dir = save_model(model, tmp_path / "model")

    result = CliRunner().invoke(
        app, ["evaluate", str(model_dir), "--data", str(data), "--out", str(tmp_path / "r")]
    )

    assert result.exit_code == 0, result.output
    assert "What drives churn" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
