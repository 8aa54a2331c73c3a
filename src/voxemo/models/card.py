"""The model card: what a saved model is, how it was made and how well it did."""

from __future__ import annotations

from datetime import UTC, datetime

from voxemo.features import FeatureSet
from voxemo.features.dataset import FeatureTable
from voxemo.models.selection import FittedModel
from voxemo.provenance import provenance


def model_card(
    data: FeatureTable,
    fitted: FittedModel,
    *,
    corpus_specs: list[str],
    features: str,
    feature_sets: list[FeatureSet],
    model_kind: str,
    seed: int,
    select: int | None = None,
    scores: dict | None = None,
) -> dict:
    """Everything a user needs to know to trust, reproduce and correctly apply the model."""
    return {
        "model": model_kind,
        "chosen_params": fitted.chosen_params,
        "feature_selection": select,
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
