"""Feature extraction over many files: one decode per file, parallel, cached.

The parent process hashes each file and serves what the cache holds; only the misses go to
worker processes, so a second run over the same files is a matter of reading small ``.npy``
files. A file that fails gives an error line and a NaN row; the batch goes on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.audio import Audio, audio_from_array, load_audio
from voxemo.audio.decode import check_length, check_readable
from voxemo.errors import AudioError, VoxemoError
from voxemo.features.base import FeatureSet, compute_features
from voxemo.features.cache import FeatureCache, content_digest, file_digest
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
    condition: str | None = None


# What a recording heard under a condition depends on besides the file and the condition: the
# code that degrades it and the libraries it calls (codecs, rooms, filters, resampling).
DEGRADING_CODE = ("voxemo.audio.conditions",)
DEGRADING_LIBRARIES = ("av", "numpy", "pyroomacoustics", "scipy", "soxr")


@functools.cache
def _degrading() -> str:
    from voxemo.provenance import code_digest, library_versions

    versions = library_versions(*DEGRADING_LIBRARIES)
    return json.dumps([code_digest(*DEGRADING_CODE), versions], sort_keys=True)


def condition_digest(digest: str, condition: str | None) -> str:
    """The cache key of a file (content ``digest``) heard under ``condition``: the file, the
    condition, and the code and library versions that degrade it, so features computed by
    other code are never read back (the file's own key without a condition).

    Examples
    --------
    >>> own = content_digest(b"RIFF")
    >>> condition_digest(own, None) == own, condition_digest(own, "telephone") == own
    (True, False)
    """
    if condition is None:
        return digest
    return content_digest(f"{digest}|{condition}|{_degrading()}".encode())


def degraded(audio: Audio, condition: str | None, digest: str, name: str) -> Audio:
    """``audio`` under a recording ``condition`` (see :mod:`voxemo.audio.conditions`), its
    random draws seeded by the file's content ``digest`` and the condition, so a file always
    degrades the same way."""
    if condition is None:
        return audio
    from voxemo.audio.conditions import apply_condition

    seed = content_digest(f"{digest}|{condition}".encode())
    rng = np.random.default_rng(int(seed[:16], 16))
    samples = apply_condition(condition, audio.samples, audio.sample_rate, rng)
    return audio_from_array(samples, audio.sample_rate, f"{name} (under {condition})")


def extract_features(
    paths: Sequence[str | Path],
    feature_sets: Sequence[FeatureSet],
    *,
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
    condition: str | None = None,
) -> ExtractionResult:
    """Compute the concatenated ``feature_sets`` for every path; with ``condition`` (e.g.
    ``"telephone"``), of each recording as heard under that recording condition."""
    names = [name for fs in feature_sets for name in fs.names()]
    values = np.full((len(paths), len(names)), np.nan, dtype=np.float32)
    errors: dict[int, str] = {}
    advance = progress or (lambda n: None)
    misses: list[_Task] = []
    hits = 0
    for index, path in enumerate(paths):
        cached = _lookup(str(path), feature_sets, cache, condition)
        if isinstance(cached, np.ndarray):
            values[index] = cached
            hits += 1
            advance(1)
        elif isinstance(cached, str):
            errors[index] = cached
            advance(1)
        else:
            misses.append(_Task(index, str(path), tuple(feature_sets), cache, condition))
    for index, row, error in map_unordered(_compute, misses, jobs or default_jobs()):
        if error is None:
            values[index] = row
        else:
            errors[index] = error
        advance(1)
    return ExtractionResult(values, names, errors, hits)


def _lookup(
    path: str, feature_sets: Sequence[FeatureSet], cache: FeatureCache | None, condition
) -> np.ndarray | str | None:
    """Cached features, an error line for an unreadable file, or None (must compute)."""
    if cache is None:
        return None
    try:
        check_readable(Path(path))
        check_length(str(path), path)
        digest = condition_digest(file_digest(path), condition)
    except AudioError as exc:
        return str(exc)
    parts = [cache.get(fs, digest) for fs in feature_sets]
    return None if any(part is None for part in parts) else np.concatenate(parts)


def _compute(task: _Task) -> tuple[int, np.ndarray | None, str | None]:
    try:
        audio = load_audio(task.path)
        own = file_digest(task.path)
        digest = condition_digest(own, task.condition)
        audio = degraded(audio, task.condition, own, task.path)
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
    except VoxemoError:
        raise  # the feature set itself is unusable (an encoder that cannot load): every file
    except Exception as exc:
        return (
            task.index,
            None,
            f"{task.path}: feature extraction failed ({type(exc).__name__}: {exc})",
        )
