"""churnlab: a Jupyter-based workbench for modelling customer churn.

``import churnlab`` gives the public names below; notebooks and the CLI use nothing else.
"""

from churnlab.errors import (
    ChurnlabError,
    ChurnlabWarning,
    ConfigError,
    DataError,
    DataRepairWarning,
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

__all__ = [
    "ChurnlabError",
    "ChurnlabWarning",
    "ConfigError",
    "DataConfig",
    "DataError",
    "DataRepairWarning",
    "SnapshotSpec",
    "SpecError",
    "TableSummary",
    "Tables",
    "ValidationReport",
    "__version__",
    "check_data",
    "load_tables",
    "read_config",
]
