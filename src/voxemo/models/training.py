"""Fitting a model kind on a whole feature table and describing it in a model card."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

from voxemo.features import FeatureSet
from voxemo.features.dataset import FeatureTable
from voxemo.models.registry import build_model
from voxemo.provenance import provenance


def fit_model(data: FeatureTable, model_kind: str, seed: int = 42) -> Pipeline:
    model = build_model(model_kind, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.features, data.table["label"].astype(str).to_numpy())
    return model


def model_card(
    data: FeatureTable,
    *,
    corpus_specs: list[str],
    features: str,
    feature_sets: list[FeatureSet],
    model_kind: str,
    seed: int,
    scores: dict | None = None,
) -> dict:
    """Everything a user needs to know to trust, reproduce and correctly apply the model."""
    return {
        "model": model_kind,
        "features": features,
        "feature_sets": [fs.config() for fs in feature_sets],
        "feature_keys": [fs.key for fs in feature_sets],
        "n_features": int(data.features.shape[1]),
        "sample_rates": sorted({fs.sample_rate for fs in feature_sets}),
        "training": {
            "corpus": corpus_specs,
            "n_files": len(data.table),
            "n_speakers": int(data.table["speaker"].nunique()),
            "label_counts": {str(k): int(v) for k, v in data.table["label"].value_counts().items()},
            "seed": seed,
        },
        "scores": scores or {},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **provenance(),
    }
