"""What a model card tells people: training data and its terms, scores per corpus."""

from __future__ import annotations

import pytest

from voxemo.models.card_text import card_markdown

SCORES = {
    "accuracy": 0.6,
    "accuracy_std": 0.05,
    "uar": 0.61,
    "uar_std": 0.04,
    "macro_f1": 0.59,
    "folds": 11,
    "per_class": {"sad": {"precision": 0.5, "recall": 0.6, "f1": 0.55}},
    "per_corpus": {
        "crema-d": {
            "accuracy": 0.62,
            "accuracy_std": 0.02,
            "uar": 0.63,
            "uar_std": 0.02,
            "folds": 5,
            "labels": ["neutral", "happy", "sad", "angry", "fearful", "disgust"],
        }
    },
}


def _card(corpora: list[str], features: str) -> dict:
    return {
        "model": "logreg",
        "features": features,
        "labels": ["sad", "angry"],
        "training": {
            "corpus": [f"{name}=/data/{name}" for name in corpora],
            "n_files": 10,
            "n_speakers": 2,
            "label_counts": {"sad": 5, "angry": 5},
            "seed": 42,
        },
        "scores": {"folds": SCORES},
    }


@pytest.mark.parametrize(
    ("corpora", "features", "says", "never"),
    [
        (["crema-d"], "spectral", "may be used commercially", "licensed for non-commercial"),
        (
            ["ravdess", "crema-d"],
            "spectral",
            "ravdess is licensed for non-commercial",
            "may be used commercially",
        ),
        (["crema-d"], "spectral+egemaps", "openSMILE", "may be used commercially"),
        (["crema-d"], "spectral", "None of its features come from openSMILE", "audEERING"),
        (["crema-d"], "spectral+egemaps", "audEERING", "None of its features come from"),
    ],
)
def test_the_card_says_what_the_model_may_be_used_for(corpora, features, says, never):
    text = card_markdown(_card(corpora, features))
    assert says in text and never not in text


def test_every_corpus_a_model_learned_from_is_credited_whatever_its_terms():
    text = card_markdown(_card(["ravdess", "crema-d"], "spectral"))
    assert "give a notice that it was made from RAVDESS" in text
    assert "CREMA-D (https://github.com/CheyneyComputerScience/CREMA-D)" in text
    assert "Livingstone & Russo (2018)" in text and "Cao et al. (2014)" in text


def test_the_card_lists_the_scores_of_each_test_corpus():
    text = card_markdown(_card(["ravdess", "crema-d"], "spectral"))
    assert "Test speakers of crema-d (5 folds, scored over its 6 emotions)" in text
    assert "UAR 0.630 ± 0.020" in text


def test_a_model_tested_on_several_corpora_has_their_scores_per_emotion():
    ravdess = {
        **SCORES["per_corpus"]["crema-d"],
        "labels": ["calm", "sad"],
        "per_class": {
            "calm": {"precision": 0.7, "recall": 0.8, "f1": 0.75},
            "sad": {"precision": 0.4, "recall": 0.3, "f1": 0.34},
        },
    }
    crema = {
        **SCORES["per_corpus"]["crema-d"],
        "per_class": {"sad": {"precision": 0.6, "recall": 0.5, "f1": 0.55}},
    }
    card = _card(["ravdess", "crema-d"], "spectral")
    pooled = {
        "calm": {"precision": 0.7, "recall": 0.8, "f1": 0.75},
        "sad": {"precision": 0.5, "recall": 0.45, "f1": 0.47},
    }
    card["scores"]["folds"] = {
        **SCORES,
        "per_class": pooled,
        "per_corpus": {"ravdess": ravdess, "crema-d": crema},
    }
    card["labels"] = ["calm", "sad"]
    text = card_markdown(card)
    assert "- crema-d has no calm recordings: the model learned calm from ravdess alone" in text
    assert "how often it answers calm for voices like crema-d's is not in them" in text
    assert "ravdess has no" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == (
        "| emotion | all test files: precision / recall / F1 | ravdess's test speakers: "
        "precision / recall / F1 | crema-d's test speakers: precision / recall / F1 |"
    )
    assert rows[1] == "| calm | 0.70 / 0.80 / 0.75 | 0.70 / 0.80 / 0.75 | not in this corpus |"
    assert rows[2] == "| sad | 0.50 / 0.45 / 0.47 | 0.40 / 0.30 / 0.34 | 0.60 / 0.50 / 0.55 |"


def test_a_model_tested_on_one_corpus_has_one_column_per_score():
    text = card_markdown(_card(["crema-d"], "spectral"))
    assert (
        "| emotion | precision | recall | F1 |" in text and "| sad | 0.50 | 0.60 | 0.55 |" in text
    )


def test_every_condition_but_clean_audio_shows_its_change_even_when_none():
    card = _card(["crema-d"], "spectral")
    card["robustness"] = {
        "source": "benchmarks/robustness.py",
        "rows": [
            {"condition": "clean", "uar": {"crema-d": 0.6}, "drop": {"crema-d": 0.0}},
            {"condition": "gain:-20", "uar": {"crema-d": 0.6}, "drop": {"crema-d": 0.0}},
            {"condition": "mp3:16", "uar": {"crema-d": 0.55}, "drop": {"crema-d": 0.05}},
        ],
    }
    text = card_markdown(card)
    assert "| clean | 0.600 |" in text
    assert "| gain:-20 | 0.600 (-0.0) |" in text
    assert "| mp3:16 | 0.550 (-5.0) |" in text


def test_a_leaky_protocol_is_named_as_such_and_an_ensemble_says_how_to_score_it():
    card = _card(["ravdess"], "seed")
    card["scores"] = {"seed": {**SCORES, "folds": 1}}
    text = card_markdown(card)
    assert "the same speakers are in training and test" in text
    assert "speaker-independent: no test speaker" not in text
    ensemble = {
        **_card(["ravdess"], "seed"),
        "model": "ensemble",
        "member_models": ["logreg", "crnn"],
        "member_features": ["spectral", "logmel"],
        "weights": [1.0, 1.0],
        "scores": {},
    }
    text = card_markdown(ensemble)
    assert "voxemo ensemble --scores" in text and "Calibration was not measured" in text


def test_a_card_names_its_corpus_and_digest_not_the_path_it_was_read_from(fake_ravdess, tmp_path):
    import json

    from conftest import train_model

    card = json.loads((train_model(fake_ravdess, tmp_path / "m") / "card.json").read_text())
    (record,) = card["training"]["corpus"]
    assert record["name"] == "ravdess" and record["files"] == 32 and record["speakers"] == 4
    assert str(fake_ravdess) not in json.dumps(card["training"])
    again = json.loads((train_model(fake_ravdess, tmp_path / "n") / "card.json").read_text())
    assert again["training"]["corpus"][0]["digest"] == record["digest"]
