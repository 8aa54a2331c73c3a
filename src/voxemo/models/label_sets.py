"""One label set over several corpora: which emotions each file may have, and weights that
balance the classes within each corpus and the corpora against each other.

Corpora define different emotions (RAVDESS has calm and surprised, CREMA-D has neither). A
model trained on several of them predicts the union of their labels, but a file is only
evidence among the emotions of its own corpus: a CREMA-D recording labelled neutral says
nothing about calm, which its actors were never asked to act. So every file carries the label
set of its corpus, and training restricts that file's likelihood to it (its probability is
renormalized over its corpus's labels), so it never teaches "not calm" or "not surprised".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

LabelSets = Mapping[str, frozenset[str]]


def corpus_label_sets(corpora: Sequence[str], labels: Sequence[str]) -> dict[str, frozenset[str]]:
    """The emotions each corpus has, from its files' labels.

    Examples
    --------
    >>> sets = corpus_label_sets(["a", "a", "b"], ["calm", "sad", "sad"])
    >>> sorted(sets["a"]), sorted(sets["b"])
    (['calm', 'sad'], ['sad'])
    """
    sets: dict[str, set[str]] = {}
    for corpus, label in zip(corpora, labels, strict=True):
        sets.setdefault(str(corpus), set()).add(str(label))
    return {corpus: frozenset(found) for corpus, found in sets.items()}


def several(corpora: Sequence[str]) -> bool:
    """Whether the rows come from more than one corpus.

    Examples
    --------
    >>> several(["ravdess", "crema-d"]), several(["ravdess", "ravdess"])
    (True, False)
    """
    return len(set(map(str, corpora))) > 1


def mean_corpus_uar(truth, predicted, corpora) -> float:
    """The mean over corpora of each corpus's UAR (balanced accuracy): every corpus counts
    the same, however many files it has, as evaluations report several corpora.

    Examples
    --------
    >>> mean_corpus_uar(["sad", "sad", "calm", "sad"], ["sad", "calm", "calm", "sad"],
    ...                 ["a", "a", "b", "b"])
    0.75
    """
    from sklearn.metrics import balanced_accuracy_score

    truth, predicted, corpora = (np.asarray(v) for v in (truth, predicted, corpora))
    return float(
        np.mean(
            [
                balanced_accuracy_score(truth[corpora == c], predicted[corpora == c])
                for c in np.unique(corpora)
            ]
        )
    )


def differ(label_sets: LabelSets) -> bool:
    """Whether some corpus lacks an emotion that another has."""
    return len(set(label_sets.values())) > 1


def allowed_labels(row_sets: Sequence[frozenset[str]], classes: Sequence[str]) -> np.ndarray:
    """(rows, classes) booleans: whether each row's corpus has each class.

    Examples
    --------
    >>> allowed_labels([frozenset({"sad"}), frozenset({"sad", "calm"})], ["calm", "sad"])
    array([[False,  True],
           [ True,  True]])
    """
    return np.array([[label in allowed for label in classes] for allowed in row_sets], bool)


def balanced_weights(
    labels: Sequence[str], corpora: Sequence[str], corpus_share: str = "equal"
) -> np.ndarray:
    """Sample weights under which, within every corpus, each of its classes weighs the same,
    and each corpus weighs the same in all (``corpus_share="equal"``) or by its number of
    files (``"size"``): ``share_c / (classes of c x files of c and the row's class)``, scaled
    to a mean of 1. With one corpus these are the usual balanced class weights.

    Balancing within each corpus, not over the union of labels, keeps each corpus's own
    classes equally likely: a test file is scored among its corpus's emotions, so a corpus
    with calm and surprised must not learn them at twice the weight of the emotions it
    shares with another corpus (as it would if every class of the union weighed the same).

    Examples
    --------
    >>> labels, corpora = ["a", "a", "a", "b", "a", "b"], ["x", "x", "x", "x", "y", "y"]
    >>> balanced_weights(labels, corpora).round(3).tolist()
    [0.5, 0.5, 0.5, 1.5, 1.5, 1.5]
    >>> balanced_weights(labels, corpora, "size").round(3).tolist()
    [0.667, 0.667, 0.667, 2.0, 1.0, 1.0]
    """
    if corpus_share not in ("equal", "size"):
        raise ValueError(f"corpus_share must be 'equal' or 'size', not {corpus_share!r}")
    _, label_codes = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    _, corpus_codes, corpus_files = np.unique(
        np.asarray(corpora, dtype=str), return_inverse=True, return_counts=True
    )
    cells = corpus_codes * (label_codes.max() + 1) + label_codes
    _, cell_codes, cell_files = np.unique(cells, return_inverse=True, return_counts=True)
    classes = np.array(
        [len(np.unique(label_codes[corpus_codes == c])) for c in range(len(corpus_files))]
    )
    share = np.ones(len(corpus_files)) if corpus_share == "equal" else corpus_files.astype(float)
    weights = share[corpus_codes] / (classes[corpus_codes] * cell_files[cell_codes])
    return weights * len(weights) / weights.sum()


def restrict_probabilities(
    probabilities: np.ndarray, classes: Sequence[str], row_sets: Sequence[frozenset[str]]
) -> np.ndarray:
    """Each row's probabilities over its own corpus's emotions only, renormalized: a test file
    of a corpus is scored among the emotions that corpus has.

    Examples
    --------
    >>> restrict_probabilities(np.array([[0.5, 0.25, 0.25]]), ["calm", "sad", "angry"],
    ...                        [frozenset({"sad", "angry"})]).tolist()
    [[0.0, 0.5, 0.5]]
    """
    kept = np.where(allowed_labels(row_sets, classes), probabilities, 0.0)
    total = kept.sum(axis=1, keepdims=True)
    return np.divide(kept, total, out=np.zeros_like(kept), where=total > 0)
