"""Shared fixtures: tiny data folders written from explicit file contents."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

FileContent = str | bytes | pd.DataFrame
MakeData = Callable[..., Path]


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
