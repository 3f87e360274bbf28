"""How good is a churn model, and does it hold over time: metrics, plots, backtests, reports.

>>> from churnlab.evaluate import evaluate
>>> evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fractions=(0.5,), bins=2)
<Evaluation hold-out: ROC-AUC 0.750, lift@50% 1.0, ECE 0.188, 4 rows, churn 50.0%>
"""

from churnlab.evaluate.backtesting import Backtest, backtest, training_cutoffs
from churnlab.evaluate.cohorts import CohortChurnDisplay, churn_by_cohort
from churnlab.evaluate.displays import (
    CalibrationDisplay,
    GainsLiftDisplay,
    MetricsByCutoffDisplay,
    RocPrDisplay,
    ScoreDistributionDisplay,
)
from churnlab.evaluate.evaluation import Evaluation, evaluate, evaluate_model
from churnlab.evaluate.report import write_report
from churnlab.metrics import (
    brier_score,
    calibration_table,
    capture_rate,
    churn_metrics,
    decile_table,
    expected_calibration_error,
    gains_curve,
    lift,
    log_loss,
    pr_auc,
    roc_auc,
)

__all__ = [
    "Backtest",
    "CalibrationDisplay",
    "CohortChurnDisplay",
    "Evaluation",
    "GainsLiftDisplay",
    "MetricsByCutoffDisplay",
    "RocPrDisplay",
    "ScoreDistributionDisplay",
    "backtest",
    "brier_score",
    "calibration_table",
    "capture_rate",
    "churn_by_cohort",
    "churn_metrics",
    "decile_table",
    "evaluate",
    "evaluate_model",
    "expected_calibration_error",
    "gains_curve",
    "lift",
    "log_loss",
    "pr_auc",
    "roc_auc",
    "training_cutoffs",
    "write_report",
]
