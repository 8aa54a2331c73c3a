"""Functionals: fixed-length statistics of frame-level descriptor contours.

Shared by the frame-based feature sets so that every contour is summarized the same way.
"""

from __future__ import annotations

import numpy as np

FUNCTIONALS = ("mean", "std", "p10", "p50", "p90", "range", "slope")


def functional_names(prefix: str, descriptors: list[str]) -> list[str]:
    return [f"{prefix}_{d}_{f}" for d in descriptors for f in FUNCTIONALS]


def functionals(contours: np.ndarray) -> np.ndarray:
    """Statistics of each row of a (descriptors, frames) array, flattened row by row.

    ``range`` is the 1st-99th percentile span (robust to single outlier frames) and ``slope``
    the least-squares linear trend per second of normalized time (frames mapped to [0, 1]).
    An empty contour gives zeros, so a silent descriptor never produces NaN.
    """
    contours = np.atleast_2d(np.asarray(contours, dtype=np.float64))
    n_rows, n_frames = contours.shape
    if n_frames == 0:
        return np.zeros(n_rows * len(FUNCTIONALS), dtype=np.float32)
    p1, p10, p50, p90, p99 = np.percentile(contours, [1, 10, 50, 90, 99], axis=1)
    mean = contours.mean(axis=1)
    if n_frames > 1:
        time = np.linspace(0.0, 1.0, n_frames)
        centred = time - time.mean()
        slope = (contours - mean[:, None]) @ centred / (centred @ centred)
    else:
        slope = np.zeros(n_rows)
    stats = np.stack([mean, contours.std(axis=1), p10, p50, p90, p99 - p1, slope], axis=1)
    return stats.ravel().astype(np.float32)
