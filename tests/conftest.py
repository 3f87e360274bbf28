"""Shared fixtures: tiny data folders written from explicit file contents; one tiny demo operator
and its model for the explanation, campaign and run tests; figures closed after each test."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

FileContent = str | bytes | pd.DataFrame
MakeData = Callable[..., Path]


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures drawn by a test are closed after it (pyplot keeps them otherwise)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,500-customer, 18-month demo operator (seed 11), shared read-only by the session."""
    from churnlab.demo import DemoSpec, generate_demo

    out = tmp_path_factory.mktemp("tiny_demo")
    generate_demo(out, DemoSpec(customers=1500, months=18, seed=11))
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_demo: Path):
    """The default model trained on :func:`tiny_demo` (60 rounds at most)."""
    from churnlab.features import build_training_frame
    from churnlab.model import ModelSpec, train

    frame = build_training_frame(tiny_demo, progress=False)
    return train(frame, ModelSpec(max_rounds=60), created_at="2024-07-01T00:00:00", progress=False)


@pytest.fixture
def make_data(tmp_path: Path) -> MakeData:
    """Write files into a new folder and return it.

    ``make_data({"customers.csv": '''...''', "bills.parquet": frame}, folder="x")``: text is
    dedented and written as UTF-8, bytes are written as they are, a DataFrame as Parquet.
    """

    def make(files: dict[str, FileContent], *, folder: str = "data") -> Path:
        out = tmp_path / folder
        out.mkdir()
        for name, content in files.items():
            if isinstance(content, pd.DataFrame):
                content.to_parquet(out / name, index=False)
            elif isinstance(content, bytes):
                (out / name).write_bytes(content)
            else:
                (out / name).write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return out

    return make
