"""A corpus table joined to its model inputs (feature matrix or decoded audio), without the
files that failed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from voxemo.audio.batch import load_waveforms
from voxemo.corpora import Corpus
from voxemo.features.base import FeatureSet
from voxemo.features.cache import FeatureCache
from voxemo.features.extract import ProgressCallback, extract_features


@dataclass
class FeatureTable:
    """Rows of ``table`` and ``features`` correspond; ``errors`` lists the files left out."""

    table: pd.DataFrame
    features: np.ndarray
    names: list[str]
    labels: list[str]
    errors: list[str]

    def to_frame(self) -> pd.DataFrame:
        values = pd.DataFrame(self.features, columns=self.names, index=self.table.index)
        return pd.concat([self.table, values], axis=1)


def speaker_groups(speakers: pd.Series) -> np.ndarray | None:
    """Speakers as strings for grouped splits, or None unless every file has one."""
    return speakers.astype(str).to_numpy() if speakers.notna().all() else None


def featurize_corpus(
    corpus: Corpus,
    feature_sets: list[FeatureSet],
    *,
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
    condition: str | None = None,
) -> FeatureTable:
    """The features of every recording of a corpus, one decode per file, cached.

    Parameters
    ----------
    corpus : Corpus
        From :func:`voxemo.corpora.read_corpus`.
    feature_sets : list of FeatureSet
        From :func:`voxemo.features.parse_feature_spec`, e.g. ``"spectral+prosody"``.
    jobs : int or None
        Worker processes (None: every core).
    cache : FeatureCache or None
        Where features are kept by file content (None: computed every time).
    progress : callable or None
        Called with the number of files done since the last call.
    condition : str or None
        Compute the features of each recording as heard under a recording condition
        (``"telephone"``, ``"opus:16"``, ``"random"``, ...; see
        :mod:`voxemo.audio.conditions`).

    Returns
    -------
    FeatureTable
        The rows of the recordings that could be used, their features (one column per
        name), the labels, and one error line per file left out.

    Examples
    --------
    >>> import tempfile, numpy as np, soundfile as sf
    >>> from pathlib import Path
    >>> from voxemo.corpora import read_corpus
    >>> from voxemo.features import parse_feature_spec
    >>> root = Path(tempfile.mkdtemp())
    >>> for label in ("calm", "angry"):
    ...     (root / label).mkdir()
    ...     sf.write(root / label / "take1.wav", 0.3 * np.sin(np.arange(16000) / 5), 16000)
    >>> data = featurize_corpus(read_corpus(f"folder={root}"), parse_feature_spec("spectral"))
    >>> data.features.shape, data.errors
    ((2, 798), [])
    """
    result = extract_features(
        corpus.table["path"].tolist(),
        feature_sets,
        jobs=jobs,
        cache=cache,
        progress=progress,
        condition=condition,
    )
    keep = result.ok
    table = corpus.table[keep].reset_index(drop=True)
    errors = [result.errors[index] for index in sorted(result.errors)]
    labels = [label for label in corpus.labels if label in set(table["label"])]
    return FeatureTable(table, result.values[keep], result.names, labels, errors)


def augmented_copies(
    data: FeatureTable,
    feature_sets: list[FeatureSet],
    *,
    condition: str = "random",
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureTable:
    """The features of every file of ``data`` heard under ``condition`` (by default one drawn
    at random per file), row for row with ``data``: a file the condition leaves unusable (a
    clip clipped or gained into silence, say) keeps its clean features, so no row is lost."""
    result = extract_features(
        data.table["path"].tolist(),
        feature_sets,
        jobs=jobs,
        cache=cache,
        progress=progress,
        condition=condition,
    )
    features = np.where(result.ok[:, None], result.values, data.features)
    errors = [result.errors[index] for index in sorted(result.errors)]
    return FeatureTable(data.table, features, data.names, data.labels, errors)


@dataclass
class WaveTable:
    """Rows of ``table`` and decoded ``waves`` correspond: the inputs of neural models, which
    compute their own spectrograms (with augmentation) while training."""

    table: pd.DataFrame
    waves: list[np.ndarray]
    sample_rate: int
    labels: list[str]
    errors: list[str]


def load_corpus_waves(
    corpus: Corpus,
    sample_rate: int,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> WaveTable:
    loaded = load_waveforms(
        corpus.table["path"].tolist(), sample_rate, jobs=jobs, progress=progress
    )
    keep = np.array([index not in loaded.errors for index in range(len(corpus.table))], bool)
    table = corpus.table[keep].reset_index(drop=True)
    waves = [wave for wave in loaded.samples if wave is not None]
    labels = [label for label in corpus.labels if label in set(table["label"])]
    errors = [loaded.errors[index] for index in sorted(loaded.errors)]
    return WaveTable(table, waves, sample_rate, labels, errors)


def degrade_waves(data: WaveTable, condition: str) -> WaveTable:
    """The same recordings heard under a recording ``condition`` (see
    :mod:`voxemo.audio.conditions`); each file's random draws are seeded by its path."""
    import hashlib

    from voxemo.audio.conditions import parse_condition

    degrade = parse_condition(condition)
    waves = []
    for path, wave in zip(data.table["path"].astype(str), data.waves, strict=True):
        seed = int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "little")
        waves.append(degrade(wave, data.sample_rate, np.random.default_rng(seed)))
    return WaveTable(data.table, waves, data.sample_rate, data.labels, data.errors)
