"""Feature sets (registered by name) and cached, parallel extraction over files.

A feature set's module, and the libraries it needs, load when the set is first asked for.
"""

from voxemo.features.base import (
    FeatureSet,
    available_feature_sets,
    compute_features,
    parse_feature_spec,
    register,
)
from voxemo.features.cache import FeatureCache, default_cache_dir
from voxemo.features.extract import ExtractionResult, default_jobs, extract_features

__all__ = [
    "ExtractionResult",
    "FeatureCache",
    "FeatureSet",
    "available_feature_sets",
    "compute_features",
    "default_cache_dir",
    "default_jobs",
    "extract_features",
    "parse_feature_spec",
    "register",
]
