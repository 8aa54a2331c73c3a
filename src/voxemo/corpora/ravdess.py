"""RAVDESS (Livingstone & Russo, 2018): labels come from the 7-field file name.

``MM-VV-EE-II-SS-RR-AA``: modality, vocal channel, emotion, intensity, statement, repetition,
actor (odd = male, even = female).
"""

from __future__ import annotations

from pathlib import Path

from voxemo.corpora.table import Corpus, audio_files, make_corpus, require_directory

EMOTIONS = {
    1: "neutral",
    2: "calm",
    3: "happy",
    4: "sad",
    5: "angry",
    6: "fearful",
    7: "disgust",
    8: "surprised",
}
MODALITIES = {1: "audio-video", 2: "video-only", 3: "audio-only"}
VOCAL_CHANNELS = {1: "speech", 2: "song"}
INTENSITIES = {1: "normal", 2: "strong"}
STATEMENTS = {1: "Kids are talking by the door", 2: "Dogs are sitting by the door"}

# Speaker-independent folds of the EmoBox benchmark: test actors of each of the 6 folds.
EMOBOX_FOLDS: tuple[tuple[int, ...], ...] = (
    (1, 11, 20, 21),
    (4, 10, 12, 14),
    (8, 9, 19, 23),
    (3, 5, 7, 24),
    (2, 15, 16, 18),
    (6, 13, 17, 22),
)


def parse_ravdess_name(stem: str) -> dict:
    """Decode a RAVDESS file name (without extension); raises ValueError saying what is wrong."""
    parts = stem.split("-")
    if len(parts) != 7 or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ValueError("name is not seven two-digit fields MM-VV-EE-II-SS-RR-AA")
    modality, channel, emotion, intensity, statement, repetition, actor = map(int, parts)
    for value, table, what in (
        (modality, MODALITIES, "modality"),
        (channel, VOCAL_CHANNELS, "vocal channel"),
        (emotion, EMOTIONS, "emotion"),
        (intensity, INTENSITIES, "intensity"),
        (statement, STATEMENTS, "statement"),
    ):
        if value not in table:
            raise ValueError(f"unknown {what} code {value:02d}")
    if repetition not in (1, 2):
        raise ValueError(f"unknown repetition code {repetition:02d}")
    if not 1 <= actor <= 24:
        raise ValueError(f"actor {actor:02d} is outside 01-24")
    if emotion == 1 and intensity == 2:
        raise ValueError("neutral has no strong intensity")
    return {
        "label": EMOTIONS[emotion],
        "original_label": f"{emotion:02d}",
        "speaker": f"{actor:02d}",
        "gender": "male" if actor % 2 else "female",
        "modality": MODALITIES[modality],
        "vocal_channel": VOCAL_CHANNELS[channel],
        "emotion": EMOTIONS[emotion],
        "intensity": INTENSITIES[intensity],
        "statement": statement,
        "repetition": repetition,
        "actor": actor,
    }


def read_ravdess(root: str | Path) -> Corpus:
    """Read the official layout (``Actor_XX/*.wav`` or the FLAC copy) into a corpus table."""
    root = require_directory(Path(root))
    rows = []
    paths, problems = audio_files(root)
    for path in paths:
        try:
            fields = parse_ravdess_name(path.stem)
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
            continue
        rows.append({"path": str(path), **fields})
    return make_corpus("ravdess", root, rows, EMOTIONS.values(), problems)
