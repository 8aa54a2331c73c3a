"""Long recordings: streamed decoding, speech detection, smoothing and the timeline outputs."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from conftest import EMOTION_VOICES, one_error_line, run, speech_like, tone, train_model, write
from voxemo.audio import load_audio, resample
from voxemo.audio.stream import stream_audio
from voxemo.errors import AudioError
from voxemo.models import load_model
from voxemo.recognizer.timeline import TimelineSettings, Window, predict_timeline, smooth

CALM, ANGRY = EMOTION_VOICES[1], EMOTION_VOICES[5]  # (frequency, amplitude, noise)


def silence(seconds: float, seed: int = 9) -> np.ndarray:
    return (0.001 * np.random.default_rng(seed).standard_normal(int(seconds * 16000))).astype(
        np.float32
    )


@pytest.fixture
def conversation(tmp_path):
    """1 s pause, 4 s of the neutral voice, 2 s pause, 5 s of the angry one, 1 s pause."""
    parts = [
        silence(1.0, 1),
        tone(CALM[0] * 1.05, 4.0, 16000, CALM[1], CALM[2], seed=2),
        silence(2.0, 3),
        tone(ANGRY[0] * 1.05, 5.0, 16000, ANGRY[1], ANGRY[2], seed=4),
        silence(1.0, 5),
    ]
    return write(tmp_path / "conversation.wav", np.concatenate(parts))


@pytest.fixture
def model(fake_ravdess, tmp_path):
    return load_model(train_model(fake_ravdess, tmp_path / "model", "spectral"))


def test_streamed_decoding_matches_decoding_whole(tmp_path):
    samples = speech_like(200, 7.3, 0.3)
    path = write(tmp_path / "long.flac", samples, 44100)
    blocks = list(stream_audio(path, 16000, block_seconds=2.0))
    assert max(len(b) for b in blocks) <= 2.0 * 16000 + 64  # bounded memory per step
    streamed = np.concatenate(blocks)
    whole = resample(load_audio(path), 16000).samples
    assert abs(len(streamed) - len(whole)) <= 1
    n = min(len(streamed), len(whole))
    assert np.abs(streamed[100 : n - 100] - whole[100 : n - 100]).max() < 1e-3


def test_timeline_finds_the_speech_and_labels_each_part(model, conversation):
    timeline = predict_timeline(model, conversation)
    assert timeline.duration == pytest.approx(13.0, abs=0.01)
    assert timeline.speech_seconds == pytest.approx(9.0, abs=0.6)
    first, last = timeline.segments[0], timeline.segments[-1]
    assert first.start == pytest.approx(1.0, abs=0.15) and first.label == "neutral"
    assert last.end == pytest.approx(12.0, abs=0.3) and last.label == "angry"
    for segment in timeline.segments:  # nothing in the pauses
        assert not (5.3 < segment.start < 6.8) and segment.end <= 12.3
    assert all(abs(sum(w.probabilities.values()) - 1) < 1e-3 for w in timeline.windows)


def test_smoothing_outvotes_a_single_odd_window():
    labels = ["angry", "calm"]
    rows = [0.8, 0.7, 0.3, 0.75, 0.8]  # probability of angry; the middle window disagrees
    windows = [
        Window(i * 1.5, i * 1.5 + 3, {"angry": p, "calm": 1 - p}) for i, p in enumerate(rows)
    ]
    segments = smooth(windows, labels, TimelineSettings(smoothing=3))
    assert [s.label for s in segments] == ["angry"]
    unsmoothed = smooth(windows, labels, TimelineSettings(smoothing=1))
    assert [s.label for s in unsmoothed] == ["angry", "calm", "angry"]
    assert unsmoothed[0].end == unsmoothed[1].start  # segments meet, never overlap


def test_a_recording_without_speech_has_no_segments(model, tmp_path):
    timeline = predict_timeline(model, write(tmp_path / "room.wav", silence(6.0)))
    assert timeline.segments == [] and timeline.speech_seconds < 0.5


def test_timeline_command_writes_json_csv_and_plot(model, conversation, tmp_path, capsys):
    out_csv, out_png = tmp_path / "t.csv", tmp_path / "t.png"
    code, out, err = run(
        [
            "predict",
            "--timeline",
            "--model",
            model.path,
            conversation,
            "--json",
            "--csv",
            out_csv,
            "--plot",
            out_png,
        ],
        capsys,
    )
    assert code == 0, err
    (timeline,) = json.loads(out)
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["label"] for r in rows] == [s["label"] for s in timeline["segments"]]
    assert out_png.stat().st_size > 10_000


def test_timeline_goes_on_past_a_bad_file(model, conversation, tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    code, out, err = run(
        ["predict", "--timeline", "--model", model.path, bad, conversation], capsys
    )
    assert code == 1
    assert "bad.wav" in one_error_line(err) and "0:" in out


def test_timeline_options_are_checked(model, conversation, capsys):
    code, _, err = run(["predict", "--model", model.path, conversation, "--plot", "x.png"], capsys)
    assert code != 0 and "--timeline" in one_error_line(err)
    code, _, err = run(
        ["predict", "--timeline", "--model", model.path, conversation, "--hop", "5"], capsys
    )
    assert code != 0 and "--hop" in one_error_line(err)


def test_stream_errors_name_the_file(tmp_path):
    bad = tmp_path / "x.flac"
    bad.write_bytes(b"\\x00" * 100)
    with pytest.raises(AudioError, match=r"x\.flac"):
        list(stream_audio(bad, 16000))


def test_timeline_reports_bad_files_as_plain_predict_does(model, tmp_path, capsys):
    bad = tmp_path / "bad"
    write(bad / "silent.wav", np.zeros(16000, np.float32))
    write(bad / "blip.wav", tone(300.0, 0.02))
    nan = tone(300.0, 1.0)
    nan[100] = np.nan
    write(bad / "nan.wav", nan, subtype="FLOAT")
    (bad / "empty.wav").write_bytes(b"")
    (bad / "text.wav").write_text("not audio")
    files = [*sorted(bad.iterdir()), bad / "missing.wav"]
    messages = {}
    for mode in ([], ["--timeline"]):
        code, _, err = run(["predict", "--model", model.path, *mode, *files], capsys)
        assert code == 1
        lines = [line for line in err.splitlines() if line.startswith("error:")]
        messages[bool(mode)] = sorted(lines)
    assert messages[True] == messages[False] and len(messages[False]) == len(files)
    for words in ("no such file", "empty file", "NaN", "silent", "too short", "not a readable"):
        assert any(words in line for line in messages[True]), words


def test_timeline_json_keeps_a_row_for_every_input(model, conversation, tmp_path, capsys):
    missing = tmp_path / "missing.wav"
    code, out, _ = run(
        ["predict", "--model", model.path, "--timeline", "--json", missing, conversation], capsys
    )
    rows = json.loads(out)
    assert code == 1 and [("error" in row) for row in rows] == [True, False]
    assert "no such file" in rows[0]["error"] and rows[1]["segments"]
