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


def voice_statistics(features: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The typical voice of a training set: the mean of its speakers' feature means, and the
    root mean of their feature variances (what one voice varies by, not the population)."""
    features = np.asarray(features, dtype=np.float64)
    names = np.unique(groups)
    means = np.stack([features[groups == name].mean(axis=0) for name in names])
    variances = np.stack([features[groups == name].var(axis=0) for name in names])
    return means.mean(axis=0), np.sqrt(variances.mean(axis=0))


class RunningVoiceNormalizer:
    """The same normalization for one voice, from the running statistics of its speech.

    ``update`` adds a window's (or an utterance's) features to the voice's running sums;
    ``transform`` z-scores with what has been heard so far. The first windows say little
    about a voice, so with a ``prior`` (a training set's :func:`voice_statistics`) the mean
    and the variance around it start at the typical voice's and move to this one's, weighed
    ``n`` to ``prior_windows`` after ``n`` windows. Without a prior, after every utterance of
    a speaker has been added, ``transform`` equals :func:`normalize_per_group`.

    Examples
    --------
    >>> voice = RunningVoiceNormalizer()
    >>> for row in ([1.0, 10.0], [3.0, 10.0]):
    ...     voice.update(np.array(row))
    >>> voice.transform(np.array([3.0, 12.0])).tolist()
    [1.0, 2.0]
    """

    def __init__(
        self,
        prior: tuple[np.ndarray, np.ndarray] | None = None,
        prior_windows: float = 5.0,
    ) -> None:
        self.prior = prior
        self.weight = prior_windows if prior is not None else 0.0
        self.count = 0
        self.total: np.ndarray | float = 0.0
        self.squares: np.ndarray | float = 0.0

    def update(self, features: np.ndarray) -> None:
        x = np.asarray(features, dtype=np.float64)
        self.count += 1
        self.total = self.total + x
        self.squares = self.squares + x * x

    def transform(self, features: np.ndarray) -> np.ndarray:
        """Z-score with the statistics so far; before any update and without a prior, the
        features pass through unchanged."""
        x = np.asarray(features, dtype=np.float64)
        weight = self.count + self.weight
        if weight == 0:
            return x.astype(np.float32)
        own_mean = self.total / max(self.count, 1)
        scatter = np.maximum(self.squares - self.count * own_mean * own_mean, 0.0)
        total = self.total
        if self.prior is not None:  # the typical voice, heard for ``weight`` windows
            mean0, std0 = self.prior
            total = total + self.weight * mean0
            scatter = scatter + self.weight * std0 * std0
        mean = total / weight
        std = np.sqrt(scatter / weight)
        return ((x - mean) / np.where(std > MIN_STD, std, 1.0)).astype(np.float32)
