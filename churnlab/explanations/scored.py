"""Scores with reasons: each scored customer's churn probability, its reasons in words and
the recommended action, from one scoring frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from churnlab.dates import DateLike
from churnlab.errors import ModelError
from churnlab.explanations.actions import ActionTable, read_actions
from churnlab.explanations.compute import explain
from churnlab.explanations.reasons import check_k
from churnlab.features.engine import EngineLike
from churnlab.features.wording import check_language
from churnlab.model import ChurnModel, Scores, load_model, score, scoring_frame
from churnlab.tables import DataConfig, Tables


def score_with_reasons(
    model: ChurnModel | str | Path,
    tables: Tables | str | Path,
    *,
    as_of: DateLike | None = None,
    k: int = 3,
    language: str = "en",
    actions: ActionTable | str | Path | None = None,
    config: DataConfig | str | Path | None = None,
    engine: EngineLike = None,
) -> Scores:
    """:func:`churnlab.score` plus each customer's ``k`` reasons, their categories and
    impacts, and the recommended action (columns as
    :meth:`~churnlab.explanations.Explanation.reasons` gives them), in ``language``.

    The features are built once (by ``engine``, see :func:`churnlab.score`) and serve both
    the scores and the SHAP values. Bad requests (``k``, ``language``, the action table) are
    refused before any data are read.
    """
    check_k(k)
    check_language(language)
    table = actions if isinstance(actions, ActionTable) else read_actions(actions)
    if not isinstance(model, ChurnModel):
        model = load_model(model)
    frame = scoring_frame(model, tables, as_of=as_of, config=config, engine=engine)
    scores = score(model, tables, config=config, features=frame)
    merged = with_reasons(scores.frame, explain(model, frame).reasons(k, language, actions=table))
    source: Literal["argument", "extract date"] = (
        "argument" if as_of is not None else "extract date"
    )
    return dataclasses.replace(scores, frame=merged, as_of_source=source)


def with_reasons(scores: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """Score columns, then the reason columns of the same customers (in the same order).

    >>> scores = pd.DataFrame({"customer_id": ["a"], "churn_probability": [0.4]})
    >>> with_reasons(scores, pd.DataFrame({"customer_id": ["a"], "reason_1": ["x"]}))
      customer_id  churn_probability reason_1
    0           a                0.4        x
    """
    ids = scores["customer_id"].to_numpy()
    if not np.array_equal(ids, reasons["customer_id"].to_numpy()):
        raise ModelError("Scores and reasons came out in different customer orders.")
    return pd.concat([scores, reasons.drop(columns="customer_id").set_axis(scores.index)], axis=1)
