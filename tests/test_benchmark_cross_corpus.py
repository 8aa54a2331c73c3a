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
