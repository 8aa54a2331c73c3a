"""Several corpora as one table: for multi-corpus training and cross-corpus testing."""

from __future__ import annotations

import pandas as pd

from voxemo.corpora import taxonomy
from voxemo.corpora.table import Corpus
from voxemo.errors import CorpusError


def combine_corpora(corpora: list[Corpus]) -> Corpus:
    """Stack corpora into one table; speakers are prefixed with their corpus name, so a
    corpus may be given once only (two of one name would share speaker ids and folds)."""
    if len(corpora) == 1:
        return corpora[0]
    for number, corpus in enumerate(corpora):
        if earlier := next((c for c in corpora[:number] if c.name == corpus.name), None):
            raise CorpusError(
                f"corpus '{corpus.name}' twice ({earlier.root} and {corpus.root}): their "
                "speakers and folds would be mixed up; give each corpus once (for your own "
                "recordings, one csv= file listing all of them with distinct speaker ids)"
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
