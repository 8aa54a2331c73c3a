"""Adaptation to the voice of one long recording, from its running statistics.

A model hears some of every voice's own colour as emotion: a voice that sounds a little sad
in every utterance is more likely a sad-sounding voice. Where a recording holds one speaker
(a call from one side, a dictation, a live microphone), each window's probabilities are
divided by the mean probabilities the model gave the windows heard so far (and
renormalized): the model's average verdict on this voice is taken as a bias of the voice, so
what the voice always sounds like stops counting as emotion and what changes does. This is
the prior correction of label-shift adaptation, run causally, window by window, with no
labels and nothing but the recording itself; like the speaker-adapted track of evaluation
(``--speaker-norm``), it uses the voice's other speech, not its labels.

The first windows know little about the voice, so the correction is shrunk towards none by
``n / (n + prior)`` after ``n`` windows.
"""

from __future__ import annotations

import numpy as np

PRIOR_WINDOWS = 5.0
FLOOR = 1e-6


class VoiceAdapter:
    """Running prior correction over the windows of one recording.

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
        p = np.clip(np.asarray(probabilities, dtype=np.float64), FLOOR, 1.0)
        self.total = p if self.total is None else self.total + p
        self.count += 1
        shrink = self.count / (self.count + self.prior)
        adapted = np.log(p) - shrink * np.log(self.total / self.count)
        adapted = np.exp(adapted - adapted.max())
        return adapted / adapted.sum()
