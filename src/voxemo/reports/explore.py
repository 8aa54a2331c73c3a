"""``voxemo explore``: figures of a corpus and one page that shows them.

Counts per field, durations and silence, one example recording in detail, one text spoken
with every emotion, per-emotion spectra, pitch and loudness, and 2-D maps of the utterance
features coloured by emotion and by speaker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.preprocessing import StandardScaler

from voxemo.audio import load_audio
from voxemo.corpora import Corpus
from voxemo.errors import VoxemoError
from voxemo.features import FeatureCache, parse_feature_spec
from voxemo.features.dataset import FeatureTable, featurize_corpus
from voxemo.features.extract import ProgressCallback
from voxemo.features.spectral import N_MELS as SPECTRAL_MELS
from voxemo.reports import figures, html
from voxemo.reports.style import save

PLOT_RATE = 22050
COUNT_COLUMNS = ("label", "gender", "intensity", "statement", "vocal_channel", "speaker")
MAX_CATEGORIES = 60
FEATURES = "overview+prosody+spectral"
MIN_MAP_POINTS = 3


@dataclass
class Shown:
    file: str
    title: str
    caption: str


def explore_corpus(
    corpus: Corpus,
    out: Path,
    *,
    example: str | Path | None = None,
    svg: bool = False,
    tsne: bool = True,
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Path, FeatureTable]:
    """Write the figures and ``index.html`` into ``out``; returns the page and the features."""
    data = featurize_corpus(
        corpus, parse_feature_spec(FEATURES), jobs=jobs, cache=cache, progress=progress
    )
    table = data.to_frame()
    shown: list[Shown] = []

    def add(name: str, make: Callable, title: str, caption: str) -> None:
        save(make(), out / f"{name}.png", svg)
        shown.append(Shown(f"{name}.png", title, caption))

    for column in COUNT_COLUMNS:
        if column in table and 1 < table[column].nunique() <= MAX_CATEGORIES:
            order = data.labels if column == "label" else None
            add(
                f"counts-{column}",
                lambda c=column, o=order: figures.counts_figure(table, c, o),
                f"Recordings per {column}",
                f"How many recordings have each {column}.",
            )
    labels = table["label"].astype(str)
    add(
        "durations",
        lambda: figures.distribution_figure(
            table["overview_duration_s"],
            labels,
            data.labels,
            "duration (s)",
            "duration per emotion",
        ),
        "Durations",
        "Length of each recording, per emotion.",
    )
    add(
        "silence",
        lambda: figures.distribution_figure(
            100 * table["overview_silence_ratio"],
            labels,
            data.labels,
            "silence (% of frames)",
            "silence per emotion",
        ),
        "Silence",
        "Share of 25 ms frames more than 40 dB below the recording's loudest frame.",
    )

    chosen = _example_row(table, example)
    add(
        "example",
        lambda: _example(chosen),
        "One recording in detail",
        f"{Path(chosen['path']).name} ({_describe(chosen)}): waveform, log-mel spectrogram, "
        "MFCCs 1-19, chroma, and pitch (Praat) with RMS energy.",
    )
    same_text, held = _same_text_rows(table, chosen, data.labels)
    if len(same_text) > 1:
        what = ", ".join(held) if held else "any recording"
        add(
            "emotions",
            lambda: _emotions(same_text, f"{what}: each emotion"),
            "Every emotion side by side",
            f"Log-mel spectrograms of one recording per emotion ({what}, as in the example), "
            "on one colour scale.",
        )

    add(
        "spectrum",
        lambda: _mean_spectra(table, data.labels),
        "Average spectrum per emotion",
        "Mean log-mel energy over active frames, averaged over the recordings of each emotion.",
    )
    voiced = table["prosody_voiced_ratio"] > 0
    add(
        "pitch",
        lambda: figures.distribution_figure(
            100 * 2 ** (table.loc[voiced, "prosody_f0_semitones_mean"] / 12),
            labels[voiced],
            data.labels,
            "mean F0 (Hz)",
            "pitch per emotion",
        ),
        "Pitch per emotion",
        "Mean fundamental frequency of each recording's voiced frames (Praat), per emotion.",
    )
    add(
        "energy",
        lambda: figures.distribution_figure(
            table["prosody_intensity_db_mean"],
            labels,
            data.labels,
            "mean intensity (dB)",
            "loudness per emotion",
        ),
        "Loudness per emotion",
        "Mean Praat intensity of each recording, per emotion (relative dB, not calibrated SPL).",
    )

    inputs = StandardScaler().fit_transform(
        table.filter(regex="^(prosody|spectral)_").to_numpy(np.float64)
    )
    speakers = table["speaker"].astype(str) if table["speaker"].notna().all() else None
    # A 2-D map needs a few points; t-SNE needs more than its perplexity can use.
    maps = [("pca", "PCA", lambda x: PCA(2, random_state=0).fit_transform(x))]
    maps = maps if len(table) >= MIN_MAP_POINTS else []
    if tsne and len(table) > 10:
        perplexity = min(30.0, (len(table) - 1) / 3)
        maps.append(
            (
                "tsne",
                "t-SNE",
                lambda x: TSNE(2, perplexity=perplexity, init="pca", random_state=0).fit_transform(
                    x
                ),
            )
        )
    neighbours = _neighbour_caption(inputs, labels, speakers)
    for name, method, project in maps:
        add(
            f"map-{name}",
            lambda m=method, p=project: figures.embedding_figure(
                p(inputs), labels, data.labels, speakers, m
            ),
            f"{method} map of the utterances",
            f"{method} of the standardized prosody and spectral features. {neighbours}",
        )
    page = html.write_page(
        out / "index.html",
        f"{corpus.name}: {len(table)} recordings",
        _sections(corpus, data, shown),
    )
    return page, data


NEIGHBOURS = 10


def _neighbour_caption(inputs: np.ndarray, labels: pd.Series, speakers: pd.Series | None) -> str:
    """What the features group by, measured: of each recording's nearest neighbours in the
    standardized features, how many share its speaker and how many its emotion, each against
    what chance would give."""
    from sklearn.neighbors import NearestNeighbors

    k = min(NEIGHBOURS, len(inputs) - 1)
    if k < 1:
        return ""
    near = NearestNeighbors(n_neighbors=k + 1).fit(inputs).kneighbors(inputs)[1][:, 1:]

    def share(values: np.ndarray) -> tuple[float, float, float]:
        """Neighbours alike, what chance gives, and how much of the room above chance the
        neighbours take (0: no grouping, 1: all neighbours alike)."""
        same = float(np.mean(values[near] == values[:, None]))
        _, counts = np.unique(values, return_counts=True)
        chance = float(np.sum((counts / counts.sum()) ** 2))
        return same, chance, (same - chance) / (1 - chance) if chance < 1 else 0.0

    emotion, emotion_chance, emotion_above = share(labels.to_numpy())
    text = (
        f"Of each recording's {k} nearest neighbours in these features, "
        f"{emotion:.0%} have its emotion (chance {emotion_chance:.0%})"
    )
    if speakers is None:
        return text + "."
    speaker, speaker_chance, speaker_above = share(speakers.to_numpy())
    grouped = "speaker" if speaker_above > emotion_above else "emotion"
    return (
        f"{text} and {speaker:.0%} its speaker (chance {speaker_chance:.0%}): of what lies "
        f"above chance they take {emotion_above:.0%} for emotion and {speaker_above:.0%} for "
        f"speaker, so the features group recordings by {grouped} more"
        + (
            ", which is why voxemo's headline numbers hold out whole speakers."
            if grouped == "speaker"
            else "."
        )
    )


def _describe(row: pd.Series) -> str:
    fields = [
        f"{k} {row[k]}"
        for k in ("label", "speaker", "gender", "intensity", "statement")
        if k in row and pd.notna(row[k])
    ]
    return ", ".join(fields)


def _example_row(table: pd.DataFrame, example: str | Path | None) -> pd.Series:
    """The requested file, else a neutral female first statement, else the first file."""
    if example is not None:
        matches = table[table["path"] == str(Path(example).resolve())]
        if matches.empty:
            raise VoxemoError(f"{example}: --example is not a usable recording of this corpus")
        return matches.iloc[0]
    preferred = table
    for column, value in (("label", "neutral"), ("gender", "female"), ("statement", 1)):
        if column in preferred and (preferred[column] == value).any():
            preferred = preferred[preferred[column] == value]
    return preferred.iloc[0]


def _same_text_rows(
    table: pd.DataFrame, chosen: pd.Series, labels: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """One recording per emotion by the example's speaker, saying its statement, at its
    intensity where that exists (fields the corpus lacks are not held fixed); also returns
    what was held fixed, for the caption."""
    rows, held = table, []
    for column in ("speaker", "statement", "sentence"):
        if column in table and pd.notna(chosen[column]):
            rows = rows[rows[column] == chosen[column]]
            held.append(f"{column} {chosen[column]}")
    if "intensity" in rows:
        rows = rows.assign(other_intensity=rows["intensity"] != chosen["intensity"])
        rows = rows.sort_values(["other_intensity", "path"])
    picked = pd.concat([rows[rows["label"] == label].head(1) for label in labels])
    return picked, held


def _example(row: pd.Series):
    audio = load_audio(row["path"], sr=PLOT_RATE)
    return figures.example_figure(audio.samples, audio.sample_rate, _describe(row))


def _emotions(rows: pd.DataFrame, title: str):
    items = []
    for _, row in rows.iterrows():
        audio = load_audio(row["path"], sr=PLOT_RATE)
        items.append((row["label"], audio.samples, audio.sample_rate))
    return figures.emotion_spectrograms_figure(items, title)


def _mean_spectra(table: pd.DataFrame, labels: list[str]):
    columns = [f"spectral_logmel{i:02d}_mean" for i in range(SPECTRAL_MELS)]
    spectra = {
        label: table.loc[table["label"] == label, columns].to_numpy().mean(axis=0)
        for label in labels
    }
    centres = librosa.mel_frequencies(n_mels=SPECTRAL_MELS + 2, fmax=8000.0)[1:-1]
    return figures.mean_spectrum_figure(spectra, centres)


def _sections(corpus: Corpus, data: FeatureTable, shown: list[Shown]) -> list[str]:
    counts = data.table["label"].value_counts()
    summary = html.table(
        ["emotion", "recordings"], [[label, int(counts.get(label, 0))] for label in data.labels]
    )
    sections = [
        f"<p>Corpus <b>{html.escape(corpus.name)}</b> read from "
        f"<code>{html.escape(str(corpus.root))}</code>: {len(data.table)} recordings, "
        f"{data.table['speaker'].nunique()} speakers, {len(data.labels)} emotions.</p>",
        summary,
    ]
    left_out = corpus.problems + data.errors
    if left_out:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in left_out[:50])
        sections.append(f'<p class="note">{len(left_out)} files left out:</p><ul>{items}</ul>')
    for item in shown:
        sections.append(
            f"<h2>{html.escape(item.title)}</h2>" + html.figure(item.file, item.caption)
        )
    return sections
