"""``spectral``: frame-level spectral descriptors summarized by functionals.

MFCCs with deltas and delta-deltas, log-mel bands, spectral contrast, centroid, bandwidth,
roll-off, flatness, flux, RMS energy and zero-crossing rate, at 16 kHz with 25 ms windows
and a 10 ms hop. Leading and trailing silence is trimmed, and the functionals are taken
over the active frames (energy within 40 dB of the loudest frame) so that pauses inside
an utterance do not dilute the statistics. The descriptors follow librosa's definitions and
are computed by :mod:`voxemo.features.spectrum` with numpy alone.
"""

from __future__ import annotations

import numpy as np

from voxemo.audio import Audio
from voxemo.features import spectrum
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
    level = spectrum.amplitude_to_db(rms, ref=rms.max())
    mask = level > -ACTIVE_DB
    return mask if mask.sum() >= 3 else np.ones_like(mask)


@register("spectral")
class SpectralFeatures(FeatureSet):
    """``spectral``: MFCC, log-mel and spectral descriptors of the active frames,
    summarized by functionals (numpy alone).

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("spectral")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (798,)
    >>> features.names()[:2]
    ['spectral_mfcc00_mean', 'spectral_mfcc00_std']
    """

    version = 2
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
        }

    def names(self) -> list[str]:
        return functional_names("spectral", descriptor_names())

    def select(self, audio: Audio) -> Audio:
        trimmed = spectrum.trim_silence(audio.samples, top_db=TRIM_DB)
        return Audio(trimmed, audio.sample_rate) if len(trimmed) >= WIN else audio

    def compute(self, audio: Audio) -> np.ndarray:
        sr = self.sample_rate
        # At least 9 frames, so that deltas over a 9-frame window are defined.
        y = np.pad(audio.samples, (0, max(0, MIN_FRAMES * HOP - len(audio.samples))))
        magnitude = spectrum.stft_magnitude(y, n_fft=N_FFT, hop=HOP, win=WIN)
        log_mel = spectrum.power_to_db(spectrum.mel_filters(sr, N_FFT, N_MELS) @ magnitude**2)
        mfcc = spectrum.mfcc(log_mel, N_MFCC)
        rms = spectrum.rms_from_magnitude(magnitude, N_FFT)
        normalized = magnitude / (magnitude.sum(axis=0, keepdims=True) + 1e-10)
        flux = np.r_[0.0, np.sqrt((np.diff(normalized, axis=1).clip(min=0) ** 2).sum(axis=0))]
        contours = np.vstack(
            [
                mfcc,
                spectrum.delta(mfcc, width=MIN_FRAMES, order=1),
                spectrum.delta(mfcc, width=MIN_FRAMES, order=2),
                log_mel,
                spectrum.spectral_contrast(
                    magnitude, sr, N_FFT, n_bands=N_CONTRAST_BANDS, fmin=100.0
                ),
                *spectrum.spectral_centroid_and_bandwidth(magnitude, sr, N_FFT),
                spectrum.spectral_rolloff(magnitude, sr, N_FFT, fraction=0.85),
                spectrum.spectral_flatness(magnitude),
                flux,
                spectrum.amplitude_to_db(rms),
                spectrum.zero_crossing_rate(y, frame=WIN, hop=HOP),
            ]
        )
        return functionals(contours[:, active_frames(rms)])
