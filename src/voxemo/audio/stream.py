"""Long recordings read block by block, mixed to mono and resampled as they stream, so an
hour of audio never has to fit in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import soxr

from voxemo.audio.decode import (
    MAX_CHANNELS,
    MAX_SAMPLE_RATE,
    MIN_DURATION_S,
    SILENCE_PEAK,
    _short,
    check_peak,
    check_readable,
)
from voxemo.errors import AudioError


def stream_audio(
    path: str | Path | BinaryIO,
    sample_rate: int,
    block_seconds: float = 20.0,
    *,
    name: str | None = None,
) -> Iterator[np.ndarray]:
    """Mono float32 blocks at ``sample_rate``; errors name the file in one line, with the
    same checks and words as decoding a file whole (:mod:`voxemo.audio.decode`): missing,
    empty, not audio, no samples, too short, NaN samples, and, once it has all been read,
    all silent.

    ``path`` may also be a seekable binary file object (an upload), named ``name`` in errors.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> buffer = io.BytesIO()
    >>> sf.write(buffer, np.full(8000, 0.1, np.float32), 8000, format="WAV")
    >>> _ = buffer.seek(0)
    >>> blocks = list(stream_audio(buffer, 16000, block_seconds=0.5, name="a.wav"))
    >>> len(blocks), sum(len(block) for block in blocks)  # one second, resampled to 16 kHz
    (2, 16000)
    """
    if isinstance(path, str | Path):
        check_readable(Path(path))
        opened, name = str(path), name or str(path)
    else:
        opened, name = path, name or "<stream>"
    try:
        source = sf.SoundFile(opened)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({_short(exc)})") from None
    with source:
        if source.channels > MAX_CHANNELS or not 0 < source.samplerate <= MAX_SAMPLE_RATE:
            raise AudioError(
                f"{name}: {source.channels} channels at {source.samplerate} Hz; voxemo reads up "
                f"to {MAX_CHANNELS} channels at 1-{MAX_SAMPLE_RATE} Hz"
            )
        if source.frames == 0:
            raise AudioError(f"{name}: contains no audio samples")
        if source.frames / source.samplerate < MIN_DURATION_S:
            seconds = source.frames / source.samplerate
            raise AudioError(
                f"{name}: too short ({seconds:.3f} s; at least {MIN_DURATION_S} s needed)"
            )
        resampler = soxr.ResampleStream(source.samplerate, sample_rate, 1, dtype="float32")
        size = max(1, int(block_seconds * source.samplerate))
        read, peak = 0, 0.0
        try:
            for block in source.blocks(blocksize=size, dtype="float32", always_2d=True):
                if not np.isfinite(block).all():
                    raise AudioError(f"{name}: contains NaN or infinite samples")
                read += len(block)
                peak = max(peak, float(np.abs(block).max(initial=0.0)))
                check_peak(peak, name)
                last = read >= source.frames
                yield resampler.resample_chunk(block.mean(axis=1), last=last)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(
                f"{name}: decoding failed after {read} samples ({_short(exc)})"
            ) from None
    if peak <= SILENCE_PEAK:
        raise AudioError(f"{name}: all samples are silent")
