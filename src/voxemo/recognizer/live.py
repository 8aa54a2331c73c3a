"""Live emotion from a stream of audio: the microphone, or any source of sample blocks.

A rolling window of the last few seconds is predicted every ``hop`` seconds while it holds
speech (the same noise-floor detector as the timeline), and silence is reported as such.
The source is pluggable: :class:`MicrophoneSource` reads a sound card with sounddevice,
:class:`ArraySource` replays samples (tests, files), and anything that yields float32 blocks
at a known rate will do.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voxemo.audio import audio_from_array
from voxemo.audio.decode import resample
from voxemo.audio.stream import stream_audio
from voxemo.emotions import display_order
from voxemo.errors import VoxemoError
from voxemo.models import OnnxModel
from voxemo.recognizer.adapt import VoiceAdapter
from voxemo.recognizer.predict import audio_probabilities, model_rate
from voxemo.recognizer.timeline import FRAME_SECONDS, NoiseFloorDetector


class AudioSource(Protocol):
    sample_rate: int

    def blocks(self) -> Iterator[np.ndarray]:
        """Mono float32 sample blocks, in order, until the source ends."""
        ...


@dataclass
class ArraySource:
    """Replays samples in blocks of ``block_seconds``, as a sound card would deliver them:
    with ``realtime``, each block no sooner than it would have been heard; else at once."""

    samples: np.ndarray
    sample_rate: int
    block_seconds: float = 0.1
    realtime: bool = False

    def blocks(self) -> Iterator[np.ndarray]:
        size = max(1, int(self.block_seconds * self.sample_rate))
        began = time.monotonic()
        for start in range(0, len(self.samples), size):
            if self.realtime:
                due = began + start / self.sample_rate
                time.sleep(max(0.0, due - time.monotonic()))
            yield np.asarray(self.samples[start : start + size], dtype=np.float32)


@dataclass
class FileSource:
    """Replays a recording of any length, streamed from disk at ``sample_rate`` (only a block
    is in memory at a time), in real time with ``realtime``; ``seconds`` stops it early."""

    path: str
    sample_rate: int
    realtime: bool = False
    seconds: float | None = None
    block_seconds: float = 0.1

    @property
    def duration(self) -> float:
        """Seconds that will be replayed (from the file's header)."""
        import soundfile as sf

        try:
            length = float(sf.info(self.path).duration)
        except (sf.LibsndfileError, RuntimeError, OSError):
            return 0.0  # unreadable: stream_audio says why when the replay starts
        return min(length, self.seconds) if self.seconds else length

    def blocks(self) -> Iterator[np.ndarray]:
        limit = int(self.seconds * self.sample_rate) if self.seconds else None
        began, heard = time.monotonic(), 0
        for block in stream_audio(self.path, self.sample_rate, self.block_seconds):
            if limit is not None:
                block = block[: max(0, limit - heard)]
                if not len(block):
                    return
            if self.realtime:
                time.sleep(max(0.0, began + heard / self.sample_rate - time.monotonic()))
            heard += len(block)
            yield block


class MicrophoneSource:
    """An input device through sounddevice (PortAudio); ``seconds`` None runs until stopped."""

    def __init__(
        self,
        sample_rate: int = 16000,
        device: int | str | None = None,
        seconds: float | None = None,
    ) -> None:
        try:
            import sounddevice
        except OSError as exc:  # the PortAudio library itself is missing
            raise VoxemoError(
                f"microphone: PortAudio is not installed ({exc}); on Debian or Ubuntu: "
                "apt-get install libportaudio2"
            ) from None
        self._sd = sounddevice
        try:
            info = sounddevice.query_devices(device, kind="input")
        except (ValueError, sounddevice.PortAudioError) as exc:
            raise VoxemoError(f"microphone: no audio input device available ({exc})") from None
        self.name = info["name"]
        self.sample_rate, self.device, self.seconds = sample_rate, device, seconds

    def blocks(self) -> Iterator[np.ndarray]:
        chunks: queue.Queue[np.ndarray] = queue.Queue()
        size = int(0.1 * self.sample_rate)
        stream = self._sd.InputStream(
            samplerate=self.sample_rate,
            channels=1,
            dtype="float32",
            blocksize=size,
            device=self.device,
            callback=lambda data, frames, time, status: chunks.put(data[:, 0].copy()),
        )
        delivered = 0
        with stream:
            while self.seconds is None or delivered < self.seconds * self.sample_rate:
                block = chunks.get()
                delivered += len(block)
                yield block


@dataclass(frozen=True)
class LiveUpdate:
    """What :func:`listen` says after each hop."""

    time: float  # seconds since the start of the stream, at the end of the window
    label: str | None  # None: no speech in the window
    confidence: float
    probabilities: dict[str, float] | None


def listen(
    model: OnnxModel,
    source: AudioSource,
    *,
    window: float = 3.0,
    hop: float = 1.0,
    margin_db: float = 10.0,
    adapt: bool = False,
) -> Iterator[LiveUpdate]:
    """Live emotion: one update every ``hop`` seconds once a full window has been heard.

    Parameters
    ----------
    model : OnnxModel or EnsembleModel
        A loaded model, e.g. ``Recognizer().model``.
    source : ArraySource, FileSource or MicrophoneSource
        Where the audio comes from, in blocks, as a sound card delivers it.
    window : float
        Seconds of audio behind each update.
    hop : float
        Seconds between updates.
    margin_db : float
        How far above the running noise floor a frame must be to count as speech; a window
        without enough speech gives an update with ``label`` None.
    adapt : bool
        Adapt to the voice by the running statistics of the windows heard so far (one
        speaker at the microphone; see :mod:`voxemo.recognizer.adapt`).

    Yields
    ------
    LiveUpdate
        The time (end of the window), the label or None for silence, its confidence and
        every emotion's probability.

    Examples
    --------
    >>> from voxemo import Recognizer
    >>> model = Recognizer("fast").model
    >>> source = FileSource("examples/conversation.flac", 16000, seconds=6)
    >>> updates = list(listen(model, source))
    >>> [update.time for update in updates]
    [3.0, 4.0, 5.0, 6.0]
    """
    session = LiveSession(
        model, source.sample_rate, window=window, hop=hop, margin_db=margin_db, adapt=adapt
    )
    for block in source.blocks():
        yield from session.feed(block)


class LiveSession:
    """Live emotion pushed block by block: what :func:`listen` runs on a source, for audio
    that arrives from elsewhere (a WebSocket, a telephony bridge).

    Memory holds one window of samples, however much is fed: a block longer than the window
    keeps only its end. Updates come at the end of the first block that completes each hop,
    so with blocks of 0.3 s and a hop of 1 s they come at 3.0, 4.2, 5.1, 6.0 s.

    Parameters
    ----------
    model : OnnxModel or EnsembleModel
        A loaded model.
    sample_rate : int
        The rate of the samples that will be fed.
    window, hop, margin_db, adapt
        As for :func:`listen`.

    Examples
    --------
    >>> import numpy as np
    >>> from voxemo import Recognizer
    >>> session = LiveSession(Recognizer("fast").model, 16000, window=2.0, hop=1.0)
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    >>> [len(session.feed(noise)) for _ in range(3)]  # the first update needs a full window
    [0, 1, 1]
    """

    def __init__(
        self,
        model: OnnxModel,
        sample_rate: int,
        *,
        window: float = 3.0,
        hop: float = 1.0,
        margin_db: float = 10.0,
        adapt: bool = False,
    ) -> None:
        self.model, self.rate = model, sample_rate
        self.adapter = VoiceAdapter(model) if adapt else None
        self.target = model_rate(model)
        self.detector = NoiseFloorDetector(margin_db)
        self.frame = max(1, int(FRAME_SECONDS * sample_rate))
        self.size, self.step = int(window * sample_rate), int(hop * sample_rate)
        self.buffer = np.zeros(0, np.float32)
        self.voiced = np.zeros(0, bool)  # one flag per frame of the buffer
        self.heard = self.since_update = 0
        self.started = False  # the first update was given

    @property
    def seconds(self) -> float:
        """Seconds of audio fed so far."""
        return self.heard / self.rate

    def feed(self, block: np.ndarray) -> list[LiveUpdate]:
        """Add mono float32 samples; the update due at the end of them, if a hop has passed
        since the last one (an empty list otherwise)."""
        frame = self.frame
        self.buffer = np.concatenate([self.buffer, np.asarray(block, np.float32)])
        self.heard += len(block)
        self.since_update += len(block)
        whole = (len(self.buffer) // frame) - len(self.voiced)
        start = len(self.voiced) * frame
        frames = self.buffer[start : start + whole * frame].reshape(whole, frame)
        levels = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
        self.voiced = np.append(self.voiced, [self.detector(float(lv)) for lv in levels])
        if len(self.buffer) > self.size:  # keep the window (whole frames only)
            drop = ((len(self.buffer) - self.size) // frame) * frame
            self.buffer, self.voiced = self.buffer[drop:], self.voiced[drop // frame :]
        if len(self.buffer) < self.size or self.since_update < self.step:
            return []
        # Hops count from the first update, and keep their phase after it, so updates come
        # every hop on average whatever the block size (a block spanning several hops still
        # gives one update: its end).
        self.since_update = self.since_update % self.step if self.started else 0
        self.started = True
        return [
            _update(
                self.model,
                self.buffer,
                self.rate,
                self.target,
                self.voiced,
                self.heard / self.rate,
                self.adapter,
            )
        ]


def _update(model, buffer, rate, target, voiced, time, adapter) -> LiveUpdate:
    if voiced.mean() < 0.1:
        return LiveUpdate(round(time, 2), None, 0.0, None)
    audio = resample(audio_from_array(buffer, rate, "<live>"), target)
    row = adapter(audio) if adapter else audio_probabilities(model, [audio])[0]
    values = dict(zip(model.labels, (round(float(p), 4) for p in row), strict=True))
    probabilities = {label: values[label] for label in display_order(model.labels)}
    best = int(np.argmax(row))
    return LiveUpdate(round(time, 2), model.labels[best], round(float(row[best]), 4), probabilities)
