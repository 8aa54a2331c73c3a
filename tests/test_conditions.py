"""Recording conditions: each degrades a clip the way its name says, at the same length."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import speech_like
from voxemo.audio.conditions import RandomCondition, apply_condition, mu_law, parse_condition
from voxemo.errors import VoxemoError

RATE = 16000


def _band_energy(samples: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[(frequencies >= low) & (frequencies < high)].sum() / spectrum.sum())


@pytest.fixture
def clip() -> np.ndarray:
    rng = np.random.default_rng(0)
    voiced = speech_like(120.0, 2.0, 0.3)
    return (voiced + 0.02 * rng.standard_normal(len(voiced))).astype(np.float32)


@pytest.mark.parametrize(
    "spec", ["telephone", "mp3:16", "opus:16", "mp3:32", "reverb:0.6", "noise:5", "gain:-20"]
)
def test_every_condition_keeps_length_and_type(spec, clip):
    out = apply_condition(spec, clip, RATE, np.random.default_rng(1))
    assert out.shape == clip.shape and out.dtype == np.float32 and np.isfinite(out).all()
    assert not np.array_equal(out, clip)


def test_telephone_keeps_only_the_300_to_3400_hz_band(clip):
    out = apply_condition("telephone", clip, RATE, np.random.default_rng(0))
    assert _band_energy(clip, 3800, 8000) > 1e-3
    assert _band_energy(out, 3800, 8000) < 1e-4
    assert _band_energy(out, 0, 150) < _band_energy(clip, 0, 150) / 10


def test_lossy_codecs_keep_the_signal_and_lower_rates_lose_more(clip):
    low = apply_condition("mp3:16", clip, RATE, np.random.default_rng(0))
    high = apply_condition("mp3:64", clip, RATE, np.random.default_rng(0))
    error_low, error_high = np.mean((low - clip) ** 2), np.mean((high - clip) ** 2)
    assert error_high < error_low < np.mean(clip**2)


def test_noise_is_added_at_the_asked_snr(clip):
    out = apply_condition("noise:10", clip, RATE, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(clip.astype(float) ** 2) / np.mean((out - clip) ** 2))
    assert snr == pytest.approx(10.0, abs=0.1)


def test_reverberation_spreads_a_click_over_time():
    click = np.zeros(RATE, np.float32)
    click[100] = 1.0
    out = apply_condition("reverb:0.8", click, RATE, np.random.default_rng(0))
    late = np.sum(out[100 + RATE // 10 :] ** 2) / np.sum(out**2)
    assert late > 0.01


def test_clipping_caps_at_full_scale(clip):
    out = apply_condition("clip:20", clip, RATE, np.random.default_rng(0))
    assert np.abs(out).max() == pytest.approx(1.0) and np.mean(np.abs(out) >= 1.0) > 0.05


def test_mu_law_quantizes_to_256_levels():
    x = np.linspace(-1, 1, 10001)
    values = mu_law(x)
    assert len(np.unique(np.round(values, 9))) <= 256
    error = np.abs(values - x)
    # Companding: fine steps for quiet samples, coarse ones near full scale.
    assert error[np.abs(x) < 0.01].max() < 0.001 < error.max() < 0.03


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("radio", "unknown"),
        ("mp3:fast", "not a number"),
        ("opus:1", "bit rate"),
        ("telephone:8", "takes no value"),
    ],
)
def test_a_bad_condition_is_one_clear_error(spec, message):
    with pytest.raises(VoxemoError, match=message):
        parse_condition(spec)


def test_random_conditions_are_reproducible_from_the_generator(clip):
    augment = RandomCondition(probability=1.0)
    first = [augment(clip, RATE, np.random.default_rng(seed)) for seed in range(8)]
    again = [augment(clip, RATE, np.random.default_rng(seed)) for seed in range(8)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert len({round(float(np.mean(a**2)), 6) for a in first}) > 1  # not one condition
    never = RandomCondition(probability=0.0)
    assert never(clip, RATE, np.random.default_rng(0)) is clip


def test_features_of_recordings_heard_under_a_condition_are_cached_apart(fake_ravdess):
    from voxemo.corpora import read_corpus
    from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
    from voxemo.features.extract import extract_features

    paths = read_corpus(f"ravdess={fake_ravdess}").table["path"].tolist()[:6]
    sets = parse_feature_spec("spectral")
    cache = FeatureCache(default_cache_dir())
    clean = extract_features(paths, sets, cache=cache, jobs=1)
    phone = extract_features(paths, sets, cache=cache, jobs=1, condition="telephone")
    assert not np.allclose(clean.values, phone.values)
    again = extract_features(paths, sets, cache=cache, jobs=1, condition="telephone")
    assert again.cache_hits == len(paths)
    np.testing.assert_array_equal(again.values, phone.values)


def test_degraded_features_are_read_back_only_from_the_same_degrading_code(
    fake_ravdess, monkeypatch
):
    import voxemo.features.extract as extract
    from voxemo.corpora import read_corpus
    from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec

    paths = read_corpus(f"ravdess={fake_ravdess}").table["path"].tolist()[:3]
    sets = parse_feature_spec("spectral")
    cache = FeatureCache(default_cache_dir())
    first = extract.extract_features(paths, sets, cache=cache, jobs=1, condition="noise:10")
    # Another version of a library the conditions call: computed again, and the same draws
    # (seeded by the file and the condition alone) give the same features here.
    monkeypatch.setattr(extract, "DEGRADING_LIBRARIES", ("voxemo",))
    extract._degrading.cache_clear()
    try:
        other = extract.extract_features(paths, sets, cache=cache, jobs=1, condition="noise:10")
    finally:
        extract._degrading.cache_clear()
    assert other.cache_hits == 0
    np.testing.assert_array_equal(other.values, first.values)


def test_each_folds_model_is_tested_on_the_degraded_copy(fake_ravdess):
    from voxemo.corpora import read_corpus
    from voxemo.evaluation import evaluate
    from voxemo.features import parse_feature_spec
    from voxemo.features.dataset import featurize_corpus

    corpus = read_corpus(f"ravdess={fake_ravdess}")
    sets = parse_feature_spec("spectral")
    clean = featurize_corpus(corpus, sets, jobs=1)
    loud = featurize_corpus(corpus, sets, jobs=1, condition="clip:30")
    options = {"model_kind": "logreg", "protocol": "loso", "tune": False}
    same = evaluate(clean, **options, test_data=clean)
    assert same["predictions"] == evaluate(clean, **options)["predictions"]
    hot = evaluate(clean, **options, test_data=loud)
    assert hot["predictions"] != same["predictions"]
    shorter = featurize_corpus(corpus, sets, jobs=1)
    shorter.table = shorter.table.iloc[1:]
    with pytest.raises(VoxemoError, match="same files"):
        evaluate(clean, **options, test_data=shorter)
    # One training per fold serves every version of the test files, as separate runs would.
    both = evaluate(clean, **options, also_test={"clip:30": loud, "again": clean})
    assert both["predictions"] == same["predictions"]
    assert both["also_tested"]["clip:30"]["predictions"] == hot["predictions"]
    assert both["also_tested"]["again"]["uar"] == same["uar"]
    with pytest.raises(VoxemoError, match="test data 'short'"):
        evaluate(clean, **options, also_test={"short": shorter})


def test_augment_trains_on_a_degraded_copy_of_every_file(fake_ravdess, tmp_path, capsys):
    import json

    from conftest import run

    out = tmp_path / "eval.json"
    common = ["--corpus", f"ravdess={fake_ravdess}", "--features", "spectral", "--jobs", "1"]
    args = [*common, "--model", "logreg", "--no-tune", "--augment"]
    code, _, err = run(["evaluate", *args, "--protocol", "loso", "--json", out], capsys)
    assert code == 0, err
    assert "augmented copies" in err and json.loads(out.read_text())["config"]["augment"]
    code, _, err = run(["train", *args, "--out", tmp_path / "model"], capsys)
    assert code == 0, err
    card = json.loads((tmp_path / "model" / "card.json").read_text())
    assert "random recording condition" in card["augmentation"]


def test_augmented_copies_keep_every_row_and_fall_back_to_clean_features(fake_ravdess):
    from voxemo.corpora import read_corpus
    from voxemo.features import parse_feature_spec
    from voxemo.features.dataset import augmented_copies, featurize_corpus

    sets = parse_feature_spec("spectral")
    clean = featurize_corpus(read_corpus(f"ravdess={fake_ravdess}"), sets, jobs=1)
    silent = augmented_copies(clean, sets, condition="gain:-200", jobs=1)  # nothing left
    assert len(silent.errors) == len(clean.table) and "silent" in silent.errors[0]
    np.testing.assert_array_equal(silent.features, clean.features)
    copies = augmented_copies(clean, sets, jobs=1)
    assert copies.features.shape == clean.features.shape and not copies.errors
    assert not np.allclose(copies.features, clean.features)
