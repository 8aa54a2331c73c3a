"""Feature extraction over many files: one decode per file, parallel, cached.

The parent process hashes each file and serves what the cache holds; only the misses go to
worker processes, so a second run over the same files is a matter of reading small ``.npy``
files. A file that fails gives an error line and a NaN row; the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.audio import decode_audio
from voxemo.audio.decode import read_bytes
from voxemo.errors import AudioError
from voxemo.features.base import FeatureSet, compute_features
from voxemo.features.cache import FeatureCache, content_digest
from voxemo.parallel import default_jobs, map_unordered

ProgressCallback = Callable[[int], None]


@dataclass
class ExtractionResult:
    """``values[i]`` belongs to ``paths[i]``; rows of failed files are NaN."""

    values: np.ndarray
    names: list[str]
    errors: dict[int, str]
    cache_hits: int

    @property
    def ok(self) -> np.ndarray:
        """Mask of the files whose features were computed."""
        return np.array([index not in self.errors for index in range(len(self.values))], bool)


@dataclass(frozen=True)
class _Task:
    index: int
    path: str
    feature_sets: tuple[FeatureSet, ...]
    cache: FeatureCache | None


def extract_features(
    paths: Sequence[str | Path],
    feature_sets: Sequence[FeatureSet],
    *,
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
) -> ExtractionResult:
    """Compute the concatenated ``feature_sets`` for every path."""
    names = [name for fs in feature_sets for name in fs.names()]
    values = np.full((len(paths), len(names)), np.nan, dtype=np.float32)
    errors: dict[int, str] = {}
    advance = progress or (lambda n: None)
    misses: list[_Task] = []
    hits = 0
    for index, path in enumerate(paths):
        cached = _lookup(str(path), feature_sets, cache)
        if isinstance(cached, np.ndarray):
            values[index] = cached
            hits += 1
            advance(1)
        elif isinstance(cached, str):
            errors[index] = cached
            advance(1)
        else:
            misses.append(_Task(index, str(path), tuple(feature_sets), cache))
    for index, row, error in map_unordered(_compute, misses, jobs or default_jobs()):
        if error is None:
            values[index] = row
        else:
            errors[index] = error
        advance(1)
    return ExtractionResult(values, names, errors, hits)


def _lookup(
    path: str, feature_sets: Sequence[FeatureSet], cache: FeatureCache | None
) -> np.ndarray | str | None:
    """Cached features, an error line for an unreadable file, or None (must compute)."""
    if cache is None:
        return None
    try:
        digest = content_digest(read_bytes(Path(path)))
    except AudioError as exc:
        return str(exc)
    parts = [cache.get(fs, digest) for fs in feature_sets]
    return None if any(part is None for part in parts) else np.concatenate(parts)


def _compute(task: _Task) -> tuple[int, np.ndarray | None, str | None]:
    try:
        data = read_bytes(Path(task.path))
        audio = decode_audio(data, task.path)
        digest = content_digest(data)
        parts = []
        for fs in task.feature_sets:
            part = task.cache.get(fs, digest) if task.cache else None
            if part is None:
                part = compute_features(audio, fs)
                if task.cache:
                    task.cache.put(fs, digest, part)
            parts.append(part)
        return task.index, np.concatenate(parts), None
    except AudioError as exc:
        return task.index, None, str(exc)
    except Exception as exc:
        return (
            task.index,
            None,
            f"{task.path}: feature extraction failed ({type(exc).__name__}: {exc})",
        )
