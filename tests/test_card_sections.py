"""A model card's measured sections, from the cross-corpus benchmarks' results."""

from __future__ import annotations

import json

import pytest

import voxemo
from conftest import train_model
from voxemo.errors import ModelError
from voxemo.models.card_sections import add_sections, cross_corpus_section, robustness_section


def results(*rows: tuple[str, str, str, float]) -> dict:
    """A robustness.json record of (model, setup, condition, UAR) rows, clean UAR 0.6."""
    return {
        "git_commit": "0123456789abcdef0123",
        "rows": [
            {"model": model, "setup": setup, "condition": condition,
             "scores": {"ravdess": {"accuracy": uar, "uar": uar}},
             "uar_drop": {"ravdess": round(0.6 - uar, 4)}}
            for model, setup, condition, uar in rows
        ],
    }  # fmt: skip


def test_a_cards_section_holds_only_its_recipes_rows():
    record = results(
        ("default", "both", "clean", 0.6),
        ("default", "both", "telephone", 0.5),
        ("default", "ravdess", "telephone", 0.1),
        ("crnn", "both", "telephone", 0.2),
    )
    section = robustness_section(record, "both", "default")
    assert [row["condition"] for row in section["rows"]] == ["clean", "telephone"]
    assert section["rows"][1] == {"condition": "telephone", "uar": {"ravdess": 0.5},
                                  "drop": {"ravdess": 0.1}}  # fmt: skip
    assert "--setup both at commit 0123456789ab" in section["source"]
    record["rows"][1]["git_commit"] = "abcdef0123456789"  # kept from an earlier run
    section = robustness_section(record, "both", "default")
    assert "--setup both at commits 0123456789ab, abcdef012345" in section["source"]
    with pytest.raises(ModelError, match="no rows of accurate in the setup both"):
        robustness_section(record, "both", "accurate")


def test_the_section_reaches_the_card_and_its_page_and_the_model_still_loads(
    fake_ravdess, tmp_path
):
    folder = train_model(fake_ravdess, tmp_path / "model", "spectral")
    record = results(("logreg", "ravdess", "clean", 0.6), ("logreg", "ravdess", "mp3:16", 0.45))
    other = crossed(("logreg", "ravdess->crema-d", 0.31))
    sections = {
        "robustness": robustness_section(record, "ravdess", "logreg"),
        "cross_corpus": cross_corpus_section(other, "ravdess", "logreg"),
        "choices": {
            "source": "a benchmark",
            "recipe": "logreg",
            "setup": "ravdess",
            "lines": ["C chosen inside each fold."],
        },
    }
    add_sections(folder, sections)
    card = json.loads((folder / "card.json").read_text())
    assert [row["condition"] for row in card["robustness"]["rows"]] == ["clean", "mp3:16"]
    assert card["cross_corpus"]["rows"] == [{"test": "crema-d", "accuracy": 0.3, "uar": 0.31}]
    page = (folder / "MODEL_CARD.md").read_text()
    assert "## Recording conditions" in page and "| mp3:16 | 0.450 (-15.0) |" in page
    assert "## Other corpora" in page and "- crema-d: accuracy 0.300, UAR 0.310" in page
    assert "## How the recipe was chosen" in page and "- C chosen inside each fold." in page
    clip = next(fake_ravdess.rglob("*.wav"))
    assert voxemo.Recognizer(folder).predict(clip).label in card["labels"]


def crossed(*rows: tuple[str, str, float]) -> dict:
    """A cross_corpus.json record of (model, setup, UAR on the shared emotions) rows."""
    return {
        "git_commit": "fedcba9876543210",
        "shared_labels": ["angry", "happy", "sad"],
        "rows": [
            {"model": model, "setup": setup,
             "cells": {f"{setup.split('->')[-1]} shared": {"accuracy": uar - 0.01, "uar": uar}}}
            for model, setup, uar in rows
        ],
    }  # fmt: skip


def test_other_corpora_are_those_tested_after_training_on_all_of_the_cards_corpus():
    record = crossed(
        ("default", "crema-d->ravdess", 0.3),
        ("default", "crema-d", 0.6),
        ("default", "ravdess->crema-d", 0.2),
        ("crnn", "crema-d->ravdess", 0.25),
    )
    section = cross_corpus_section(record, "crema-d", "default")
    assert section["rows"] == [{"test": "ravdess", "accuracy": 0.29, "uar": 0.3}]
    assert section["labels"] == ["angry", "happy", "sad"]
    assert "'crema-d->ravdess' at commit fedcba987654" in section["source"]
    # A row made of saved evaluations names the commits they were evaluated at.
    record["rows"][0]["evaluated_at"] = ["0123456789abcdef", "abcdef0123456789-dirty"]
    section = cross_corpus_section(record, "crema-d", "default")
    assert "at commits 0123456789ab, abcdef012345-dirty" in section["source"]
    with pytest.raises(ModelError, match="no rows of accurate trained on all of crema-d"):
        cross_corpus_section(record, "crema-d", "accurate")


def test_a_folder_without_a_card_or_an_unknown_section_is_one_clear_error(tmp_path):
    with pytest.raises(ModelError, match=r"card\.json: cannot read the model card"):
        add_sections(tmp_path, {"robustness": {"source": "x", "rows": []}})
    with pytest.raises(ModelError, match="no card section named scores"):
        add_sections(tmp_path, {"scores": {}})
