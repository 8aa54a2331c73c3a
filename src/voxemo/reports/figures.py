"""Figures of recordings and corpora. Each function returns a matplotlib figure."""

from __future__ import annotations

import librosa
import librosa.display
import numpy as np
import pandas as pd
import parselmouth
from matplotlib.figure import Figure

from voxemo.reports.style import label_colors, plt

N_MELS = 64
N_FFT = 1024
HOP = 256
FMAX = 8000.0


def _mel_db(samples: np.ndarray, sr: int) -> np.ndarray:
    mel = librosa.feature.melspectrogram(
        y=samples, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, fmax=min(FMAX, sr / 2)
    )
    return librosa.power_to_db(mel, ref=np.max, top_db=80.0)


def _show_mel(ax, mel_db: np.ndarray, sr: int, **kwargs):
    return librosa.display.specshow(
        mel_db,
        sr=sr,
        hop_length=HOP,
        x_axis="s",
        y_axis="mel",
        fmax=min(FMAX, sr / 2),
        ax=ax,
        cmap="magma",
        **kwargs,
    )


def counts_figure(table: pd.DataFrame, column: str, order: list[str] | None = None) -> Figure:
    """Bar chart of how many recordings have each value of ``column``."""
    counts = table[column].astype(str).value_counts()
    counts = (
        counts.reindex([o for o in order if o in counts.index]) if order else counts.sort_index()
    )
    colors = label_colors(list(counts.index)) if column == "label" else None
    width = max(4.0, 0.35 * len(counts) + 1.5)
    fig, ax = plt.subplots(figsize=(width, 3.2))
    bars = ax.bar(
        counts.index,
        counts.values,
        color=[colors[c] for c in counts.index] if colors else "#0072B2",
        edgecolor="black",
        linewidth=0.4,
    )
    ax.bar_label(bars, fontsize=8)
    ax.set_xlabel(column.replace("_", " "))
    ax.set_ylabel("recordings")
    ax.set_title(f"recordings per {column.replace('_', ' ')} (n = {len(table)})")
    ax.tick_params(axis="x", rotation=45 if len(counts) > 6 else 0)
    fig.tight_layout()
    return fig


def distribution_figure(
    values: pd.Series, groups: pd.Series, order: list[str], xlabel: str, title: str
) -> Figure:
    """A violin per group (with its median marked), so distributions can be compared."""
    present = [g for g in order if (groups == g).any()]
    data = [values[groups == g].to_numpy(float) for g in present]
    colors = label_colors(present)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(present) + 1.5), 3.4))
    parts = ax.violinplot(data, showmedians=True, showextrema=False)
    for body, group in zip(parts["bodies"], present, strict=True):
        body.set_facecolor(colors[group])
        body.set_edgecolor("black")
        body.set_alpha(0.8)
    parts["cmedians"].set_color("black")
    ax.set_xticks(range(1, len(present) + 1), present, rotation=30)
    ax.set_ylabel(xlabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def example_figure(samples: np.ndarray, sr: int, title: str) -> Figure:
    """Waveform, log-mel spectrogram, MFCC, chroma, and pitch with energy of one recording."""
    # A narrow column holds the colour bars, so every panel spans the same stretch of time.
    fig, grid = plt.subplots(5, 2, figsize=(8.4, 11.0), gridspec_kw={"width_ratios": [1, 0.025]})
    axes, bars = grid[:, 0], grid[:, 1]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    for unused in (bars[0], bars[4]):
        unused.set_visible(False)
    times = np.arange(len(samples)) / sr
    axes[0].plot(times, samples, color="#0072B2", linewidth=0.5)
    axes[0].set_ylabel("amplitude")
    axes[0].set_title("waveform")
    image = _show_mel(axes[1], _mel_db(samples, sr), sr)
    fig.colorbar(image, cax=bars[1], format="%+.0f dB")
    axes[1].set_title("log-mel spectrogram")
    axes[1].set_ylabel("frequency (Hz)")
    mel_db = librosa.power_to_db(
        librosa.feature.melspectrogram(y=samples, sr=sr, n_fft=N_FFT, hop_length=HOP)
    )
    # c0 (overall level) would swamp the colour scale of the others; it is left out.
    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=20)[1:]
    limit = np.abs(mfcc).max()
    image = librosa.display.specshow(
        mfcc,
        sr=sr,
        hop_length=HOP,
        x_axis="s",
        ax=axes[2],
        cmap="coolwarm",
        vmin=-limit,
        vmax=limit,
    )
    fig.colorbar(image, cax=bars[2])
    axes[2].set_yticks(np.arange(0, 19, 3) + 0.5, [str(k) for k in range(1, 20, 3)])
    axes[2].set_title("MFCC 1-19")
    axes[2].set_ylabel("coefficient")
    chroma = librosa.feature.chroma_stft(y=samples, sr=sr, n_fft=N_FFT, hop_length=HOP, tuning=0.0)
    image = librosa.display.specshow(
        chroma,
        sr=sr,
        hop_length=HOP,
        x_axis="s",
        y_axis="chroma",
        ax=axes[3],
        cmap="viridis",
        vmin=0,
        vmax=1,
    )
    fig.colorbar(image, cax=bars[3])
    axes[3].set_title("chroma")
    axes[3].set_ylabel("pitch class")
    _pitch_and_energy(axes[4], samples, sr)
    axes[4].set_xlabel("time (s)")
    for ax in axes:
        ax.label_outer()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _pitch_and_energy(ax, samples: np.ndarray, sr: int) -> None:
    pitch = parselmouth.Sound(samples.astype(np.float64), sr).to_pitch(
        time_step=0.01, pitch_floor=75.0, pitch_ceiling=600.0
    )
    f0 = pitch.selected_array["frequency"]
    f0 = np.where(f0 > 0, f0, np.nan)
    ax.plot(pitch.xs(), f0, ".", color="#D55E00", markersize=3, label="F0")
    ax.set_ylabel("F0 (Hz)")
    ax.set_title("pitch (dots) and energy (line)")
    rms = librosa.feature.rms(y=samples, frame_length=N_FFT, hop_length=HOP)[0]
    energy = ax.twinx()
    energy.plot(
        librosa.times_like(rms, sr=sr, hop_length=HOP),
        librosa.amplitude_to_db(rms, ref=1.0),
        color="#0072B2",
        linewidth=1,
    )
    energy.set_ylabel("RMS energy (dBFS)")
    energy.spines["right"].set_visible(True)


def emotion_spectrograms_figure(items: list[tuple[str, np.ndarray, int]], title: str) -> Figure:
    """Log-mel spectrograms of one text spoken with different emotions, on one colour scale."""
    columns = min(4, len(items))
    rows = int(np.ceil(len(items) / columns))
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(2.9 * columns + 1.0, 2.6 * rows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    colors = label_colors([label for label, _, _ in items])
    image = None
    for ax, (label, samples, sr) in zip(axes.flat, items, strict=False):
        image = _show_mel(ax, _mel_db(samples, sr), sr, vmin=-80, vmax=0)
        ax.set_title(label, color="black", backgroundcolor=colors[label] + "55")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("frequency (Hz)")
        ax.label_outer()
    for ax in list(axes.flat)[len(items) :]:
        ax.set_visible(False)
    if image is not None:
        fig.colorbar(image, ax=axes, format="%+.0f dB", shrink=0.8)
    fig.suptitle(title)
    return fig


def mean_spectrum_figure(spectra: dict[str, np.ndarray], frequencies: np.ndarray) -> Figure:
    """Average log-mel spectrum (dB over frequency) of each emotion."""
    colors = label_colors(list(spectra))
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for label, spectrum in spectra.items():
        ax.plot(frequencies, spectrum, color=colors[label], linewidth=1.6, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("frequency (Hz, mel band centres)")
    ax.set_ylabel("mean log-mel energy (dB)")
    ax.set_title("average spectrum per emotion (active frames)")
    ax.legend(ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def embedding_figure(
    points: np.ndarray, labels: pd.Series, order: list[str], speakers: pd.Series | None, method: str
) -> Figure:
    """A 2-D map of utterance features coloured by emotion and, beside it, by speaker."""
    panels = 2 if speakers is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.6), squeeze=False)
    colors = label_colors([label for label in order if (labels == label).any()])
    ax = axes[0, 0]
    for label, color in colors.items():
        rows = (labels == label).to_numpy()
        ax.scatter(
            points[rows, 0],
            points[rows, 1],
            s=8,
            color=color,
            label=label,
            alpha=0.8,
            edgecolors="none",
        )
    ax.legend(markerscale=2, fontsize=8, frameon=False, loc="best")
    ax.set_title(f"{method}, coloured by emotion")
    if speakers is not None:
        codes, names = pd.factorize(speakers, sort=True)
        ax = axes[0, 1]
        ax.scatter(
            points[:, 0], points[:, 1], s=8, c=codes, cmap="tab20", alpha=0.6, edgecolors="none"
        )
        # tab20 repeats its colours: each speaker's name sits at the centre of its points.
        for code, name in enumerate(names):
            centre = np.median(points[codes == code], axis=0)
            ax.annotate(
                str(name).rsplit(":", 1)[-1],
                centre,
                fontsize=6,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.7, "lw": 0},
            )
        ax.set_title(f"{method}, coloured by speaker ({len(names)} speakers, named at centres)")
    for ax in axes.flat:
        ax.set_xlabel(f"{method} 1")
        ax.set_ylabel(f"{method} 2")
    fig.tight_layout()
    return fig


def confusion_figure(matrix: list[list[int]], labels: list[str], title: str) -> Figure:
    """Row-normalized confusion matrix (recall per true class) with the counts in each cell."""
    counts = np.asarray(matrix, dtype=float)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 1.6 + 0.75 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(rates, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted emotion")
    ax.set_ylabel("true emotion")
    ax.set_title(title, fontsize=10)
    for row in range(len(labels)):
        for col in range(len(labels)):
            ax.text(
                col,
                row,
                f"{rates[row, col]:.2f}\n({int(counts[row, col])})",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if rates[row, col] < 0.6 else "black",
            )
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
    fig.tight_layout()
    return fig


def accuracy_by_group_figure(accuracy: pd.Series, xlabel: str, title: str) -> Figure:
    """Accuracy of each fold or speaker, with the mean as a dashed line."""
    fig, ax = plt.subplots(figsize=(max(5.0, 0.32 * len(accuracy) + 1.5), 3.2))
    ax.bar(
        accuracy.index.astype(str),
        accuracy.values,
        color="#0072B2",
        edgecolor="black",
        linewidth=0.4,
    )
    ax.axhline(
        accuracy.mean(), color="#D55E00", linestyle="--", label=f"mean {accuracy.mean():.3f}"
    )
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.tick_params(axis="x", rotation=90 if len(accuracy) > 12 else 0)
    fig.tight_layout()
    return fig
