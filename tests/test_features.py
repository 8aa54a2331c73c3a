from pathlib import Path

import librosa
import numpy as np
import pytest

from conftest import tone, write
from voxemo.audio import Audio, load_audio
from voxemo.errors import VoxemoError
from voxemo.features import (
    FeatureCache,
    compute_features,
    default_cache_dir,
    extract_features,
    parse_feature_spec,
)
from voxemo.features.seed import SeedFeatures

SR = 44100


def study_reference(samples: np.ndarray) -> np.ndarray:
    """The original study's formulas on an already decoded 44.1 kHz window."""
    mfcc = librosa.feature.mfcc(y=samples, sr=SR, n_mfcc=40).mean(axis=1)
    chroma = librosa.feature.chroma_stft(S=np.abs(librosa.stft(samples)), sr=SR, tuning=0.0)
    mel = librosa.feature.melspectrogram(y=samples, sr=SR).mean(axis=1)
    return np.concatenate([mfcc, chroma.mean(axis=1), mel])


def test_seed_matches_the_study_formulas_on_its_window():
    samples = tone(220.0, 4.0, SR, noise=0.05)
    values = compute_features(Audio(samples, SR), SeedFeatures())
    window = samples[int(0.5 * SR) : int(3.5 * SR)]
    np.testing.assert_allclose(values, study_reference(window), rtol=1e-4, atol=1e-6)


def test_seed_has_180_named_values():
    fs = SeedFeatures()
    assert len(fs.names()) == 180 == len(set(fs.names()))
    assert compute_features(Audio(tone(), 16000), fs).shape == (180,)


def test_seed_chroma_of_a440_peaks_at_a():
    values = compute_features(Audio(tone(440.0, 2.0, SR), SR), SeedFeatures())
    chroma = values[40:52]
    assert chroma.argmax() == 9  # C, C#, D, D#, E, F, F#, G, G#, A


def test_seed_mel_energy_grows_with_loudness():
    quiet = compute_features(Audio(tone(300.0, 2.0, SR, amp=0.1), SR), SeedFeatures())
    loud = compute_features(Audio(tone(300.0, 2.0, SR, amp=0.4), SR), SeedFeatures())
    assert loud[52:].sum() == pytest.approx(16 * quiet[52:].sum(), rel=1e-3)  # power ~ amp²


def test_seed_uses_short_clips_whole():
    fs = SeedFeatures()
    short = Audio(tone(seconds=0.8), 16000)
    assert len(fs.select(short).samples) == len(short.samples)
    long = Audio(tone(seconds=5.0), 16000)
    assert len(fs.select(long).samples) == 3 * 16000


def test_feature_spec_parsing():
    assert [fs.name for fs in parse_feature_spec("seed")] == ["seed"]
    with pytest.raises(VoxemoError, match="unknown feature set 'wav2vec'"):
        parse_feature_spec("seed+wav2vec")
    with pytest.raises(VoxemoError, match="once"):
        parse_feature_spec("seed+seed")


def test_feature_key_changes_with_configuration():
    a, b = SeedFeatures(), SeedFeatures()
    b.duration_s = 2.0
    assert a.key == SeedFeatures().key and a.key != b.key


@pytest.fixture
def clips(tmp_path):
    return [str(write(tmp_path / f"c{i}.wav", tone(200.0 + 40 * i, 1.0))) for i in range(6)]


def test_extraction_reports_bad_files_and_keeps_going(clips, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    result = extract_features([clips[0], str(bad), clips[1]], parse_feature_spec("seed"), jobs=1)
    assert list(result.ok) == [True, False, True]
    assert np.isnan(result.values[1]).all() and np.isfinite(result.values[[0, 2]]).all()
    assert str(bad) in result.errors[1]


def test_parallel_extraction_equals_serial(clips):
    fs = parse_feature_spec("seed")
    serial = extract_features(clips, fs, jobs=1)
    parallel = extract_features(clips, fs, jobs=2)
    np.testing.assert_array_equal(serial.values, parallel.values)


def test_second_run_is_served_from_the_cache(clips, tmp_path, monkeypatch):
    cache = FeatureCache(tmp_path / "cache")
    fs = parse_feature_spec("seed")
    first = extract_features(clips, fs, jobs=1, cache=cache)
    assert first.cache_hits == 0

    def fail(self, audio):
        raise AssertionError("computed although cached")

    monkeypatch.setattr(SeedFeatures, "compute", fail)
    second = extract_features(clips, fs, jobs=1, cache=cache)
    assert second.cache_hits == len(clips)
    np.testing.assert_array_equal(first.values, second.values)


def test_cache_is_keyed_by_content_not_name(clips, tmp_path):
    cache = FeatureCache(tmp_path / "cache")
    fs = parse_feature_spec("seed")
    extract_features(clips[:1], fs, jobs=1, cache=cache)
    moved = tmp_path / "renamed.wav"
    moved.write_bytes(Path(clips[0]).read_bytes())
    assert extract_features([str(moved)], fs, jobs=1, cache=cache).cache_hits == 1
    write(moved, tone(999.0, 1.0))
    changed = extract_features([str(moved)], fs, jobs=1, cache=cache)
    assert changed.cache_hits == 0
    np.testing.assert_allclose(
        changed.values[0], compute_features(load_audio(moved), fs[0]), rtol=1e-6
    )


def test_no_cache_writes_nothing(clips, isolated_cache):
    extract_features(clips, parse_feature_spec("seed"), jobs=1, cache=None)
    assert not isolated_cache.exists()


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VOXEMO_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("VOXEMO_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "voxemo"


def test_a_damaged_cache_entry_is_recomputed_replaced_and_reported_once(
    fake_ravdess, tmp_path, capsys
):
    from conftest import run
    from voxemo.features import FeatureCache, default_cache_dir

    out = tmp_path / "f.parquet"
    args = ["features", "--corpus", f"ravdess={fake_ravdess}", "--features", "spectral"]
    code, _, err = run([*args, "--out", out, "--jobs", "1"], capsys)
    assert code == 0, err
    entries = sorted((default_cache_dir() / "features").rglob("*.npy"))
    for entry in entries[:3]:
        entry.write_bytes(b"")  # a disk that filled up
    code, _, err = run([*args, "--out", out, "--jobs", "1"], capsys)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "damaged feature cache" in line]
    assert len(warnings) == 1 and warnings[0].count("3 damaged") == 1
    assert all(entry.stat().st_size > 0 for entry in entries[:3])
    assert FeatureCache(default_cache_dir()).repaired == []


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_file_holding_hours_is_an_error_row_read_from_its_header(
    clips, tmp_path, monkeypatch, use_cache
):
    import soundfile as sf

    from voxemo.audio import decode

    bomb = tmp_path / "hours.flac"
    with sf.SoundFile(bomb, "w", 8000, 1, format="FLAC") as out:
        for _ in range(6):  # one hour of silence, written in blocks
            out.write(np.zeros(8000 * 600, np.float32))
    reads = []
    monkeypatch.setattr(decode.sf, "read", lambda *args, **kwargs: reads.append(args))
    cache = FeatureCache(tmp_path / "cache") if use_cache else None
    result = extract_features([str(bomb)], parse_feature_spec("seed"), jobs=1, cache=cache)
    assert "3600 s of audio is longer than the 600 s" in result.errors[0]
    assert reads == []  # refused from the header, before anything was decoded
