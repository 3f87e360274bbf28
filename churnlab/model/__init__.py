"""Churn models: train (out of time), calibrate, describe (model card), save, load, score."""

import churnlab.model._threads  # noqa: F401  (before LightGBM loads: see the module)
from churnlab.metrics import expected_calibration_error
from churnlab.model.baseline import BaselineModel
from churnlab.model.calibration import Calibrator
from churnlab.model.card import ModelCard
from churnlab.model.compat import UnseenCategoryWarning
from churnlab.model.crossval import CrossValidation, cross_validate
from churnlab.model.model import ChurnModel
from churnlab.model.persist import load_model, save_model
from churnlab.model.sanity import (
    InSampleScoresWarning,
    LeakWarning,
    OneClassHoldoutWarning,
    TooLittleDataWarning,
)
from churnlab.model.score import Scores, score, scoring_frame
from churnlab.model.spec import ModelSpec
from churnlab.model.train import GapWarning, train

__all__ = [
    "BaselineModel",
    "Calibrator",
    "ChurnModel",
    "CrossValidation",
    "GapWarning",
    "InSampleScoresWarning",
    "LeakWarning",
    "ModelCard",
    "ModelSpec",
    "OneClassHoldoutWarning",
    "Scores",
    "TooLittleDataWarning",
    "UnseenCategoryWarning",
    "cross_validate",
    "expected_calibration_error",
    "load_model",
    "save_model",
    "score",
    "scoring_frame",
    "train",
]
