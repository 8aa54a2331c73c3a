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
MAX_CHANNELS = 64
MAX_SAMPLE_RATE = 384_000
UNKNOWN_FRAMES = 2**62  # libsndfile's frame count of a stream that does not know its length
SILENCE_PEAK = 1e-5  # -100 dBFS: below one step of 16-bit audio, i.e. digital silence
MAX_PEAK = 1000.0  # +60 dBFS: float audio may run over full scale, never this far
_DECODE_ERRORS = (sf.LibsndfileError, RuntimeError, ValueError, TypeError)


@dataclass(frozen=True)
class Audio:
    """Mono samples in [-1, 1] (float32) at ``sample_rate`` Hz."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def check_readable(path: Path) -> None:
    """A file that exists, is a file, can be opened and is not empty; else one line naming it."""
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

    Memory is bounded by :data:`MAX_DECODED_SECONDS`, not by the input: the header is read
    first and a recording it says is longer is refused before any of it is decoded (a small
    file can hold hours of silence), and no more than that many seconds are ever decoded
    (a header can lie, or not know its length). Long recordings stream through
    ``--timeline``."""
    if not data:
        raise AudioError(f"{name}: empty file (0 bytes)")
    return _decode(lambda: io.BytesIO(data), name)


def _decode(open_source, name: str | Path) -> Audio:
    limit = check_length(open_source(), name)
    try:
        samples, rate = sf.read(open_source(), frames=limit + 1, dtype="float32", always_2d=True)
    except _DECODE_ERRORS as exc:
        raise AudioError(f"{name}: not a readable audio file ({_short(exc)})") from None
    if len(samples) > limit:
        raise AudioError(_too_long(name, None))
    return _mono(samples, int(rate), name)


def _too_long(name: str | Path, seconds: float | None) -> str:
    length = "more" if seconds is None else f"{seconds:.0f} s of audio is longer"
    return (
        f"{name}: {length} than the {MAX_DECODED_SECONDS} s one prediction decodes; use "
        "--timeline (or predict_timeline) for long recordings, which streams them"
    )


def check_length(source, name: str | Path) -> int:
    """The most frames of ``source`` (a path or a binary file object) that may be decoded,
    from its header: a recording the header says is longer than :data:`MAX_DECODED_SECONDS`,
    or with more than :data:`MAX_CHANNELS` channels, is refused before anything is decoded.

    Raises
    ------
    AudioError
        Naming ``name``: a header that cannot be read, or a recording too long or too wide.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> buffer = io.BytesIO()
    >>> sf.write(buffer, np.zeros(8000, np.float32), 8000, format="WAV")
    >>> check_length(io.BytesIO(buffer.getvalue()), "one-second.wav")  # 600 s at 8 kHz
    4800000
    """
    try:
        info = sf.info(source)
    except _DECODE_ERRORS as exc:
        raise AudioError(f"{name}: not a readable audio file ({_short(exc)})") from None
    if not 0 < info.samplerate <= MAX_SAMPLE_RATE:
        raise AudioError(
            f"{name}: sample rate {info.samplerate} Hz is outside the 1-{MAX_SAMPLE_RATE} Hz "
            "voxemo reads"
        )
    if info.channels > MAX_CHANNELS:
        raise AudioError(f"{name}: {info.channels} channels; voxemo reads up to {MAX_CHANNELS}")
    limit = MAX_DECODED_SECONDS * info.samplerate
    if limit < info.frames < UNKNOWN_FRAMES:
        raise AudioError(_too_long(name, info.frames / info.samplerate))
    return limit


def audio_from_array(y: np.ndarray, sr: int, name: str | Path = "<array>") -> Audio:
    """Validated mono audio from an array of samples of any integer or float dtype.

    Parameters
    ----------
    y : numpy.ndarray
        The samples, shaped ``(frames,)``, ``(frames, channels)`` as soundfile reads or ``(channels,
        frames)`` as librosa does: of two axes, the shorter holds the channels, which are
        averaged. Integers are scaled to [-1, 1] by their type's full scale (int16 by 32768,
        uint8 around 128); floats are taken as they are.
    sr : int
        Samples per second, positive.
    name : str or Path
        What error messages call the input.

    Returns
    -------
    Audio
        Mono float32 samples at ``sr``.

    Raises
    ------
    AudioError
        Not numeric, more than two axes, no samples, NaN or infinite samples, shorter than
        :data:`MIN_DURATION_S`, or all silent.

    Examples
    --------
    >>> import numpy as np
    >>> pcm = (np.sin(np.linspace(0, 400, 16000)) * 16384).astype(np.int16)
    >>> audio = audio_from_array(np.stack([pcm, pcm]), 16000)  # (channels, frames), int16
    >>> audio.duration, round(float(abs(audio.samples).max()), 2)
    (1.0, 0.5)
    """
    samples = np.asarray(y)
    if samples.ndim not in (1, 2) or not (
        np.issubdtype(samples.dtype, np.integer) or np.issubdtype(samples.dtype, np.floating)
    ):
        raise AudioError(
            f"{name}: expected integer or float samples shaped (frames,), (frames, channels) "
            f"or (channels, frames), got {samples.dtype} {samples.shape}"
        )
    if np.issubdtype(samples.dtype, np.integer):
        info = np.iinfo(samples.dtype)
        half = (int(info.max) - int(info.min) + 1) / 2
        samples = (samples.astype(np.float64) - (int(info.min) + half)) / half
    if samples.ndim == 2 and samples.shape[0] < samples.shape[1]:
        samples = samples.T  # librosa's (channels, frames)
    return _mono(samples, sr, name)


def _mono(samples: np.ndarray, sample_rate: int, name: str | Path) -> Audio:
    """Validated mono audio from float samples shaped (frames,) or (frames, channels)."""
    if sample_rate <= 0:
        raise AudioError(f"{name}: sample rate must be positive, got {sample_rate}")
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    audio = Audio(np.ascontiguousarray(mono, dtype=np.float32), int(sample_rate))
    _validate(audio, name)
    return audio


def load_audio(path: str | Path, sr: int | None = None) -> Audio:
    """Read, decode and validate one file, resampled to ``sr`` Hz if given (as librosa's
    ``load`` does), decoding no more than :data:`MAX_DECODED_SECONDS` (see
    :func:`decode_audio`).

    Examples
    --------
    >>> audio = load_audio("examples/speech.wav", sr=16000)
    >>> audio.sample_rate, round(audio.duration, 1)
    (16000, 3.1)
    """
    check_readable(Path(path))
    audio = _decode(lambda: str(path), path)
    return resample(audio, sr) if sr else audio


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
    check_peak(float(np.max(np.abs(audio.samples))), name)
    if audio.duration < MIN_DURATION_S:
        raise AudioError(
            f"{name}: too short ({audio.duration:.3f} s; at least {MIN_DURATION_S} s needed)"
        )
    if float(np.max(np.abs(audio.samples))) <= SILENCE_PEAK:
        raise AudioError(f"{name}: all samples are silent")


def check_peak(peak: float, name: str | Path) -> None:
    """Refuse samples far outside the [-1, 1] of audio: a damaged float file, or integer
    values given as floats.

    Examples
    --------
    >>> check_peak(1.3, "loud.wav")  # over full scale, but audio
    >>> check_peak(32767.0, "array")
    Traceback (most recent call last):
    ...
    voxemo.errors.AudioError: array: samples reach 3.28e+04, far outside the -1 to 1 of audio \
(a damaged float file, or integer samples given as floats: divide 16-bit values by 32768)
    """
    if peak > MAX_PEAK:
        raise AudioError(
            f"{name}: samples reach {peak:.3g}, far outside the -1 to 1 of audio (a damaged "
            "float file, or integer samples given as floats: divide 16-bit values by 32768)"
        )


def _short(exc: Exception) -> str:
    """libsndfile messages sometimes repeat the stream repr; keep the informative tail."""
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    if text.startswith("Error opening"):
        text = text.split(": ", 1)[-1]
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]
