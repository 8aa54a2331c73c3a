"""An evaluation scored again over fewer emotions: the like-for-like comparison of models
trained on corpora with different emotions (e.g. over the six that RAVDESS and CREMA-D share).
"""

from __future__ import annotations

import numpy as np

from voxemo.errors import VoxemoError
from voxemo.evaluation import metrics
from voxemo.evaluation.run import summarize


def over_labels(result: dict, labels: list[str], corpus: str | None = None) -> dict:
    """``result`` restricted to the test files of ``labels`` (and of ``corpus``, if given),
    each file's probabilities renormalized over ``labels`` and its prediction taken among them.

    Examples
    --------
    >>> result = {"track": "utterance-level", "config": {"protocol": "loso"}, "folds": [
    ...     {"fold": "speaker a", "test_speakers": ["a"]}], "predictions": [
    ...     {"path": "x.wav", "speaker": "a", "label": "sad", "fold": "speaker a",
    ...      "predicted": "calm", "probabilities": {"calm": 0.6, "sad": 0.3, "angry": 0.1}}]}
    >>> over_labels(result, ["sad", "angry"])["accuracy"]
    1.0
    """
    kept = set(labels)
    predictions = []
    for row in result["predictions"]:
        if row["label"] not in kept or (corpus and row.get("corpus", corpus) != corpus):
            continue
        probabilities = np.array([row["probabilities"].get(label, 0.0) for label in labels])
        total = probabilities.sum()
        probabilities = probabilities / total if total > 0 else probabilities
        predictions.append(
            {
                **row,
                "predicted": labels[int(np.argmax(probabilities))],
                "probabilities": {
                    label: round(float(p), 5)
                    for label, p in zip(labels, probabilities, strict=True)
                },
            }
        )
    if not predictions:
        raise VoxemoError(f"no test file of {', '.join(labels)} in this evaluation")
    fold_rows = []
    for fold in result["folds"]:
        rows = [p for p in predictions if p["fold"] == fold["fold"]]
        if rows:
            truth, predicted = [p["label"] for p in rows], [p["predicted"] for p in rows]
            fold_rows.append(
                {
                    **{k: fold[k] for k in ("fold", "corpus", "test_speakers") if k in fold},
                    "n_test": len(rows),
                    **metrics.scores(truth, predicted, labels),
                }
            )
    protocol = result.get("config", {}).get("protocol", "")
    rescored = summarize(fold_rows, predictions, labels, protocol, result["track"])
    rescored["scored_over"] = labels
    return rescored
