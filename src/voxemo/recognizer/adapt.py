"""Adaptation to the voice of one long recording, from its running statistics.

A model hears some of every voice's own colour as emotion: a voice that sounds a little sad
in every utterance is more likely a sad-sounding voice. Where a recording holds one speaker
(a call from one side, a dictation, a live microphone), the log-probabilities the model gives
each window are centred over the windows heard so far, so that what the voice always sounds
like stops counting as emotion and what changes does. This is the speaker-adapted track of
evaluation (``--speaker-norm``: log-probabilities centred per speaker) run causally, window by
window, with no labels and nothing but the recording itself.

The first windows know little about the voice, so the running mean is shrunk towards zero
(no adaptation) by ``n / (n + prior)`` after ``n`` windows.
"""

from __future__ import annotations

import numpy as np

PRIOR_WINDOWS = 5.0
FLOOR = 1e-6


class VoiceAdapter:
    """Running centring of log-probabilities over the windows of one recording.

    Examples
    --------
    >>> adapter = VoiceAdapter()
    >>> always_sad = np.array([0.2, 0.8])
    >>> [adapter(always_sad).round(3).tolist() for _ in range(3)][-1]
    [0.296, 0.704]
    """

    def __init__(self, prior_windows: float = PRIOR_WINDOWS) -> None:
        self.prior = prior_windows
        self.total: np.ndarray | None = None
        self.count = 0

    def __call__(self, probabilities: np.ndarray) -> np.ndarray:
        """The adapted probabilities of the next window (its own statistics included)."""
        log_p = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), FLOOR, 1.0))
        self.total = log_p if self.total is None else self.total + log_p
        self.count += 1
        shrink = self.count / (self.count + self.prior)
        adapted = log_p - shrink * self.total / self.count
        adapted = np.exp(adapted - adapted.max())
        return adapted / adapted.sum()
