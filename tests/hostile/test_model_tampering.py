"""A model directory edited, extended or damaged: refused with a ModelError, never an abort.

Every file is covered by a checksum, and so is every setting of card.json that changes a score
(features, risk bands, label definition, calibration). model.txt is checked before LightGBM
parses it: LightGBM aborts the process (SIGABRT, exit 134) on some malformed files, so those
cases run in one subprocess, where an abort would show as its exit code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import case
from snapshots import FAST, snapshot_frame

from churnlab.errors import ModelError
from churnlab.files import sha256_file
from churnlab.model import UnseenCategoryWarning, load_model, save_model, score, train


@pytest.fixture(scope="module")
def saved(tiny_model, tmp_path_factory) -> Path:
    return save_model(tiny_model, tmp_path_factory.mktemp("tamper") / "model")


@pytest.fixture
def copy(saved, tmp_path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "model"))


def _edit_card(folder: Path, edit) -> None:
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    edit(card)
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")


def _set(path: str, value):
    keys = path.split(".")

    def edit(card):
        target = card
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value(target[keys[-1]]) if callable(value) else value

    return edit


CARD_EDITS = [
    case(
        "risk bands moved",
        _set("model_spec.risk_bands", [0.01, 0.02]),
        verdict="error",
        code="ModelError",
    ),
    case(
        "feature kind changed",
        _set("feature_kinds.plan", "float"),
        verdict="error",
        code="ModelError",
    ),
    case(
        "label horizon changed",
        _set("label_spec.horizon_days", 30),
        verdict="error",
        code="ModelError",
    ),
    case(
        "label definition changed",
        _set("label_spec.definition", "inactivity"),
        verdict="error",
        code="ModelError",
    ),
    case(
        "features reordered",
        _set("feature_names", lambda v: v[::-1]),
        verdict="error",
        code="ModelError",
    ),
    case(
        "category list extended",
        _set("categories.plan", lambda v: [*v, "platinum"]),
        verdict="error",
        code="ModelError",
    ),
    case(
        "vocabulary edited",
        lambda card: card["vocabulary"].update({"customers.region": ["north"]}),
        verdict="error",
        code="ModelError",
    ),
    case(
        "calibration method changed",
        _set("calibration", "none"),
        verdict="error",
        code="ModelError",
    ),
    case(
        "settings checksum removed",
        lambda card: card.pop("settings_sha256"),
        verdict="error",
        code="ModelError",
    ),
    case(
        "settings checksum forged",
        _set("settings_sha256", "0" * 64),
        verdict="error",
        code="ModelError",
    ),
]


@pytest.mark.parametrize("edit", CARD_EDITS)
def test_a_card_setting_edited_by_hand_is_refused(copy, edit):
    _edit_card(copy, edit)

    with pytest.raises(ModelError, match=r"settings in card\.json .* do not match their checksum"):
        load_model(copy)


@pytest.mark.parametrize(
    "edit",
    [
        case("library versions noted differently", _set("versions.pandas", "2.0.0"), verdict="ok"),
        case("run id added", _set("run_id", "run-1"), verdict="ok"),
        case("metrics rounded", _set("metrics.model.roc_auc", 0.5), verdict="ok"),
    ],
)
def test_a_card_note_that_changes_no_score_is_accepted(copy, saved, edit):
    _edit_card(copy, edit)

    assert load_model(copy).card_.settings_sha256 == load_model(saved).card_.settings_sha256


@pytest.mark.parametrize(
    "key",
    [
        case("../../x", "../../x", verdict="error", code="ModelError"),
        case("absolute path", "/etc/passwd", verdict="error", code="ModelError"),
        case("subfolder", "sub/model.txt", verdict="error", code="ModelError"),
        case("unknown file name", "notes.txt", verdict="error", code="ModelError"),
    ],
)
def test_a_checksum_key_is_a_file_name_never_a_path(copy, key, monkeypatch):
    outside = copy.parent / "x"
    outside.write_text("secret")
    _edit_card(copy, lambda card: card["checksums"].update({key: sha256_file(outside)}))
    opened: list[str] = []
    monkeypatch.setattr("churnlab.model.persist.sha256_file", lambda p: opened.append(str(p)))

    with pytest.raises(ModelError, match="which are not files of a model directory"):
        load_model(copy)
    assert opened == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        case("an extra file", "notes.txt", b"hello", verdict="error", code="ModelError"),
        case("a second booster", "model2.txt", b"tree\n", verdict="error", code="ModelError"),
    ],
)
def test_a_file_the_card_does_not_cover_is_refused(copy, name, content):
    (copy / name).write_bytes(content)

    with pytest.raises(ModelError, match=rf"holds files its card\.json does not cover: '{name}'"):
        load_model(copy)


@pytest.mark.parametrize(
    ("name", "is_folder"),
    [
        case("evaluate's report folder", "evaluation", True, verdict="ok"),
        case("a file called evaluation", "evaluation", False, verdict="error", code="ModelError"),
    ],
)
def test_only_evaluates_own_report_folder_may_join_a_model(copy, saved, name, is_folder):
    if is_folder:
        (copy / name).mkdir()
        (copy / name / "report.html").write_text("<html></html>")
        assert load_model(copy).card_.feature_names == load_model(saved).card_.feature_names
    else:
        (copy / name).write_text("not a folder")
        with pytest.raises(ModelError, match="does not cover: 'evaluation'"):
            load_model(copy)


@pytest.mark.parametrize(
    "name", [case("baseline.json uncovered", "baseline.json", verdict="error", code="ModelError")]
)
def test_a_present_file_without_its_checksum_is_refused(copy, name):
    _edit_card(copy, lambda card: card["checksums"].pop(name))

    with pytest.raises(ModelError, match=rf"lists no checksum for '{name}'"):
        load_model(copy)


def _replace(old: str, new: str):
    return lambda text: text.replace(old, new, 1)


def _first_line(prefix: str, new):
    def edit(text: str) -> str:
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        lines[at] = new(lines[at])
        return "\n".join(lines)

    return edit


def _same_size_leaves(line: str) -> str:
    leaves = int(line.split("=")[1])
    return f"num_leaves={leaves - 1 if leaves >= 11 else leaves + 1}"


BOOSTER_EDITS = {
    "num_leaves off by one, sizes intact": (
        _first_line("num_leaves=", _same_size_leaves),
        "expected",
    ),
    "num_leaves raised": (_first_line("num_leaves=", lambda line: line + "0"), "tree_sizes says"),
    "num_leaves not a number": (
        _first_line("num_leaves=", lambda line: "num_leaves=x" + line[12:]),
        "not an integer",
    ),
    "child index out of range": (
        _first_line("left_child=", lambda line: line + "9"),
        "tree_sizes says",
    ),
    "tree sizes inflated": (
        _first_line("tree_sizes=", lambda line: line.replace(" ", "0 ", 1)),
        "tree_sizes says",
    ),
    "leaf value text": (
        _first_line("leaf_value=", lambda line: "leaf_value=abc" + line[14:]),
        "leaf_value",
    ),
    "max_feature_idx lowered": (
        _replace("max_feature_idx=", "max_feature_idx=1"),
        "max_feature_idx",
    ),
    "feature renamed": (_replace("feature_names=", "feature_names=x"), "feature_names lists"),
    "two classes": (_replace("num_class=1", "num_class=2"), "one class"),
    "truncated": (lambda text: text[: len(text) // 3], "no 'end of trees'"),
    "empty": (lambda text: "", "does not start with 'tree'"),
    "pandas_categorical broken": (
        _replace("pandas_categorical:[", "pandas_categorical:{"),
        "not JSON",
    ),
    "not text": (None, "not UTF-8"),
}
"""Each edit of model.txt (checksum updated in card.json) and a part of the expected message."""

_SCRIPT = r"""
import json, shutil, sys
from pathlib import Path
from churnlab.errors import ModelError
from churnlab.files import sha256_file
from churnlab.model import load_model
src, work = Path(sys.argv[1]), Path(sys.argv[2])
edits = json.loads((work / "edits.json").read_text(encoding="utf-8"))
out = {}
for name, text in edits.items():
    folder = work / str(len(out))
    shutil.copytree(src, folder)
    data = b"\xff\xfe\x00tree" if text is None else text.encode("utf-8")
    (folder / "model.txt").write_bytes(data)
    card = json.loads((folder / "card.json").read_text())
    card["checksums"]["model.txt"] = sha256_file(folder / "model.txt")
    (folder / "card.json").write_text(json.dumps(card))
    print(name, flush=True)
    try:
        load_model(folder)
        out[name] = "loaded"
    except ModelError as exc:
        out[name] = "ModelError: " + str(exc)
print("RESULTS " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def booster_results(saved, tmp_path_factory) -> tuple[int, dict[str, str], str]:
    text = (saved / "model.txt").read_text(encoding="utf-8")
    edits = {
        name: None if edit is None else edit(text) for name, (edit, _) in BOOSTER_EDITS.items()
    }
    edits["untouched"] = text
    work = tmp_path_factory.mktemp("edits")
    (work / "edits.json").write_text(json.dumps(edits), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            str(saved),
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULTS "):
            results = json.loads(line[8:])
    return done.returncode, results, done.stdout[-500:] + done.stderr[-1500:]


@pytest.mark.parametrize(
    "name", [case(name, name, verdict="error", code="ModelError") for name in BOOSTER_EDITS]
)
def test_a_malformed_model_txt_is_a_model_error_not_an_abort(booster_results, name):
    returncode, results, output = booster_results
    assert returncode == 0, f"the process died (exit {returncode}) at:\n{output}"

    assert results[name].startswith("ModelError: "), results[name]
    assert "is not a well-formed LightGBM model" in results[name]
    assert BOOSTER_EDITS[name][1] in results[name]


@pytest.mark.parametrize("name", [case("model.txt rewritten as it was", "untouched", verdict="ok")])
def test_model_txt_as_lightgbm_wrote_it_loads(booster_results, name):
    assert booster_results[1][name] == "loaded"


# Changed feature types at scoring: the README promises they are refused, with the difference.


def _data_with(tiny_demo: Path, folder: Path, change) -> Path:
    shutil.copytree(tiny_demo, folder)
    customers = pd.read_parquet(folder / "customers.parquet")
    change(customers).to_parquet(folder / "customers.parquet", index=False)
    return folder


def _plan_codes(customers):
    codes = {plan: i + 1 for i, plan in enumerate(sorted(customers["plan"].dropna().unique()))}
    return customers.assign(plan=customers["plan"].map(codes).astype("int64"))


CHANGED = [
    case(
        "plan text became codes 1-4",
        _plan_codes,
        r"changed: customers\.plan does not hold text any more .* 'basic'",
        verdict="error",
        code="ModelError",
    ),
    case(
        "monthly fee numbers became text",
        lambda c: c.assign(monthly_fee=c["monthly_fee"].map(lambda v: f"{v} EUR")),
        r"changed: customers\.monthly_fee holds text \(e\.g\. '.* EUR'.*the model expects numbers",
        verdict="error",
        code="ModelError",
    ),
    case(
        "plan column dropped",
        lambda c: c.drop(columns=["plan"]),
        r"missing \(1\): 'plan'",
        verdict="error",
        code="ModelError",
    ),
]


@pytest.mark.parametrize(("change", "message"), CHANGED)
def test_a_changed_feature_type_is_refused_at_scoring(
    tiny_demo, tiny_model, tmp_path, change, message
):
    data = _data_with(tiny_demo, tmp_path / "data", change)

    with pytest.raises(ModelError, match=message):
        score(tiny_model, data)


@pytest.mark.parametrize(
    "loaded", [case("plan codes, tables loaded first", True, verdict="error", code="ModelError")]
)
def test_a_changed_type_is_refused_from_loaded_tables_too(tiny_demo, tiny_model, tmp_path, loaded):
    import churnlab

    data = _data_with(tiny_demo, tmp_path / "data", _plan_codes)

    with pytest.raises(ModelError, match=r"customers\.plan does not hold text any more"):
        score(tiny_model, churnlab.load_tables(data) if loaded else data)


@pytest.mark.parametrize("value", [case("a plan the model never saw", "platinum", verdict="warn")])
def test_an_unseen_category_is_scored_as_missing_with_a_warning(
    tiny_demo, tiny_model, tmp_path, value
):
    data = _data_with(
        tiny_demo,
        tmp_path / "data",
        lambda c: c.assign(plan=c["plan"].where(c.index % 10 != 0, value)),
    )

    with pytest.warns(UnseenCategoryWarning, match=rf"customers\.plan: '{value}'"):
        scores = score(tiny_model, data)
    assert scores.frame["churn_probability"].between(0, 1).all()


# Attribute names with JSON characters: LightGBM refuses them; churnlab renames them inside
# model.txt only, so they train, save, load and score under their own names.


@pytest.mark.parametrize(
    "name",
    [
        case("double quotes", 'plan "x"', verdict="ok"),
        case("braces", "a{b}", verdict="ok"),
        case("colon", "key:value", verdict="ok"),
        case("comma", "a,b", verdict="ok"),
        case("brackets", "x[1]", verdict="ok"),
        case("spaces", "Plan Type", verdict="ok"),
        case("JSON object as a name", '{"a": [1, 2]}', verdict="ok"),
    ],
)
def test_an_attribute_named_with_json_characters_survives_save_and_load(tmp_path, name):
    columns = {name: lambda r, f, n: np.where(r.uniform(size=n) < 0.5 + 0.3 * f, "p", "q")}
    frame = snapshot_frame(tmp_path / "d", columns=columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = train(frame, FAST, created_at="2024-07-01", progress=False)

    loaded = load_model(save_model(model, tmp_path / "m"))

    assert name in loaded.card_.feature_names
    assert loaded.card_.categories[name] == ("p", "q")
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
