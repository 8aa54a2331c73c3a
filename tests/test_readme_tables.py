"""The README tables of the cross-corpus benchmarks, rendered from records shaped like the
results files their scripts write."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

MACHINE = {
    "date": "2026-12-01T00:00:00+00:00",
    "voxemo": "0.1.0",
    "git_commit": "0123456789abcdef",
    "machine": {"cpu": "a CPU", "cores": 2},
}


@pytest.fixture
def render():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import render_readme
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return render_readme


def test_robustness_rows_show_each_condition_and_its_drop(render):
    def row(model, condition, ravdess, crema, clean=(0.6, 0.5)):
        return {
            "model": model,
            "condition": condition,
            "scores": {"ravdess": {"uar": ravdess}, "crema-d": {"uar": crema}},
            "uar_drop": {"ravdess": clean[0] - ravdess, "crema-d": clean[1] - crema},
        }

    record = MACHINE | {
        "conditions": ["telephone"],  # as robustness.py writes it: clean is always measured
        "rows": [row("default", "clean", 0.6, 0.5), row("default", "telephone", 0.57, 0.46)],
    }
    lines = render.robustness_table(record).splitlines()
    assert lines[0] == "| condition | `default` |"
    assert lines[2] == "| clean | 0.500 / 0.600 |"  # CREMA-D before RAVDESS, as named below
    assert lines[3] == "| telephone | 0.460 / 0.570 (-4.0 / -3.0) |"
    assert "UAR on CREMA-D / RAVDESS" in lines[5]


def test_adaptation_rows_put_each_models_three_ways_side_by_side(render):
    def row(mode, uar):
        return {"setup": "both", "model": "default", "adaptation": mode,
                "test_corpus": "ravdess", "uar": uar}  # fmt: skip

    rows = [row("none", 0.52), row("probabilities", 0.55), row("as shipped", 0.58)]
    record = MACHINE | {"pause_seconds": 0.5, "rows": rows}
    lines = render.adaptation_table(record).splitlines()
    assert lines[2] == "| `default` | both | RAVDESS | 0.520 | 0.550 | 0.580 | +6.0 |"
    assert len(lines) == 5 and "0.5 s pauses" in lines[4]


def test_cross_corpus_rows_kept_from_an_earlier_run_name_its_commit(render):
    def row(model, setup, uar, **commit):
        score = {"accuracy": uar, "uar": uar, "folds": 5}
        return {"model": model, "members": [model], "setup": setup, "trained_on": setup,
                "minutes": 3, "cells": {"crema-d": score}} | commit  # fmt: skip

    earlier = {"git_commit": "fedcba987654321"}
    rows = [row("crnn", "crema-d", 0.6), row("logreg", "both", 0.5, **earlier),
            row("logreg", "crema-d", 0.4) | {"setup": "crema-d->ravdess"} | earlier]  # fmt: skip
    record = MACHINE | {"epochs": {"crema-d": 16}, "shared_labels": ["sad"], "rows": rows}
    text = render.cross_corpus_table(record)
    assert "| crnn | CREMA-D | n/a | n/a | 0.600 / 0.600 | 3 |" in text.splitlines()
    assert "at commit fedcba987654: logreg (both), logreg (CREMA-D → RAVDESS)." in text
    assert "crnn (CREMA-D)" not in text.split("earlier run")[1]


def test_bundled_rows_score_each_corpus_a_model_was_tested_on(render):
    def card(protocol, scores, *corpora):
        return {"model": "logreg", "features": "spectral",
                "training": {"corpus": [{"name": name} for name in corpora]},
                "scores": {protocol: scores | {"calibration_error": 0.05}}}  # fmt: skip

    both = {"per_corpus": {"ravdess": {"accuracy": 0.6, "uar": 0.61},
                           "crema-d": {"accuracy": 0.5, "uar": 0.51}}}  # fmt: skip
    cards = {
        "default": card("folds", both, "ravdess", "crema-d"),
        "open": card("crema5", {"accuracy": 0.55, "uar": 0.56}, "crema-d"),
    }
    lines = render.bundled_table(cards).splitlines()
    assert lines[2].endswith("| RAVDESS and CREMA-D | 0.600 / 0.610 | 0.500 / 0.510 | 0.050 |")
    assert lines[3].endswith("| CREMA-D | not measured | 0.550 / 0.560 | 0.050 |")
