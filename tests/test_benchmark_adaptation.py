"""The long recordings of the adaptation benchmark: its pauses are never taken for speech."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import benchmark_module, separable
from voxemo.evaluation import Fold
from voxemo.features.dataset import FeatureTable
from voxemo.recognizer.timeline import TimelineSettings, speech_windows

RATE = 16000


@pytest.fixture
def adaptation():
    return benchmark_module("adaptation")


def utterance(rng, seconds: float, silence: float) -> np.ndarray:
    """A voiced burst between stretches of near-digital silence, as in a studio recording."""
    t = np.arange(int(seconds * RATE)) / RATE
    voice = 0.1 * np.sin(2 * np.pi * 180 * t) * np.hanning(len(t)) ** 0.2
    quiet = silence * rng.standard_normal(int(0.3 * RATE))
    return np.concatenate([quiet, voice, quiet]).astype(np.float32)


@pytest.mark.parametrize("silence", [1e-6, 3e-3])
def test_each_utterance_is_one_stretch_of_speech_whatever_the_files_silence(
    adaptation, tmp_path, silence
):
    rng = np.random.default_rng(0)
    paths = []
    for index in range(4):
        paths.append(tmp_path / f"u{index}.wav")
        sf.write(paths[-1], utterance(rng, 1.2 + 0.1 * index, silence), RATE, subtype="FLOAT")
    table = pd.DataFrame(
        {"path": [str(p) for p in paths], "speaker": "7", "label": "sad", "corpus": "ravdess"}
    )
    fold = Fold("fold 1", np.array([], int), np.arange(4), ["7"])
    (recording,) = adaptation.long_recordings(table, fold, tmp_path)
    samples, rate = sf.read(recording["path"], dtype="float32")
    pause = samples[: int(adaptation.PAUSE_SECONDS * RATE)]
    # As quiet as the files' silence, or one step of the recording's 16 bits.
    assert np.sqrt(np.mean(pause.astype(np.float64) ** 2)) <= max(1.5 * silence, 2**-15)
    *windows, _ = speech_windows([samples], rate, TimelineSettings())
    assert len(windows) == len(recording["spans"]) == 4
    for (start, window), (begin, end, _) in zip(windows, recording["spans"], strict=True):
        assert begin - 0.05 <= start + len(window) / rate / 2 <= end + 0.05


def test_each_folds_scores_are_kept_and_read_back_only_for_the_same_inputs(
    adaptation, monkeypatch, tmp_path
):
    features = separable()
    inputs = {"logreg[spectral]": (features, features)}
    folds = {"csv": [["0", "1"], ["2", "3"], ["4", "5"]]}
    monkeypatch.setattr(
        adaptation, "setup_corpus", lambda setup, corpora: (None, "folds", folds, "csv")
    )
    monkeypatch.setattr(adaptation, "member_inputs", lambda name, corpus: inputs[name])
    scored = []

    def fold_scores(fold, given, setup, train_side, args):
        """Stands in for training and timelines: a score that tells the folds apart."""
        scored.append(fold.name)
        uar = 0.5 + 0.1 * len(scored)
        return [
            {"model": name, "adaptation": mode, "fold": fold.name, "corpus": fold.corpus}
            | {"accuracy": uar, "uar": uar, "macro_f1": uar}
            for name in given
            for mode in adaptation.ADAPTATION_MODES
        ]

    monkeypatch.setattr(adaptation, "fold_scores", fold_scores)
    args = argparse.Namespace(checkpoints=tmp_path)
    first = adaptation.setup_rows("csv", None, ["logreg[spectral]"], args)
    assert scored == ["fold 1", "fold 2", "fold 3"]
    assert len(list((tmp_path / "csv").glob("adaptation-*.json"))) == 3
    assert [row["uar"] for row in first] == pytest.approx([0.7, 0.7, 0.7])

    (next((tmp_path / "csv").glob("adaptation-*.json"))).write_text("{")  # cut short
    again = adaptation.setup_rows("csv", None, ["logreg[spectral]"], args)
    assert len(scored) == 4  # only the unreadable fold was scored again
    assert [row["folds"] for row in again] == [3, 3, 3]

    moved = features.table.assign(path="/elsewhere/" + features.table["path"])
    elsewhere = FeatureTable(moved, features.features, features.names, features.labels, [])
    inputs["logreg[spectral]"] = (elsewhere, elsewhere)
    adaptation.setup_rows("csv", None, ["logreg[spectral]"], args)
    assert len(scored) == 4  # the same files in another folder: read back

    changed = FeatureTable(
        features.table, features.features + 1, features.names, features.labels, []
    )
    inputs["logreg[spectral]"] = (changed, changed)
    adaptation.setup_rows("csv", None, ["logreg[spectral]"], args)
    assert len(scored) == 7  # other features: every fold scored again
