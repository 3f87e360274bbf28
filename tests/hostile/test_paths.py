"""Hostile paths in ``[files]``: a table's file stays inside the data folder unless the user
opts in with ``allow_outside = true``, and a file that is not a table is never echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cases import case
from typer.testing import CliRunner

from churnlab.cli import app
from churnlab.errors import ConfigError
from churnlab.tables import check_data, load_tables

CUSTOMERS = "customer_id,signup_date,end_date\nC1,2024-01-01,\nC2,2024-02-01,\n"
SECRET = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def _outside(tmp_path: Path) -> Path:
    """A secret file beside (outside) the data folder."""
    secret = tmp_path / "etc" / "passwd"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    return secret


@pytest.mark.parametrize(
    "name",
    [
        case("climbs with ..", "../etc/passwd", verdict="error", code="ConfigError"),
        case("climbs deep", "sub/../../etc/passwd", verdict="error", code="ConfigError"),
        case("windows climb", "..\\etc\\passwd", verdict="error", code="ConfigError"),
        case("absolute", "{secret}", verdict="error", code="ConfigError"),
        case("windows drive", "C:\\etc\\passwd", verdict="error", code="ConfigError"),
        case("home", "~/passwd", verdict="error", code="ConfigError"),
    ],
)
def test_a_path_outside_the_data_folder_is_refused(make_data, tmp_path: Path, name: str) -> None:
    secret = _outside(tmp_path)
    name = name.format(secret=secret)
    toml = f"[files]\ncustomers = {name!r}\n".replace("'", '"').replace("\\", "\\\\")
    folder = make_data({"churnlab.toml": toml, "customers.csv": CUSTOMERS})

    with pytest.raises(ConfigError, match=r"outside the data folder.*allow_outside = true") as err:
        check_data(folder)
    assert "root:x" not in str(err.value)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
@pytest.mark.parametrize(
    "allow", [case("link leading outside", False, verdict="error", code="ConfigError")]
)
def test_a_link_inside_the_folder_to_a_file_outside_is_refused(
    make_data, tmp_path: Path, allow: bool
) -> None:
    secret = _outside(tmp_path)
    folder = make_data({"churnlab.toml": '[files]\ncustomers = "clients.csv"\n'})
    (folder / "clients.csv").symlink_to(secret)

    with pytest.raises(ConfigError, match="leads outside the data folder") as err:
        check_data(folder)
    assert "root:x" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "where"),
    [
        case("opted in, outside", "../shared/clients.csv", "shared", verdict="ok"),
        case("a subfolder", "2024/clients.csv", "data/2024", verdict="ok"),
    ],
)
def test_a_path_the_user_opted_into_or_below_the_folder_is_read(
    make_data, tmp_path: Path, name: str, where: str
) -> None:
    folder = make_data({"churnlab.toml": f'[files]\ncustomers = "{name}"\nallow_outside = true\n'})
    (tmp_path / where).mkdir(parents=True, exist_ok=True)
    (tmp_path / where / "clients.csv").write_text(CUSTOMERS)

    assert load_tables(folder).customers["customer_id"].tolist() == ["C1", "C2"]


@pytest.mark.parametrize(
    "value", [case("allow_outside not a boolean", '"yes"', verdict="error", code="ConfigError")]
)
def test_allow_outside_must_be_true_or_false(make_data, value: str) -> None:
    folder = make_data(
        {"churnlab.toml": f"[files]\nallow_outside = {value}\n", "customers.csv": CUSTOMERS}
    )
    with pytest.raises(ConfigError, match="allow_outside must be true or false"):
        check_data(folder)


@pytest.mark.parametrize(
    "content",
    [
        case("a passwd file as customers", SECRET, verdict="error", code="not_a_table"),
        case(
            "a note as customers",
            "meeting notes\ncall Alice at 555\n",
            verdict="error",
            code="not_a_table",
        ),
    ],
)
def test_a_file_that_is_not_a_table_is_not_echoed(make_data, content: str) -> None:
    folder = make_data(
        {"churnlab.toml": '[files]\ncustomers = "notes.txt"\n', "notes.txt": content}
    )
    report = check_data(folder)

    (problem,) = report.problems
    assert problem.code == "not_a_table" and problem.examples == ()
    for line in content.splitlines():
        assert line not in str(report)


@pytest.mark.parametrize(
    "name", [case("validate with a climbing path", "../etc/passwd", verdict="error", code="exit2")]
)
def test_validate_refuses_a_path_outside_with_exit_2(make_data, tmp_path: Path, name: str) -> None:
    _outside(tmp_path)
    folder = make_data({"churnlab.toml": f'[files]\ncustomers = "{name}"\n'})

    result = CliRunner().invoke(app, ["validate", str(folder)])

    assert result.exit_code == 2
    assert "allow_outside" in result.output and "Traceback" not in result.output
    assert "root:x" not in result.output
