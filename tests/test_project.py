"""Project-level promises: environment.yml and pyproject.toml agree; imports flow one way."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "ibis-duckdb": "ibis-framework"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_name(d) for d in deps}


def _environment_names() -> set[str]:
    names = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^\s+-\s+([A-Za-z0-9_.\-\[\]]+)", line)
        if match and not line.strip().startswith("- -e") and match.group(1) not in {"pip", "pip:"}:
            name = _name(match.group(1))
            if name not in {"python", "pip"}:
                names.add(CONDA_TO_PYPI.get(name, name))
    return names


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    in_pyproject, in_conda = _pyproject_names(), _environment_names()
    assert in_pyproject - in_conda == set(), "in pyproject.toml but not environment.yml"
    assert in_conda - in_pyproject == set(), "in environment.yml but not pyproject.toml"


# The stages in data-flow order; a module may import only from stages before it.
STAGES = [
    "errors",
    "dates",
    "safe",
    "files",
    "display",
    "metrics",
    "tables",
    "demo",
    "labels",
    "features",
    "model",
    "explanations",
    "evaluate",
    "export",
    "campaign",
    "runs",
    "cli",
]


def _home_stage(name: str) -> str:
    """The stage a name imported with ``from churnlab import name`` comes from."""
    if (ROOT / "churnlab" / name).is_dir() or (ROOT / "churnlab" / f"{name}.py").exists():
        return name  # a subpackage or module
    import churnlab

    module = churnlab._LAZY.get(name) or getattr(churnlab, name).__module__
    return module.split(".")[1] if module.startswith("churnlab.") else "churnlab"


def _stage_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("churnlab."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "churnlab":
            found.update(_home_stage(alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("churnlab."):
                    found.add(alias.name.split(".")[1])
                elif alias.name == "churnlab":
                    found.add("churnlab")  # the whole public surface: every stage
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "churnlab").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_imports_point_one_way(path):
    stage = path.relative_to(ROOT / "churnlab").parts[0].removesuffix(".py")
    if stage not in STAGES:
        return  # the package root re-exports the public names
    allowed = set(STAGES[: STAGES.index(stage) + 1])
    if stage == "cli":
        allowed = set(STAGES)
    assert _stage_imports(path) <= allowed


@pytest.mark.parametrize(
    ("source", "stages"),
    [
        ("from churnlab.model import train", {"model"}),
        ("from churnlab import train, load_tables", {"model", "tables"}),
        ("from churnlab import features", {"features"}),
        ("from churnlab import SpecError", {"errors"}),
        ("import churnlab", {"churnlab"}),
    ],
)
def test_the_import_walk_sees_imports_through_the_package_root(tmp_path, source, stages):
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert _stage_imports(module) == stages


def test_every_public_name_resolves():
    import churnlab

    missing = [name for name in churnlab.__all__ if not hasattr(churnlab, name)]
    assert missing == []
