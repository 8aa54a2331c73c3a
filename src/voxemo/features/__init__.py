"""Feature sets (registered by name) and cached, parallel extraction over files."""

# Importing a feature-set module registers its sets by name.
from voxemo.features import opensmile_sets as _opensmile_sets  # noqa: F401
from voxemo.features import overview as _overview  # noqa: F401
from voxemo.features import prosody as _prosody  # noqa: F401
from voxemo.features import seed as _seed  # noqa: F401
from voxemo.features import spectral as _spectral  # noqa: F401
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
