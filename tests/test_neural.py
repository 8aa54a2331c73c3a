"""Neural models: training on synthetic audio, ONNX parity, and serving without torch."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import make_ravdess, one_error_line, run, tone
from voxemo.features.logmel import LogMel
from voxemo.models.neural import TrainingConfig, training_config

TINY = TrainingConfig(channels=(4, 8, 8, 8), epochs=6, batch_size=8, crop_seconds=1.0)


def _clips(n_per_class: int = 12):
    waves, labels, speakers = [], [], []
    for i in range(n_per_class):
        for label, freq, amp in (("calm", 140.0, 0.1), ("angry", 420.0, 0.5)):
            waves.append(tone(freq * (1 + 0.02 * (i % 5)), 1.2, amp=amp, noise=0.01, seed=i))
            labels.append(label)
            speakers.append(str(i % 4))
    return waves, labels, np.array(speakers)


@pytest.mark.parametrize("precision", ["float32", "native"])
def test_training_loss_falls_and_the_best_epoch_is_kept(precision, monkeypatch):
    pytest.importorskip("torch")
    from voxemo.models.neural.training import train_network

    monkeypatch.setenv("VOXEMO_PRECISION", precision)

    waves, labels, speakers = _clips()
    trained = train_network(waves, labels, speakers, TINY, seed=1, threads=1)
    losses = [row["loss"] for row in trained.history]
    assert losses[-1] < losses[0]
    uar = {
        (row["epoch"], kind): row[f"validation_uar_{kind}"]
        for row in trained.history
        for kind in ("raw", "averaged")
    }
    (epoch, kind), best = max(uar.items(), key=lambda item: item[1])
    assert trained.validation_uar == round(best, 4)
    assert (trained.best_epoch, trained.weights) == (epoch, kind) or uar[
        (trained.best_epoch, trained.weights)
    ] == best
    assert trained.labels == ["angry", "calm"]


def test_an_interrupted_training_resumes_from_its_checkpoint(tmp_path):
    pytest.importorskip("torch")
    from voxemo.models.neural.training import train_network

    waves, labels, speakers = _clips(6)
    short = dataclasses.replace(TINY, epochs=3)
    checkpoint = tmp_path / "run.pt"
    whole = train_network(waves, labels, speakers, short, seed=2, threads=1)
    first = dataclasses.replace(short, epochs=3, patience=1)  # stops early, like an interruption
    train_network(waves, labels, speakers, first, seed=2, threads=1, checkpoint=checkpoint)
    assert checkpoint.exists()
    resumed = train_network(
        waves, labels, speakers, short, seed=2, threads=1, checkpoint=checkpoint
    )
    assert [r["loss"] for r in resumed.history] == pytest.approx([r["loss"] for r in whole.history])


def test_a_checkpoint_of_another_precision_is_not_resumed(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    from voxemo.models.neural.training import train_network, training_precision

    if training_precision(torch.device("cpu")) is None:
        pytest.skip("this CPU computes no bfloat16 natively: training is float32 only")
    waves, labels, speakers = _clips(6)
    short = dataclasses.replace(TINY, epochs=2)
    checkpoint = tmp_path / "run.pt"
    monkeypatch.setenv("VOXEMO_PRECISION", "float32")
    exact = train_network(waves, labels, speakers, short, seed=3, threads=1, checkpoint=checkpoint)
    monkeypatch.delenv("VOXEMO_PRECISION")
    mixed = train_network(waves, labels, speakers, short, seed=3, threads=1, checkpoint=checkpoint)
    assert len(mixed.history) == short.epochs
    assert [r["loss"] for r in mixed.history] != [r["loss"] for r in exact.history]


def test_the_front_end_layer_computes_librosa_log_mel():
    torch = pytest.importorskip("torch")
    import librosa

    from voxemo.models.neural.frontend import LogMelLayer

    settings = LogMel()
    clip = tone(230, 1.3, noise=0.02, seed=3) * np.linspace(0.2, 1, 20800, dtype=np.float32)
    power = librosa.feature.melspectrogram(
        y=clip.astype(np.float64),
        sr=16000,
        n_fft=settings.n_fft,
        hop_length=settings.hop_length,
        n_mels=settings.n_mels,
        fmin=settings.fmin,
        fmax=settings.fmax,
        pad_mode="constant",
    )
    decibels = 10 * np.log10(power + 1e-10)
    expected = (decibels - decibels.mean()) / decibels.std()
    with torch.no_grad():
        got = LogMelLayer(settings)(torch.from_numpy(clip)[None])[0, 0].numpy()
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-3


@pytest.mark.parametrize("architecture", ["cnn", "crnn"])
def test_onnx_export_matches_torch(architecture):
    torch = pytest.importorskip("torch")
    import onnxruntime

    from voxemo.models.neural.export import export_network
    from voxemo.models.neural.networks import EmotionNet

    torch.manual_seed(0)
    net = EmotionNet(8, LogMel(), architecture).eval()
    session = onnxruntime.InferenceSession(export_network(net))
    for seconds in (0.7, 3.5, 6.1):  # other lengths than the export example
        x = tone(180 * seconds, seconds, noise=0.05, seed=int(seconds * 10))[None]
        with torch.no_grad():
            expected = torch.softmax(net(torch.from_numpy(x)), dim=-1).numpy()
        (got,) = session.run(["probabilities"], {"waveform": x})
        assert np.abs(got - expected).max() < 1e-4
        assert got.argmax() == expected.argmax()


def test_padding_with_lengths_gives_the_unpadded_result():
    torch = pytest.importorskip("torch")
    from voxemo.models.neural.networks import EmotionNet
    from voxemo.models.neural.training import pad_batch

    torch.manual_seed(0)
    net = EmotionNet(3, LogMel(), "crnn").eval()
    short, long = tone(200, 1.9, noise=0.1, seed=1), tone(300, 3.2, noise=0.1, seed=2)
    batch, lengths = pad_batch([short, long])
    with torch.no_grad():
        padded = net(batch, lengths)[0]
        alone = net(torch.from_numpy(short)[None])[0]
    assert torch.allclose(padded, alone, atol=1e-4)


def test_train_and_predict_a_cnn_from_the_command_line(tmp_path, capsys):
    pytest.importorskip("torch")
    corpus = make_ravdess(tmp_path / "ravdess", files_per_emotion=4)
    model = tmp_path / "cnn-model"
    code, _, err = run(
        [
            "train",
            "--corpus",
            f"ravdess={corpus}",
            "--model",
            "cnn",
            "--epochs",
            "2",
            "--out",
            model,
            "--jobs",
            "1",
        ],
        capsys,
    )
    assert code == 0, err
    card = json.loads((model / "card.json").read_text())
    assert card["frontend"]["type"] == "logmel" and card["model"] == "cnn"
    assert len(card["training_history"]) == 2
    clip = next(corpus.rglob("*.wav"))
    # Serving needs onnxruntime only: torch must not even be imported.
    script = (
        "import sys; from voxemo import Recognizer; "
        f"r = Recognizer.load({str(model)!r}); res = r.predict({str(clip)!r}); "
        "assert abs(sum(res.probabilities.values()) - 1) < 1e-4; "
        "assert 'torch' not in sys.modules; print(res.label)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in card["labels"]
    code, out, _ = run(["predict", "--model", model, clip], capsys)
    assert code == 0 and clip.name in out


def test_neural_models_take_no_feature_sets(tmp_path, capsys):
    corpus = make_ravdess(tmp_path / "ravdess", actors=(1, 2), files_per_emotion=2)
    code, _, err = run(
        [
            "evaluate",
            "--corpus",
            f"ravdess={corpus}",
            "--model",
            "cnn",
            "--features",
            "seed",
            "--protocol",
            "loso",
        ],
        capsys,
    )
    assert code != 0 and "log-mel" in one_error_line(err)


def test_training_without_torch_says_what_to_install(tmp_path, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    corpus = make_ravdess(tmp_path / "ravdess", actors=(1, 2), files_per_emotion=2)
    code, _, err = run(
        ["train", "--corpus", f"ravdess={corpus}", "--model", "crnn", "--out", tmp_path / "m"],
        capsys,
    )
    assert code != 0 and "voxemo[train]" in one_error_line(err)


def test_epochs_override_keeps_the_rest_of_the_configuration():
    config = training_config("crnn", 3)
    assert config.epochs == 3 and config.architecture == "crnn"
    assert training_config("cnn").epochs == TrainingConfig().epochs


def test_the_speaker_adapted_track_centres_each_test_speakers_outputs(tmp_path):
    pytest.importorskip("torch")
    from voxemo.corpora.ravdess import read_ravdess
    from voxemo.evaluation import evaluate
    from voxemo.evaluation.run import SPEAKER_ADAPTED
    from voxemo.features.dataset import load_corpus_waves

    corpus = read_ravdess(make_ravdess(tmp_path / "ravdess", actors=(1, 2, 3), files_per_emotion=2))
    waves = load_corpus_waves(corpus, 16000)
    result = evaluate(waves, model_kind="cnn", protocol="loso", epochs=1, speaker_norm=True)
    assert result["track"] == SPEAKER_ADAPTED
    for speaker in {p["speaker"] for p in result["predictions"]}:
        rows = [p["probabilities"] for p in result["predictions"] if p["speaker"] == speaker]
        logs = np.log([[row[label] for label in result["labels"]] for row in rows])
        assert np.ptp(logs.mean(axis=0)) < 1e-2


def test_finished_network_folds_are_read_back_without_their_training_checkpoints(tmp_path):
    pytest.importorskip("torch")
    from voxemo.corpora.ravdess import read_ravdess
    from voxemo.evaluation import evaluate
    from voxemo.features.dataset import load_corpus_waves

    corpus = read_ravdess(make_ravdess(tmp_path / "ravdess", actors=(1, 2, 3), files_per_emotion=2))
    waves = load_corpus_waves(corpus, 16000)
    folder = tmp_path / "checkpoints"
    epochs = []

    def evaluated(data, speaker_norm=False):
        return evaluate(
            data, model_kind="cnn", protocol="loso", epochs=1, checkpoints=folder,
            on_epoch=epochs.append, speaker_norm=speaker_norm,
        )  # fmt: skip

    fresh = evaluated(waves)
    assert len(epochs) == 3 and len(list(folder.glob("fold-*.json"))) == 3
    for checkpoint in folder.glob("*.pt"):  # a fold's predictions are enough to resume it
        checkpoint.unlink()
    assert evaluated(waves)["predictions"] == fresh["predictions"] and len(epochs) == 3
    adapted = evaluated(waves, speaker_norm=True)  # the same outputs, centred per speaker
    assert len(epochs) == 3 and adapted["predictions"] != fresh["predictions"]
    waves.waves[0] = waves.waves[0] * 0.5  # other audio: every fold trained again
    evaluated(waves)
    assert len(epochs) == 6
