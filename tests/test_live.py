"""Live audio: a rolling window over a pluggable source, and the listen command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import EMOTION_VOICES, one_error_line, run, tone, train_model, write
from voxemo.models import load_model
from voxemo.recognizer.live import ArraySource, listen

ANGRY = EMOTION_VOICES[5]


@pytest.fixture
def model(fake_ravdess, tmp_path):
    return load_model(train_model(fake_ravdess, tmp_path / "model", "spectral"))


def stream() -> np.ndarray:
    """3 s of a quiet room, then 5 s of the angry voice (at 22.05 kHz, like a sound card)."""
    room = 0.001 * np.random.default_rng(0).standard_normal(3 * 22050)
    voice = tone(ANGRY[0] * 1.05, 5.0, 22050, ANGRY[1], ANGRY[2], seed=7)
    return np.concatenate([room, voice]).astype(np.float32)


def test_listen_reports_silence_then_the_emotion(model):
    updates = list(listen(model, ArraySource(stream(), 22050), window=2.0, hop=1.0))
    assert [u.time for u in updates] == pytest.approx([2, 3, 4, 5, 6, 7, 8], abs=0.11)
    assert updates[0].label is None  # the room only
    assert updates[-1].label == "angry" and updates[-1].confidence > 0.5
    assert sum(updates[-1].probabilities.values()) == pytest.approx(1, abs=1e-3)


def test_listen_command_replays_a_file(model, tmp_path, capsys):
    path = write(tmp_path / "live.wav", stream(), 22050)
    code, out, err = run(
        ["listen", "--model", model.path, "--file", path, "--json", "--hop", "2", "--fast"],
        capsys,
    )
    assert code == 0, err
    updates = [json.loads(line) for line in out.splitlines()]
    assert len(updates) == 3 and updates[-1]["label"] == "angry"


def test_listen_without_a_microphone_says_so(model, capsys):
    code, _, err = run(["listen", "--model", model.path, "--seconds", "1"], capsys)
    if code == 0:
        pytest.skip("this machine has a working audio input device")
    assert "microphone" in one_error_line(err)


def test_a_replayed_file_is_paced_like_live_audio(monkeypatch):
    import voxemo.recognizer.live as live

    clock = {"now": 0.0}
    monkeypatch.setattr(live.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(live.time, "sleep", lambda s: clock.__setitem__("now", clock["now"] + s))
    samples = np.zeros(16000 * 3, np.float32)
    blocks = list(ArraySource(samples, 16000, realtime=True).blocks())
    assert len(blocks) == 30 and clock["now"] == pytest.approx(2.9)  # the last block's start
    clock["now"] = 0.0
    list(ArraySource(samples, 16000).blocks())
    assert clock["now"] == 0.0


def test_a_long_recording_replays_streamed(model, tmp_path, capsys):
    samples = np.concatenate([stream()] * 80)  # 80 x 8 s: longer than one decode may be
    path = write(tmp_path / "long.wav", samples, 22050)
    code, out, err = run(
        ["listen", "--model", model.path, "--file", path, "--fast", "--seconds", "6", "--json"],
        capsys,
    )
    assert code == 0, err
    updates = [json.loads(line) for line in out.splitlines()]
    assert updates and updates[-1]["time"] <= 6.01
