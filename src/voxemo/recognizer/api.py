"""The Python API for applications: ``Recognizer.load(path).predict(audio)``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.audio import Audio, audio_from_array, load_audio
from voxemo.emotions import display_order
from voxemo.errors import AudioError
from voxemo.models import OnnxModel, load_model
from voxemo.models.catalog import resolve_model
from voxemo.models.ensemble import EnsembleModel
from voxemo.recognizer.predict import audio_probabilities, check_inputs

AudioInput = str | Path | np.ndarray


BATCH = 32


@dataclass(frozen=True)
class EmotionResult:
    """The most probable emotion, the probability of every emotion, and the audio's length."""

    label: str
    probabilities: dict[str, float]
    duration: float


@dataclass(frozen=True)
class Outcome:
    """What became of one input of :meth:`Recognizer.predict_each`: its ``result``, or the
    one-line ``error`` that kept it from one. ``source`` is the path, or ``<array N>``."""

    source: str
    result: EmotionResult | None
    error: str | None


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
        self,
        audios: Iterable[AudioInput],
        sample_rate: int | None = None,
        *,
        batch_size: int = BATCH,
    ) -> list[EmotionResult]:
        """Emotions of several inputs you trust, decoded ``batch_size`` at a time (memory holds
        one batch, not all); the first bad input raises :class:`AudioError` naming it. To keep
        going past bad inputs, use :meth:`predict_each`.

        Examples
        --------
        >>> results = Recognizer().predict_many(["examples/speech.wav"])
        >>> results[0].label in Recognizer().labels
        True
        """
        results = []
        for outcome in self.predict_each(audios, sample_rate, batch_size=batch_size):
            if outcome.error:
                raise AudioError(outcome.error)
            results.append(outcome.result)
        return results

    def predict_each(
        self,
        audios: Iterable[AudioInput],
        sample_rate: int | None = None,
        *,
        batch_size: int = BATCH,
    ) -> Iterator[Outcome]:
        """One :class:`Outcome` per input, in order, as each batch of ``batch_size`` is done:
        the emotion, or the one-line reason the input could not be used. A bad input never
        stops the others, and memory holds one batch.

        Examples
        --------
        >>> outcomes = list(Recognizer().predict_each(["examples/speech.wav", "missing.wav"]))
        >>> [o.error is None for o in outcomes]
        [True, False]
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        batch: list[tuple[str, Audio | str]] = []
        for index, item in enumerate(audios):
            name = str(item) if isinstance(item, str | Path) else f"<array {index}>"
            try:
                batch.append((name, self._audio(item, sample_rate, name)))
            except AudioError as exc:
                batch.append((name, str(exc)))
            if len(batch) == batch_size:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, batch: list[tuple[str, Audio | str]]) -> Iterator[Outcome]:
        decoded = [audio for _, audio in batch if isinstance(audio, Audio)]
        rows = iter(audio_probabilities(self.model, decoded) if decoded else [])
        for name, audio in batch:
            if not isinstance(audio, Audio):
                yield Outcome(name, None, audio)
                continue
            row = next(rows)
            probabilities = {label: float(p) for label, p in zip(self.labels, row, strict=True)}
            ordered = {label: probabilities[label] for label in display_order(self.labels)}
            label = self.labels[int(np.argmax(row))]
            yield Outcome(name, EmotionResult(label, ordered, audio.duration), None)

    @staticmethod
    def _audio(item: AudioInput, sample_rate: int | None, name: str) -> Audio:
        if isinstance(item, str | Path):
            return load_audio(item)
        if sample_rate is None:
            raise AudioError(f"{name}: sample_rate is required when predicting from samples")
        return audio_from_array(item, sample_rate, name)
