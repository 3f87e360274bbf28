"""Point-in-time features: definitions (Ibis), registry, and the frames built from them."""

from churnlab.features.build import FeatureFrame, build_scoring_frame, build_training_frame
from churnlab.features.engine import DuckDBEngine, Engine
from churnlab.features.registry import Feature, get_feature, list_features
from churnlab.features.write import WrittenFeatures, write_features

__all__ = [
    "DuckDBEngine",
    "Engine",
    "Feature",
    "FeatureFrame",
    "WrittenFeatures",
    "build_scoring_frame",
    "build_training_frame",
    "get_feature",
    "list_features",
    "write_features",
]
