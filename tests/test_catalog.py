"""Models by name: the bundled default, the user's model folder, and 'voxemo models'."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import voxemo
from conftest import one_error_line, run, train_model
from voxemo.errors import ModelError
from voxemo.models.catalog import BUNDLED_DIR, DEFAULT_MODEL, resolve_model


def test_a_user_model_is_found_by_name(fake_ravdess, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXEMO_MODELS_DIR", str(tmp_path / "models"))
    train_model(fake_ravdess, tmp_path / "models" / "mine", "spectral")
    assert resolve_model("mine") == tmp_path / "models" / "mine"
    code, out, _ = run(["models", "--json"], capsys)
    listed = {entry["name"]: entry for entry in json.loads(out)}
    assert code == 0 and listed["mine"]["source"] == "user" and listed["mine"]["kind"] == "logreg"
    clip = next(fake_ravdess.rglob("*.wav"))
    code, out, err = run(["predict", "--model", "mine", clip], capsys)
    assert code == 0, err


def test_a_model_name_wins_over_a_same_named_folder_unless_given_as_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOXEMO_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "default").mkdir()
    (tmp_path / "mine").mkdir()
    assert resolve_model("default") == BUNDLED_DIR / "default"
    assert resolve_model("./default") == Path("./default")
    assert resolve_model(Path("default")) == Path("default")
    assert resolve_model("mine") == Path("mine")  # no model of that name: the folder


def test_an_unknown_model_name_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXEMO_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelError, match="voxemo models"):
        resolve_model("nothing-here")
    code, _, err = run(["predict", "--model", "nothing-here", "x.wav"], capsys)
    assert code == 1 and "nothing-here" in one_error_line(err)


def test_the_bundled_model_works_out_of_the_box(tmp_path, capsys):
    assert (BUNDLED_DIR / DEFAULT_MODEL / "card.json").is_file()
    recognizer = voxemo.Recognizer()
    assert recognizer.model.path == BUNDLED_DIR / DEFAULT_MODEL
    code, out, _ = run(["models"], capsys)
    assert code == 0 and DEFAULT_MODEL in out and "bundled" in out


@pytest.mark.parametrize("name", sorted(p.parent.name for p in BUNDLED_DIR.glob("*/card.json")))
def test_every_bundled_model_predicts_its_cards_emotions_and_its_page_is_its_card(name, tmp_path):
    from voxemo.models.card_text import card_markdown

    card = json.loads((BUNDLED_DIR / name / "card.json").read_text())
    clip = tmp_path / "tone.wav"
    t = np.arange(16000 * 2) / 16000
    sf.write(clip, 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t)), 16000)
    result = voxemo.Recognizer(name).predict(clip)
    # The emotions it predicts are those its training files had (open: CREMA-D's six).
    assert sorted(result.probabilities) == sorted(card["training"]["label_counts"])
    assert sum(result.probabilities.values()) == pytest.approx(1, abs=1e-4)
    assert (BUNDLED_DIR / name / "MODEL_CARD.md").read_text() == card_markdown(card)
