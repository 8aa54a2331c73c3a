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
    """What a recognizer heard in one recording.

    Attributes
    ----------
    label : str
        The most probable emotion.
    probabilities : dict of str to float
        The probability of every emotion the model knows, in voxemo's display order; they
        sum to 1.
    duration : float
        The recording's length in seconds.

    Examples
    --------
    >>> result = Recognizer("fast").predict("examples/speech.wav")
    >>> result.label == max(result.probabilities, key=result.probabilities.get)
    True
    >>> round(sum(result.probabilities.values()), 6), round(result.duration, 1)
    (1.0, 3.1)
    """

    label: str
    probabilities: dict[str, float]
    duration: float


@dataclass(frozen=True)
class Outcome:
    """What became of one input of :meth:`Recognizer.predict_each`.

    Attributes
    ----------
    source : str
        The path, or ``<array N>`` for the N-th input given as samples.
    result : EmotionResult or None
        The emotion, where the input could be used.
    error : str or None
        The one-line reason it could not, naming the input.
    """

    source: str
    result: EmotionResult | None
    error: str | None


class Recognizer:
    """Emotion recognition with a bundled model, or a saved one by path or name.

    One recognizer holds no per-call state (inputs are computed per call, and onnxruntime
    sessions may be run from several threads), so one recognizer can serve many threads.

    Parameters
    ----------
    model : str, Path, OnnxModel, EnsembleModel or None
        A model name (``"default"``, ``"fast"``, ``"accurate"``, or one in the user model
        folder; see ``voxemo models``), a model folder written by ``voxemo train`` or
        ``voxemo ensemble``, or a loaded model. None: the bundled ``default``.
    threads : int or None
        The most threads one prediction uses (None: all cores). A server running many
        requests in parallel does best with 1.

    Raises
    ------
    ModelError
        No such model, or a model folder that is damaged or made for another voxemo.
    VoxemoError
        The model's features need an extra that is not installed (the message names it).

    Examples
    --------
    >>> recognizer = Recognizer()  # the bundled default model
    >>> recognizer.predict("examples/speech.wav").label in recognizer.labels
    True
    """

    def __init__(
        self,
        model: OnnxModel | EnsembleModel | str | Path | None = None,
        *,
        threads: int | None = None,
    ) -> None:
        if not isinstance(model, OnnxModel | EnsembleModel):
            model = load_model(resolve_model(model), threads)
        check_inputs(model)
        self.model = model

    @classmethod
    def load(cls, path: str | Path) -> Recognizer:
        """A recognizer for a model folder or name: the same as ``Recognizer(path)``.

        Examples
        --------
        >>> Recognizer.load("fast").labels[:3]
        ['angry', 'calm', 'disgust']
        """
        return cls(path)

    @property
    def labels(self) -> list[str]:
        """The emotions the model tells apart, in the model's order."""
        return self.model.labels

    def predict(self, audio: AudioInput, sr: int | None = None) -> EmotionResult:
        """The emotion of one recording.

        Parameters
        ----------
        audio : str, Path or numpy.ndarray
            An audio file (WAV, FLAC, OGG, MP3, AIFF; up to 600 s), or samples of any integer
            or float dtype shaped ``(frames,)``, ``(frames, channels)`` or ``(channels,
            frames)``; channels are averaged.
        sr : int or None
            The samples' rate in Hz: required for an array, ignored for a file (its header
            says).

        Returns
        -------
        EmotionResult

        Raises
        ------
        AudioError
            The input cannot be used: missing, not audio, too short, too long, NaN samples,
            all silent, or an array without ``sr``. The message names the input.

        Examples
        --------
        >>> import numpy as np
        >>> y = (np.random.default_rng(0).standard_normal(16000) * 3000).astype(np.int16)
        >>> Recognizer("fast").predict(y, sr=16000).duration
        1.0
        """
        return self.predict_many([audio], sr)[0]

    def predict_many(
        self,
        audios: Iterable[AudioInput],
        sr: int | None = None,
        *,
        batch_size: int = BATCH,
    ) -> list[EmotionResult]:
        """The emotions of several inputs you trust, in order.

        Inputs are decoded ``batch_size`` at a time, so memory holds one batch, not all. To
        keep going past bad inputs, use :meth:`predict_each`.

        Parameters
        ----------
        audios : iterable of str, Path or numpy.ndarray
            As for :meth:`predict`.
        sr : int or None
            The rate of every array input.
        batch_size : int
            Inputs decoded and scored together.

        Returns
        -------
        list of EmotionResult

        Raises
        ------
        AudioError
            At the first input that cannot be used, naming it.

        Examples
        --------
        >>> results = Recognizer().predict_many(["examples/speech.wav"])
        >>> results[0].label in Recognizer().labels
        True
        """
        results = []
        for outcome in self.predict_each(audios, sr, batch_size=batch_size):
            if outcome.error:
                raise AudioError(outcome.error)
            results.append(outcome.result)
        return results

    def predict_each(
        self,
        audios: Iterable[AudioInput],
        sr: int | None = None,
        *,
        batch_size: int = BATCH,
    ) -> Iterator[Outcome]:
        """One :class:`Outcome` per input, in order, as each batch is done.

        A bad input never stops the others, and memory holds one batch of ``batch_size``.

        Parameters
        ----------
        audios : iterable of str, Path or numpy.ndarray
            As for :meth:`predict`; read lazily, so a generator over millions of paths is
            fine.
        sr : int or None
            The rate of every array input.
        batch_size : int
            Inputs decoded and scored together.

        Yields
        ------
        Outcome
            The emotion, or the one-line reason the input could not be used.

        Examples
        --------
        >>> outcomes = list(Recognizer().predict_each(["examples/speech.wav", "missing.wav"]))
        >>> [o.error is None for o in outcomes]
        [True, False]
        >>> outcomes[1].error
        'missing.wav: no such file'
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        batch: list[tuple[str, Audio | str]] = []
        for index, item in enumerate(audios):
            name = str(item) if isinstance(item, str | Path) else f"<array {index}>"
            try:
                batch.append((name, self._audio(item, sr, name)))
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
    def _audio(item: AudioInput, sr: int | None, name: str) -> Audio:
        if isinstance(item, str | Path):
            return load_audio(item)
        if sr is None:
            raise AudioError(
                f"{name}: sr (the sample rate) is required when predicting from samples"
            )
        return audio_from_array(item, sr, name)
