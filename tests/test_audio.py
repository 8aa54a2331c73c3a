import numpy as np
import pytest
import soundfile as sf

from conftest import tone, write
from voxemo.audio import Audio, load_audio, resample
from voxemo.audio.stream import stream_audio
from voxemo.errors import AudioError


def dominant_frequency(audio: Audio) -> float:
    spectrum = np.abs(np.fft.rfft(audio.samples * np.hanning(len(audio.samples))))
    return float(np.fft.rfftfreq(len(audio.samples), 1 / audio.sample_rate)[spectrum.argmax()])


FORMATS = [
    ("a.wav", "WAV", "PCM_U8"),
    ("a.wav", "WAV", "PCM_16"),
    ("a.wav", "WAV", "PCM_24"),
    ("a.wav", "WAV", "PCM_32"),
    ("a.wav", "WAV", "FLOAT"),
    ("a.wav", "WAV", "DOUBLE"),
    ("a.flac", "FLAC", "PCM_16"),
    ("a.flac", "FLAC", "PCM_24"),
    ("a.ogg", "OGG", "VORBIS"),
    ("a.mp3", "MP3", "MPEG_LAYER_III"),
]


@pytest.mark.parametrize(("name", "fmt", "subtype"), FORMATS)
def test_reads_every_supported_encoding(tmp_path, name, fmt, subtype):
    if fmt not in sf.available_formats():
        pytest.skip(f"this libsndfile cannot write {fmt}")
    path = write(tmp_path / name, tone(440.0, 0.5, 22050), 22050, format=fmt, subtype=subtype)
    audio = load_audio(path)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.sample_rate == 22050
    assert audio.duration == pytest.approx(0.5, abs=0.06)  # MP3 pads a few frames
    assert dominant_frequency(audio) == pytest.approx(440.0, abs=5.0)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resamples_to_any_rate_keeping_pitch_and_duration(tmp_path, rate):
    path = write(tmp_path / "a.wav", tone(440.0, 0.8, rate), rate)
    audio = load_audio(path, sr=16000)
    assert audio.sample_rate == 16000
    assert audio.duration == pytest.approx(0.8, abs=1e-3)
    assert dominant_frequency(audio) == pytest.approx(440.0, abs=3.0)


def test_resample_same_rate_is_identity():
    audio = Audio(tone(), 16000)
    assert resample(audio, 16000) is audio


def test_mixes_any_channel_count_to_mono(tmp_path):
    left, right = tone(440.0, 0.5, amp=0.2), tone(440.0, 0.5, amp=0.4)
    path = write(tmp_path / "a.wav", np.stack([left, right, np.zeros_like(left)], axis=1))
    audio = load_audio(path)
    np.testing.assert_allclose(audio.samples, (left + right) / 3, atol=1e-4)


def one_line_error(path) -> str:
    with pytest.raises(AudioError) as info:
        load_audio(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_missing_file(tmp_path):
    assert "no such file" in one_line_error(tmp_path / "nope.wav")


def test_directory(tmp_path):
    assert "directory" in one_line_error(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert "empty" in one_line_error(path)


def test_text_file_renamed_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n" * 20)
    assert "not a readable audio file" in one_line_error(path)


def test_header_without_samples(tmp_path):
    path = write(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32))
    assert "no audio samples" in one_line_error(path)


def test_too_short(tmp_path):
    path = write(tmp_path / "short.wav", tone(440.0, 0.02))
    assert "too short" in one_line_error(path)


def test_all_silent(tmp_path):
    path = write(tmp_path / "silent.wav", np.zeros(16000, dtype=np.float32))
    assert "silent" in one_line_error(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_samples(tmp_path, bad):
    samples = tone(440.0, 0.5)
    samples[100] = bad
    path = write(tmp_path / "bad.wav", samples, subtype="FLOAT")
    assert "NaN or infinite" in one_line_error(path)


def test_a_small_file_holding_hours_is_refused_before_it_is_decoded(tmp_path, capsys):
    import soundfile as sf

    from conftest import one_error_line, run

    path = tmp_path / "hours.flac"
    block = np.zeros(8000 * 600, np.float32)  # ten minutes of silence at 8 kHz
    with sf.SoundFile(path, "w", 8000, 1, format="FLAC") as out:
        for _ in range(18):  # three hours, written in blocks
            out.write(block)
    assert path.stat().st_size < 5_000_000
    code, _, err = run(["predict", path], capsys)
    assert code == 1 and "10800 s of audio is longer than the 600 s" in one_error_line(err)
    assert "--timeline" in err


def test_a_header_that_lies_about_its_length_never_decodes_more_than_the_limit(
    tmp_path, monkeypatch
):
    import soundfile as sf

    from voxemo.audio import decode

    monkeypatch.setattr(decode, "MAX_DECODED_SECONDS", 2)
    path = tmp_path / "liar.wav"
    sf.write(path, tone(220.0, 5.0), 16000)  # 5 s, then the header is made to say 1 s
    data = bytearray(path.read_bytes())
    at = data.find(b"data")
    data[at + 4 : at + 8] = (16000 * 2).to_bytes(4, "little")
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert sf.info(path).frames == 16000  # libsndfile believes the header
    decoded = []
    real_read = sf.read
    monkeypatch.setattr(
        decode.sf, "read", lambda *a, **k: decoded.append(k["frames"]) or real_read(*a, **k)
    )
    assert decode.load_audio(path).duration == 1.0  # the header's second, no more
    assert decoded == [2 * 16000 + 1]


def test_a_stream_of_unknown_length_is_cut_at_the_limit(tmp_path, monkeypatch):
    from voxemo.audio import decode

    monkeypatch.setattr(decode, "MAX_DECODED_SECONDS", 2)
    monkeypatch.setattr(decode, "UNKNOWN_FRAMES", 16000)  # as if the header knew no length
    path = write(tmp_path / "long.wav", tone(220.0, 5.0))
    with pytest.raises(AudioError, match="more than the 2 s one prediction decodes"):
        decode.load_audio(path)


def test_float_samples_far_outside_full_scale_are_refused(tmp_path):
    path = write(tmp_path / "garbage.wav", np.full(16000, 3e37, np.float32), subtype="FLOAT")
    with pytest.raises(AudioError, match=r"garbage.wav: samples reach 3e\+37, far outside"):
        load_audio(path)
    with pytest.raises(AudioError, match="far outside"):
        list(stream_audio(path, 16000))
    loud = write(tmp_path / "loud.wav", np.full(16000, 1.5, np.float32), subtype="FLOAT")
    assert load_audio(loud).samples.max() == pytest.approx(1.5)
