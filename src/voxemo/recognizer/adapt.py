"""Adaptation to the voice of one long recording, from its running statistics.

A model hears some of every voice's own colour as emotion: a voice that sounds a little sad
in every utterance is more likely a sad-sounding voice. Where a recording holds one speaker
(a call from one side, a dictation, a live microphone), each window is judged against what
this voice has sounded like so far, with nothing but the recording itself (no labels):

- a feature-vector model with a voice model (``voice/`` in its folder, trained on features
  z-scored per speaker: ``voxemo train --voice``) z-scores each window's features by the
  running mean and spread of the voice's windows, as the speaker-adapted track of evaluation
  (``--speaker-norm``) does with all of a speaker's utterances, and predicts with the voice
  model;
- any other model (a network, a model without a voice model) divides each window's
  probabilities by the mean probabilities it gave the windows so far, and renormalizes: its
  average verdict on this voice is taken as a bias of the voice (the prior correction of
  label-shift adaptation, run causally);
- an ensemble adapts each member its own way and combines them as usual.

The first windows know little about the voice: the features' statistics start at the typical
training voice's, and the probabilities' correction is shrunk towards none, both giving way
to the recording's own after about ``prior_windows`` windows.
"""

from __future__ import annotations

import numpy as np

from voxemo.audio import Audio
from voxemo.features.normalization import RunningVoiceNormalizer
from voxemo.models import OnnxModel
from voxemo.models.ensemble import EnsembleModel
from voxemo.recognizer.predict import audio_features, audio_probabilities

PRIOR_WINDOWS = 5.0
FLOOR = 1e-6


class PriorCorrection:
    """Running prior correction of probabilities over the windows of one recording.

    Examples
    --------
    >>> correction = PriorCorrection()
    >>> always_sad = np.array([0.2, 0.8])
    >>> [correction(always_sad).round(3).tolist() for _ in range(3)][-1]
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


class VoiceAdapter:
    """The probabilities of one recording's windows, in order, adapted to its voice.

    Examples
    --------
    >>> from voxemo import Recognizer
    >>> from voxemo.audio import load_audio, resample
    >>> model = Recognizer("fast").model
    >>> adapter = VoiceAdapter(model)
    >>> audio = resample(load_audio("examples/conversation.flac"), 16000)
    >>> adapter.method, round(float(adapter(audio).sum()), 6)
    ('probabilities', 1.0)
    """

    def __init__(self, model: OnnxModel | EnsembleModel, prior_windows: float = PRIOR_WINDOWS):
        self.model = model
        self.members: list[VoiceAdapter] = []
        self.normalizer: RunningVoiceNormalizer | None = None
        self.correction: PriorCorrection | None = None
        if isinstance(model, EnsembleModel):
            self.members = [VoiceAdapter(member, prior_windows) for member in model.members]
        elif model.frontend is None and model.voice is not None:
            prior = model.voice.card["voice_prior"]
            typical = (np.asarray(prior["mean"]), np.asarray(prior["std"]))
            self.normalizer = RunningVoiceNormalizer(typical, prior_windows)
        else:
            self.correction = PriorCorrection(prior_windows)

    @property
    def method(self) -> str:
        """``features`` (the voice model), ``probabilities`` (prior correction), or both
        joined with ``+`` for an ensemble whose members differ."""
        if self.members:
            return "+".join(sorted({member.method for member in self.members}))
        return "features" if self.normalizer else "probabilities"

    def __call__(self, audio: Audio) -> np.ndarray:
        """The adapted probabilities of the next window, in the model's label order."""
        if self.members:
            return self.model.combine([member(audio)[np.newaxis] for member in self.members])[0]
        if self.normalizer:
            features = audio_features(self.model, [audio])[0]
            self.normalizer.update(features)
            normalized = self.normalizer.transform(features)[np.newaxis]
            return self.model.voice.predict_proba(normalized)[0]
        return self.correction(audio_probabilities(self.model, [audio])[0])
