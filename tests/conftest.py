"""Synthetic audio and corpora for tests: nothing here needs the real corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from voxemo.features.dataset import FeatureTable

REPO = Path(__file__).resolve().parents[1]


def benchmark_module(name: str):
    """A script of ``benchmarks/`` imported as a module (its folder is on the path only while
    it is imported)."""
    import importlib

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))


RAVDESS = Path(os.environ.get("VOXEMO_RAVDESS", REPO.parent / "shared" / "corpora" / "ravdess"))
CREMA_D = Path(os.environ.get("VOXEMO_CREMA_D", REPO / "data" / "crema-d"))


def tone(
    freq: float = 220.0,
    seconds: float = 1.0,
    sr: int = 16000,
    amp: float = 0.3,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(seed)
    signal = amp * np.sin(2 * np.pi * freq * t) + noise * rng.standard_normal(len(t))
    return signal.astype(np.float32)


def write(path: Path, samples: np.ndarray, sr: int = 16000, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sr, **kwargs)
    return path


# Two emotions that differ in pitch, loudness and noise, so models can tell them apart.
EMOTION_VOICES = {1: (140.0, 0.1, 0.002), 5: (330.0, 0.5, 0.05)}


def make_ravdess(root: Path, actors=(1, 2, 3, 4), files_per_emotion: int = 4) -> Path:
    """A RAVDESS-named tree of synthetic clips: neutral (01) and angry (05) per actor."""
    for actor in actors:
        for emotion, (freq, amp, noise) in EMOTION_VOICES.items():
            for i in range(files_per_emotion):
                statement, repetition = i % 2 + 1, i // 2 % 2 + 1
                name = f"03-01-{emotion:02d}-01-{statement:02d}-{repetition:02d}-{actor:02d}.wav"
                clip = tone(
                    freq * (1 + 0.03 * actor + 0.01 * i),
                    1.2,
                    16000,
                    amp,
                    noise,
                    seed=actor * 100 + i,
                )
                write(root / f"Actor_{actor:02d}" / name, clip)
    return root


# CREMA-D emotion codes and the voices that stand for them (sad is one RAVDESS fakes lack).
CREMA_VOICES = {"NEU": (150.0, 0.1, 0.002), "ANG": (320.0, 0.5, 0.05), "SAD": (110.0, 0.05, 0.0)}


def make_crema_d(root: Path, actors=(1001, 1002, 1003, 1004), files_per_emotion: int = 3) -> Path:
    """A CREMA-D-named ``AudioWAV`` folder of synthetic clips: neutral, angry and sad."""
    for actor in actors:
        for emotion, (freq, amp, noise) in CREMA_VOICES.items():
            for i, sentence in enumerate(("DFA", "IEO", "TIE", "WSI")[:files_per_emotion]):
                clip = tone(
                    freq * (1 + 0.01 * (actor % 10) + 0.01 * i),
                    1.2,
                    16000,
                    amp,
                    noise,
                    seed=actor + i,
                )
                write(root / "AudioWAV" / f"{actor}_{sentence}_{emotion}_XX.wav", clip)
    return root


@pytest.fixture
def fake_ravdess(tmp_path) -> Path:
    return make_ravdess(tmp_path / "ravdess")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own feature cache, so no test sees another's results."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("VOXEMO_CACHE_DIR", str(cache))
    return cache


def ravdess_or_skip() -> Path:
    if not (RAVDESS / "Actor_01").is_dir():
        pytest.skip(f"RAVDESS not found at {RAVDESS} (set VOXEMO_RAVDESS to its folder)")
    return RAVDESS


def crema_d_or_skip() -> Path:
    if not (CREMA_D / "AudioWAV").is_dir():
        pytest.skip(
            f"CREMA-D not found at {CREMA_D} (set VOXEMO_CREMA_D to its folder; "
            "voxemo data download crema-d lays it out)"
        )
    return CREMA_D


def separable(n_per_class=30, n_features=12, seed=0) -> FeatureTable:
    """A feature table of three classes, each shifted along its own axis, over 6 speakers."""
    rng = np.random.default_rng(seed)
    labels = ["angry", "calm", "sad"]
    X = rng.standard_normal((3 * n_per_class, n_features)).astype(np.float32)
    y = np.repeat(labels, n_per_class)
    for i, label in enumerate(labels):
        X[y == label, i] += 3.0
    table = pd.DataFrame(
        {
            "path": [f"f{i}.wav" for i in range(len(y))],
            "label": y,
            "speaker": [str(i % 6) for i in range(len(y))],
            "gender": "female",
            "corpus": "csv",
        }
    )
    return FeatureTable(table, X, [f"x{i}" for i in range(n_features)], labels, [])


def run(args, capsys) -> tuple[int, str, str]:
    """Run the command line in-process: exit code, stdout and stderr."""
    from voxemo.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def train_model(corpus: Path, out: Path, features: str = "seed+egemaps", *options: str) -> Path:
    """A logistic-regression model folder trained on a synthetic corpus (fast, no torch);
    ``options`` are more ``voxemo train`` arguments."""
    from voxemo.cli.main import main

    args = [
        "train",
        "--corpus",
        f"ravdess={corpus}",
        "--features",
        features,
        "--model",
        "logreg",
        "--no-tune",
        "--out",
        str(out),
        "--jobs",
        "1",
        *options,
    ]
    assert main(args) == 0
    return out


def speech_like(freq: float, seconds: float, amp: float, seed: int = 0) -> np.ndarray:
    """A voiced stretch: a tone with harmonics whose loudness rises and falls like syllables."""
    t = np.arange(int(seconds * 16000)) / 16000
    voice = sum(np.sin(2 * np.pi * freq * k * t) / k for k in (1, 2, 3))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t)
    noise = 0.01 * np.random.default_rng(seed).standard_normal(len(t))
    return (amp * 0.6 * voice * syllables + noise * amp).astype(np.float32)


def one_error_line(err: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]
