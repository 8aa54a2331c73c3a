"""The numpy descriptors of :mod:`voxemo.features.spectrum` give librosa's values."""

import librosa
import numpy as np
import pytest

from voxemo.features import spectrum

SR = 16000
N_FFT, HOP, WIN = 512, 160, 400


def speech_like(seconds: float = 1.3, seed: int = 0) -> np.ndarray:
    """Harmonics with a gliding pitch, noise, and silence at both ends."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(140 + 60 * np.sin(2 * np.pi * 1.5 * t)) / SR
    voiced = sum(np.sin(k * phase) / k for k in range(1, 10)) * np.hanning(len(t))
    signal = 0.3 * voiced + 0.01 * rng.standard_normal(len(t))
    silence = np.zeros(SR // 4)
    return np.concatenate([silence, signal, silence]).astype(np.float32)


@pytest.fixture(scope="module")
def samples() -> np.ndarray:
    return speech_like()


@pytest.fixture(scope="module")
def magnitude(samples) -> np.ndarray:
    return np.abs(librosa.stft(samples, n_fft=N_FFT, hop_length=HOP, win_length=WIN))


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-4) -> None:
    theirs = np.asarray(theirs).reshape(np.shape(ours))
    scale = np.abs(theirs).max() + 1e-12
    assert np.abs(ours - theirs).max() <= rtol * scale


@pytest.mark.parametrize(
    ("n_fft", "n_mels", "fmin", "fmax"), [(512, 40, 0.0, None), (512, 64, 50.0, 8000.0)]
)
def test_mel_filters(n_fft, n_mels, fmin, fmax):
    ours = spectrum.mel_filters(SR, n_fft, n_mels, fmin=fmin, fmax=fmax)
    close(ours, librosa.filters.mel(sr=SR, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax))


def test_stft_magnitude(samples, magnitude):
    close(spectrum.stft_magnitude(samples, n_fft=N_FFT, hop=HOP, win=WIN), magnitude)


def test_decibels_and_cepstra(magnitude):
    power = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=40) @ magnitude**2
    log_mel = spectrum.power_to_db(power)
    close(log_mel, librosa.power_to_db(power, top_db=80.0))
    close(spectrum.mfcc(log_mel, 20), librosa.feature.mfcc(S=log_mel, n_mfcc=20))
    rms = spectrum.rms_from_magnitude(magnitude, N_FFT)
    close(rms, librosa.feature.rms(S=magnitude, frame_length=N_FFT))
    close(spectrum.amplitude_to_db(rms), librosa.amplitude_to_db(rms))


@pytest.mark.parametrize("order", [1, 2])
def test_delta(magnitude, order):
    contours = librosa.amplitude_to_db(magnitude[:20])
    close(
        spectrum.delta(contours, width=9, order=order),
        librosa.feature.delta(contours, width=9, order=order),
    )


def test_spectral_shape_descriptors(magnitude):
    features = librosa.feature
    centroid, bandwidth = spectrum.spectral_centroid_and_bandwidth(magnitude, SR, N_FFT)
    pairs = [
        (centroid, features.spectral_centroid(S=magnitude, sr=SR)),
        (bandwidth, features.spectral_bandwidth(S=magnitude, sr=SR)),
        (
            spectrum.spectral_rolloff(magnitude, SR, N_FFT, fraction=0.85),
            features.spectral_rolloff(S=magnitude, sr=SR, roll_percent=0.85),
        ),
        (spectrum.spectral_flatness(magnitude), features.spectral_flatness(S=magnitude)),
        (
            spectrum.spectral_contrast(magnitude, SR, N_FFT, n_bands=6, fmin=100.0),
            features.spectral_contrast(S=magnitude, sr=SR, n_bands=6, fmin=100.0),
        ),
    ]
    for ours, theirs in pairs:
        close(ours, theirs)


def test_zero_crossing_rate(samples):
    ours = spectrum.zero_crossing_rate(samples, frame=WIN, hop=HOP)
    close(ours, librosa.feature.zero_crossing_rate(samples, frame_length=WIN, hop_length=HOP))


@pytest.mark.parametrize("top_db", [20.0, 40.0])
def test_trim_silence(samples, top_db):
    trimmed, _ = librosa.effects.trim(samples, top_db=top_db)
    ours = spectrum.trim_silence(samples, top_db=top_db)
    assert len(ours) < len(samples) and np.array_equal(ours, trimmed)
    assert len(spectrum.trim_silence(np.zeros(4000, np.float32), top_db=top_db)) == len(
        librosa.effects.trim(np.zeros(4000, np.float32), top_db=top_db)[0]
    )
