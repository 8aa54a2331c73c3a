"""Train/test splits: the study's leaky random split and speaker-independent folds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voxemo.errors import CorpusError, VoxemoError

if TYPE_CHECKING:  # the names and descriptions load without pandas or scikit-learn
    import pandas as pd

PROTOCOLS = {
    "seed": "the original study's random 80/20 split (random_state 42) with speaker id and "
    "gender as extra features; speakers leak, kept only to reproduce the study",
    "emobox": "6 speaker-independent folds of RAVDESS actors (EmoBox)",
    "loso": "leave one speaker out",
    "cross": "train on one set of corpora, test on another, over the emotions both have",
}
SPEAKER_INDEPENDENT = frozenset({"emobox", "loso", "cross"})
SEED_SPLIT_STATE = 42
SEED_TEST_SIZE = 0.2


@dataclass(frozen=True)
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray
    test_speakers: list[str]


def make_folds(protocol: str, table: pd.DataFrame) -> list[Fold]:
    """The folds of ``protocol`` over the rows of a corpus table."""
    if protocol not in PROTOCOLS:
        raise VoxemoError(f"protocol '{protocol}': unknown (known: {', '.join(PROTOCOLS)})")
    if protocol == "seed":
        return [_seed_split(table)]
    if protocol == "cross":
        return [_cross_split(table)]
    if table["speaker"].isna().any():
        raise CorpusError(
            f"protocol '{protocol}' needs a speaker for every file; this corpus has none"
        )
    if protocol == "emobox":
        return _emobox_folds(table)
    return [_fold(f"speaker {s}", table["speaker"] == s, table) for s in _speakers(table)]


def _seed_split(table: pd.DataFrame) -> Fold:
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        np.arange(len(table)), test_size=SEED_TEST_SIZE, random_state=SEED_SPLIT_STATE
    )
    speakers = sorted(table["speaker"].iloc[test].dropna().astype(str).unique())
    return Fold("random 80/20", np.sort(train), np.sort(test), speakers)


def _cross_split(table: pd.DataFrame) -> Fold:
    if "split" not in table:
        raise CorpusError("protocol 'cross' needs training and test corpora (--train and --test)")
    is_test = table["split"] == "test"
    return _fold(f"{_corpora(table[~is_test])} -> {_corpora(table[is_test])}", is_test, table)


def _corpora(table: pd.DataFrame) -> str:
    return "+".join(dict.fromkeys(table["corpus"].astype(str)))


def _emobox_folds(table: pd.DataFrame) -> list[Fold]:
    from voxemo.corpora.ravdess import EMOBOX_FOLDS

    if "actor" not in table or set(table["corpus"]) != {"ravdess"}:
        raise CorpusError("protocol 'emobox' is defined for RAVDESS actors only; use 'loso'")
    folds = []
    for number, actors in enumerate(EMOBOX_FOLDS, start=1):
        fold = _fold(f"fold {number}", table["actor"].isin(actors), table)
        if len(fold.test) and len(fold.train):
            folds.append(fold)
    if not folds:
        raise CorpusError("protocol 'emobox': no fold has both training and test actors")
    return folds


def _fold(name: str, is_test: pd.Series, table: pd.DataFrame) -> Fold:
    mask = is_test.to_numpy(bool)
    test_speakers = sorted(table["speaker"][mask].astype(str).unique())
    return Fold(name, np.flatnonzero(~mask), np.flatnonzero(mask), test_speakers)


def _speakers(table: pd.DataFrame) -> list[str]:
    return sorted(table["speaker"].astype(str).unique())


def speaker_extras(table: pd.DataFrame) -> np.ndarray:
    """The study's extra inputs: speaker number and one-hot gender (female, male)."""
    import pandas as pd

    if "actor" in table:
        number = table["actor"].to_numpy(float)
    else:
        number = pd.factorize(table["speaker"], sort=True)[0].astype(float) + 1
    gender = table["gender"].astype("string")
    return np.column_stack(
        [number, gender.eq("female").fillna(False), gender.eq("male").fillna(False)]
    )
