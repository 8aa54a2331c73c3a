"""The figure of ``voxemo predict --timeline --plot``: emotion over a long recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from voxemo.emotions import display_order
from voxemo.recognizer.timeline import Timeline
from voxemo.reports.style import label_colors, plt


def timeline_figure(timeline: Timeline, labels: list[str]) -> Figure:
    """Smoothed segments as coloured bands over the windows' probabilities, against time."""
    labels = display_order(labels)
    colors = label_colors(labels)
    figure, (curves, bands) = plt.subplots(
        2, 1, figsize=(11, 4.2), sharex=True, height_ratios=[3, 1], layout="constrained"
    )
    # A gap in the speech is a gap in the curves (NaN breaks a matplotlib line).
    centres, rows = [], []
    for previous, window in zip([None, *timeline.windows], timeline.windows, strict=False):
        if previous and window.start > previous.end:
            centres.append((previous.end + window.start) / 2)
            rows.append(None)
        centres.append((window.start + window.end) / 2)
        rows.append(window.probabilities)
    for label in labels:
        values = [row[label] if row else np.nan for row in rows]
        curves.plot(centres, values, marker=".", lw=1.2, color=colors[label], label=label)
    curves.set_ylim(0, 1)
    curves.set_ylabel("probability")
    curves.set_title(f"{Path(timeline.path).name}: emotion over time")
    curves.legend(
        ncol=min(len(labels), 8),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        frameon=False,
        fontsize=8,
    )
    for segment in timeline.segments:
        bands.axvspan(
            segment.start,
            segment.end,
            color=colors[segment.label],
            alpha=0.35 + 0.65 * segment.confidence,
        )
        bands.text(
            (segment.start + segment.end) / 2,
            0.5,
            segment.label,
            ha="center",
            va="center",
            fontsize=8,
            clip_on=True,
        )
    bands.set_yticks([])
    bands.set_xlim(0, max(timeline.duration, 1e-3))
    bands.set_xlabel("time (s)")
    bands.set_ylabel("segments")
    bands.set_title(
        "segments after smoothing: colour = emotion, the stronger the colour the higher its "
        "mean probability; white = no speech"
        + ("; adapted to the voice" if timeline.adapted else ""),
        fontsize=8,
        loc="left",
    )
    return figure
