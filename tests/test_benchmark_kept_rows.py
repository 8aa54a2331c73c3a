"""A partial run of a cross-corpus benchmark keeps the rows it did not measure again."""

from __future__ import annotations

import json

import pytest

from conftest import benchmark_module


@pytest.fixture
def common(tmp_path, monkeypatch):
    common = benchmark_module("common")
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    return common


KEY = ("setup", "model", "condition")  # how robustness.py tells its rows apart


def row(model, condition, **setup):
    return {"model": model, "condition": condition, "scores": {}, "uar_drop": {}} | setup


def test_robustness_keeps_rows_of_other_setups_models_and_conditions(common, tmp_path):
    previous = {
        "git_commit": "old",
        "setup": "both",  # files before setups were chosen name it once, not per row
        "rows": [row("crnn", "clean"), row("crnn", "telephone"), row("default", "telephone")],
    }
    (tmp_path / "robustness.json").write_text(json.dumps(previous))
    measured = [row("crnn", "telephone", setup="both"), row("crnn", "clean", setup="crema-d")]
    kept = common.kept_rows("robustness", measured, KEY)
    assert [(r["model"], r["condition"], r["setup"]) for r in kept] == [
        ("crnn", "clean", "both"),
        ("default", "telephone", "both"),
    ]
    assert {r["git_commit"] for r in kept} == {"old"}


def test_robustness_keeps_nothing_without_earlier_results(common):
    assert common.kept_rows("robustness", [row("crnn", "clean", setup="both")], KEY) == []
