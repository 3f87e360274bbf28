"""Export directories: atomic, with a manifest of checksums, never over something else."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hostile import hostile_frame

from churnlab.errors import DataError, SpecError
from churnlab.export import (
    file_entries,
    read_manifest,
    sha256_file,
    software_versions,
    verify_manifest,
    write_csv,
    write_export,
    write_parquet,
    write_xlsx,
)

WHEN = {"created_at": "2025-06-30T12:00:00Z"}
ADVICE = "choose a new directory, or remove it yourself"


def a_list(tmp_path, frame=None, **manifest):
    frame = hostile_frame() if frame is None else frame
    return write_export(
        tmp_path / "list",
        kind="target_list",
        files={
            "target_list.csv": lambda path: write_csv(frame, path),
            "target_list.xlsx": lambda path: write_xlsx(frame, path),
            "target_list.parquet": lambda path: write_parquet(frame, path),
        },
        manifest={**WHEN, "rows": len(frame), **manifest},
    )


def listing(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_an_export_holds_its_files_and_a_manifest_of_their_checksums(tmp_path):
    out = a_list(tmp_path, software=software_versions(), as_of=pd.Timestamp("2025-06-30"))
    assert listing(out) == [
        "manifest.json",
        "target_list.csv",
        "target_list.parquet",
        "target_list.xlsx",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest)[:3] == ["kind", "format_version", "created_at"]
    assert list(manifest)[-1] == "files"
    assert manifest["kind"] == "target_list" and manifest["format_version"] == 1
    assert manifest["created_at"] == WHEN["created_at"] and manifest["rows"] == 20
    assert manifest["as_of"] == "2025-06-30T00:00:00"
    assert manifest["software"]["xlsxwriter"] not in ("", "unknown")
    assert set(manifest["files"]) == {"target_list.csv", "target_list.xlsx", "target_list.parquet"}
    for name, entry in manifest["files"].items():
        assert entry == {"sha256": sha256_file(out / name), "bytes": (out / name).stat().st_size}
    assert verify_manifest(out) == []
    assert listing(tmp_path) == ["list"]  # no temporary directory left


def test_verify_manifest_finds_a_changed_a_missing_and_an_extra_file(tmp_path):
    out = a_list(tmp_path)
    with open(out / "target_list.csv", "ab") as handle:
        handle.write(b"=1+1,\r\n")
    (out / "target_list.parquet").unlink()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert verify_manifest(out) == [
        "notes.txt: not in the manifest",
        "target_list.csv: changed",
        "target_list.parquet: missing",
    ]


def test_verify_manifest_reports_a_missing_or_unreadable_manifest(tmp_path):
    out = a_list(tmp_path)
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    assert verify_manifest(out) == ["manifest.json: unreadable"]
    (out / "manifest.json").unlink()
    assert verify_manifest(out) == ["manifest.json: missing"]
    with pytest.raises(DataError, match=r"has no manifest\.json; it is not an export directory"):
        read_manifest(out)


def test_sha256_and_file_entries_follow_the_standard(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_bytes(b"")
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert file_entries(tmp_path) == {"sub/a.txt": {"sha256": empty, "bytes": 0}}


def test_an_interrupted_export_leaves_the_previous_one_whole(tmp_path):
    out = a_list(tmp_path)
    before = {name: (out / name).read_bytes() for name in listing(out)}

    def half_then_fail(path):
        path.write_text("customer_id\r\n001\r\n", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_export(
            out,
            kind="target_list",
            files={
                "target_list.csv": lambda path: write_csv(hostile_frame().head(2), path),
                "target_list.xlsx": half_then_fail,
            },
            manifest=WHEN,
        )
    assert {name: (out / name).read_bytes() for name in listing(out)} == before
    assert verify_manifest(out) == []
    assert listing(tmp_path) == ["list"]


def test_an_interrupted_first_export_leaves_nothing(tmp_path):
    def interrupted(path):
        path.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_export(
            tmp_path / "list",
            kind="target_list",
            files={"a.csv": lambda p: p.write_text("a"), "b.csv": interrupted},
            manifest=WHEN,
        )
    assert listing(tmp_path) == []


def test_an_earlier_export_of_the_same_kind_is_replaced_as_a_whole(tmp_path):
    a_list(tmp_path)
    out = write_export(
        tmp_path / "list",
        kind="target_list",
        files={"winback.csv": lambda p: write_csv(hostile_frame().head(1), p)},
        manifest=WHEN,
    )
    assert listing(out) == ["manifest.json", "winback.csv"]
    assert verify_manifest(out) == []


def test_an_empty_existing_directory_is_fine(tmp_path):
    (tmp_path / "list").mkdir()
    assert listing(a_list(tmp_path))[0] == "manifest.json"


def test_a_directory_that_is_not_an_export_is_refused_and_left_alone(tmp_path):
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "thesis.docx").write_text("years of work", encoding="utf-8")
    with pytest.raises(
        SpecError,
        match=rf"list exists, is not empty and is not an earlier export \(it has no manifest.json\); {ADVICE}",
    ):
        a_list(tmp_path)
    assert listing(tmp_path / "list") == ["thesis.docx"]
    assert listing(tmp_path) == ["list"]


def test_an_export_of_another_kind_is_refused(tmp_path):
    a_list(tmp_path)
    with pytest.raises(
        SpecError, match=rf"holds an export of kind 'target_list', not 'winback'; {ADVICE}"
    ):
        write_export(tmp_path / "list", kind="winback", files={}, manifest=WHEN)
    assert verify_manifest(tmp_path / "list") == []


def test_a_file_is_refused(tmp_path):
    (tmp_path / "list").write_text("x", encoding="utf-8")
    with pytest.raises(SpecError, match=rf"list exists and is not a directory; {ADVICE}"):
        a_list(tmp_path)
    assert (tmp_path / "list").read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize(
    ("target", "where"),
    [("data", "is"), ("data/out", "is inside"), (".", "contains")],
)
def test_inputs_are_never_overwritten(tmp_path, target, where):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id\n1\n", encoding="utf-8")
    with pytest.raises(
        SpecError, match=rf"{where} the input .*data; churnlab never writes over its inputs"
    ):
        write_export(
            tmp_path / target,
            kind="target_list",
            files={"a.csv": lambda p: p.write_text("a")},
            manifest=WHEN,
            protect=[data, tmp_path / "model"],
        )
    assert listing(data) == ["customers.csv"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": ""}, "'kind' parameter of write_export must be a non-empty str"),
        ({"files": {"sub/a.csv": print}}, "must name plain files .* Got 'sub/a.csv'"),
        ({"files": {"manifest.json": print}}, "Got 'manifest.json'"),
        ({"files": {".hidden": print}}, "Got '.hidden'"),
        ({"files": {"a.csv": "not callable"}}, "writer of 'a.csv' must be callable"),
        ({"manifest": {"files": {}}}, "must not set 'files': write_export records them itself"),
        ({"manifest": {"gain": float("nan")}}, "must hold JSON data"),
        ({"manifest": {"model": object()}}, "must hold JSON data"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, options, message):
    arguments = {"kind": "target_list", "files": {"a.csv": print}, "manifest": WHEN, **options}
    with pytest.raises(SpecError, match=message):
        write_export(tmp_path / "list", **arguments)
    assert listing(tmp_path) == []


def test_a_writer_that_writes_nothing_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match=r"The writer of a\.csv returned without writing the file"):
        write_export(tmp_path / "list", kind="k", files={"a.csv": lambda path: None}, manifest=WHEN)
    assert listing(tmp_path) == []


def test_created_at_is_the_current_utc_time_only_when_the_caller_gives_none(tmp_path):
    out = write_export(tmp_path / "list", kind="k", files={}, manifest={"rows": 0})
    created = read_manifest(out)["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert (pd.Timestamp.now(tz="UTC") - pd.Timestamp(created)) < pd.Timedelta(minutes=5)
