"""The cross-corpus benchmark reuses a saved evaluation only when its digest is this run's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import benchmark_module, separable


@pytest.fixture
def cross_corpus(tmp_path, monkeypatch):
    cross_corpus = benchmark_module("cross_corpus")
    monkeypatch.setattr(cross_corpus, "EVALUATIONS", tmp_path / "evaluations")
    return cross_corpus


def test_a_saved_evaluation_is_reused_only_with_the_same_data(cross_corpus, monkeypatch, tmp_path):
    inputs = {"data": separable()}
    fitted = []

    def evaluate(data, **options):
        fitted.append(data)
        return {"folds": [{"training_seconds": 60.0}], "accuracy": 0.5}

    monkeypatch.setattr(cross_corpus, "evaluate", evaluate)
    monkeypatch.setattr(
        cross_corpus, "member_inputs", lambda name, corpus: (inputs["data"], separable(seed=1))
    )

    def run():
        corpus = SimpleNamespace(table=inputs["data"].table)
        args = SimpleNamespace(checkpoints=tmp_path / "checkpoints")
        return cross_corpus.run_member(
            "ravdess", "logreg[spectral]", corpus, "loso", None, "ravdess", args
        )

    first = run()
    assert len(fitted) == 1 and first["minutes"] == 1.0 and first["digest"]
    assert run() == first and len(fitted) == 1  # the same inputs: read back, not fitted
    inputs["data"] = separable(seed=2)
    assert run()["digest"] != first["digest"] and len(fitted) == 2
    saved = tmp_path / "evaluations" / "ravdess-logreg-spectral.json"
    saved.write_text(saved.read_text()[:100])  # cut short by an interruption
    assert run()["digest"] and len(fitted) == 3


def test_minutes_are_the_folds_training_whichever_run_trained_them(cross_corpus, monkeypatch):
    folds = [{"fit_seconds": 90.0}, {"fit_seconds": 30.0}]  # a feature-vector model's folds
    fitted = []

    def evaluate(data, **options):
        fitted.append(data)
        return {"folds": folds}

    monkeypatch.setattr(cross_corpus, "evaluate", evaluate)
    monkeypatch.setattr(
        cross_corpus, "member_inputs", lambda name, corpus: (separable(), separable(seed=1))
    )
    args = SimpleNamespace(checkpoints=cross_corpus.EVALUATIONS / "checkpoints")
    corpus = SimpleNamespace(table=separable().table)

    def run():
        return cross_corpus.run_member(
            "ravdess", "logreg[spectral]", corpus, "loso", None, "ravdess", args
        )

    assert run()["minutes"] == 2.0
    # Read back in seconds, still the minutes its folds took.
    assert run()["minutes"] == 2.0 and len(fitted) == 1
    assert cross_corpus.training_minutes([{"uar": 0.5}]) is None  # no record: this run's time


def test_a_cards_choices_name_only_what_its_recipe_has(cross_corpus):
    network = cross_corpus.choices("both", {"crnn"})
    assert "logistic regression" not in " ".join(network[:2])
    assert "equal weights" not in network[1] and "16 epochs" in network[1]
    assert "somewhat optimistic" in network[-1]
    pair = cross_corpus.choices("crema-d", {"crnn", "logreg[spectral]"})
    assert "C and the epoch" in pair[0] and "class weights" not in pair[0]
    assert "equal weights" in pair[1] and "No choice looked at CREMA-D" in pair[-1]
    assert "class weights" in cross_corpus.choices("both", {"logreg[spectral]"})[0]
