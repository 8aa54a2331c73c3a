"""The emotion names shared by every corpus reader, and each corpus's own labels mapped to them.

Each reader keeps the corpus's own label in ``original_label`` and puts the shared name in
``label``, so models trained on one corpus can be tested on another.
"""

from __future__ import annotations

from voxemo.emotions import EMOTIONS, display_order

__all__ = ["CREMA_D", "EMODB", "EMOTIONS", "SAVEE", "TESS", "display_order"]

TESS = {
    "neutral": "neutral",
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fear": "fearful",
    "disgust": "disgust",
    "ps": "surprised",
    "pleasant_surprise": "surprised",
    "pleasant_surprised": "surprised",
}
CREMA_D = {
    "NEU": "neutral",
    "HAP": "happy",
    "SAD": "sad",
    "ANG": "angry",
    "FEA": "fearful",
    "DIS": "disgust",
}
SAVEE = {
    "n": "neutral",
    "h": "happy",
    "sa": "sad",
    "a": "angry",
    "f": "fearful",
    "d": "disgust",
    "su": "surprised",
}
EMODB = {
    "N": "neutral",
    "F": "happy",  # Freude
    "T": "sad",  # Trauer
    "W": "angry",  # Wut
    "A": "fearful",  # Angst
    "E": "disgust",  # Ekel
    "L": "boredom",  # Langeweile
}
