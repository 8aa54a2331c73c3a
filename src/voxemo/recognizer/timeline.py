"""Emotion over time in long recordings: find speech, predict windows, smooth, merge.

Speech is found by an energy detector that follows the noise floor (a frame is speech when
it is clearly above it), so a quiet room and a noisy line both work without tuning. Speech
is cut into overlapping windows of a few seconds (the length of the training utterances),
each window is predicted, probabilities are averaged with the neighbouring windows, and
runs of the same emotion become one segment. Audio streams through in blocks: memory holds
one window, not the recording.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from voxemo.audio import audio_from_array
from voxemo.audio.stream import stream_audio
from voxemo.emotions import display_order
from voxemo.errors import AudioError
from voxemo.models import OnnxModel
from voxemo.recognizer.adapt import VoiceAdapter
from voxemo.recognizer.predict import audio_probabilities, model_rate

FRAME_SECONDS = 0.02


@dataclass(frozen=True)
class TimelineSettings:
    """How :func:`predict_timeline` cuts a recording into windows and segments."""

    window: float = 3.0  # seconds of speech per prediction
    hop: float = 1.5  # seconds between window starts
    min_speech: float = 0.5  # shorter bursts of energy are not predicted
    max_pause: float = 0.5  # shorter pauses do not end a stretch of speech
    margin_db: float = 10.0  # how far above the noise floor speech must be
    smoothing: int = 3  # windows averaged (centred) before choosing the label


@dataclass(frozen=True)
class Window:
    """The probabilities of one window of speech (``start`` and ``end`` in seconds)."""

    start: float
    end: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Segment:
    """A stretch of speech of one emotion, with its mean (smoothed) probability."""

    start: float
    end: float
    label: str
    confidence: float


@dataclass
class Timeline:
    """The emotion timeline of one recording: what :func:`predict_timeline` returns."""

    path: str
    duration: float
    speech_seconds: float
    windows: list[Window] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    adapted: bool = False  # probabilities adapted to the voice of the recording

    def to_dict(self) -> dict:
        """JSON-ready: what ``voxemo predict --timeline --json`` writes for the recording."""
        return {
            "path": self.path,
            "duration": round(self.duration, 3),
            "speech_seconds": round(self.speech_seconds, 3),
            "adapted": self.adapted,
            "segments": [asdict(s) for s in self.segments],
            "windows": [asdict(w) for w in self.windows],
        }


class NoiseFloorDetector:
    """Frame-wise speech decisions from level: the floor drops at once to a quieter frame
    and rises slowly (1 dB/s), so it follows the background, not the voice."""

    def __init__(self, margin_db: float, rise_db_per_frame: float = FRAME_SECONDS) -> None:
        self.margin = margin_db
        self.rise = rise_db_per_frame
        self.floor: float | None = None

    def __call__(self, level_db: float) -> bool:
        if self.floor is None or level_db < self.floor:
            self.floor = level_db
        else:
            self.floor += self.rise
        return level_db > self.floor + self.margin and level_db > -70.0


def speech_windows(
    blocks: Iterable[np.ndarray], rate: int, settings: TimelineSettings
) -> Iterator[tuple[float, np.ndarray] | float]:
    """Yields ``(start_seconds, samples)`` windows of speech, and the running count of
    speech seconds (a float) at the end."""
    frame = int(FRAME_SECONDS * rate)
    window, hop = int(settings.window * rate), int(settings.hop * rate)
    detector = NoiseFloorDetector(settings.margin_db)
    carry = np.zeros(0, np.float32)
    region: list[np.ndarray] = []
    region_start = 0
    buffered = pause = speech_frames = position = 0
    max_pause = int(settings.max_pause / FRAME_SECONDS)

    def close():
        samples = np.concatenate(region)[: buffered - pause * frame] if region else None
        if samples is not None and len(samples) >= settings.min_speech * rate:
            return region_start / rate, samples
        return None

    for block in blocks:
        data = np.concatenate([carry, block])
        count = len(data) // frame
        carry = data[count * frame :]
        frames = data[: count * frame].reshape(count, frame)
        levels = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
        for samples, level in zip(frames, levels, strict=True):
            speech = detector(float(level))
            speech_frames += speech
            if speech or region:
                if not region:
                    region_start = position
                region.append(samples)
                buffered += frame
                pause = 0 if speech else pause + 1
            position += frame
            if region and pause > max_pause:
                if (done := close()) is not None:
                    yield done
                region, buffered, pause = [], 0, 0
            elif buffered >= window:
                joined = np.concatenate(region)
                yield region_start / rate, joined[:window]
                rest = joined[hop:]
                region, buffered, region_start = [rest], len(rest), region_start + hop
    if (done := close()) is not None:
        yield done
    yield speech_frames * FRAME_SECONDS


def smooth(windows: list[Window], labels: list[str], settings: TimelineSettings) -> list[Segment]:
    """Average each window with its neighbours in the same stretch of speech, label it, and
    merge consecutive windows with one label into segments."""
    if not windows:
        return []
    matrix = np.array([[w.probabilities[label] for label in labels] for w in windows])
    stretch = np.cumsum(
        [0]
        + [
            windows[i].start > windows[i - 1].end + settings.max_pause
            for i in range(1, len(windows))
        ]
    )
    half = settings.smoothing // 2
    smoothed = np.array(
        [
            matrix[max(0, i - half) : i + half + 1][
                stretch[max(0, i - half) : i + half + 1] == stretch[i]
            ].mean(axis=0)
            for i in range(len(windows))
        ]
    )
    segments: list[Segment] = []
    run: list[int] = []
    for i in range(len(windows) + 1):
        label = labels[int(smoothed[i].argmax())] if i < len(windows) else None
        if run and (
            label != labels[int(smoothed[run[0]].argmax())] or stretch[i] != stretch[run[0]]
        ):
            first, last = windows[run[0]], windows[run[-1]]
            following = windows[i] if i < len(windows) and stretch[i] == stretch[run[0]] else None
            end = (last.end + following.start) / 2 if following else last.end
            start = segments[-1].end if segments and segments[-1].end > first.start else first.start
            column = labels.index(labels[int(smoothed[run[0]].argmax())])
            confidence = float(smoothed[run, column].mean())
            segments.append(
                Segment(round(start, 3), round(end, 3), labels[column], round(confidence, 4))
            )
            run = []
        if i < len(windows):
            run.append(i)
    return segments


def predict_timeline(
    model: OnnxModel,
    path: str | Path | BinaryIO,
    settings: TimelineSettings | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    adapt: bool = False,
    name: str | None = None,
) -> Timeline:
    """The emotion timeline of one recording of any length, streamed from disk.

    Stretches of speech are found above the recording's noise floor; each ``window`` of
    speech, every ``hop``, gets probabilities, which are smoothed into segments of one
    emotion. Memory holds a block of audio, never the recording.

    Parameters
    ----------
    model : OnnxModel or EnsembleModel
        A loaded model, e.g. ``Recognizer().model``.
    path : str, Path or binary file object
        An audio file (WAV, FLAC, OGG, MP3, AIFF), or a seekable file object holding one.
    settings : TimelineSettings or None
        Window, hop, speech and pause lengths, noise margin and smoothing (None: defaults).
    progress : callable or None
        Called with the seconds of audio read so far.
    adapt : bool
        Adapt each window to the voice of the recording by the running statistics of the
        windows so far: its features, with the model's voice model, or else its
        probabilities (:mod:`voxemo.recognizer.adapt`). For recordings of one speaker.
    name : str or None
        What the timeline and its errors call the recording (None: ``path``).

    Returns
    -------
    Timeline
        Per-window probabilities, segments (start, end, label, confidence), the duration
        and the seconds of speech.

    Raises
    ------
    AudioError
        Missing, empty, not audio, no samples, too short, NaN samples, or all silent; the
        message names the file.

    Examples
    --------
    >>> from voxemo import Recognizer
    >>> timeline = predict_timeline(Recognizer().model, "examples/conversation.flac", adapt=True)
    >>> timeline.adapted, timeline.segments[0].label in Recognizer().labels
    (True, True)
    """
    settings = settings or TimelineSettings()
    name = name or str(path)
    rate = model_rate(model)
    adapter = VoiceAdapter(model) if adapt else None

    read = [0]  # samples streamed so far: the recording's length at the end

    def blocks():
        for block in stream_audio(path, rate, name=name):
            read[0] += len(block)
            if progress:
                progress(len(block) / rate)
            yield block

    windows, speech = [], 0.0
    for item in speech_windows(blocks(), rate, settings):
        if isinstance(item, float):
            speech = item
            continue
        start, samples = item
        try:
            audio = audio_from_array(samples, rate, f"{name}@{start:.1f}s")
        except AudioError:
            continue  # digital silence inside a stretch of speech
        row = adapter(audio) if adapter else audio_probabilities(model, [audio])[0]
        windows.append(
            Window(
                round(start, 3),
                round(start + len(samples) / rate, 3),
                _ordered(model.labels, row),
            )
        )
    segments = smooth(windows, model.labels, settings)
    return Timeline(name, read[0] / rate, speech, windows, segments, adapt)


def _ordered(labels: list[str], row) -> dict[str, float]:
    """Probabilities by emotion, in the display order."""
    values = dict(zip(labels, (round(float(p), 4) for p in row), strict=True))
    return {label: values[label] for label in display_order(labels)}


def write_segments_csv(timelines: list[Timeline], out: Path) -> None:
    """One row per segment: path, start, end, label, confidence."""
    import csv

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "start", "end", "label", "confidence"])
        for timeline in timelines:
            for s in timeline.segments:
                writer.writerow([timeline.path, s.start, s.end, s.label, s.confidence])


def speech_shares(timeline: Timeline, labels: list[str]) -> dict[str, float]:
    """The share of the recording's speech (its segments) each emotion holds, in display
    order; emotions never heard have 0.

    Examples
    --------
    >>> timeline = Timeline("call.wav", 10.0, 6.0, segments=[Segment(0, 4, "angry", 0.7),
    ...     Segment(5, 7, "calm", 0.6)])
    >>> speech_shares(timeline, ["calm", "angry", "sad"])
    {'calm': 0.3333, 'sad': 0.0, 'angry': 0.6667}
    """
    seconds: dict[str, float] = defaultdict(float)
    for segment in timeline.segments:
        seconds[segment.label] += segment.end - segment.start
    total = sum(seconds.values()) or 1.0
    return {label: round(seconds[label] / total, 4) for label in display_order(labels)}
