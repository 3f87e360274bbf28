"""Output paths: an output never overwrites an input (data tables, settings, a model), demo data
never go into a folder of user data, and an output that cannot be written is refused before
the work starts, for every command that writes; every error path ends in a message and an exit
code (a bug, too: with its traceback and a line asking for a report)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from cases import case
from writers import bench_fixture, invoke, snapshot  # noqa: F401  (fixtures)

from churnlab.cli.app import REPORT_LINE

NEVER_OVER_INPUTS = "churnlab never writes over its inputs"


def _refused(result, *words: str, code: int = 2) -> None:
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


@pytest.fixture
def no_work(monkeypatch):
    """Fail loudly if a command starts its work: every refusal here must come first."""

    def started(*args, **kwargs):
        raise AssertionError("the work started before the output was checked")

    import churnlab.demo
    import churnlab.explanations
    import churnlab.features
    import churnlab.model

    for module, name in [
        (churnlab.features, "build_training_frame"),
        (churnlab.features, "write_features"),
        (churnlab.model, "score"),
        (churnlab.explanations, "write_explanation"),
        (churnlab.demo, "generate_demo"),
    ]:
        monkeypatch.setattr(module, name, started)


# ---- outputs never overwrite inputs ------------------------------------------------------

INPUTS = [
    case(
        "score --out DATA/customers.parquet",
        "score",
        "data/customers.parquet",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "features --out DATA/bills.parquet",
        "features",
        "data/bills.parquet",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "score --out MODEL/holdout.parquet",
        "score",
        "model/holdout.parquet",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "features --out a new file in DATA",
        "features",
        "data/features.csv",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "features --out DATA/../DATA/customers.parquet",
        "features",
        "data/../data/customers.parquet",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case("train --out DATA", "train", "data", "is the input", verdict="error", code="exit2"),
    case(
        "train --out the folder above DATA", "train", ".", "contains", verdict="error", code="exit2"
    ),
    case(
        "train --out MODEL/x: no, into DATA/model",
        "train",
        "data/model",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "explain --out MODEL/explanation",
        "explain",
        "model/explanation",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "explain --out DATA/explanation",
        "explain",
        "data/explanation",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "evaluate --out MODEL/report (not the default)",
        "evaluate",
        "model/report",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "target-list --out DATA/list",
        "target-list",
        "data/list",
        "is inside",
        verdict="error",
        code="exit2",
    ),
    case(
        "target-list --out MODEL",
        "target-list",
        "model",
        "is the input",
        verdict="error",
        code="exit2",
    ),
]


def _command(command: str, bench, out: Path, *extra: str) -> list:
    return {
        "features": ["features", bench.data, "--out", out],
        "score": ["score", bench.data, "--model", bench.model, "--out", out],
        "train": ["train", bench.data, "--out", out],
        "evaluate": ["evaluate", bench.model, "--out", out],
        "explain": ["explain", bench.model, bench.data, "--out", out],
        "target-list": ["target-list", bench.data, "--model", bench.model, "--out", out],
        "demo-data": ["demo-data", out, "--customers", "100", "--months", "6"],
    }[command] + list(extra)


@pytest.mark.parametrize(("command", "out", "where"), INPUTS)
def test_an_output_never_overwrites_an_input(bench, no_work, command, out, where):
    before = snapshot(bench.data), snapshot(bench.model)
    result = invoke(*_command(command, bench, bench.root / out))
    _refused(result, where, NEVER_OVER_INPUTS)
    assert (snapshot(bench.data), snapshot(bench.model)) == before


@pytest.mark.parametrize(
    ("command", "option"),
    [
        case(
            "features --out its own --config", "features", "--config", verdict="error", code="exit2"
        ),
        case(
            "target-list --out its own --campaign",
            "target-list",
            "--campaign",
            verdict="error",
            code="exit2",
        ),
    ],
)
def test_an_output_never_overwrites_a_settings_file(bench, no_work, tmp_path, command, option):
    settings = tmp_path / "settings.csv"
    settings.write_text("[data]\n", encoding="utf-8")
    result = invoke(*_command(command, bench, settings, option, settings))
    _refused(result, "is the input", NEVER_OVER_INPUTS)
    assert settings.read_text(encoding="utf-8") == "[data]\n"


@pytest.mark.parametrize(
    "link",
    [
        case(
            "score --out a link to DATA/customers.parquet",
            "customers.parquet",
            verdict="error",
            code="exit2",
        )
    ],
)
def test_a_link_to_an_input_is_refused(bench, no_work, tmp_path, link):
    (tmp_path / "shortcut").symlink_to(bench.data, target_is_directory=True)
    result = invoke(*_command("score", bench, tmp_path / "shortcut" / link))
    _refused(result, NEVER_OVER_INPUTS)


# ---- demo data never go into a folder of user data ---------------------------------------

USER_FOLDERS = [
    case(
        "a folder with a user's customers.csv",
        {"customers.csv": "customer_id\n1\n"},
        "customers.csv",
        verdict="error",
        code="exit2",
    ),
    case(
        "a folder with only a user's churnlab.toml",
        {"churnlab.toml": "[data]\ndelimiter = ';'\n"},
        "churnlab.toml (not the demo's)",
        verdict="error",
        code="exit2",
    ),
    case(
        "a folder with notes beside a demo",
        {"notes.txt": "mine", "customers.parquet": "x"},
        "notes.txt",
        verdict="error",
        code="exit2",
    ),
]


@pytest.mark.parametrize(("files", "named"), USER_FOLDERS)
def test_demo_data_refuses_a_folder_of_user_data(tmp_path, files, named):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = invoke("demo-data", folder, "--customers", "100", "--months", "6")
    _refused(result, "not an earlier demo", named)
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    for name, text in files.items():
        assert (folder / name).read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "earlier",
    [case("an earlier demo", True, verdict="ok"), case("an empty folder", False, verdict="ok")],
)
def test_demo_data_replaces_an_earlier_demo(bench, tmp_path, earlier):
    folder = tmp_path / "demo"
    if earlier:
        shutil.copytree(bench.data, folder)
    else:
        folder.mkdir()
    result = invoke("demo-data", folder, "--customers", "100", "--months", "6")
    assert result.exit_code == 0, result.stderr
    assert "100 customers" in result.stdout
    assert len(list(folder.glob("customers.*"))) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no lock, no temporary


# ---- an output that cannot be written is refused before the work -------------------------

WRITING = ["features", "train", "score", "evaluate", "explain", "target-list", "demo-data"]
FILE_OUT = {"features": "f.parquet", "score": "s.csv"}


def _out_name(command: str) -> str:
    return FILE_OUT.get(command, "out")


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A read-only folder. root may write anywhere, so for root the permission check is
    made to read the mode bits, as it would for anyone else."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    if os.geteuid() == 0:
        real = os.access

        def access(path, mode, *args, **kwargs):
            if mode & os.W_OK and not os.stat(path).st_mode & stat.S_IWUSR:
                return False
            return real(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
    yield folder
    folder.chmod(0o755)


@pytest.mark.parametrize(
    "command",
    [case(f"{c} --out in a read-only folder", c, verdict="error", code="exit2") for c in WRITING],
)
def test_a_read_only_folder_is_refused_before_the_work(bench, no_work, read_only, command):
    result = invoke(*_command(command, bench, read_only / _out_name(command)))
    _refused(result, f"the folder {read_only} is read-only", "Choose a folder you can write to")
    assert list(read_only.iterdir()) == []


@pytest.mark.parametrize(
    "command", [case(f"{c} --out below a file", c, verdict="error", code="exit2") for c in WRITING]
)
def test_an_output_below_a_file_is_refused_before_the_work(bench, no_work, tmp_path, command):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine", encoding="utf-8")
    result = invoke(*_command(command, bench, blocker / "sub" / _out_name(command)))
    _refused(result, f"{blocker} is a file, not a folder")
    assert blocker.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "command",
    [case(f"{c} --out an existing folder", c, verdict="error", code="exit2") for c in FILE_OUT],
)
def test_a_folder_where_a_file_is_written_is_refused(bench, no_work, tmp_path, command):
    folder = tmp_path / "results"
    (folder / "keep").mkdir(parents=True)
    result = invoke(*_command(command, bench, folder))
    _refused(result, "is a folder, but a file is written there", "give a file name")
    assert [p.name for p in folder.iterdir()] == ["keep"]


@pytest.mark.parametrize(
    "command",
    [
        case(f"{c} --out an existing file", c, verdict="error", code="exit2")
        for c in WRITING
        if c not in FILE_OUT
    ],
)
def test_a_file_where_a_folder_is_written_is_refused(bench, no_work, tmp_path, command):
    blocker = tmp_path / "out"
    blocker.write_text("mine", encoding="utf-8")
    result = invoke(*_command(command, bench, blocker))
    _refused(result, "exists and is not a")
    assert blocker.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "folder_files",
    [
        case(
            "train --out a folder of other files",
            {"notes.txt": "mine"},
            verdict="error",
            code="exit2",
        )
    ],
)
def test_train_refuses_a_folder_that_is_not_a_model_before_training(
    bench, no_work, tmp_path, folder_files
):
    out = tmp_path / "mine"
    out.mkdir()
    for name, text in folder_files.items():
        (out / name).write_text(text, encoding="utf-8")
    result = invoke(*_command("train", bench, out))
    _refused(result, "is not a churnlab model directory")


@pytest.mark.parametrize(
    "name", [case("score --out scores.xlsx", "scores.xlsx", verdict="error", code="exit2")]
)
def test_an_output_of_a_format_not_written_is_refused_before_the_work(
    bench, no_work, tmp_path, name
):
    _refused(invoke(*_command("score", bench, tmp_path / name)), "must end in .parquet or .csv")


# ---- every error path ends in a message and an exit code ---------------------------------


@pytest.mark.parametrize(
    ("raised", "code", "words"),
    [
        case(
            "a bug (a non-churnlab exception)",
            RuntimeError("boom"),
            3,
            ["Traceback", "RuntimeError: boom"],
            verdict="error",
            code="exit3",
        ),
        case(
            "a file that cannot be written",
            PermissionError(13, "Permission denied", "s.csv"),
            2,
            ["could not read or write s.csv: Permission denied"],
            verdict="error",
            code="exit2",
        ),
        case(
            "a full disk",
            OSError(28, "No space left on device"),
            2,
            ["No space left on device", "free space"],
            verdict="error",
            code="exit2",
        ),
        case(
            "Ctrl-C",
            KeyboardInterrupt(),
            130,
            ["Stopped by Ctrl-C"],
            verdict="error",
            code="exit130",
        ),
    ],
)
def test_every_error_ends_in_a_message_and_an_exit_code(
    bench, monkeypatch, tmp_path, raised, code, words
):
    import churnlab.files

    def fails(*args, **kwargs):
        raise raised

    monkeypatch.setattr(churnlab.files, "write_table", fails)
    result = invoke(*_command("score", bench, tmp_path / "s.csv"))
    assert result.exit_code == code
    for word in words:
        assert word in result.stderr
    if code == 3:
        assert result.stderr.rstrip().endswith(REPORT_LINE)
    else:
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no lock left
