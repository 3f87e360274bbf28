"""The input contract: load CSV/Parquet tables, map columns, validate, flag personal data."""

from churnlab.tables.config import DataConfig, SnapshotSpec, read_config
from churnlab.tables.contract import CONTRACTS, looks_personal
from churnlab.tables.describe import (
    monthly_churn,
    observed_from,
    retention_curves,
    top_share_of_value,
    value_concentration,
)
from churnlab.tables.displays import ChurnByMonthDisplay, ConcentrationDisplay, RetentionDisplay
from churnlab.tables.fingerprint import data_fingerprint
from churnlab.tables.load import ValidationReport, check_data, load_tables, read_customers
from churnlab.tables.problems import Problem, ProblemCode
from churnlab.tables.tables import Tables, TableSummary, churn_by_month

__all__ = [
    "CONTRACTS",
    "ChurnByMonthDisplay",
    "ConcentrationDisplay",
    "DataConfig",
    "Problem",
    "ProblemCode",
    "RetentionDisplay",
    "SnapshotSpec",
    "TableSummary",
    "Tables",
    "ValidationReport",
    "check_data",
    "churn_by_month",
    "data_fingerprint",
    "load_tables",
    "looks_personal",
    "monthly_churn",
    "observed_from",
    "read_config",
    "read_customers",
    "retention_curves",
    "top_share_of_value",
    "value_concentration",
]
