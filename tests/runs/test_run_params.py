"""Parameters are read from the typed parameters cell and checked before any kernel starts."""

from __future__ import annotations

import pytest

from churnlab.errors import SpecError
from churnlab.runs import read_parameters, resolve_parameters, run_notebook
from churnlab.runs.params import read_params_file


def test_typed_parameters_are_read_with_their_comments(project):
    declared = read_parameters(project / "notebooks" / "tiny.ipynb")
    assert list(declared) == ["data_dir", "as_of", "top", "budget", "fail", "output_dir", "run_id"]
    assert declared["top"].type == "int" and declared["top"].default == 3
    assert declared["budget"].default == 10.5 and declared["fail"].default is False
    assert declared["data_dir"].help == "the data folder"
    assert declared["budget"].help == "what to spend (above 0, at most 1000)"


def test_text_values_take_the_declared_type_and_keep_their_source(project, tmp_path):
    declared = read_parameters(project / "notebooks" / "tiny.ipynb")
    file = tmp_path / "p.toml"
    file.write_text("top = 7\nbudget = 2\nas_of = 2026-06-30\n")
    values = resolve_parameters(
        declared,
        flags=[("top", "9"), ("fail", "yes")],
        file_values=read_params_file(file),
        cwd=project,
    )
    assert (values["top"].value, values["top"].source) == (9, "flag")
    assert (values["budget"].value, values["budget"].source) == (2.0, "file")
    assert (values["as_of"].value, values["as_of"].source) == ("2026-06-30", "file")
    assert values["fail"].value is True
    assert (values["data_dir"].value, values["data_dir"].source) == ("data", "default")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"tpo": "5"}, r"no parameter 'tpo'\. Did you mean 'top'\?"),
        ({"top": "five"}, r"'top' parameter must be a whole number\. Got 'five' instead"),
        ({"top": "2.5"}, r"'top' parameter must be a whole number"),
        ({"budget": "lots"}, r"'budget' parameter must be a number"),
        ({"top": "-1"}, r"'top' parameter must be at least 0\. Got -1 instead"),
        (
            {"budget": "0"},
            r"'budget' parameter must be above 0 and at most 1000\. Got 0\.0 instead",
        ),
        ({"fail": "maybe"}, r"'fail' parameter must be true or false"),
        ({"as_of": "30.06.2026"}, r"as_of"),
        ({"as_of": "2026-02-30"}, r"as_of"),
        ({"data_dir": "no/such/folder"}, r"'data_dir' parameter must be an existing folder"),
        ({"output_dir": "x"}, r"set by `churnlab run` itself"),
    ],
)
def test_bad_values_are_refused_before_a_kernel_starts(project, monkeypatch, flags, message):
    def no_kernel(*args, **kwargs):
        raise AssertionError("papermill must not start")

    monkeypatch.setattr("papermill.execute_notebook", no_kernel)
    with pytest.raises(SpecError, match=message):
        run_notebook("tiny", parameters=flags, runs_dir="runs")
    assert not (project / "runs").exists()


def test_a_bad_params_file_is_one_line(project, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("top = \n")
    with pytest.raises(SpecError, match=r"is not valid TOML"):
        run_notebook("tiny", params_file=bad, runs_dir="runs")
    nested = tmp_path / "nested.toml"
    nested.write_text("[selection]\ntop = 5\n")
    with pytest.raises(SpecError, match=r"top-level `name = value` pairs"):
        run_notebook("tiny", params_file=nested, runs_dir="runs")


def test_an_unknown_notebook_says_which_exist(project):
    with pytest.raises(SpecError, match=r"No notebook 'tinny'.*Did you mean 'tiny'\?"):
        run_notebook("tinny", runs_dir="runs")


def test_a_line_papermill_cannot_read_is_named(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    cell = nbformat.v4.new_code_cell("top: int = 3  # list size (>= 0)\nseed: int = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "x.ipynb")
    with pytest.raises(SpecError, match=r"cannot read line 1 .*\('top'\).*no other '='"):
        read_parameters(tmp_path / "x.ipynb")


def test_an_untyped_parameter_takes_its_defaults_type(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    cell = nbformat.v4.new_code_cell(
        'seed = 7  # random seed\nshare = 0.1\nname = "x"\nitems = [1]'
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "x.ipynb")
    declared = read_parameters(tmp_path / "x.ipynb")
    assert [declared[n].type for n in ("seed", "share", "name", "items")] == [
        "int",
        "float",
        "str",
        None,
    ]
    values = resolve_parameters(declared, flags={"seed": "8"})
    assert values["seed"].value == 8
    with pytest.raises(SpecError, match=r"'share' parameter must be a number"):
        resolve_parameters(declared, flags={"share": "ten"})
