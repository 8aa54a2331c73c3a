import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from voxemo.corpora import EMOBOX_FOLDS, parse_ravdess_name
from voxemo.errors import CorpusError
from voxemo.evaluation import make_folds
from voxemo.evaluation.protocols import speaker_extras


@pytest.fixture(scope="module")
def ravdess_table() -> pd.DataFrame:
    """The 1440 file names of RAVDESS speech, as the reader would tabulate them."""
    rows = []
    for actor in range(1, 25):
        for emotion in range(1, 9):
            for intensity in (1,) if emotion == 1 else (1, 2):
                for statement in (1, 2):
                    for repetition in (1, 2):
                        codes = (3, 1, emotion, intensity, statement, repetition, actor)
                        stem = "-".join(f"{code:02d}" for code in codes)
                        rows.append({"path": f"{stem}.wav", **parse_ravdess_name(stem)})
    table = pd.DataFrame(rows)
    table["corpus"] = "ravdess"
    return table


def assert_speaker_independent(folds, table):
    for fold in folds:
        train = set(table["speaker"].iloc[fold.train])
        test = set(table["speaker"].iloc[fold.test])
        assert train and test and not train & test
        assert sorted(test) == fold.test_speakers


def test_emobox_folds_are_the_published_actor_sets(ravdess_table):
    assert len(ravdess_table) == 1440
    folds = make_folds("emobox", ravdess_table)
    assert len(folds) == 6
    assert_speaker_independent(folds, ravdess_table)
    for fold, actors in zip(folds, EMOBOX_FOLDS, strict=True):
        assert set(ravdess_table["actor"].iloc[fold.test]) == set(actors)
        assert len(fold.test) == 240 and len(fold.train) == 1200
    tested = np.concatenate([fold.test for fold in folds])
    assert sorted(tested) == list(range(1440))  # every file tested exactly once


def test_loso_leaves_each_speaker_out_once(ravdess_table):
    folds = make_folds("loso", ravdess_table)
    assert len(folds) == 24
    assert_speaker_independent(folds, ravdess_table)
    assert sorted(s for fold in folds for s in fold.test_speakers) == sorted(
        ravdess_table["speaker"].unique()
    )


def test_seed_split_is_the_studys_random_split(ravdess_table):
    (fold,) = make_folds("seed", ravdess_table)
    train, test = train_test_split(np.arange(1440), test_size=0.2, random_state=42)
    assert list(fold.test) == sorted(test) and list(fold.train) == sorted(train)
    # It is leaky by design: test speakers also appear in training.
    assert set(ravdess_table["speaker"].iloc[fold.test]) & set(
        ravdess_table["speaker"].iloc[fold.train]
    )


def test_emobox_needs_ravdess_and_loso_needs_speakers(ravdess_table):
    other = ravdess_table.drop(columns="actor").assign(corpus="csv")
    with pytest.raises(CorpusError, match="not among the corpora read"):
        make_folds("emobox", other)
    with pytest.raises(CorpusError, match="needs a speaker"):
        make_folds("loso", other.assign(speaker=pd.NA))


def test_speaker_extras_are_actor_number_and_one_hot_gender(ravdess_table):
    extras = speaker_extras(ravdess_table.iloc[[0, 60]])
    np.testing.assert_array_equal(extras, [[1, 0, 1], [2, 1, 0]])
