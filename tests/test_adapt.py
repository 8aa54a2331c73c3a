"""Adaptation to the voice of one recording: running centring of log-probabilities."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import EMOTION_VOICES, one_error_line, run, tone, train_model, write
from voxemo.models import load_model
from voxemo.recognizer.adapt import VoiceAdapter
from voxemo.recognizer.live import ArraySource, listen
from voxemo.recognizer.timeline import predict_timeline


def test_what_a_voice_always_sounds_like_fades_and_what_changes_stays():
    adapter = VoiceAdapter(prior_windows=2)
    biased = np.array([0.3, 0.7])  # this voice always sounds a little sad
    outs = [adapter(biased) for _ in range(20)]
    assert outs[0][1] > outs[-1][1] and outs[-1][1] == pytest.approx(0.5, abs=0.05)
    changed = adapter(np.array([0.8, 0.2]))  # then it really changes
    assert changed[0] > 0.8
    assert np.allclose([o.sum() for o in [*outs, changed]], 1.0)


def test_the_first_window_is_hardly_adapted():
    first = VoiceAdapter()(np.array([0.2, 0.3, 0.5]))
    assert np.argmax(first) == 2 and first[2] > 0.4


@pytest.fixture
def model(fake_ravdess, tmp_path):
    return load_model(train_model(fake_ravdess, tmp_path / "model", "spectral"))


def test_timeline_and_listen_adapt_when_asked(model, tmp_path):
    freq, amp, noise = EMOTION_VOICES[5]
    room = (0.001 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    voice = np.concatenate([room, tone(freq, 9.0, 16000, amp, noise, seed=1)])
    path = write(tmp_path / "call.wav", voice)
    plain = predict_timeline(model, path)
    adapted = predict_timeline(model, path, adapt=True)
    assert not plain.adapted and adapted.adapted
    assert len(plain.windows) == len(adapted.windows) > 3
    top = [max(w.probabilities.values()) for w in adapted.windows]
    assert top[-1] < max(plain.windows[-1].probabilities.values())
    updates = list(listen(model, ArraySource(voice, 16000), window=2.0, hop=1.0, adapt=True))
    plain_updates = list(listen(model, ArraySource(voice, 16000), window=2.0, hop=1.0))
    assert updates[-1].confidence < plain_updates[-1].confidence


def test_adapt_is_a_timeline_option(model, tmp_path, capsys):
    room = (0.001 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    path = write(tmp_path / "a.wav", np.concatenate([room, tone(300, 4.0, 16000, 0.3, 0.01)]))
    code, _, err = run(["predict", "--model", model.path, "--adapt", path], capsys)
    assert code == 1 and "--timeline" in one_error_line(err)
    code, out, err = run(
        ["predict", "--model", model.path, "--timeline", "--adapt", "--json", path], capsys
    )
    assert code == 0, err
    assert json.loads(out)[0]["adapted"] is True
