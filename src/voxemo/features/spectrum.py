"""Short-time spectra and frame descriptors in plain numpy, by librosa's definitions.

librosa defines the descriptors voxemo's ``spectral`` set is built from, but importing it
for inference pulls in scipy.signal, numba and scikit-learn: about 1.5 s before the first
prediction. These functions compute the same values (tests compare them with librosa) from
numpy alone, so that ``voxemo predict`` starts fast.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from math import factorial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _frames(samples: np.ndarray, length: int, hop: int) -> np.ndarray:
    """(frames, length) view of ``samples`` cut every ``hop`` samples."""
    return sliding_window_view(samples, length)[::hop]


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    logarithmic = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, logarithmic, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    linear = mel * (200.0 / 3)
    logarithmic = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, logarithmic, linear)


def fft_frequencies(sample_rate: int, n_fft: int) -> np.ndarray:
    return np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)


@lru_cache(maxsize=8)
def mel_filters(
    sample_rate: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters on the Slaney mel scale, area-normalized."""
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax or sample_rate / 2), n_mels + 2)
    )
    ramps = edges[:, None] - fft_frequencies(sample_rate, n_fft)[None, :]
    widths = np.diff(edges)
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    weights.flags.writeable = False
    return weights


@lru_cache(maxsize=4)
def _window(n_fft: int, win: int) -> np.ndarray:
    """A periodic Hann window of ``win`` samples, centered in ``n_fft``."""
    window = np.zeros(n_fft)
    start = (n_fft - win) // 2
    window[start : start + win] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    return window


def stft_magnitude(samples: np.ndarray, n_fft: int, hop: int, win: int) -> np.ndarray:
    """(n_fft // 2 + 1, frames) magnitudes; frames are centered (half an FFT of zeros each side)."""
    padded = np.pad(np.asarray(samples, dtype=np.float32), n_fft // 2)
    spectrum = np.fft.rfft(_frames(padded, n_fft, hop) * _window(n_fft, win), axis=1)
    return np.abs(spectrum.astype(np.complex64)).T


def power_to_db(
    power: np.ndarray, ref: float = 1.0, amin: float = 1e-10, top_db: float | None = 80.0
) -> np.ndarray:
    """Decibels relative to ``ref``, floored at ``top_db`` below the loudest value."""
    decibels = 10.0 * np.log10(np.maximum(amin, power))
    decibels -= 10.0 * np.log10(np.maximum(amin, ref))
    return decibels if top_db is None else np.maximum(decibels, decibels.max() - top_db)


def amplitude_to_db(
    amplitude: np.ndarray, ref: float = 1.0, top_db: float | None = 80.0
) -> np.ndarray:
    return power_to_db(np.square(amplitude), ref=ref**2, top_db=top_db)


@lru_cache(maxsize=4)
def _dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """Orthonormal DCT-II, first ``n_out`` rows."""
    grid = np.pi * np.outer(np.arange(n_out), 2 * np.arange(n_in) + 1) / (2 * n_in)
    scale = np.full(n_out, np.sqrt(2.0 / n_in))
    scale[0] = np.sqrt(1.0 / n_in)
    return scale[:, None] * np.cos(grid)


def mfcc(log_mel: np.ndarray, n_mfcc: int) -> np.ndarray:
    """Cepstral coefficients of a (bands, frames) log-mel spectrogram."""
    return (_dct_matrix(n_mfcc, log_mel.shape[0]) @ log_mel).astype(np.float32)


def delta(contours: np.ndarray, width: int, order: int = 1) -> np.ndarray:
    """Savitzky-Golay derivative of each row, of polynomial degree ``order`` over ``width``
    frames; the edge frames take the value of the nearest full window (what fitting that
    window's polynomial gives, as its ``order``-th derivative is constant)."""
    offsets = np.arange(width) - width // 2
    vandermonde = offsets[:, None] ** np.arange(order + 1)[None, :]
    weights = factorial(order) * np.linalg.pinv(vandermonde)[order]
    inner = sliding_window_view(contours, width, axis=-1) @ weights
    half = width // 2
    return np.pad(inner, [(0, 0)] * (contours.ndim - 1) + [(half, half)], mode="edge")


def rms_from_magnitude(magnitude: np.ndarray, n_fft: int) -> np.ndarray:
    """Root-mean-square energy per frame from a one-sided spectrum (Parseval)."""
    power = np.square(magnitude, dtype=np.float32)
    power[0] *= 0.5
    if n_fft % 2 == 0:
        power[-1] *= 0.5
    return np.sqrt(2 * power.sum(axis=0) / n_fft**2)


def trim_silence(
    samples: np.ndarray, top_db: float, frame: int = 2048, hop: int = 512
) -> np.ndarray:
    """``samples`` without leading and trailing frames more than ``top_db`` below the loudest."""
    padded = np.pad(samples, frame // 2)
    rms = np.sqrt(np.mean(np.square(_frames(padded, frame, hop), dtype=np.float32), axis=1))
    loud = np.flatnonzero(amplitude_to_db(rms, ref=rms.max(), top_db=None) > -top_db)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] * hop : min(len(samples), (loud[-1] + 1) * hop)]


def _sum_normalized(magnitude: np.ndarray) -> np.ndarray:
    total = magnitude.sum(axis=0, keepdims=True)
    return magnitude / np.where(total < np.finfo(magnitude.dtype).tiny, 1.0, total)


def spectral_centroid_and_bandwidth(
    magnitude: np.ndarray, sample_rate: int, n_fft: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's centre of mass in Hz, and its spread around it (the square root of the
    second central moment); one normalization of the spectrum serves both."""
    freqs = fft_frequencies(sample_rate, n_fft)[:, None]
    weights = _sum_normalized(magnitude)
    centroid = (freqs * weights).sum(axis=0)
    deviation = np.abs(freqs - centroid[None, :])
    return centroid, np.sqrt((weights * deviation**2).sum(axis=0))


def spectral_rolloff(
    magnitude: np.ndarray, sample_rate: int, n_fft: int, fraction: float
) -> np.ndarray:
    """Lowest frequency below which ``fraction`` of each frame's magnitude lies."""
    cumulative = np.cumsum(magnitude, axis=0)
    reached = cumulative >= fraction * cumulative[-1]
    return fft_frequencies(sample_rate, n_fft)[np.argmax(reached, axis=0)]


def spectral_flatness(magnitude: np.ndarray, amin: float = 1e-10) -> np.ndarray:
    """Geometric over arithmetic mean of the power spectrum: 1 for noise, near 0 for tones."""
    power = np.maximum(amin, magnitude**2)
    return np.exp(np.mean(np.log(power), axis=0)) / np.mean(power, axis=0)


def spectral_contrast(
    magnitude: np.ndarray,
    sample_rate: int,
    n_fft: int,
    n_bands: int,
    fmin: float,
    quantile: float = 0.02,
) -> np.ndarray:
    """(n_bands + 1, frames) decibel difference of peaks and valleys in octave bands."""
    freqs = fft_frequencies(sample_rate, n_fft)
    edges = np.r_[0.0, fmin * 2.0 ** np.arange(n_bands + 1)]
    peaks, valleys = [], []
    for band, (low, high) in enumerate(pairwise(edges)):
        members = (freqs >= low) & (freqs <= high)
        indices = np.flatnonzero(members)
        if band > 0:
            members[indices[0] - 1] = True
        if band == n_bands:
            members[indices[-1] + 1 :] = True
        rows = magnitude[members] if band == n_bands else magnitude[members][:-1]
        count = max(int(np.rint(quantile * members.sum())), 1)
        ordered = np.sort(rows, axis=0)
        valleys.append(ordered[:count].mean(axis=0))
        peaks.append(ordered[-count:].mean(axis=0))
    return power_to_db(np.array(peaks)) - power_to_db(np.array(valleys))


def zero_crossing_rate(samples: np.ndarray, frame: int, hop: int) -> np.ndarray:
    """Fraction of sign changes per frame (centered frames, edge samples repeated);
    values within 1e-10 of zero count as positive."""
    negative = np.pad(samples, frame // 2, mode="edge") < -1e-10
    changes = np.r_[0, np.cumsum(negative[1:] != negative[:-1])]
    starts = np.arange(0, len(negative) - frame + 1, hop)
    return (changes[starts + frame - 1] - changes[starts]) / frame
