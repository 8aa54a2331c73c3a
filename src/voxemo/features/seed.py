"""``seed``: the original RAVDESS study's 180 values, computed once per file.

Means over time of 40 MFCCs, 12 chroma bins and 128 mel bands (power), at 44.1 kHz, from
the 3 s starting 0.5 s into the file. Unlike the study, the audio is decoded once and one
STFT serves all three descriptors, and chroma is computed from each file's own STFT (the
study reused one file's STFT for every file, so its chroma carried no information).
Chroma uses standard A440 tuning: estimating a musical tuning offset per spoken utterance
(librosa's default) carries no information about speech and cost half the extraction time.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np

from voxemo.audio import Audio
from voxemo.features.base import FeatureSet, register

N_FFT = 2048
HOP = 512
N_MELS = 128
N_MFCC = 40
N_CHROMA = 12


@lru_cache(maxsize=4)
def _mel_basis(sample_rate: int) -> np.ndarray:
    return librosa.filters.mel(sr=sample_rate, n_fft=N_FFT, n_mels=N_MELS)


@lru_cache(maxsize=4)
def _chroma_basis(sample_rate: int) -> np.ndarray:
    return librosa.filters.chroma(sr=sample_rate, n_fft=N_FFT, tuning=0.0, n_chroma=N_CHROMA)


@register("seed")
class SeedFeatures(FeatureSet):
    """``seed``: the original RAVDESS study's 180 values (MFCC, chroma and mel means).

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("seed")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (180,)
    >>> features.names()[:2]
    ['seed_mfcc_00', 'seed_mfcc_01']
    """

    version = 1
    sample_rate = 44100
    offset_s = 0.5
    duration_s = 3.0

    def params(self) -> dict:
        return {
            "offset_s": self.offset_s,
            "duration_s": self.duration_s,
            "n_fft": N_FFT,
            "hop": HOP,
            "n_mels": N_MELS,
            "n_mfcc": N_MFCC,
            "chroma_tuning": 0.0,
            "librosa": librosa.__version__,
        }

    def names(self) -> list[str]:
        return (
            [f"seed_mfcc_{i:02d}" for i in range(N_MFCC)]
            + [f"seed_chroma_{i:02d}" for i in range(N_CHROMA)]
            + [f"seed_mel_{i:03d}" for i in range(N_MELS)]
        )

    def select(self, audio: Audio) -> Audio:
        """The study's window; clips too short to reach past the offset are used whole."""
        start = round(self.offset_s * audio.sample_rate)
        if len(audio.samples) - start < start:
            start = 0
        stop = start + round(self.duration_s * audio.sample_rate)
        return Audio(audio.samples[start:stop], audio.sample_rate)

    def compute(self, audio: Audio) -> np.ndarray:
        sr = self.sample_rate
        magnitude = np.abs(librosa.stft(audio.samples, n_fft=N_FFT, hop_length=HOP))
        mel = _mel_basis(sr) @ magnitude**2
        mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=N_MFCC)
        # As in the study, chroma is taken from the magnitude (not power) spectrogram.
        chroma = librosa.util.normalize(_chroma_basis(sr) @ magnitude, norm=np.inf, axis=0)
        return np.concatenate([mfcc.mean(axis=1), chroma.mean(axis=1), mel.mean(axis=1)])
