"""Long recordings read block by block, mixed to mono and resampled as they stream, so an
hour of audio never has to fit in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voxemo.audio.decode import _short
from voxemo.errors import AudioError


def stream_audio(
    path: str | Path, sample_rate: int, block_seconds: float = 20.0
) -> Iterator[np.ndarray]:
    """Mono float32 blocks at ``sample_rate``; errors name the file in one line."""
    try:
        source = sf.SoundFile(str(path))
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({_short(exc)})") from None
    with source:
        if source.frames == 0:
            raise AudioError(f"{path}: no audio in the file")
        resampler = soxr.ResampleStream(source.samplerate, sample_rate, 1, dtype="float32")
        size = max(1, int(block_seconds * source.samplerate))
        read = 0
        try:
            for block in source.blocks(blocksize=size, dtype="float32", always_2d=True):
                read += len(block)
                last = read >= source.frames
                yield resampler.resample_chunk(block.mean(axis=1), last=last)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(
                f"{path}: decoding failed after {read} samples ({_short(exc)})"
            ) from None
