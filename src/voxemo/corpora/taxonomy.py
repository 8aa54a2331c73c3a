"""The emotion names shared by every corpus reader, and each corpus's own labels mapped to them.

Each reader keeps the corpus's own label in ``original_label`` and puts the shared name in
``label``, so models trained on one corpus can be tested on another.
"""

from __future__ import annotations

# The shared taxonomy, in the order tables and figures list it.
EMOTIONS = (
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
    "boredom",
)

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
