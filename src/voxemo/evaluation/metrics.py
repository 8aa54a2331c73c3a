"""Scores reported for every evaluation: accuracy, UAR (balanced accuracy) and macro-F1."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

SCORE_NAMES = ("accuracy", "uar", "macro_f1")


def scores(y_true, y_pred, labels: list[str]) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "uar": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
    }


def per_class(y_true, y_pred, labels: list[str]) -> dict[str, dict[str, float]]:
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        label: {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }


def confusion(y_true, y_pred, labels: list[str]) -> list[list[int]]:
    """Rows are true labels, columns predicted labels, both in ``labels`` order."""
    return confusion_matrix(y_true, y_pred, labels=labels).astype(int).tolist()


def spread(fold_scores: list[dict[str, float]]) -> dict[str, float]:
    """Mean and standard deviation over folds of each score."""
    out = {}
    for name in SCORE_NAMES:
        values = np.array([fold[name] for fold in fold_scores])
        out[name] = float(values.mean())
        out[f"{name}_std"] = float(values.std())
    return out


def calibration_error(predictions: list[dict], bins: int = 10) -> float | None:
    """Expected calibration error: how far the top probability is from the share of such
    predictions that are right, averaged over equal-width confidence bins (0 is perfect)."""
    rows = [p for p in predictions if p.get("probabilities")]
    if not rows:
        return None
    confidence = np.array([max(p["probabilities"].values()) for p in rows])
    correct = np.array([p["predicted"] == p["label"] for p in rows], dtype=float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = sum(
        abs(confidence[which == b].mean() - correct[which == b].mean()) * (which == b).mean()
        for b in range(bins)
        if (which == b).any()
    )
    return float(error)
