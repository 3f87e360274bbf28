"""churnlab: a Jupyter-based workbench for modelling customer churn.

``import churnlab`` gives the public names below; notebooks and the CLI use nothing else.
Model, explanation and evaluation names load on first use (they pull in LightGBM and
scikit-learn), so commands that only read data start fast.
"""

from importlib import import_module
from typing import Any

from churnlab.dates import parse_date
from churnlab.errors import (
    ChurnlabError,
    ChurnlabWarning,
    ConfigError,
    DataError,
    DataPlausibilityWarning,
    DataRepairWarning,
    EngineError,
    ModelError,
    SpecError,
)
from churnlab.tables import (
    DataConfig,
    SnapshotSpec,
    Tables,
    TableSummary,
    ValidationReport,
    check_data,
    load_tables,
    read_config,
)

__version__ = "0.1.0"

_LAZY = {
    "LabelSpec": "churnlab.labels",
    "FeatureFrame": "churnlab.features",
    "build_scoring_frame": "churnlab.features",
    "build_training_frame": "churnlab.features",
    "list_features": "churnlab.features",
    "ModelSpec": "churnlab.model",
    "ChurnModel": "churnlab.model",
    "ModelCard": "churnlab.model",
    "Scores": "churnlab.model",
    "UnseenCategoryWarning": "churnlab.model",
    "train": "churnlab.model",
    "save_model": "churnlab.model",
    "load_model": "churnlab.model",
    "score": "churnlab.model",
    "CrossValidation": "churnlab.model",
    "cross_validate": "churnlab.model",
    "Explanation": "churnlab.explanations",
    "explain": "churnlab.explanations",
    "Evaluation": "churnlab.evaluate",
    "evaluate_model": "churnlab.evaluate",
    "Backtest": "churnlab.evaluate",
    "backtest": "churnlab.evaluate",
    "write_report": "churnlab.evaluate",
    "TargetList": "churnlab.campaign",
    "Selection": "churnlab.campaign",
    "CampaignSpec": "churnlab.campaign",
    "read_campaign": "churnlab.campaign",
    "target_list": "churnlab.campaign",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'churnlab' has no attribute {name!r}")


__all__ = [
    "ChurnlabError",
    "ChurnlabWarning",
    "ConfigError",
    "DataConfig",
    "DataError",
    "DataPlausibilityWarning",
    "DataRepairWarning",
    "EngineError",
    "ModelError",
    "SnapshotSpec",
    "SpecError",
    "TableSummary",
    "Tables",
    "ValidationReport",
    "__version__",
    "check_data",
    "load_tables",
    "parse_date",
    "read_config",
    *_LAZY,
]
