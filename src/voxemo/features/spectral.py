"""``spectral``: librosa frame-level descriptors summarized by functionals.

MFCCs with deltas and delta-deltas, log-mel bands, spectral contrast, centroid, bandwidth,
roll-off, flatness, flux, RMS energy and zero-crossing rate, at 16 kHz with 25 ms windows
and a 10 ms hop. Leading and trailing silence is trimmed, and the functionals are taken
over the active frames (energy within 40 dB of the loudest frame) so that pauses inside
an utterance do not dilute the statistics.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np

from voxemo.audio import Audio
from voxemo.features.base import FeatureSet, register
from voxemo.features.functionals import functional_names, functionals

N_FFT = 512
WIN = 400
HOP = 160
MIN_FRAMES = 9
N_MFCC = 20
N_MELS = 40
N_CONTRAST_BANDS = 6
TRIM_DB = 40.0
ACTIVE_DB = 40.0
SCALARS = ["centroid", "bandwidth", "rolloff", "flatness", "flux", "rms", "zcr"]


@lru_cache(maxsize=4)
def _mel_basis(sample_rate: int) -> np.ndarray:
    return librosa.filters.mel(sr=sample_rate, n_fft=N_FFT, n_mels=N_MELS)


def descriptor_names() -> list[str]:
    return (
        [f"mfcc{i:02d}" for i in range(N_MFCC)]
        + [f"mfcc{i:02d}_d" for i in range(N_MFCC)]
        + [f"mfcc{i:02d}_dd" for i in range(N_MFCC)]
        + [f"logmel{i:02d}" for i in range(N_MELS)]
        + [f"contrast{i}" for i in range(N_CONTRAST_BANDS + 1)]
        + SCALARS
    )


def active_frames(rms: np.ndarray) -> np.ndarray:
    """Frames within ``ACTIVE_DB`` of the loudest one (all frames if that leaves fewer than 3)."""
    level = librosa.amplitude_to_db(rms, ref=np.max)
    mask = level > -ACTIVE_DB
    return mask if mask.sum() >= 3 else np.ones_like(mask)


@register("spectral")
class SpectralFeatures(FeatureSet):
    version = 1
    sample_rate = 16000

    def params(self) -> dict:
        return {
            "n_fft": N_FFT,
            "win": WIN,
            "hop": HOP,
            "n_mfcc": N_MFCC,
            "n_mels": N_MELS,
            "trim_db": TRIM_DB,
            "active_db": ACTIVE_DB,
            "librosa": librosa.__version__,
        }

    def names(self) -> list[str]:
        return functional_names("spectral", descriptor_names())

    def select(self, audio: Audio) -> Audio:
        trimmed, _ = librosa.effects.trim(audio.samples, top_db=TRIM_DB)
        return Audio(trimmed, audio.sample_rate) if len(trimmed) >= WIN else audio

    def compute(self, audio: Audio) -> np.ndarray:
        sr = self.sample_rate
        # At least 9 frames, so that deltas over a 9-frame window are defined.
        y = np.pad(audio.samples, (0, max(0, MIN_FRAMES * HOP - len(audio.samples))))
        magnitude = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, win_length=WIN))
        log_mel = librosa.power_to_db(_mel_basis(sr) @ magnitude**2, top_db=80.0)
        mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=N_MFCC)
        deltas = librosa.feature.delta(mfcc, width=MIN_FRAMES)
        delta2 = librosa.feature.delta(mfcc, order=2, width=MIN_FRAMES)
        rms = librosa.feature.rms(S=magnitude, frame_length=N_FFT)[0]
        normalized = magnitude / (magnitude.sum(axis=0, keepdims=True) + 1e-10)
        flux = np.r_[0.0, np.sqrt((np.diff(normalized, axis=1).clip(min=0) ** 2).sum(axis=0))]
        contours = np.vstack(
            [
                mfcc,
                deltas,
                delta2,
                log_mel,
                librosa.feature.spectral_contrast(
                    S=magnitude, sr=sr, n_bands=N_CONTRAST_BANDS, fmin=100.0
                ),
                librosa.feature.spectral_centroid(S=magnitude, sr=sr),
                librosa.feature.spectral_bandwidth(S=magnitude, sr=sr),
                librosa.feature.spectral_rolloff(S=magnitude, sr=sr, roll_percent=0.85),
                librosa.feature.spectral_flatness(S=magnitude),
                flux[None, :],
                librosa.amplitude_to_db(rms, ref=1.0)[None, :],
                librosa.feature.zero_crossing_rate(y, frame_length=WIN, hop_length=HOP),
            ]
        )
        return functionals(contours[:, active_frames(rms)])
