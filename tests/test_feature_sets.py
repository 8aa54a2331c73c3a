"""The frame-based feature sets on synthetic signals with known properties."""

import numpy as np
import pytest

from conftest import tone
from voxemo.audio import Audio
from voxemo.features import compute_features, parse_feature_spec
from voxemo.features.functionals import FUNCTIONALS, functionals

SR = 16000


def harmonic(
    f0: float, seconds: float = 1.0, amp: float = 0.3, jitter: float = 0.0, seed: int = 0
) -> np.ndarray:
    """A voice-like pulse train: harmonics of f0, optionally with random period jitter."""
    rng = np.random.default_rng(seed)
    periods = (1.0 / f0) * (1 + jitter * rng.standard_normal(int(seconds * f0) + 2))
    phase = np.interp(
        np.arange(int(seconds * SR)) / SR, np.cumsum(periods) - periods[0], np.arange(len(periods))
    )
    signal = sum(np.sin(2 * np.pi * k * phase) / k for k in range(1, 8))
    return (amp * signal / np.max(np.abs(signal))).astype(np.float32)


def features_of(name: str, samples: np.ndarray) -> dict[str, float]:
    (feature_set,) = parse_feature_spec(name)
    values = compute_features(Audio(samples, SR), feature_set)
    assert values.shape == (len(feature_set.names()),) and np.isfinite(values).all()
    return dict(zip(feature_set.names(), values, strict=True))


def test_functionals_of_a_ramp():
    stats = dict(zip(FUNCTIONALS, functionals(np.linspace(0, 10, 101)), strict=True))
    assert stats["mean"] == pytest.approx(5.0)
    assert stats["p50"] == pytest.approx(5.0)
    assert stats["range"] == pytest.approx(9.8)  # 1st to 99th percentile
    assert stats["slope"] == pytest.approx(10.0)  # per unit of normalized time
    assert not functionals(np.zeros((3, 0))).any()


@pytest.mark.parametrize("f0", [110.0, 220.0])
def test_prosody_finds_the_pitch_of_a_periodic_voice(f0):
    values = features_of("prosody", harmonic(f0))
    expected = 12 * np.log2(f0 / 100.0)
    assert values["prosody_f0_semitones_mean"] == pytest.approx(expected, abs=0.1)
    assert values["prosody_f0_semitones_std"] < 0.1
    assert values["prosody_voiced_ratio"] > 0.9


def test_jitter_of_a_periodic_voice_is_near_zero_and_grows_with_jitter():
    steady = features_of("prosody", harmonic(150.0))
    shaky = features_of("prosody", harmonic(150.0, jitter=0.03))
    assert steady["prosody_jitter_local"] < 0.002
    assert shaky["prosody_jitter_local"] > 5 * steady["prosody_jitter_local"]
    assert steady["prosody_hnr_mean_db"] > shaky["prosody_hnr_mean_db"]


def test_louder_gives_higher_intensity_and_rms():
    quiet, loud = harmonic(200.0, amp=0.05), harmonic(200.0, amp=0.5)
    prosody_quiet, prosody_loud = features_of("prosody", quiet), features_of("prosody", loud)
    assert prosody_loud["prosody_intensity_db_mean"] - prosody_quiet[
        "prosody_intensity_db_mean"
    ] == pytest.approx(20.0, abs=0.5)
    spectral_quiet, spectral_loud = features_of("spectral", quiet), features_of("spectral", loud)
    assert spectral_loud["spectral_rms_mean"] - spectral_quiet["spectral_rms_mean"] == (
        pytest.approx(20.0, abs=0.5)
    )


def test_silence_is_unvoiced():
    noise = tone(seconds=1.0, amp=0.0, noise=0.01)
    assert features_of("prosody", noise)["prosody_voiced_ratio"] < 0.1


def test_spectral_centroid_follows_the_tone_and_trims_silence():
    low = features_of("spectral", tone(300.0, 1.0, SR))
    high = features_of("spectral", tone(3000.0, 1.0, SR))
    assert low["spectral_centroid_p50"] == pytest.approx(300.0, rel=0.1)
    assert high["spectral_centroid_p50"] == pytest.approx(3000.0, rel=0.1)
    padded = np.concatenate([np.zeros(SR), tone(300.0, 1.0, SR), np.zeros(SR)])
    trimmed = features_of("spectral", padded.astype(np.float32))
    assert trimmed["spectral_rms_p10"] == pytest.approx(low["spectral_rms_p10"], abs=1.0)


def test_spectral_handles_the_shortest_allowed_clip():
    features_of("spectral", tone(440.0, 0.1, SR))


def test_egemaps_measures_loudness_and_pitch():
    quiet = features_of("egemaps", harmonic(180.0, amp=0.05))
    loud = features_of("egemaps", harmonic(180.0, amp=0.5))
    assert len(quiet) == 88
    assert loud["egemaps_loudness_sma3_amean"] > quiet["egemaps_loudness_sma3_amean"]
    pitch = quiet["egemaps_F0semitoneFrom27.5Hz_sma3nz_amean"]
    assert pitch == pytest.approx(12 * np.log2(180.0 / 27.5), abs=0.5)


def test_compare_has_its_6373_values():
    assert len(features_of("compare", harmonic(180.0))) == 6373


def test_a_feature_set_whose_library_is_missing_names_the_extra(monkeypatch):
    import sys

    from voxemo.errors import VoxemoError
    from voxemo.features import parse_feature_spec

    monkeypatch.setitem(sys.modules, "opensmile", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "voxemo.features.opensmile_sets", raising=False)
    with pytest.raises(
        VoxemoError, match=r"feature set 'egemaps' needs opensmile.*voxemo\[accurate\]"
    ):
        parse_feature_spec("spectral+egemaps")
