"""The emotion names every corpus reader maps its labels to, in the order voxemo lists them.

Kept apart from :mod:`voxemo.corpora` (which loads pandas) so that predicting needs none of it.
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


def display_order(labels) -> list[str]:
    """Labels once each, in the order of :data:`EMOTIONS` (others after, as first seen): the
    one order of every table, figure and output.

    Examples
    --------
    >>> display_order(["sad", "angry", "calm", "boredom", "sad"])
    ['calm', 'sad', 'angry', 'boredom']
    """
    unique = list(dict.fromkeys(labels))
    rank = {label: i for i, label in enumerate(EMOTIONS)}
    return sorted(unique, key=lambda label: rank.get(label, len(rank) + unique.index(label)))
