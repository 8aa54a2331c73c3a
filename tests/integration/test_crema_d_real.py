"""Integration tests on the real CREMA-D corpus, alone and with RAVDESS (each skipped with the
reason where its corpus is absent: CREMA-D is at $VOXEMO_CREMA_D or data/crema-d)."""

from dataclasses import replace

import pytest

from conftest import crema_d_or_skip, ravdess_or_skip
from voxemo.corpora import combine_corpora, read_corpus
from voxemo.evaluation import evaluate, make_folds
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus

pytestmark = pytest.mark.integration

EMOTIONS = ["neutral", "happy", "sad", "angry", "fearful", "disgust"]


@pytest.fixture(scope="module")
def corpus():
    return read_corpus(f"crema-d={crema_d_or_skip()}")


def test_reader_finds_every_recording_with_its_labels(corpus):
    table = corpus.table
    assert len(table) == 7442 and not corpus.problems
    assert corpus.labels == EMOTIONS and table["speaker"].nunique() == 91
    counts = table["label"].value_counts()
    assert counts["neutral"] == 1087 and (counts.drop("neutral") == 1271).all()
    assert table.groupby("speaker")["gender"].nunique().eq(1).all()


def test_crema5_tests_every_actor_once_in_folds_balanced_by_sex(corpus):
    folds = make_folds("crema5", corpus.table)
    tested = [speaker for fold in folds for speaker in fold.test_speakers]
    assert len(folds) == 5 and sorted(tested) == sorted(set(corpus.table["speaker"]))
    gender = corpus.table.drop_duplicates("speaker").set_index("speaker")["gender"]
    assert set(gender) == {"male", "female"}  # every actor's, from VideoDemographics.csv
    for fold in folds:
        sexes = gender[fold.test_speakers].value_counts()
        assert abs(sexes["male"] - sexes["female"]) <= 2


def test_with_ravdess_each_fold_tests_one_corpus_and_trains_on_every_other_actor(corpus):
    ravdess = read_corpus(f"ravdess={ravdess_or_skip()}")
    table = combine_corpora([ravdess, corpus]).table
    folds = make_folds("folds", table)  # the built-in folds of both: EmoBox's and crema5's
    assert [fold.corpus for fold in folds] == ["ravdess"] * 6 + ["crema-d"] * 5
    for fold in folds:
        test, train = table.iloc[fold.test], table.iloc[fold.train]
        assert set(test["corpus"]) == {fold.corpus}
        assert set(train["corpus"]) == {"ravdess", "crema-d"}
        assert not set(test["speaker"]) & set(train["speaker"])
        assert len(test) + len(train) == len(table)


def test_speaker_independent_evaluation_learns_crema_d(corpus):
    """Logistic regression on spectral features of three of the 12 sentences, crema5 folds:
    well above chance on actors it never heard."""
    part = corpus.table["sentence"].isin(["DFA", "ITS", "TIE"])
    subset = replace(corpus, table=corpus.table[part].reset_index(drop=True))
    data = featurize_corpus(
        subset, parse_feature_spec("spectral"), cache=FeatureCache(default_cache_dir()), jobs=2
    )
    result = evaluate(data, model_kind="logreg", protocol="crema5", jobs=2)
    assert len(result["folds"]) == 5
    assert result["uar"] > 2 / 6  # twice chance


@pytest.mark.parametrize("name", ["open", "default"])
def test_the_bundled_models_on_real_crema_d_speech(corpus, name):
    """One file per emotion of five actors: a probability for each of the model's emotions,
    CREMA-D's among them, and these files, which the models learned from, mostly recognized."""
    from voxemo import Recognizer

    recognizer = Recognizer(name)
    chosen = corpus.table[corpus.table["sentence"] == "DFA"].groupby(["label", "speaker"]).head(1)
    chosen = chosen[chosen["speaker"].isin(sorted(set(chosen["speaker"]))[:5])]
    results = recognizer.predict_many(chosen["path"].tolist())
    assert len(results) == len(chosen) == 30
    for result in results:
        assert sum(result.probabilities.values()) == pytest.approx(1, abs=1e-3)
        assert set(result.probabilities) == set(recognizer.labels)
    assert set(EMOTIONS) <= set(recognizer.labels)
    assert name != "open" or sorted(recognizer.labels) == sorted(EMOTIONS)
    right = sum(r.label == label for r, label in zip(results, chosen["label"], strict=True))
    assert right > len(results) / 2  # three times chance among CREMA-D's six emotions
