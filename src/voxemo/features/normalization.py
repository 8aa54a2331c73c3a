"""Per-speaker normalization: the speaker-adapted track.

Z-scoring every feature over all utterances of a speaker removes much of what makes voices
differ (pitch range, timbre, loudness) and leaves more of what the emotion changes. Networks
see a spectrogram rather than a feature vector, so for them the speaker's log-probabilities
are centred instead: an emotion the network finds in every utterance of a voice says more
about the voice than about any one utterance. Both use other, unlabelled utterances of the
same speaker, test speakers included, so their scores are reported as a track of their own
and never mixed with utterance-level results.
"""

from __future__ import annotations

import numpy as np

from voxemo.probabilities import log_probabilities, softmax

MIN_STD = 1e-8


def normalize_per_group(features: np.ndarray, groups: np.ndarray, scale: bool = True) -> np.ndarray:
    """Z-score each row with the mean and standard deviation of its group's rows (its
    speaker's for the speaker-adapted track, its corpus's for per-corpus normalization);
    without ``scale``, only subtract the group's mean."""
    features = np.asarray(features, dtype=np.float64)
    out = np.empty_like(features)
    for group in np.unique(groups):
        rows = groups == group
        out[rows] = features[rows] - features[rows].mean(axis=0)
        if scale:
            std = features[rows].std(axis=0)
            out[rows] /= np.where(std > MIN_STD, std, 1.0)
    return out.astype(np.float32)


def center_probabilities_per_group(probabilities: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Class probabilities with each group's mean log-probability of every class removed,
    renormalized: the speaker-adapted track of models that output probabilities only."""
    return softmax(normalize_per_group(log_probabilities(probabilities), groups, scale=False))


class OnlineSpeakerNormalizer:
    """The same normalization from running statistics, for streams and calls.

    ``update`` adds an utterance's features to its speaker's running mean and variance
    (Welford's algorithm); ``transform`` normalizes with what has been seen so far. After
    every utterance of a speaker has been added, ``transform`` equals
    :func:`normalize_per_group`.
    """

    def __init__(self) -> None:
        self._count: dict[str, int] = {}
        self._mean: dict[str, np.ndarray] = {}
        self._m2: dict[str, np.ndarray] = {}

    def update(self, speaker: str, features: np.ndarray) -> None:
        x = np.asarray(features, dtype=np.float64)
        n = self._count.get(speaker, 0) + 1
        mean = self._mean.get(speaker, np.zeros_like(x))
        delta = x - mean
        mean = mean + delta / n
        self._m2[speaker] = self._m2.get(speaker, np.zeros_like(x)) + delta * (x - mean)
        self._mean[speaker], self._count[speaker] = mean, n

    def transform(self, speaker: str, features: np.ndarray) -> np.ndarray:
        """Normalize; an unseen speaker's features pass through unchanged."""
        x = np.asarray(features, dtype=np.float64)
        if speaker not in self._count:
            return x.astype(np.float32)
        std = np.sqrt(self._m2[speaker] / self._count[speaker])
        return ((x - self._mean[speaker]) / np.where(std > MIN_STD, std, 1.0)).astype(np.float32)
