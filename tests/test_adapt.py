"""Adaptation to the voice of one recording: running z-scores of features with a voice
model, running prior correction of probabilities without one."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from conftest import EMOTION_VOICES, one_error_line, run, tone, train_model, write
from voxemo.errors import ModelError
from voxemo.models import load_model
from voxemo.models.ensemble import save_ensemble
from voxemo.recognizer.adapt import PriorCorrection, VoiceAdapter
from voxemo.recognizer.live import ArraySource, listen
from voxemo.recognizer.timeline import predict_timeline


def test_what_a_voice_always_sounds_like_fades_and_what_changes_stays():
    adapter = PriorCorrection(prior_windows=2)
    biased = np.array([0.3, 0.7])  # this voice always sounds a little sad
    outs = [adapter(biased) for _ in range(20)]
    assert outs[0][1] > outs[-1][1] and outs[-1][1] == pytest.approx(0.5, abs=0.05)
    changed = adapter(np.array([0.8, 0.2]))  # then it really changes
    assert changed[0] > 0.8
    assert np.allclose([o.sum() for o in [*outs, changed]], 1.0)


def test_the_first_window_is_hardly_adapted():
    first = PriorCorrection()(np.array([0.2, 0.3, 0.5]))
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


@pytest.fixture
def voiced_model(fake_ravdess, tmp_path):
    return load_model(train_model(fake_ravdess, tmp_path / "voiced", "spectral", "--voice"))


def one_voice(tmp_path):
    room = (0.001 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    parts = [room]
    for seed, (freq, amp, noise) in enumerate([*EMOTION_VOICES.values()] * 2):
        parts += [tone(freq * 1.1, 3.0, 16000, amp, noise, seed=seed), room]
    return write(tmp_path / "voice.wav", np.concatenate(parts))


def test_train_voice_saves_a_voice_model_that_adapt_uses(voiced_model, model, tmp_path):
    voice = voiced_model.voice
    assert voice.card["normalization"] == "voice" and voice.labels == voiced_model.labels
    assert len(voice.card["voice_prior"]["mean"]) == voiced_model.card["n_features"]
    assert model.voice is None
    assert VoiceAdapter(voiced_model).method == "features"
    assert VoiceAdapter(model).method == "probabilities"
    path = one_voice(tmp_path)
    by_features = predict_timeline(voiced_model, path, adapt=True)
    shutil.rmtree(voiced_model.path / "voice")
    by_probabilities = predict_timeline(load_model(voiced_model.path), path, adapt=True)
    assert len(by_features.windows) == len(by_probabilities.windows) > 4
    for window in by_features.windows:
        assert sum(window.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert by_features.to_dict()["windows"] != by_probabilities.to_dict()["windows"]


def test_an_ensemble_adapts_each_member_its_own_way(voiced_model, model, tmp_path):
    ensemble = load_model(save_ensemble([voiced_model.path, model.path], tmp_path / "pair"))
    adapter = VoiceAdapter(ensemble)
    assert adapter.method == "features+probabilities"
    assert [member.method for member in adapter.members] == ["features", "probabilities"]
    timeline = predict_timeline(ensemble, one_voice(tmp_path), adapt=True)
    assert timeline.adapted and len(timeline.windows) > 4


def test_a_voice_model_alone_or_damaged_is_refused_in_one_line(voiced_model, tmp_path, capsys):
    with pytest.raises(ModelError, match="a voice model") as refused:
        load_model(voiced_model.path / "voice")
    assert "\n" not in str(refused.value)
    card_file = voiced_model.path / "voice" / "card.json"
    card = json.loads(card_file.read_text())
    card["voice_prior"]["std"] = card["voice_prior"]["std"][:-1]
    card_file.write_text(json.dumps(card))
    code, _, err = run(
        ["predict", "--model", voiced_model.path, "--timeline", "--adapt", one_voice(tmp_path)],
        capsys,
    )
    assert code == 1 and "voice_prior.std" in one_error_line(err)


def test_voice_models_are_for_feature_vectors(fake_ravdess, tmp_path, capsys):
    code, _, err = run(
        [
            "train",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--model",
            "crnn",
            "--voice",
            "--out",
            tmp_path / "net",
        ],
        capsys,
    )
    assert code == 1 and "--voice" in one_error_line(err)
    assert not (tmp_path / "net").exists()
