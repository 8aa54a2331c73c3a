"""The model card: what a saved model is, how it was made and how well it did."""

from __future__ import annotations

from datetime import UTC, datetime

from voxemo.features import FeatureSet
from voxemo.features.dataset import FeatureTable, WaveTable
from voxemo.models.selection import FittedModel
from voxemo.provenance import provenance


def model_card(
    data: FeatureTable,
    fitted: FittedModel,
    *,
    features: str,
    feature_sets: list[FeatureSet],
    model_kind: str,
    seed: int,
    select: int | None = None,
    scores: dict | None = None,
    augmented: bool = False,
) -> dict:
    """Everything a user needs to know to trust, reproduce and correctly apply the model."""
    return {
        "model": model_kind,
        "chosen_params": fitted.chosen_params,
        "augmentation": "a copy of every file under a random recording condition"
        if augmented
        else None,
        "feature_selection": select,
        "features": features,
        "feature_sets": [fs.config() for fs in feature_sets],
        "feature_keys": [fs.key for fs in feature_sets],
        "n_features": int(data.features.shape[1]),
        "sample_rates": sorted({fs.sample_rate for fs in feature_sets}),
        **_made(data.table, seed, scores),
    }


def network_card(
    data: WaveTable,
    trained,
    *,
    model_kind: str,
    seed: int,
    scores: dict | None = None,
) -> dict:
    """The card of a network: its front end is part of it, since it computes the inputs."""
    return {
        "model": model_kind,
        "chosen_params": {"epoch": trained.best_epoch, "weights": trained.weights},
        "validation_uar": trained.validation_uar,
        "features": "logmel",
        "frontend": trained.config.frontend.config(),
        "training_config": trained.config.to_dict(),
        "training_history": trained.history,
        "training_seconds": None if trained.seconds is None else round(trained.seconds, 1),
        "sample_rates": [trained.config.frontend.sample_rate],
        **_made(data.table, seed, scores),
    }


def corpus_record(table) -> list[dict]:
    """Each training corpus by name, with its files, speakers and a digest of their names
    and contents: what the data was, without the path it happened to be read from.

    Examples
    --------
    >>> import pandas as pd
    >>> record = corpus_record(pd.DataFrame({"corpus": ["demo"], "speaker": ["a"],
    ...                                      "path": [__file__]}))
    >>> record[0]["name"], record[0]["files"], len(record[0]["digest"])
    ('demo', 1, 32)
    """
    import hashlib
    import os

    from voxemo.features.cache import file_digest

    out = []
    for name, rows in table.groupby(table["corpus"].astype(str), sort=True):
        paths = sorted(rows["path"].astype(str))
        root = os.path.commonpath(paths) if len(paths) > 1 else os.path.dirname(paths[0])
        digest = hashlib.blake2b(digest_size=16)
        for path in paths:
            digest.update(os.path.relpath(path, root).encode())
            try:
                digest.update(file_digest(path).encode())
            except OSError:  # moved since it was read: its name still counts
                digest.update(b"unreadable")
        out.append(
            {
                "name": name,
                "files": len(rows),
                "speakers": int(rows["speaker"].nunique()),
                "digest": digest.hexdigest(),
            }
        )
    return out


def _made(table, seed: int, scores: dict | None) -> dict:
    return {
        "training": {
            "corpus": corpus_record(table),
            "n_files": len(table),
            "n_speakers": int(table["speaker"].nunique()),
            "label_counts": {str(k): int(v) for k, v in table["label"].value_counts().items()},
            "seed": seed,
        },
        "scores": scores or {},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **provenance(),
    }
