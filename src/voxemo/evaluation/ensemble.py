"""Probability-averaging ensembles, evaluated from their members' evaluations.

Each member was trained on the training side of the same folds, so averaging the members'
test probabilities file by file is exactly what an ensemble trained fold by fold would
predict: no extra training, and no test speaker reaches any member.
"""

from __future__ import annotations

import numpy as np

from voxemo.errors import VoxemoError
from voxemo.evaluation import metrics
from voxemo.evaluation.run import summarize


def ensemble_evaluation(members: list[dict], protocol: str, weights: list[float] | None = None):
    """The evaluation of the average of ``members``' probabilities (same files and folds)."""
    weights = weights or [1.0] * len(members)
    tracks = {member["track"] for member in members}
    by_path = [{p["path"]: p for p in member["predictions"]} for member in members]
    if len(tracks) != 1 or any(set(paths) != set(by_path[0]) for paths in by_path):
        raise VoxemoError("ensemble members must be evaluated on the same files and track")
    labels = members[0]["labels"]
    corpus_labels = members[0].get("corpus_labels")
    predictions = []
    for path, first in by_path[0].items():
        if any(paths[path]["fold"] != first["fold"] for paths in by_path):
            raise VoxemoError(f"{path}: ensemble members put this file in different folds")
        mean = sum(
            w * np.array([paths[path]["probabilities"].get(label, 0.0) for label in labels])
            for w, paths in zip(weights, by_path, strict=True)
        ) / sum(weights)
        predictions.append(
            {
                **{
                    k: first[k]
                    for k in ("path", "corpus", "speaker", "label", "fold")
                    if k in first
                },
                "predicted": labels[int(np.argmax(mean))],
                "probabilities": {
                    label: round(float(p), 5) for label, p in zip(labels, mean, strict=True)
                },
            }
        )
    fold_rows = []
    for fold in members[0]["folds"]:
        rows = [p for p in predictions if p["fold"] == fold["fold"]]
        scored = corpus_labels[fold["corpus"]] if corpus_labels and "corpus" in fold else labels
        scores = metrics.scores([p["label"] for p in rows], [p["predicted"] for p in rows], scored)
        kept = {
            k: fold[k]
            for k in ("fold", "corpus", "test_speakers", "n_train", "n_test")
            if k in fold
        }
        fold_rows.append({**kept, **scores})
    return summarize(
        fold_rows, predictions, labels, protocol, tracks.pop(), corpus_labels=corpus_labels
    )
