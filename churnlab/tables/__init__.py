"""The input contract: load CSV/Parquet tables, map columns, validate, flag personal data."""

from churnlab.tables.config import DataConfig, SnapshotSpec, read_config
from churnlab.tables.contract import CONTRACTS, looks_personal
from churnlab.tables.fingerprint import data_fingerprint
from churnlab.tables.load import ValidationReport, check_data, load_tables, read_customers
from churnlab.tables.problems import Problem, ProblemCode
from churnlab.tables.tables import Tables, TableSummary, churn_by_month

__all__ = [
    "CONTRACTS",
    "DataConfig",
    "Problem",
    "ProblemCode",
    "SnapshotSpec",
    "TableSummary",
    "Tables",
    "ValidationReport",
    "check_data",
    "churn_by_month",
    "data_fingerprint",
    "load_tables",
    "looks_personal",
    "read_config",
    "read_customers",
]
