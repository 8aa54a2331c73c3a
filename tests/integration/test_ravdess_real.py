"""Integration tests on the real RAVDESS corpus (skipped with the reason where it is absent)."""

import numpy as np
import pytest
import soundfile as sf

from conftest import ravdess_or_skip
from voxemo.audio import load_audio
from voxemo.corpora import EMOBOX_FOLDS
from voxemo.corpora.ravdess import read_ravdess
from voxemo.evaluation import evaluate
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus

pytestmark = pytest.mark.integration

STEREO = ["Actor_01/03-01-02-01-01-02-01", "Actor_20/03-01-06-01-01-02-20"]


@pytest.fixture(scope="module")
def corpus():
    return read_ravdess(ravdess_or_skip())


def test_reader_finds_every_recording_with_its_labels(corpus):
    table = corpus.table
    assert len(table) == 1440 and not corpus.problems
    assert table["actor"].nunique() == 24 and (table.groupby("actor").size() == 60).all()
    counts = table["label"].value_counts()
    assert counts["neutral"] == 96 and (counts.drop("neutral") == 192).all()
    assert corpus.labels[0] == "neutral" and len(corpus.labels) == 8
    assert set(table.loc[table["actor"] % 2 == 1, "gender"]) == {"male"}


@pytest.mark.parametrize("stem", STEREO)
def test_stereo_files_are_mixed_to_mono(corpus, stem):
    path = next(
        p for p in corpus.table["path"] if p.endswith(stem + ".flac") or p.endswith(stem + ".wav")
    )
    audio = load_audio(path, sr=16000)
    assert audio.samples.ndim == 1 and 2.5 < audio.duration < 6


def test_speaker_independent_evaluation_on_the_real_corpus(corpus):
    """Six EmoBox folds of a logistic regression on the seed features: it learns something."""
    data = featurize_corpus(
        corpus, parse_feature_spec("seed"), cache=FeatureCache(default_cache_dir())
    )
    assert data.features.shape == (1440, 180) and np.isfinite(data.features).all()
    result = evaluate(data, model_kind="logreg", protocol="emobox", jobs=2)
    assert [set(map(int, f["test_speakers"])) for f in result["folds"]] == [
        set(fold) for fold in EMOBOX_FOLDS
    ]
    assert result["accuracy"] > 2 / 8  # twice chance; the published baseline is about 0.4


def test_the_bundled_model_on_real_speech_and_a_long_recording(corpus, tmp_path):
    """Real recordings, one per emotion and actor 1-4, through the bundled model: every file
    gets a probability for each emotion, and a timeline over them finds each one."""
    from voxemo import Recognizer
    from voxemo.audio import resample
    from voxemo.recognizer.timeline import predict_timeline

    recognizer = Recognizer()
    chosen = corpus.table.groupby(["label", "actor"]).head(1)
    chosen = chosen[chosen["actor"] <= 4]
    results = recognizer.predict_many(chosen["path"].tolist())
    assert len(results) == len(chosen) == 32
    for result in results:
        assert sum(result.probabilities.values()) == pytest.approx(1, abs=1e-3)
        assert set(result.probabilities) == set(recognizer.labels)
    pause = np.zeros(16000, np.float32)
    clips = [resample(load_audio(p), 16000).samples for p in chosen["path"].head(8)]
    long = np.concatenate([part for clip in clips for part in (clip, pause)])
    path = tmp_path / "eight.flac"
    sf.write(path, long, 16000)
    timeline = predict_timeline(recognizer.model, path)
    assert timeline.duration == pytest.approx(len(long) / 16000, abs=0.01)
    assert len(timeline.segments) >= 8 and timeline.speech_seconds < timeline.duration
