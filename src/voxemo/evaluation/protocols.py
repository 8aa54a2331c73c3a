"""Train/test splits: the study's leaky random split and speaker-independent folds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voxemo.errors import CorpusError, VoxemoError

if TYPE_CHECKING:  # the names and descriptions load without pandas or scikit-learn
    import pandas as pd

PROTOCOLS = {
    "seed": "the original study's random 80/20 split (random_state 42) with speaker id and "
    "gender as extra features; speakers leak, kept only to reproduce the study",
    "emobox": "6 speaker-independent folds of RAVDESS actors (EmoBox)",
    "crema5": "5 speaker-independent folds of CREMA-D actors, balanced by sex",
    "folds": "speaker-independent folds of any corpus from a JSON file (--folds FILE); "
    "without one, the built-in folds of every corpus read (emobox, crema5)",
    "loso": "leave one speaker out",
    "cross": "train on one set of corpora, test on another, over the emotions both have",
}
SPEAKER_INDEPENDENT = frozenset({"emobox", "crema5", "folds", "loso", "cross"})
SEED_SPLIT_STATE = 42
SEED_TEST_SIZE = 0.2

# Test speakers of each fold, per corpus: what a folds file holds and the built-in protocols are.
FoldsDefinition = dict[str, list[list[str]]]


@dataclass(frozen=True)
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray
    test_speakers: list[str]
    corpus: str | None = None  # the corpus of every test file, where there is one


# The corpora with built-in speaker-independent folds, and the protocol that names them.
BUILTIN_PROTOCOLS = {"ravdess": "emobox", "crema-d": "crema5"}
# The corpus of each built-in protocol.
BUILTIN_CORPORA = {protocol: corpus for corpus, protocol in BUILTIN_PROTOCOLS.items()}


def builtin_folds(*protocols: str) -> FoldsDefinition:
    """The test speakers of built-in fold protocols (``emobox``, ``crema5``), per corpus."""
    from voxemo.corpora.acted import CREMA5_FOLDS
    from voxemo.corpora.ravdess import EMOBOX_FOLDS

    lists = {"emobox": EMOBOX_FOLDS, "crema5": CREMA5_FOLDS}
    corpora = {protocol: corpus for corpus, protocol in BUILTIN_PROTOCOLS.items()}
    return {
        corpora[protocol]: [[_speaker_id(s) for s in fold] for fold in lists[protocol]]
        for protocol in protocols
    }


def default_protocol(corpora: list[str]) -> str:
    """The speaker-independent protocol for these corpus names: the built-in folds where
    every corpus has them (``folds`` for several), else leave one speaker out."""
    names = set(corpora)
    if not names or not names <= set(BUILTIN_PROTOCOLS):
        return "loso"
    return BUILTIN_PROTOCOLS[names.pop()] if len(names) == 1 else "folds"


def read_folds(path: str | Path) -> FoldsDefinition:
    """A folds file: ``{"CORPUS": [[test speakers of fold 1], ...], ...}``, or one corpus as
    ``{"corpus": "CORPUS", "folds": [[...], ...]}`` (the layout of CREMA-D's folds.json).

    Examples
    --------
    >>> import json, tempfile
    >>> path = tempfile.mktemp(suffix=".json")
    >>> _ = open(path, "w").write(json.dumps({"ravdess": [[1, 2], [3, 4]]}))
    >>> read_folds(path)
    {'ravdess': [['1', '2'], ['3', '4']]}
    """
    from voxemo.jsonfile import read_json

    path = Path(path)
    raw = read_json(path, "folds file")
    if isinstance(raw, dict) and "folds" in raw and "corpus" in raw:
        raw = {raw["corpus"]: raw["folds"]}
    shape = (
        isinstance(raw, dict)
        and raw
        and all(
            isinstance(folds, list)
            and folds
            and all(isinstance(fold, list) and fold for fold in folds)
            for folds in raw.values()
        )
    )
    if not shape:
        raise VoxemoError(
            f'{path}: expected {{"CORPUS": [[test speakers of fold 1], ...]}} with at least '
            "one non-empty fold per corpus"
        )
    definition = {
        str(corpus).lower(): [[_speaker_id(s) for s in fold] for fold in folds]
        for corpus, folds in raw.items()
    }
    for corpus, folds in definition.items():
        seen: set[str] = set()
        for number, fold in enumerate(folds, start=1):
            if twice := seen & set(fold):
                raise VoxemoError(
                    f"{path}: {corpus} fold {number} repeats test speaker(s) of an earlier "
                    f"fold: {', '.join(sorted(twice))}"
                )
            seen |= set(fold)
    return definition


def _speaker_id(value: object) -> str:
    """Speaker ids compare as text, with leading zeros of numbers dropped ("01" is 1)."""
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text


def corpus_speakers(table: pd.DataFrame) -> pd.Series:
    """Each file's speaker id within its own corpus (without the ``corpus:`` prefix that
    combining corpora adds), as :func:`_speaker_id` writes it."""
    own = [
        speaker[len(corpus) + 1 :] if speaker.startswith(corpus + ":") else speaker
        for speaker, corpus in zip(
            table["speaker"].astype(str), table["corpus"].astype(str), strict=True
        )
    ]
    return table["speaker"].where(table["speaker"].isna(), [_speaker_id(s) for s in own])


def check_folds_option(protocol: str | None, folds_given: bool) -> None:
    """Fail where a folds file is given without the protocol that reads it (``folds``).

    Examples
    --------
    >>> check_folds_option("folds", True)
    >>> check_folds_option("emobox", True)
    Traceback (most recent call last):
    ...
    voxemo.errors.VoxemoError: --folds FILE goes with --protocol folds
    """
    if folds_given and protocol != "folds":
        raise VoxemoError("--folds FILE goes with --protocol folds")


def make_folds(
    protocol: str, table: pd.DataFrame, folds: FoldsDefinition | None = None
) -> list[Fold]:
    """The folds of ``protocol`` over the rows of a corpus table.

    Fold protocols (``emobox``, ``crema5``, ``folds`` with ``folds`` given) test the listed
    speakers of their corpus, one fold at a time; the training side of a fold holds every
    other file of every corpus in the table, so with several corpora a corpus without folds
    only ever trains.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"speaker": ["1", "2", "3", "4"], "corpus": "demo",
    ...                       "label": ["a", "b", "a", "b"]})
    >>> [f.test.tolist() for f in make_folds("folds", table, {"demo": [["1", "2"], ["3", "4"]]})]
    [[0, 1], [2, 3]]
    """
    if protocol not in PROTOCOLS:
        raise VoxemoError(f"protocol '{protocol}': unknown (known: {', '.join(PROTOCOLS)})")
    check_folds_option(protocol, folds is not None)
    check_learnable(table["label"], "the corpus")
    fold_list = _folds(protocol, table, folds)
    for fold in fold_list:
        check_learnable(table["label"].iloc[fold.train], f"{fold.name} of protocol '{protocol}'")
    return fold_list


def check_learnable(labels: pd.Series | np.ndarray, what: str) -> None:
    """Refuse training data of fewer than two emotions: a model would have nothing to tell
    apart. ``what`` names the data in the message.

    Examples
    --------
    >>> check_learnable(np.array(["sad", "sad"]), "the corpus")
    Traceback (most recent call last):
    ...
    voxemo.errors.CorpusError: the corpus: a model needs files of at least two emotions to \
learn from; it has 2 usable files, all 'sad'
    """
    present = sorted({str(label) for label in labels})
    if len(present) < 2:
        found = f"all '{present[0]}'" if present else "none"
        raise CorpusError(
            f"{what}: a model needs files of at least two emotions to learn from; it has "
            f"{len(labels)} usable files, {found}"
        )


def require_speakers(table: pd.DataFrame, needed_by: str) -> np.ndarray:
    """Every file's speaker as a string, or a one-line error naming what needs them.

    Examples
    --------
    >>> import pandas as pd
    >>> require_speakers(pd.DataFrame({"speaker": ["a", None]}), "--speaker-norm")
    Traceback (most recent call last):
    ...
    voxemo.errors.CorpusError: --speaker-norm needs a speaker for every file; this corpus has none
    """
    if table["speaker"].isna().any():
        raise CorpusError(f"{needed_by} needs a speaker for every file; this corpus has none")
    return table["speaker"].astype(str).to_numpy()


def _folds(protocol: str, table: pd.DataFrame, folds: FoldsDefinition | None) -> list[Fold]:
    if protocol == "seed":
        return [_seed_split(table)]
    if protocol == "cross":
        return [_cross_split(table)]
    require_speakers(table, f"protocol '{protocol}'")
    if protocol in BUILTIN_PROTOCOLS.values():
        return _speaker_folds(protocol, table, builtin_folds(protocol), strict=False)
    if protocol == "folds" and folds is None:
        present = set(table["corpus"].astype(str))
        folds = builtin_folds(*(BUILTIN_PROTOCOLS[c] for c in BUILTIN_PROTOCOLS if c in present))
        if not folds:
            raise VoxemoError(
                f"--protocol folds: no built-in folds for {', '.join(sorted(present))}; "
                "give them with --folds FILE"
            )
        return _speaker_folds(protocol, table, folds, strict=False)
    if protocol == "folds":
        return _speaker_folds(protocol, table, folds, strict=True)
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


def _speaker_folds(
    protocol: str, table: pd.DataFrame, definition: FoldsDefinition, strict: bool
) -> list[Fold]:
    """One fold per listed set of test speakers. A built-in protocol skips folds whose
    speakers are absent (a corpus read in part); a user's folds file must name real ones."""
    corpus = table["corpus"].astype(str)
    speakers = corpus_speakers(table)
    several = corpus.nunique() > 1
    present = set(corpus.unique())
    absent = [name for name in definition if name not in present]
    if len(absent) == len(definition) or (strict and absent):
        raise CorpusError(
            f"protocol '{protocol}': its folds test speakers of {', '.join(absent)}, not among "
            f"the corpora read ({', '.join(sorted(present))}); "
            + (
                "read it too (--corpus) or take it out of the folds file"
                if strict
                else "use loso or --protocol folds"
            )
        )
    folds = []
    for name, lists in definition.items():
        in_corpus = (corpus == name).to_numpy()
        known = set(speakers[in_corpus])
        for number, test_speakers in enumerate(lists, start=1):
            if strict and (unknown := set(test_speakers) - known):
                raise CorpusError(
                    f"protocol '{protocol}': {name} fold {number} names speaker(s) the corpus "
                    f"does not have: {', '.join(sorted(unknown))}"
                )
            is_test = in_corpus & speakers.isin(test_speakers).to_numpy()
            label = f"{name} fold {number}" if several else f"fold {number}"
            fold = _fold(label, is_test, table, corpus=name)
            if len(fold.test) and len(fold.train):
                folds.append(fold)
    if not folds:
        raise CorpusError(f"protocol '{protocol}': no fold has both training and test speakers")
    return folds


def _fold(
    name: str, is_test: pd.Series | np.ndarray, table: pd.DataFrame, corpus: str | None = None
) -> Fold:
    mask = np.asarray(is_test, dtype=bool)
    test_speakers = sorted(table["speaker"][mask].astype(str).unique())
    if corpus is None:
        tested = table["corpus"][mask].astype(str).unique()
        corpus = str(tested[0]) if len(tested) == 1 else None
    return Fold(name, np.flatnonzero(~mask), np.flatnonzero(mask), test_speakers, corpus)


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
