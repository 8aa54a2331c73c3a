"""TESS, CREMA-D, SAVEE and EmoDB readers on synthetic audio laid out in each naming scheme."""

import json

import pytest

from conftest import EMOTION_VOICES, tone, write
from voxemo.audio import load_audio
from voxemo.cli.main import main
from voxemo.corpora import read_corpus
from voxemo.corpora.taxonomy import EMOTIONS


def labels_of(corpus) -> dict[str, str]:
    return dict(
        zip(
            corpus.table["path"].map(lambda p: p.rsplit("/", 1)[-1]),
            corpus.table["label"],
            strict=True,
        )
    )


def test_tess(tmp_path):
    root = tmp_path / "TESS"
    for speaker, folder, stem in [
        ("OAF", "OAF_angry", "OAF_back_angry"),
        ("OAF", "OAF_Pleasant_surprise", "OAF_back_ps"),
        ("YAF", "YAF_pleasant_surprised", "YAF_dog_pleasant_surprised"),
        ("YAF", "YAF_fear", "YAF_dog_fear"),
        ("YAF", "YAF_neutral", "YAF_dog_neutral"),
    ]:
        write(root / folder / f"{stem}.wav", tone(), 24414 if speaker == "YAF" else 16000)
    # A file that is really AIFF despite its .wav name.
    write(root / "OAF_sad" / "OAF_back_sad.wav", tone(), 16000, format="AIFF")
    write(root / "OAF_sad" / "OAF_sad_back.wav", tone())  # emotion not last: reported
    corpus = read_corpus(f"tess={root}")
    labels = labels_of(corpus)
    assert labels == {
        "OAF_back_angry.wav": "angry",
        "OAF_back_ps.wav": "surprised",
        "YAF_dog_pleasant_surprised.wav": "surprised",
        "YAF_dog_fear.wav": "fearful",
        "YAF_dog_neutral.wav": "neutral",
        "OAF_back_sad.wav": "sad",
    }
    assert set(corpus.table["speaker"]) == {"OAF", "YAF"} and set(corpus.table["gender"]) == {
        "female"
    }
    assert len(corpus.problems) == 1 and "unknown TESS emotion 'back'" in corpus.problems[0]
    aiff = corpus.table.loc[corpus.table["path"].str.endswith("OAF_back_sad.wav"), "path"].iloc[0]
    assert load_audio(aiff).duration == pytest.approx(1.0, abs=0.01)


def test_crema_d_with_demographics(tmp_path):
    root = tmp_path / "CREMA-D"
    for name in (
        "1001_DFA_ANG_XX",
        "1001_IEO_HAP_HI",
        "1002_TIE_NEU_XX",
        "1002_ITS_FEA_LO",
        "1091_WSI_DIS_MD",
        "1091_WSI_SAD_XX",
    ):
        write(root / "AudioWAV" / f"{name}.wav", tone())
    write(root / "AudioWAV" / "1001_DFA_BOR_XX.wav", tone())
    (root / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n"
        "1002,21,Female,Caucasian,Not Hispanic\n"
    )
    corpus = read_corpus(f"crema-d={root}")
    table = corpus.table.set_index(corpus.table["path"].map(lambda p: p.rsplit("/", 1)[-1]))
    assert table.loc["1001_DFA_ANG_XX.wav", "label"] == "angry"
    assert table.loc["1002_ITS_FEA_LO.wav", "label"] == "fearful"
    assert table.loc["1002_ITS_FEA_LO.wav", "level"] == "low"
    assert table.loc["1001_IEO_HAP_HI.wav", "gender"] == "male"
    assert table.loc["1002_TIE_NEU_XX.wav", "gender"] == "female"
    assert table["gender"].isna().sum() == 2  # actor 1091 is not in the demographics file
    assert table.loc["1091_WSI_DIS_MD.wav", "original_label"] == "DIS"
    assert len(corpus.problems) == 1 and "unknown CREMA-D emotion 'BOR'" in corpus.problems[0]


@pytest.mark.parametrize("layout", ["flat", "folders"])
def test_savee(tmp_path, layout):
    root = tmp_path / "SAVEE"
    for speaker in ("DC", "KL"):
        for code in ("a01", "sa02", "su03", "n01"):
            path = (
                root / f"{speaker}_{code}.wav"
                if layout == "flat"
                else root / speaker / f"{code}.wav"
            )
            write(path, tone())
    write(root / "XX_a01.wav", tone())
    corpus = read_corpus(f"savee={root}")
    assert len(corpus.table) == 8
    assert sorted(corpus.table["label"].unique()) == ["angry", "neutral", "sad", "surprised"]
    assert set(corpus.table["speaker"]) == {"DC", "KL"} and set(corpus.table["gender"]) == {"male"}
    assert any("unknown SAVEE speaker 'XX'" in p for p in corpus.problems)


def test_emodb(tmp_path):
    root = tmp_path / "emodb"
    for name in ("03a01Fa", "08b02Wb", "16a05Lc", "10a07Nd"):
        write(root / "wav" / f"{name}.wav", tone())
    write(root / "wav" / "03a01Xa.wav", tone())
    write(root / "wav" / "99a01Fa.wav", tone())
    corpus = read_corpus(f"emodb={root}")
    assert labels_of(corpus) == {
        "03a01Fa.wav": "happy",
        "08b02Wb.wav": "angry",
        "16a05Lc.wav": "boredom",
        "10a07Nd.wav": "neutral",
    }
    genders = dict(zip(corpus.table["speaker"], corpus.table["gender"], strict=True))
    assert genders == {"03": "male", "08": "female", "16": "female", "10": "male"}
    assert len(corpus.problems) == 2
    assert corpus.labels == [e for e in EMOTIONS if e in {"happy", "angry", "boredom", "neutral"}]


def test_cross_corpus_protocol_trains_on_one_and_tests_on_the_other(fake_ravdess, tmp_path, capsys):
    tess = tmp_path / "tess"
    names = {1: "neutral", 5: "angry"}
    for emotion, (freq, amp, noise) in EMOTION_VOICES.items():
        for i, word in enumerate(("back", "bar", "base")):
            for speaker in ("OAF", "YAF"):
                clip = tone(freq * (1.05 + 0.02 * i), 1.2, 16000, amp, noise, seed=i)
                write(
                    tess / f"{speaker}_{names[emotion]}" / f"{speaker}_{word}_{names[emotion]}.wav",
                    clip,
                )
    write(tess / "OAF_sad" / "OAF_back_sad.wav", tone(200.0))
    out = tmp_path / "cross.json"
    code = main(
        [
            "evaluate",
            "--protocol",
            "cross",
            "--train",
            f"ravdess={fake_ravdess}",
            "--test",
            f"tess={tess}",
            "--model",
            "logreg",
            "--no-tune",
            "--corpus-norm",
            "--json",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "sad (1 files)" in err
    result = json.loads(out.read_text())
    assert result["labels"] == ["neutral", "angry"]
    assert result["dropped_labels"] == {"train": {}, "test": {"sad": 1}}
    (fold,) = result["folds"]
    assert fold["fold"] == "ravdess -> tess" and fold["n_train"] == 32 and fold["n_test"] == 12
    assert all(p["path"].startswith(str(tess)) for p in result["predictions"])
    assert result["config"]["corpus_norm"] and result["speaker_independent"]


def test_cross_needs_train_and_test(fake_ravdess, capsys):
    assert (
        main(
            [
                "evaluate",
                "--protocol",
                "cross",
                "--train",
                f"ravdess={fake_ravdess}",
                "--model",
                "logreg",
            ]
        )
        == 1
    )
    assert "--protocol cross takes --train" in capsys.readouterr().err
    assert main(["evaluate", "--protocol", "emobox", "--model", "logreg"]) == 1
    assert "--corpus NAME=PATH is required" in capsys.readouterr().err
