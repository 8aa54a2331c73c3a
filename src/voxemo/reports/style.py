"""One look for every figure: colour-blind-safe colours, readable sizes, fixed emotion colours."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
EMOTION_COLORS = {
    "neutral": "#7F7F7F",
    "calm": "#56B4E9",
    "happy": "#E69F00",
    "sad": "#0072B2",
    "angry": "#D55E00",
    "fearful": "#CC79A7",
    "disgust": "#009E73",
    "surprised": "#F0E442",
}
DPI = 110
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
}
plt.rcParams.update(STYLE)


def label_colors(labels: list[str]) -> dict[str, str]:
    """The fixed colour of each known emotion; other labels take the remaining palette."""
    spare = iter([c for c in OKABE_ITO if c not in EMOTION_COLORS.values()] + OKABE_ITO * 4)
    return {label: EMOTION_COLORS.get(label) or next(spare) for label in labels}


def save(figure, out: Path, svg: bool = False) -> Path:
    """Write ``out`` (PNG) and, on request, an SVG beside it; closes the figure."""
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=DPI)
    if svg:
        figure.savefig(out.with_suffix(".svg"))
    plt.close(figure)
    return out
