"""The Python API for applications: ``Recognizer.load(path).predict(audio)``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.audio import Audio, audio_from_array, load_audio
from voxemo.errors import AudioError
from voxemo.models import OnnxModel, load_model
from voxemo.models.catalog import resolve_model
from voxemo.models.ensemble import EnsembleModel
from voxemo.recognizer.predict import audio_probabilities, check_inputs

AudioInput = str | Path | np.ndarray


@dataclass(frozen=True)
class EmotionResult:
    """The most probable emotion, the probability of every emotion, and the audio's length."""

    label: str
    probabilities: dict[str, float]
    duration: float


class Recognizer:
    """Emotion recognition with the bundled model, or a saved one by path or name.

    ``Recognizer()`` uses the model bundled with voxemo. It holds no per-call state (inputs
    are computed per call, and onnxruntime sessions may be run from several threads), so
    one recognizer can serve many threads.
    """

    def __init__(
        self,
        model: OnnxModel | EnsembleModel | str | Path | None = None,
        *,
        threads: int | None = None,
    ) -> None:
        """``threads`` caps the threads of one prediction (a server with many requests in
        parallel does best with 1)."""
        if not isinstance(model, OnnxModel | EnsembleModel):
            model = load_model(resolve_model(model), threads)
        check_inputs(model)
        self.model = model

    @classmethod
    def load(cls, path: str | Path) -> Recognizer:
        """A recognizer for the model folder written by ``voxemo train`` (or a model name)."""
        return cls(path)

    @property
    def labels(self) -> list[str]:
        return self.model.labels

    def predict(self, audio: AudioInput, sample_rate: int | None = None) -> EmotionResult:
        """Emotion of a file path, or of samples (``sample_rate`` required for an array)."""
        return self.predict_many([audio], sample_rate)[0]

    def predict_many(
        self, audios: Iterable[AudioInput], sample_rate: int | None = None
    ) -> list[EmotionResult]:
        """Emotions of several inputs with one model call; a bad input raises AudioError."""
        decoded = [self._audio(item, sample_rate) for item in audios]
        if not decoded:
            return []
        probabilities = audio_probabilities(self.model, decoded)
        results = []
        for audio, row in zip(decoded, probabilities, strict=True):
            probabilities = {label: float(p) for label, p in zip(self.labels, row, strict=True)}
            label = self.labels[int(np.argmax(row))]
            results.append(EmotionResult(label, probabilities, audio.duration))
        return results

    @staticmethod
    def _audio(item: AudioInput, sample_rate: int | None) -> Audio:
        if isinstance(item, str | Path):
            return load_audio(item)
        if sample_rate is None:
            raise AudioError("<array>: sample_rate is required when predicting from samples")
        return audio_from_array(item, sample_rate)
