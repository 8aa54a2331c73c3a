"""A model card's measured sections, from the results of the cross-corpus benchmarks.

A model trained with a recipe on all the speakers carries what the benchmarks measured of the
same recipe's models trained without the test speakers, and how that recipe was chosen:

- ``robustness`` ("Recording conditions"): ``benchmarks/robustness.py``, each condition's
  UAR on test audio heard under it, and the drop from clean audio;
- ``cross_corpus`` ("Other corpora"): ``benchmarks/cross_corpus.py``, trained on all of its
  corpus and tested on all of another, over the emotions both have;
- ``choices`` ("How the recipe was chosen"): which choices were made inside each fold, fixed
  before the evaluation, or set after earlier scores on the same test folds (``lines``,
  sentences), and the benchmark's name of the recipe (``source``, ``recipe``, ``setup``).

They are written after training, so comparing two model folders leaves them out
(:data:`MEASURED_SECTIONS`).
"""

from __future__ import annotations

import json
from pathlib import Path

from voxemo.errors import ModelError
from voxemo.jsonfile import write_json
from voxemo.models.artifact import CARD_FILE, CARD_TEXT_FILE
from voxemo.models.card_text import card_markdown
from voxemo.provenance import measured_at, short_commit

MEASURED_SECTIONS = ("robustness", "cross_corpus", "choices")


def robustness_section(record: dict, setup: str, model: str) -> dict:
    """The card's ``robustness`` table of the recipe ``model`` of ``setup`` in a results
    record of ``benchmarks/robustness.py``: UAR and its drop from clean audio per condition
    and test corpus, and where the numbers come from.

    Examples
    --------
    >>> def row(condition, uar):
    ...     return {"model": "default", "setup": "crema-d", "condition": condition,
    ...             "scores": {"crema-d": {"uar": uar}}, "uar_drop": {"crema-d": 0.6 - uar}}
    >>> rows = [row("clean", 0.6), row("telephone", 0.55)]
    >>> record = {"git_commit": "0123456789abcdef", "rows": rows}
    >>> section = robustness_section(record, "crema-d", "default")
    >>> section["rows"][1]["condition"], section["source"]
    ('telephone', 'benchmarks/robustness.py --setup crema-d at commit 0123456789ab')
    """
    rows = [row for row in record["rows"] if (row["model"], row["setup"]) == (model, setup)]
    if not rows:
        raise ModelError(f"the robustness results have no rows of {model} in the setup {setup}")
    return {
        "source": f"benchmarks/robustness.py --setup {setup} at {_commits(record, rows)}",
        "rows": [
            {
                "condition": row["condition"],
                "uar": {corpus: score["uar"] for corpus, score in row["scores"].items()},
                "drop": dict(row["uar_drop"]),
            }
            for row in rows
        ],
    }


def cross_corpus_section(record: dict, trained_on: str, model: str) -> dict:
    """The card's ``cross_corpus`` scores of the recipe ``model`` trained on all of the
    corpus ``trained_on`` and tested on all of each other corpus, over the emotions they
    share, from a results record of ``benchmarks/cross_corpus.py``.

    Examples
    --------
    >>> cell = {"accuracy": 0.29, "uar": 0.3, "folds": 1}
    >>> row = {"model": "default", "setup": "crema-d->ravdess", "cells": {"ravdess shared": cell}}
    >>> record = {"git_commit": "0123456789abcdef", "shared_labels": ["angry", "sad"],
    ...           "rows": [row]}
    >>> section = cross_corpus_section(record, "crema-d", "default")
    >>> section["rows"][0]["test"], section["rows"][0]["uar"]
    ('ravdess', 0.3)
    >>> section["source"]
    "benchmarks/cross_corpus.py --setups 'crema-d->ravdess' at commit 0123456789ab"
    """
    rows = [
        row
        for row in record["rows"]
        if row["model"] == model and row["setup"].startswith(f"{trained_on}->")
    ]
    if not rows:
        raise ModelError(
            f"the cross-corpus results have no rows of {model} trained on all of {trained_on}"
        )
    setups = ",".join(row["setup"] for row in rows)
    return {
        "source": f"benchmarks/cross_corpus.py --setups '{setups}' at {_commits(record, rows)}",
        "labels": list(record["shared_labels"]),
        "rows": [
            {
                "test": (test := row["setup"].split("->")[1]),
                "accuracy": row["cells"][f"{test} shared"]["accuracy"],
                "uar": row["cells"][f"{test} shared"]["uar"],
            }
            for row in rows
        ],
    }


def _commits(record: dict, rows: list[dict]) -> str:
    """The commits ``rows`` were measured at: those of the saved evaluations a row was made
    of, else the row's own, else the record's (12 digits, and ``-dirty`` where modified)."""
    commits = [short_commit(commit) for row in rows for commit in measured_at(record, row)]
    unique = list(dict.fromkeys(commits))
    return ("commit " if len(unique) == 1 else "commits ") + ", ".join(unique)


def add_sections(folder: str | Path, sections: dict[str, dict]) -> None:
    """Write measured ``sections`` (by name: ``robustness``, ``cross_corpus``, ``choices``;
    see :func:`robustness_section` and :func:`cross_corpus_section`) into the card of the model
    ``folder``: its ``card.json`` and the page ``MODEL_CARD.md``.

    Examples
    --------
    >>> add_sections("src/voxemo/pretrained/open", {"robustness": section})  # doctest: +SKIP
    """
    folder = Path(folder)
    unknown = sorted(set(sections) - set(MEASURED_SECTIONS))
    if unknown:
        raise ModelError(f"{folder}: no card section named {', '.join(unknown)}")
    try:
        card = json.loads((folder / CARD_FILE).read_text())
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder / CARD_FILE}: cannot read the model card ({error})") from None
    card |= sections
    write_json(folder / CARD_FILE, card, indent=2)
    (folder / CARD_TEXT_FILE).write_text(card_markdown(card))
