"""Figures of evaluation results (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_confusion(matrix: list[list[int]], labels: list[str], out: Path, title: str) -> Path:
    """Row-normalised confusion matrix (recall per true class) with the counts in each cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = np.asarray(matrix, dtype=float)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 1.6 + 0.75 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1.2, size), dpi=120)
    image = ax.imshow(rates, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted emotion")
    ax.set_ylabel("true emotion")
    ax.set_title(title, fontsize=10)
    for row in range(len(labels)):
        for col in range(len(labels)):
            light = rates[row, col] < 0.6
            ax.text(
                col,
                row,
                f"{rates[row, col]:.2f}\n({int(counts[row, col])})",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if light else "black",
            )
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of true class")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
