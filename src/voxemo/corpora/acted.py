"""Readers for the standard acted corpora whose labels are coded in file or folder names.

TESS, CREMA-D, SAVEE and EmoDB. Every file that does not fit the corpus's naming scheme is
reported with the reason, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from voxemo.corpora import taxonomy
from voxemo.corpora.table import Corpus, audio_files, make_corpus, require_directory

Parser = Callable[[Path], dict]


def read_named_corpus(name: str, root: Path, parse: Parser) -> Corpus:
    """Walk ``root``; ``parse`` turns a file path into table fields or raises ValueError."""
    root = require_directory(Path(root))
    rows = []
    paths, problems = audio_files(root)
    for path in paths:
        try:
            rows.append({"path": str(path), **parse(path)})
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
    return make_corpus(name, root, rows, taxonomy.EMOTIONS, problems)


def _mapped(code: str, mapping: dict[str, str], what: str) -> dict:
    if code not in mapping:
        raise ValueError(f"unknown {what} '{code}' (known: {', '.join(mapping)})")
    return {"label": mapping[code], "original_label": code}


# TESS: OAF_angry/OAF_back_angry.wav; two female speakers (older OAF, younger YAF).
TESS_NAME = re.compile(r"^(?P<speaker>OAF|YAF)_(?P<word>[a-z]+)_(?P<emotion>[a-z_]+)$", re.I)


def parse_tess(path: Path) -> dict:
    match = TESS_NAME.match(path.stem)
    if not match:
        raise ValueError("name is not SPEAKER_WORD_EMOTION with speaker OAF or YAF")
    speaker = match["speaker"].upper()
    return {
        **_mapped(match["emotion"].lower(), taxonomy.TESS, "TESS emotion"),
        "speaker": speaker,
        "gender": "female",
        "age_group": "older" if speaker == "OAF" else "younger",
        "word": match["word"].lower(),
    }


# CREMA-D: AudioWAV/1001_DFA_ANG_XX.wav
CREMA_NAME = re.compile(
    r"^(?P<actor>\d{4})_(?P<sentence>[A-Z]{3})_(?P<emotion>[A-Z]{3})_"
    r"(?P<level>LO|MD|HI|XX|X)$"
)
CREMA_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified", "X": "unspecified"}

# Speaker-independent folds of CREMA-D actors (crema5): test actors of each of the 5 folds,
# balanced by sex; every actor is tested exactly once.
# fmt: off
CREMA5_FOLDS: tuple[tuple[int, ...], ...] = (
    (
        1002, 1008, 1011, 1018, 1019, 1028, 1031, 1036, 1042, 1046, 1051, 1054, 1061, 1065, 1070,
        1075, 1083, 1084, 1090,
    ),
    (
        1003, 1009, 1014, 1020, 1022, 1029, 1032, 1038, 1044, 1047, 1055, 1057, 1063, 1066, 1071,
        1076, 1085, 1089,
    ),
    (
        1004, 1010, 1015, 1021, 1023, 1030, 1033, 1039, 1045, 1049, 1056, 1059, 1067, 1072, 1077,
        1078, 1086, 1091,
    ),
    (
        1001, 1006, 1012, 1016, 1024, 1026, 1034, 1037, 1040, 1048, 1052, 1058, 1062, 1068, 1073,
        1079, 1080, 1087,
    ),
    (
        1005, 1007, 1013, 1017, 1025, 1027, 1035, 1041, 1043, 1050, 1053, 1060, 1064, 1069, 1074,
        1081, 1082, 1088,
    ),
)
# fmt: on


def read_crema_d(root: str | Path) -> Corpus:
    """CREMA-D; speaker sex (and age, race, ethnicity) from VideoDemographics.csv if present."""
    root = Path(root)
    demographics = _crema_demographics(root)

    def parse(path: Path) -> dict:
        match = CREMA_NAME.match(path.stem)
        if not match:
            raise ValueError("name is not ACTOR_SENTENCE_EMOTION_LEVEL (e.g. 1001_DFA_ANG_XX)")
        actor = match["actor"]
        return {
            **_mapped(match["emotion"], taxonomy.CREMA_D, "CREMA-D emotion"),
            "speaker": actor,
            "sentence": match["sentence"],
            "level": CREMA_LEVELS[match["level"]],
            **demographics.get(actor, {}),
        }

    return read_named_corpus("crema-d", root, parse)


def _crema_demographics(root: Path) -> dict[str, dict]:
    found = sorted(Path(root).rglob("VideoDemographics.csv")) if Path(root).is_dir() else []
    if not found:
        return {}
    frame = pd.read_csv(found[0], dtype=str)
    out = {}
    for record in frame.to_dict("records"):
        sex = str(record.get("Sex", "")).strip().lower()
        out[str(record["ActorID"]).strip()] = {
            "gender": sex if sex in ("male", "female") else pd.NA,
            "age": record.get("Age"),
            "race": record.get("Race"),
            "ethnicity": record.get("Ethnicity"),
        }
    return out


# SAVEE: DC_a01.wav, or DC/a01.wav; four male speakers.
SAVEE_SPEAKERS = ("DC", "JE", "JK", "KL")
SAVEE_NAME = re.compile(r"^(?:(?P<speaker>[A-Z]{2})_)?(?P<emotion>sa|su|[adfhn])(?P<number>\d{2})$")


def parse_savee(path: Path) -> dict:
    match = SAVEE_NAME.match(path.stem)
    if not match:
        raise ValueError("name is not [SPEAKER_]EMOTIONNN (e.g. DC_a01 or DC/a01)")
    speaker = match["speaker"] or path.parent.name
    if speaker not in SAVEE_SPEAKERS:
        raise ValueError(f"unknown SAVEE speaker '{speaker}' (known: {', '.join(SAVEE_SPEAKERS)})")
    return {
        **_mapped(match["emotion"], taxonomy.SAVEE, "SAVEE emotion"),
        "speaker": speaker,
        "gender": "male",
        "sentence": int(match["number"]),
    }


# EmoDB: wav/03a01Fa.wav = speaker 03, text a01, emotion F, version a.
EMODB_NAME = re.compile(
    r"^(?P<speaker>\d{2})(?P<text>[ab]\d{2})(?P<emotion>[A-Z])(?P<version>[a-z])$"
)
EMODB_GENDER = {
    "03": "male",
    "08": "female",
    "09": "female",
    "10": "male",
    "11": "male",
    "12": "male",
    "13": "female",
    "14": "female",
    "15": "male",
    "16": "female",
}


def parse_emodb(path: Path) -> dict:
    match = EMODB_NAME.match(path.stem)
    if not match:
        raise ValueError("name is not SSTTTEV (speaker, text, emotion letter, version)")
    if match["speaker"] not in EMODB_GENDER:
        raise ValueError(f"unknown EmoDB speaker '{match['speaker']}'")
    return {
        **_mapped(match["emotion"], taxonomy.EMODB, "EmoDB emotion letter"),
        "speaker": match["speaker"],
        "gender": EMODB_GENDER[match["speaker"]],
        "text": match["text"],
        "version": match["version"],
    }


def read_tess(root: str | Path) -> Corpus:
    return read_named_corpus("tess", Path(root), parse_tess)


def read_savee(root: str | Path) -> Corpus:
    return read_named_corpus("savee", Path(root), parse_savee)


def read_emodb(root: str | Path) -> Corpus:
    return read_named_corpus("emodb", Path(root), parse_emodb)
