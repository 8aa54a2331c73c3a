"""Long recordings read block by block, mixed to mono and resampled as they stream, so an
hour of audio never has to fit in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voxemo.audio.decode import MIN_DURATION_S, SILENCE_PEAK, _short, check_readable
from voxemo.errors import AudioError


def stream_audio(
    path: str | Path, sample_rate: int, block_seconds: float = 20.0
) -> Iterator[np.ndarray]:
    """Mono float32 blocks at ``sample_rate``; errors name the file in one line, with the
    same checks and words as decoding a file whole (:mod:`voxemo.audio.decode`): missing,
    empty, not audio, no samples, too short, NaN samples, and, once it has all been read,
    all silent."""
    check_readable(Path(path))
    try:
        source = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({_short(exc)})") from None
    with source:
        if source.frames == 0:
            raise AudioError(f"{path}: contains no audio samples")
        if source.frames / source.samplerate < MIN_DURATION_S:
            seconds = source.frames / source.samplerate
            raise AudioError(
                f"{path}: too short ({seconds:.3f} s; at least {MIN_DURATION_S} s needed)"
            )
        resampler = soxr.ResampleStream(source.samplerate, sample_rate, 1, dtype="float32")
        size = max(1, int(block_seconds * source.samplerate))
        read, peak = 0, 0.0
        try:
            for block in source.blocks(blocksize=size, dtype="float32", always_2d=True):
                if not np.isfinite(block).all():
                    raise AudioError(f"{path}: contains NaN or infinite samples")
                read += len(block)
                peak = max(peak, float(np.abs(block).max(initial=0.0)))
                last = read >= source.frames
                yield resampler.resample_chunk(block.mean(axis=1), last=last)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(
                f"{path}: decoding failed after {read} samples ({_short(exc)})"
            ) from None
    if peak <= SILENCE_PEAK:
        raise AudioError(f"{path}: all samples are silent")
