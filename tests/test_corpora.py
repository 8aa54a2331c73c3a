import pandas as pd
import pytest

from conftest import make_ravdess, tone, write
from voxemo.corpora import parse_corpus_spec, parse_ravdess_name, read_corpus
from voxemo.corpora.csv_table import read_csv_corpus
from voxemo.corpora.folder import read_folder
from voxemo.corpora.ravdess import read_ravdess
from voxemo.errors import CorpusError


def test_parse_ravdess_name_decodes_every_field():
    fields = parse_ravdess_name("03-01-06-02-01-02-13")
    assert fields == {
        "label": "fearful",
        "original_label": "06",
        "speaker": "13",
        "gender": "male",
        "modality": "audio-only",
        "vocal_channel": "speech",
        "emotion": "fearful",
        "intensity": "strong",
        "statement": 1,
        "repetition": 2,
        "actor": 13,
    }
    assert parse_ravdess_name("03-02-08-01-02-01-24")["gender"] == "female"
    assert parse_ravdess_name("03-02-08-01-02-01-24")["vocal_channel"] == "song"


@pytest.mark.parametrize(
    ("stem", "reason"),
    [
        ("03-01-06-02-01-02", "seven two-digit fields"),
        ("03-01-6-02-01-02-13", "seven two-digit fields"),
        ("03-01-09-01-01-01-01", "unknown emotion code 09"),
        ("04-01-01-01-01-01-01", "unknown modality"),
        ("03-01-01-01-01-03-01", "unknown repetition"),
        ("03-01-01-01-01-01-25", "outside 01-24"),
        ("03-01-01-02-01-01-01", "neutral has no strong intensity"),
    ],
)
def test_parse_ravdess_name_rejects_malformed(stem, reason):
    with pytest.raises(ValueError, match=reason):
        parse_ravdess_name(stem)


def test_ravdess_reader_reads_wav_and_flac_and_reports_the_rest(tmp_path):
    root = make_ravdess(tmp_path / "r", actors=(1, 2), files_per_emotion=2)
    write(root / "Actor_03" / "03-01-05-02-01-01-03.flac", tone(), format="FLAC")
    write(root / "Actor_03" / "03-01-99-01-01-01-03.wav", tone())
    (root / "README.txt").write_text("documentation is skipped without a word")
    (root / "Actor_03" / "take.bin").write_bytes(b"stray")
    (root / ".DS_Store").write_text("hidden files are ignored")
    corpus = read_ravdess(root)
    assert len(corpus.table) == 9
    assert set(corpus.table["actor"]) == {1, 2, 3}
    assert corpus.labels == ["neutral", "angry"]  # RAVDESS order, only those present
    for column in ("path", "label", "speaker", "gender", "corpus", "intensity", "statement"):
        assert column in corpus.table
    assert len(corpus.problems) == 2
    assert any("unknown emotion code 99" in p for p in corpus.problems)
    assert any("take.bin: not an audio file" in p for p in corpus.problems)


def test_missing_corpus_folder_is_one_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        read_ravdess(tmp_path / "nowhere")


def test_empty_corpus_is_an_error(tmp_path):
    (tmp_path / "x.dat").write_text("x")
    with pytest.raises(CorpusError, match=r"no usable recordings.*not an audio file"):
        read_ravdess(tmp_path)


def test_folder_reader(tmp_path):
    write(tmp_path / "happy" / "a.wav", tone())
    write(tmp_path / "happy" / "more" / "b.flac", tone(), format="FLAC")
    write(tmp_path / "sad" / "c.wav", tone())
    write(tmp_path / "loose.wav", tone())
    corpus = read_folder(tmp_path)
    assert sorted(corpus.table["label"]) == ["happy", "happy", "sad"]
    assert corpus.table["speaker"].isna().all() and not corpus.has_speakers
    assert corpus.problems == [f"{tmp_path / 'loose.wav'}: not inside a label folder"]


def test_csv_reader_resolves_relative_paths_and_reports_missing(tmp_path):
    write(tmp_path / "audio" / "a.wav", tone())
    write(tmp_path / "audio" / "b.wav", tone())
    pd.DataFrame(
        {
            "path": ["audio/a.wav", "audio/b.wav", "audio/gone.wav"],
            "label": ["happy", "sad", "sad"],
            "speaker": ["s1", "s2", "s2"],
            "session": ["x", "y", "z"],
        }
    ).to_csv(tmp_path / "list.csv", index=False)
    corpus = read_csv_corpus(tmp_path / "list.csv")
    assert list(corpus.table["speaker"]) == ["s1", "s2"]
    assert list(corpus.table["session"]) == ["x", "y"]
    assert corpus.table["path"].iloc[0] == str(tmp_path / "audio" / "a.wav")
    assert len(corpus.problems) == 1 and "gone.wav" in corpus.problems[0]


def test_csv_paths_the_system_cannot_use_are_problems_of_their_line(tmp_path):
    write(tmp_path / "a.wav", tone())
    long_name = "a" * 300 + ".wav"
    (tmp_path / "list.csv").write_bytes(
        f"path,label\na.wav,sad\nb\x00.wav,sad\n{long_name},sad\n".encode()
    )
    corpus = read_csv_corpus(tmp_path / "list.csv")
    assert len(corpus.table) == 1
    assert [problem.split(": ", 1)[0] for problem in corpus.problems] == [
        f"{tmp_path / 'list.csv'}:3",
        f"{tmp_path / 'list.csv'}:4",
    ]
    assert all("not a usable path" in problem for problem in corpus.problems)
    assert long_name not in corpus.problems[1]


def test_csv_reader_requires_path_and_label(tmp_path):
    (tmp_path / "list.csv").write_text("file,emotion\na.wav,happy\n")
    with pytest.raises(CorpusError, match="missing column"):
        read_csv_corpus(tmp_path / "list.csv")


@pytest.mark.parametrize(
    ("spec", "message"),
    [("ravdess", "expected NAME=PATH"), ("iemocap=/x", "unknown corpus 'iemocap'")],
)
def test_corpus_spec_errors(spec, message):
    with pytest.raises(CorpusError, match=message):
        parse_corpus_spec(spec)


def test_read_corpus_by_name(fake_ravdess):
    assert read_corpus(f"ravdess={fake_ravdess}").name == "ravdess"
