"""Many files decoded to one sample rate in parallel; bad files become error lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from voxemo.audio.decode import load_audio
from voxemo.errors import AudioError
from voxemo.parallel import default_jobs, map_unordered


@dataclass
class Waveforms:
    """``samples[i]`` belongs to ``paths[i]``; it is None where ``errors`` has the reason."""

    samples: list[np.ndarray | None]
    sample_rate: int
    errors: dict[int, str]


def _load(sample_rate: int, task: tuple[int, str]) -> tuple[int, np.ndarray | None, str | None]:
    index, path = task
    try:
        return index, load_audio(path, sample_rate).samples, None
    except AudioError as exc:
        return index, None, str(exc)


def load_waveforms(
    paths: Sequence[str | Path],
    sample_rate: int,
    *,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Waveforms:
    samples: list[np.ndarray | None] = [None] * len(paths)
    errors: dict[int, str] = {}
    tasks = [(index, str(path)) for index, path in enumerate(paths)]
    for index, wave, error in map_unordered(
        partial(_load, sample_rate), tasks, jobs or default_jobs()
    ):
        samples[index] = wave
        if error:
            errors[index] = error
        if progress:
            progress(1)
    return Waveforms(samples, sample_rate, errors)
