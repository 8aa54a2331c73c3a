"""The speed benchmark measures the default model of an earlier commit as it was bundled."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from conftest import benchmark_module, tone
from voxemo import Recognizer


@pytest.fixture
def speed():
    return benchmark_module("recognizer_speed")


def test_the_default_model_of_a_commit_is_a_self_contained_copy_that_predicts_alike(
    speed, tmp_path
):
    changed = subprocess.run(
        ["git", "-C", str(speed.ROOT), "diff", "--quiet", "HEAD", "--", speed.PRETRAINED]
    )
    if changed.returncode != 0:
        pytest.skip("the bundled models differ from HEAD's (not a git checkout, or retrained)")
    commit, folder = speed.bundled_at("HEAD", "default", tmp_path)
    assert len(commit) == 40
    members = json.loads((folder / "card.json").read_text())["members"]
    assert members and not any(m.startswith("bundled:") for m in members)
    clip = tone(seconds=2.0, noise=0.05)
    copied = Recognizer(folder).predict(clip, 16000).probabilities
    bundled = Recognizer("default").predict(clip, 16000).probabilities
    assert copied.keys() == bundled.keys()
    assert np.allclose(list(copied.values()), list(bundled.values()), atol=1e-6)


@pytest.mark.parametrize(
    ("revision", "name", "says"),
    [
        ("no-such-revision", "default", "not a commit"),
        ("HEAD", "no-such-model", "no bundled model 'no-such-model'"),
    ],
)
def test_an_unknown_commit_or_model_stops_with_one_line(speed, tmp_path, revision, name, says):
    with pytest.raises(SystemExit, match=says):
        speed.bundled_at(revision, name, tmp_path)


def test_times_against_another_model_are_ratios_of_the_same_measurements(speed):
    row = {"cold_predict_seconds": 0.6, "warm_predict_ms": 9.0, "timeline_seconds": 30.0}
    other = {"cold_predict_seconds": 0.5, "warm_predict_ms": 10.0, "timeline_seconds": 30.0}
    assert speed.time_ratios(row, other) == {"cold": 1.2, "warm": 0.9, "timeline": 1.0}
