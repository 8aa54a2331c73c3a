"""Decoding with libsndfile (WAV, FLAC, OGG, MP3, AIFF ...) and resampling with soxr.

Every later stage receives an :class:`Audio` that is mono, finite, long enough and not
silent, so the checks live here once instead of in each feature extractor.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voxemo.errors import AudioError

MIN_DURATION_S = 0.1
MAX_DECODED_SECONDS = 600  # the longest recording decoded whole (a clip, not a call)
SILENCE_PEAK = 1e-5  # -100 dBFS: below one step of 16-bit audio, i.e. digital silence


@dataclass(frozen=True)
class Audio:
    """Mono samples in [-1, 1] (float32) at ``sample_rate`` Hz."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def read_bytes(path: Path) -> bytes:
    """Read a file whole, turning OS errors into one-line :class:`AudioError`s."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AudioError(_os_problem(path, exc)) from None
    if not data:
        raise AudioError(f"{path}: empty file (0 bytes)")
    return data


def check_readable(path: Path) -> None:
    """The checks of :func:`read_bytes` without reading the file: for files streamed."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise AudioError(_os_problem(path, exc)) from None
    if empty:
        raise AudioError(f"{path}: empty file (0 bytes)")


def _os_problem(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory, not an audio file"
    return f"{path}: cannot read ({exc.strerror or exc})"


def decode_audio(data: bytes, name: str | Path) -> Audio:
    """Decode encoded bytes to validated mono audio at the file's own sample rate.

    The header is read first: a recording longer than :data:`MAX_DECODED_SECONDS` is refused
    before any of it is decoded, so memory is bounded by that setting and not by the input (a
    small file can hold hours of silence). Long recordings stream through ``--timeline``."""
    try:
        info = sf.info(io.BytesIO(data))
        if info.frames > MAX_DECODED_SECONDS * info.samplerate:
            raise AudioError(
                f"{name}: {info.frames / info.samplerate:.0f} s of audio is longer than the "
                f"{MAX_DECODED_SECONDS} s one prediction decodes; use --timeline (or "
                "predict_timeline) for long recordings, which streams them"
            )
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({_short(exc)})") from None
    return audio_from_array(samples, int(rate), name)


def audio_from_array(samples: np.ndarray, sample_rate: int, name: str | Path = "<array>") -> Audio:
    """Validated mono audio from samples shaped (frames,) or (frames, channels)."""
    samples = np.asarray(samples)
    if samples.ndim not in (1, 2) or not np.issubdtype(samples.dtype, np.number):
        raise AudioError(
            f"{name}: expected numeric samples shaped (frames,) or "
            f"(frames, channels), got {samples.dtype} {samples.shape}"
        )
    if sample_rate <= 0:
        raise AudioError(f"{name}: sample rate must be positive, got {sample_rate}")
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    audio = Audio(np.ascontiguousarray(mono, dtype=np.float32), int(sample_rate))
    _validate(audio, name)
    return audio


def load_audio(path: str | Path, sample_rate: int | None = None) -> Audio:
    """Read, decode, validate and optionally resample one file."""
    audio = decode_audio(read_bytes(Path(path)), path)
    return resample(audio, sample_rate) if sample_rate else audio


def resample(audio: Audio, sample_rate: int) -> Audio:
    """Resample with soxr's high-quality filter; a no-op at the same rate."""
    if audio.sample_rate == sample_rate:
        return audio
    samples = soxr.resample(audio.samples, audio.sample_rate, sample_rate, quality="HQ")
    return Audio(np.asarray(samples, dtype=np.float32), sample_rate)


def _validate(audio: Audio, name: str | Path) -> None:
    if audio.samples.size == 0:
        raise AudioError(f"{name}: contains no audio samples")
    if not np.isfinite(audio.samples).all():
        raise AudioError(f"{name}: contains NaN or infinite samples")
    if audio.duration < MIN_DURATION_S:
        raise AudioError(
            f"{name}: too short ({audio.duration:.3f} s; at least {MIN_DURATION_S} s needed)"
        )
    if float(np.max(np.abs(audio.samples))) <= SILENCE_PEAK:
        raise AudioError(f"{name}: all samples are silent")


def _short(exc: Exception) -> str:
    """libsndfile messages sometimes repeat the stream repr; keep the informative tail."""
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    if text.startswith("Error opening"):
        text = text.split(": ", 1)[-1]
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]
