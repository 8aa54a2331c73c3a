"""The README tables of the cross-corpus benchmarks, rendered from records shaped like the
results files their scripts write."""

from __future__ import annotations

import pytest

from conftest import benchmark_module

MACHINE = {
    "date": "2026-12-01T00:00:00+00:00",
    "voxemo": "0.1.0",
    "git_commit": "0123456789abcdef",
    "machine": {"cpu": "a CPU", "cores": 2},
}


@pytest.fixture
def render():
    return benchmark_module("render_readme")


def test_robustness_columns_are_models_of_each_setup_with_their_drops(render):
    def row(setup, condition, scores, **commit):  # scores: corpus -> (UAR, clean UAR)
        return {
            "model": "default",
            "setup": setup,
            "condition": condition,
            "scores": {corpus: {"uar": uar} for corpus, (uar, _) in scores.items()},
            "uar_drop": {corpus: clean - uar for corpus, (uar, clean) in scores.items()},
        } | commit

    earlier = {"git_commit": "fedcba987654321"}
    record = MACHINE | {
        "conditions": ["telephone", "mp3:16"],  # clean is always measured
        "rows": [
            row("crema-d", "clean", {"crema-d": (0.5, 0.5)}),
            row("crema-d", "telephone", {"crema-d": (0.46, 0.5)}),
            row("both", "clean", {"crema-d": (0.5, 0.5), "ravdess": (0.6, 0.6)}, **earlier),
            row("both", "mp3:16", {"crema-d": (0.4, 0.5), "ravdess": (0.5, 0.6)}, **earlier),
        ],
    }
    lines = render.robustness_table(record).splitlines()
    # Columns trained on both corpora come first, whichever run measured them.
    assert lines[0] == (
        "| condition | `default`, both corpora (RAVDESS / CREMA-D) "
        "| `default` (bundled as `open`), CREMA-D |"
    )
    assert lines[2] == "| clean | 0.600 / 0.500 | 0.500 |"
    assert lines[3] == "| telephone | not measured | 0.460 (-4.0) |"
    assert lines[4] == "| mp3:16 | 0.500 / 0.400 (-10.0 / -10.0) | not measured |"
    assert "at commit fedcba987654: `default`, both corpora" in lines[6]
    assert "`default`, CREMA-D" not in lines[6]


def test_adaptation_rows_put_each_models_three_ways_side_by_side(render):
    def row(mode, uar):
        return {"setup": "both", "model": "default", "adaptation": mode,
                "test_corpus": "ravdess", "uar": uar}  # fmt: skip

    rows = [row("none", 0.52), row("probabilities", 0.55), row("as shipped", 0.58)]
    record = MACHINE | {"pause_seconds": 0.5, "rows": rows}
    lines = render.adaptation_table(record).splitlines()
    assert lines[2] == "| `default` | both | RAVDESS | 0.520 | 0.550 | 0.580 | +6.0 |"
    assert len(lines) == 5 and "0.5 s pauses" in lines[4]
    assert "earlier run" not in lines[4]
    # Rows kept from an earlier run name its commit; a bundle's recipe names the bundle.
    earlier = {"setup": "crema-d", "test_corpus": "crema-d", "git_commit": "fedcba987654321"}
    record["rows"] += [r | earlier for r in rows]
    lines = render.adaptation_table(record).splitlines()
    assert lines[3].startswith("| `default` (bundled as `open`) | CREMA-D | CREMA-D | 0.520 |")
    assert "at commit fedcba987654: `default` trained on CREMA-D. " in lines[5]


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
    # A row this run read back from an evaluation saved at another commit says so.
    rows[0]["evaluated_at"] = ["89abcdef01234567"]
    text = render.cross_corpus_table(record)
    assert "saved at commit 89abcdef0123, whose data, configuration and code had" in text
    assert "this run's digest: crnn (CREMA-D). " in text


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
    # Its recipe trained on all of CREMA-D and tested on all of RAVDESS (shared emotions).
    cards["open"]["cross_corpus"] = {"rows": [{"test": "ravdess", "accuracy": 0.3, "uar": 0.31}]}
    lines = render.bundled_table(cards).splitlines()
    assert lines[3].endswith("| CREMA-D | 0.300 / 0.310 † | 0.550 / 0.560 | 0.050 |")


def test_speed_against_an_earlier_default_model_is_said_only_when_measured(render):
    row = {"model": "default", "kind": "ensemble", "cold_predict_seconds": 0.5,
           "warm_predict_ms": 9.0, "timeline_audio_seconds": 3600, "timeline_seconds": 20.0,
           "timeline_realtime_factor": 180.0, "timeline_peak_mib": 100}  # fmt: skip
    record = MACHINE | {
        "rows": [row],
        "ratios": {"warm": 16.0, "cold": 5.0, "timeline": 9.0},
        "targets": {"cold_predict_seconds": 1.5, "warm_predict_ms": 30},
    }
    record["targets"]["timeline_realtime_factor"] = 50
    assert "as bundled at that commit" not in render.recognizer_speed_table(record)
    against = {"model": "default at fedcba987654", "commit": "fedcba9876543210",
               "cold": 1.06, "warm": 0.9, "timeline": 1.0}  # fmt: skip
    text = render.recognizer_speed_table(record | {"against": against})
    assert "default at fedcba987654: the default model as bundled at that commit" in text
    assert "+6% cold, -10% warm, +0% on the timeline" in text
