"""Moving class probabilities to log space and back, shared by temperature scaling and the
speaker-adapted track of networks."""

from __future__ import annotations

import numpy as np


def log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """Natural logarithm, with zero probabilities floored at 1e-12 so they stay finite."""
    return np.log(np.clip(probabilities, 1e-12, 1.0))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits along the last axis (shifted by the maximum, so no overflow)."""
    scaled = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return scaled / scaled.sum(axis=-1, keepdims=True)
