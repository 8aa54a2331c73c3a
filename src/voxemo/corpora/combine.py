"""Several corpora as one table: for multi-corpus training and cross-corpus testing."""

from __future__ import annotations

import pandas as pd

from voxemo.corpora import taxonomy
from voxemo.corpora.table import Corpus
from voxemo.errors import CorpusError


def _check_apart(first: Corpus, second: Corpus, what: str) -> None:
    """Fail where two corpora read together hold the same recordings (``what`` names the
    pair): the same file would be trained on and tested, or counted twice."""
    shared = set(first.table["path"].astype(str)) & set(second.table["path"].astype(str))
    if shared:
        raise CorpusError(
            f"{what}: {len(shared)} recordings are in both {first.root} and {second.root} "
            f"({min(shared)}, ...); give each recording once"
        )


def combine_corpora(corpora: list[Corpus]) -> Corpus:
    """Stack corpora into one table; speakers are prefixed with their corpus name. Two
    corpora of one reader (two ``csv=`` tables, say) count as one corpus, so they must not
    share a speaker id, which would be taken for one speaker; no recording may be given
    twice."""
    if len(corpora) == 1:
        return corpora[0]
    for number, corpus in enumerate(corpora):
        for earlier in corpora[:number]:
            _check_apart(earlier, corpus, "--corpus")
            if corpus.name != earlier.name:
                continue
            speakers = [set(c.table["speaker"].dropna().astype(str)) for c in (earlier, corpus)]
            if same := sorted(speakers[0] & speakers[1]):
                raise CorpusError(
                    f"--corpus: both '{corpus.name}' corpora ({earlier.root} and "
                    f"{corpus.root}) have speaker {', '.join(same[:3])}"
                    f"{', ...' if len(same) > 3 else ''}, which would be taken for one "
                    "speaker; give each speaker its own id"
                )
    tables = []
    for corpus in corpora:
        table = corpus.table.copy()
        table["speaker"] = corpus.name + ":" + table["speaker"].astype("string")
        tables.append(table)
    labels = taxonomy.display_order(label for corpus in corpora for label in corpus.labels)
    return Corpus(
        name="+".join(corpus.name for corpus in corpora),
        root=corpora[0].root,
        table=pd.concat(tables, ignore_index=True),
        labels=labels,
        problems=[problem for corpus in corpora for problem in corpus.problems],
    )


def cross_corpora(train: list[Corpus], test: list[Corpus]) -> tuple[Corpus, dict[str, dict]]:
    """One table whose ``split`` column says train or test, restricted to the emotions both
    sides have; also returns, per side, the emotions dropped and how many files they had."""
    sides = {"train": combine_corpora(train), "test": combine_corpora(test)}
    _check_apart(sides["train"], sides["test"], "--train and --test")
    shared = [label for label in sides["train"].labels if label in set(sides["test"].labels)]
    if len(shared) < 2:
        raise CorpusError(
            f"cross-corpus: training ({sides['train'].name}) and test ({sides['test'].name}) "
            f"corpora share {len(shared)} emotion(s); at least 2 are needed"
        )
    dropped, tables = {}, []
    for split, corpus in sides.items():
        keep = corpus.table["label"].isin(shared)
        dropped[split] = corpus.table.loc[~keep, "label"].value_counts().to_dict()
        table = corpus.table[keep].copy()
        table["speaker"] = split + ":" + table["speaker"].astype("string")
        tables.append(table.assign(split=split))
    combined = Corpus(
        name=f"{sides['train'].name}->{sides['test'].name}",
        root=sides["train"].root,
        table=pd.concat(tables, ignore_index=True),
        labels=shared,
        problems=sides["train"].problems + sides["test"].problems,
    )
    return combined, dropped
