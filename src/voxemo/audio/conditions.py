"""Recording conditions applied to clean audio: telephone band, lossy codecs, room
reverberation, background noise, level changes and clipping.

They serve two purposes: training augmentation (:class:`RandomCondition` draws one at random
per clip) and robustness measurement (a named condition such as ``"opus:16"`` degrades every
test file the same way). Each is a well-kept library's work where one exists: FFmpeg's MP3
(LAME) and Opus encoders through PyAV, room impulse responses from pyroomacoustics (image
method), band filters from SciPy, resampling with soxr. G.711 mu-law is its four-line
formula (librosa has it too, but importing librosa costs each training worker 1.5 s).

A condition is named by a spec, ``KIND[:VALUE]``:

=============  ===================================================================
``telephone``  8 kHz, 300-3400 Hz band, 8-bit mu-law (G.711), then back to the rate
``mp3:K``      MP3 at K kbit/s (LAME), decoded again
``opus:K``     Opus at K kbit/s, decoded again
``reverb:T``   a room with reverberation time T seconds (shoebox, image method)
``noise:S``    pink noise at S dB signal-to-noise ratio
``gain:D``     level changed by D dB (negative: quieter)
``clip:D``     driven D dB too hot into a hard clip at full scale
``random``     one of the above drawn at random, as training augmentation does
=============  ===================================================================

Examples
--------
>>> import numpy as np
>>> clip = 0.3 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype(np.float32)
>>> degraded = apply_condition("telephone", clip, 16000, np.random.default_rng(0))
>>> degraded.shape, degraded.dtype
((16000,), dtype('float32'))
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import soxr

from voxemo.errors import VoxemoError

TELEPHONE_RATE = 8000
TELEPHONE_BAND = (300.0, 3400.0)
ROOMS_PER_BANK = 16
Degrade = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def telephone(samples: np.ndarray, rate: int) -> np.ndarray:
    """A narrow-band telephone channel: 8 kHz, 300-3400 Hz, 8-bit mu-law (G.711)."""
    from scipy.signal import butter, sosfilt

    narrow = soxr.resample(samples, rate, TELEPHONE_RATE)
    band = butter(4, TELEPHONE_BAND, btype="bandpass", fs=TELEPHONE_RATE, output="sos")
    narrow = mu_law(np.clip(sosfilt(band, narrow), -1.0, 1.0))
    return _same_length(soxr.resample(narrow.astype(np.float32), TELEPHONE_RATE, rate), samples)


def mu_law(samples: np.ndarray, mu: int = 255) -> np.ndarray:
    """Samples in [-1, 1] through 8-bit mu-law companding and back (G.711's quantization).

    Examples
    --------
    >>> mu_law(np.array([0.0, 0.5, -1.0])).round(3).tolist()
    [0.0, 0.497, -1.0]
    """
    compressed = np.sign(samples) * np.log1p(mu * np.abs(samples)) / np.log1p(mu)
    levels = np.round((compressed + 1) / 2 * mu) / mu * 2 - 1  # 256 steps
    return np.sign(levels) * np.expm1(np.abs(levels) * np.log1p(mu)) / mu


def codec(samples: np.ndarray, rate: int, name: str, kbps: float) -> np.ndarray:
    """Encode with ``name`` (``mp3`` or ``opus``) at ``kbps`` and decode again."""
    import av

    encoders = {"mp3": ("libmp3lame", "mp3", 16000), "opus": ("libopus", "ogg", 16000)}
    encoder, container, codec_rate = encoders[name]
    clip = soxr.resample(samples, rate, codec_rate) if rate != codec_rate else samples
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(encoder, rate=codec_rate, layout="mono")
        stream.bit_rate = int(kbps * 1000)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(clip, dtype=np.float32)[np.newaxis], format="flt", layout="mono"
        )
        frame.sample_rate = codec_rate
        for packet in (*stream.encode(frame), *stream.encode(None)):
            output.mux(packet)
    buffer.seek(0)
    with av.open(buffer) as decoded:
        frames = list(decoded.decode(audio=0))
    out_rate = frames[0].sample_rate
    mono = np.concatenate([f.to_ndarray().astype(np.float32).mean(axis=0) for f in frames])
    return _same_length(soxr.resample(mono, out_rate, rate), samples)


@cache
def room_bank(seed: int, rate: int, rt60_range: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """``ROOMS_PER_BANK`` impulse responses of random shoebox rooms (pyroomacoustics), one
    source and one microphone each, with reverberation times drawn from ``rt60_range``."""
    import pyroomacoustics as pra

    rng = np.random.default_rng(seed)
    responses = []
    for _ in range(ROOMS_PER_BANK):
        responses.append(_room(pra, rng, rate, float(rng.uniform(*rt60_range))))
    return tuple(responses)


def _room(pra, rng: np.random.Generator, rate: int, rt60: float) -> np.ndarray:
    size = rng.uniform([3.0, 3.0, 2.4], [9.0, 7.0, 3.5])
    absorption, max_order = pra.inverse_sabine(rt60, size)
    room = pra.ShoeBox(
        size, fs=rate, materials=pra.Material(absorption), max_order=min(max_order, 40)
    )
    room.add_source(rng.uniform(0.5, size - 0.5))
    room.add_microphone(rng.uniform(0.5, size - 0.5))
    room.compute_rir()
    response = np.asarray(room.rir[0][0], dtype=np.float32)
    return response / np.abs(response).max()


def reverberate(samples: np.ndarray, response: np.ndarray) -> np.ndarray:
    """Convolve with a room's impulse response, keeping the dry clip's length and level."""
    from scipy.signal import fftconvolve

    start = int(np.argmax(np.abs(response)))  # the direct sound: no added delay
    wet = fftconvolve(samples, response[start:])[: len(samples)]
    return _matched_level(wet, samples)


def pink_noise(n: int, rng: np.random.Generator, exponent: float = 1.0) -> np.ndarray:
    """Noise whose power falls as 1/f**exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    frequencies = np.fft.rfftfreq(n)
    frequencies[0] = frequencies[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum / frequencies ** (exponent / 2), n)
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def add_noise(samples: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``samples`` plus ``noise`` scaled to ``snr_db`` below the clip's power."""
    power = float(np.mean(samples.astype(np.float64) ** 2))
    scale = np.sqrt(power / 10 ** (snr_db / 10) / (np.mean(noise**2) + 1e-12))
    return (samples + scale * noise).astype(np.float32)


def clip_hot(samples: np.ndarray, drive_db: float) -> np.ndarray:
    """Driven ``drive_db`` louder, then hard-clipped at full scale."""
    return np.clip(samples * 10 ** (drive_db / 20), -1.0, 1.0).astype(np.float32)


def _same_length(samples: np.ndarray, like: np.ndarray) -> np.ndarray:
    out = np.zeros(len(like), dtype=np.float32)
    out[: min(len(like), len(samples))] = samples[: len(like)]
    return out


def _matched_level(samples: np.ndarray, like: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean(samples.astype(np.float64) ** 2)) + 1e-12
    target = np.sqrt(np.mean(like.astype(np.float64) ** 2))
    return (samples * (target / rms)).astype(np.float32)


# Rooms of the training bank and of the measuring bank differ: no test room is trained on.
TRAINING_ROOMS = 0
MEASURING_ROOMS = 1
KINDS = {
    "telephone": None,
    "mp3": 16.0,
    "opus": 16.0,
    "reverb": 0.6,
    "noise": 10.0,
    "gain": -20.0,
    "clip": 12.0,
    "random": None,
}


def parse_condition(spec: str, rooms: int = MEASURING_ROOMS) -> Degrade:
    """The degradation a spec names (see the module docstring); one-line error otherwise.

    Examples
    --------
    >>> degrade = parse_condition("gain:-6")
    >>> float(degrade(np.ones(4, np.float32), 16000, np.random.default_rng(0))[0])
    0.501187...
    """
    kind, _, text = spec.strip().lower().partition(":")
    if kind not in KINDS:
        raise VoxemoError(f"condition '{spec}': unknown (known: {', '.join(KINDS)})")
    if kind in ("telephone", "random"):
        if text:
            raise VoxemoError(f"condition '{spec}': {kind} takes no value")
        if kind == "random":
            return RandomCondition(probability=1.0)
        return lambda samples, rate, rng: telephone(samples, rate)
    try:
        value = float(text) if text else KINDS[kind]
    except ValueError:
        raise VoxemoError(f"condition '{spec}': '{text}' is not a number") from None
    if kind in ("mp3", "opus") and not 6 <= value <= 320:
        raise VoxemoError(f"condition '{spec}': bit rate must be 6-320 kbit/s")
    if kind == "reverb" and not 0.1 <= value <= 3.0:
        raise VoxemoError(f"condition '{spec}': reverberation time must be 0.1-3 s")
    return _degrader(kind, value, rooms)


def _degrader(kind: str, value: float, rooms: int) -> Degrade:
    if kind in ("mp3", "opus"):
        return lambda samples, rate, rng: codec(samples, rate, kind, value)
    if kind == "reverb":

        def reverb(samples, rate, rng):
            bank = room_bank(rooms, rate, (value * 0.8, value * 1.2))
            return reverberate(samples, bank[int(rng.integers(len(bank)))])

        return reverb
    if kind == "noise":
        return lambda samples, rate, rng: add_noise(samples, pink_noise(len(samples), rng), value)
    if kind == "gain":
        return lambda samples, rate, rng: (samples * 10 ** (value / 20)).astype(np.float32)
    return lambda samples, rate, rng: clip_hot(samples, value)


def apply_condition(
    spec: str, samples: np.ndarray, rate: int, rng: np.random.Generator
) -> np.ndarray:
    """``samples`` under the condition ``spec``, at the same rate and length."""
    return parse_condition(spec)(np.asarray(samples, dtype=np.float32), rate, rng)


@dataclass(frozen=True)
class RandomCondition:
    """Training augmentation: with ``probability``, one condition drawn at random, with its
    setting drawn from the ranges below (telephone, MP3 or Opus at 16-32 kbit/s, a room of
    0.2-0.9 s reverberation, noise of random colour at 0-20 dB SNR, -20..+6 dB of level, or
    3-15 dB of clipping)."""

    probability: float = 0.5
    kbps_range: tuple[float, float] = (16.0, 32.0)
    rt60_range: tuple[float, float] = (0.2, 0.9)
    snr_db_range: tuple[float, float] = (0.0, 20.0)
    gain_db_range: tuple[float, float] = (-20.0, 6.0)
    drive_db_range: tuple[float, float] = (3.0, 15.0)

    def prepare(self, rate: int) -> None:
        """Load the codecs and build the room bank now, in the parent of training workers, so
        that forked workers inherit them instead of repeating the work every epoch."""
        import av  # noqa: F401
        import scipy.signal  # noqa: F401

        room_bank(TRAINING_ROOMS, rate, self.rt60_range)

    def __call__(self, samples: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
        if rng.random() >= self.probability or len(samples) < rate // 10:
            return samples
        kind = ("telephone", "mp3", "opus", "reverb", "noise", "gain", "clip")[
            int(rng.integers(7))
        ]
        if kind == "telephone":
            return telephone(samples, rate)
        if kind in ("mp3", "opus"):
            return codec(samples, rate, kind, rng.uniform(*self.kbps_range))
        if kind == "reverb":
            bank = room_bank(TRAINING_ROOMS, rate, self.rt60_range)
            return reverberate(samples, bank[int(rng.integers(len(bank)))])
        if kind == "noise":
            noise = pink_noise(len(samples), rng, exponent=rng.uniform(0.0, 2.0))
            return add_noise(samples, noise, rng.uniform(*self.snr_db_range))
        if kind == "gain":
            return (samples * 10 ** (rng.uniform(*self.gain_db_range) / 20)).astype(np.float32)
        return clip_hot(samples, rng.uniform(*self.drive_db_range))
