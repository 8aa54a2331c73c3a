"""Temperature scaling: one number that makes an ensemble's probabilities mean what they say.

Averaging members that are over- and under-confident gives probabilities whose top value is
not the chance of being right. A temperature T rescales them (``p ** (1 / T)``, normalized;
the most probable emotion never changes). T is fitted on out-of-fold predictions (each file
predicted by models that never saw its speaker), and the calibration error reported for it
is itself cross-validated over the folds, so it is not measured on what T was fitted to.
"""

from __future__ import annotations

import numpy as np

from voxemo.evaluation.metrics import calibration_error
from voxemo.models.ensemble import apply_temperature

TEMPERATURES = np.exp(np.linspace(np.log(0.1), np.log(10.0), 121))


def _matrix(predictions: list[dict], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.array(
        [[p["probabilities"].get(k, 0.0) for k in labels] for p in predictions]
    )
    truth = np.array([labels.index(p["label"]) for p in predictions])
    return probabilities, truth


def fit_temperature(predictions: list[dict], labels: list[str]) -> float:
    """The temperature with the lowest negative log-likelihood of the true emotions."""
    probabilities, truth = _matrix(predictions, labels)
    rows = np.arange(len(truth))

    def loss(t: float) -> float:
        return float(-np.log(apply_temperature(probabilities, t)[rows, truth] + 1e-12).mean())

    return float(min(TEMPERATURES, key=loss))


def calibrate(result: dict) -> tuple[float, float]:
    """(temperature fitted on every fold, calibration error of fold-wise fitted ones)."""
    labels, predictions = result["labels"], result["predictions"]
    folds = sorted({p["fold"] for p in predictions})
    scaled = []
    for fold in folds:
        held = [p for p in predictions if p["fold"] == fold]
        others = [p for p in predictions if p["fold"] != fold] or held
        probabilities, _ = _matrix(held, labels)
        rescaled = apply_temperature(probabilities, fit_temperature(others, labels))
        scaled += [
            {**p, "probabilities": dict(zip(labels, row, strict=True))}
            for p, row in zip(held, rescaled, strict=True)
        ]
    return fit_temperature(predictions, labels), calibration_error(scaled)
