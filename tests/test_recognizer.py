"""The Python API: Recognizer.load(path).predict(...)."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf

import voxemo
from conftest import EMOTION_VOICES, tone, train_model, write
from voxemo.errors import AudioError
from voxemo.models import load_model
from voxemo.recognizer import Recognizer, predict_files


@pytest.fixture
def model_dir(fake_ravdess, tmp_path):
    return train_model(fake_ravdess, tmp_path / "model")


@pytest.fixture
def clips(tmp_path):
    paths = []
    for i, (freq, amp, noise) in enumerate(EMOTION_VOICES.values()):
        for j in range(3):
            samples = tone(freq * (1.02 + 0.03 * j), 1.3, 16000, amp, noise, seed=50 + j)
            paths.append(write(tmp_path / "clips" / f"{i}-{j}.wav", samples, subtype="FLOAT"))
    return paths


def test_recognizer_matches_the_command_line_predictions(model_dir, clips):
    recognizer = voxemo.Recognizer.load(model_dir)
    expected = predict_files(load_model(model_dir), [str(p) for p in clips], jobs=1)
    for path, row in zip(clips, expected, strict=True):
        result = recognizer.predict(path)
        assert result.label == row.label
        assert result.duration == pytest.approx(1.3)
        for label, p in row.probabilities.items():
            assert result.probabilities[label] == pytest.approx(p, abs=1e-5)
    assert set(recognizer.labels) == {"neutral", "angry"}


def test_arrays_give_the_same_result_as_their_files(model_dir, clips):
    recognizer = Recognizer.load(model_dir)
    samples, rate = sf.read(clips[0], dtype="float32")
    from_array = recognizer.predict(samples, sr=rate)
    from_file = recognizer.predict(clips[0])
    assert from_array == from_file
    stereo = np.stack([samples, samples], axis=1)
    assert recognizer.predict(stereo, sr=rate).label == from_file.label
    with pytest.raises(AudioError, match=r"sr \(the sample rate\) is required"):
        recognizer.predict(samples)
    with pytest.raises(AudioError, match="too short"):
        recognizer.predict(samples[:100], sr=rate)


@pytest.mark.parametrize("dtype", ["int16", "int32", "uint8", "float64"])
def test_arrays_of_any_dtype_and_either_layout_give_the_files_result(model_dir, clips, dtype):
    recognizer = Recognizer.load(model_dir)
    samples, rate = sf.read(clips[0], dtype="float64")
    if dtype == "float64":
        encoded = samples
    else:
        info = np.iinfo(dtype)
        half = (int(info.max) - int(info.min) + 1) / 2
        encoded = np.round(samples * half + int(info.min) + half).astype(dtype)
    expected = recognizer.predict(clips[0]).probabilities
    for layout in (encoded, np.stack([encoded, encoded]), np.stack([encoded, encoded], axis=1)):
        got = recognizer.predict(layout, sr=rate).probabilities
        tolerance = 0.05 if dtype == "uint8" else 1e-3  # 8 bits: the samples themselves move
        assert got == pytest.approx(expected, abs=tolerance)


def test_batches_and_threads_agree_with_single_calls(model_dir, clips):
    recognizer = Recognizer.load(model_dir)
    single = [recognizer.predict(path) for path in clips]
    batch = recognizer.predict_many(clips)
    assert [r.label for r in batch] == [r.label for r in single]
    for batched, alone in zip(batch, single, strict=True):  # one matrix product vs rows
        assert batched.probabilities == pytest.approx(alone.probabilities, abs=1e-6)
    assert recognizer.predict_many([]) == []
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(recognizer.predict, clips * 3))
    assert threaded == single * 3


def test_predict_each_keeps_going_past_bad_inputs_in_bounded_batches(model_dir, clips, tmp_path):
    recognizer = Recognizer.load(model_dir)
    pulled = []

    def inputs():
        for item in [clips[0], tmp_path / "missing.wav", np.zeros(10), *clips[1:4]]:
            pulled.append(item)
            yield item

    outcomes = recognizer.predict_each(inputs(), sr=16000, batch_size=2)
    first = next(outcomes)
    assert len(pulled) == 2  # one batch decoded, not all of them
    rest = list(outcomes)
    assert [o.error is None for o in [first, *rest]] == [True, False, False, True, True, True]
    assert "no such file" in rest[0].error and rest[1].source == "<array 2>"
    alone = recognizer.predict(clips[1])
    assert rest[2].result.probabilities == pytest.approx(alone.probabilities, abs=1e-6)
    with pytest.raises(AudioError, match="no such file"):
        recognizer.predict_many([clips[0], tmp_path / "missing.wav"])
