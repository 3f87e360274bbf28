"""Point-in-time features: families of definitions (Ibis), registry, and the frames built from them."""

from churnlab.features.build import FeatureFrame, build_scoring_frame, build_training_frame
from churnlab.features.engine import DuckDBEngine, Engine
from churnlab.features.family import Feature, FeatureFamily, Scan, Scans, Total
from churnlab.features.plan import FeaturePlan, load_families
from churnlab.features.registry import get_feature, list_features
from churnlab.features.write import WrittenFeatures, write_features

__all__ = [
    "DuckDBEngine",
    "Engine",
    "Feature",
    "FeatureFamily",
    "FeatureFrame",
    "FeaturePlan",
    "Scan",
    "Scans",
    "Total",
    "WrittenFeatures",
    "build_scoring_frame",
    "build_training_frame",
    "get_feature",
    "list_features",
    "load_families",
    "write_features",
]
