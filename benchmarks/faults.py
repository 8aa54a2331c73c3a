"""Peak memory and time of voxemo on hostile and on very long inputs.

Builds, in a temporary folder, FLAC files that are small on disk and long when decoded:
silence of 3 and 10 hours at 48 kHz (a decompression bomb: about 2 and 6 MB) and a 2-hour
speech-like recording (RAVDESS recordings end to end, or synthetic voiced syllables with
``--synthetic``). Each voxemo command runs as its own process: ``predict FILE``,
``predict --timeline FILE`` and ``features`` on a folder corpus holding the file, and its peak
resident memory comes from the kernel (``wait4``). Peak memory must not grow with the duration:
the 3-hour and 10-hour rows of each command should match.

    python benchmarks/faults.py [--corpus RAVDESS_DIR | --synthetic]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ravdess_path, write_results

RATE = 48000
BLOCK_SECONDS = 600
COMMANDS = {
    "predict": lambda path, out: ["predict", str(path)],
    "predict --timeline": lambda path, out: ["predict", "--timeline", str(path)],
    "features": lambda path, out: [
        "features",
        "--corpus",
        f"folder={path.parent.parent}",
        "--no-cache",
        "--out",
        str(out / "features.parquet"),
    ],
}


def write_blocks(path: Path, blocks, seconds: float) -> Path:
    """Write ``seconds`` of audio to a FLAC file block by block, cycling through ``blocks``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    left = int(seconds * RATE)
    with sf.SoundFile(path, "w", RATE, 1, format="FLAC", subtype="PCM_16") as out:
        while left > 0:
            before = left
            for block in blocks():
                out.write(block[:left])
                left -= min(len(block), left)
                if left == 0:
                    break
            if left == before:
                sys.exit(f"{path}: no audio to write it from")
    return path


def silence():
    yield np.zeros(BLOCK_SECONDS * RATE, np.float32)


def corpus_speech(corpus: Path):
    """RAVDESS recordings resampled to 48 kHz (they are 48 kHz already), end to end."""
    for file in sorted(corpus.glob("Actor_*/*.flac")):
        samples, rate = sf.read(file, dtype="float32", always_2d=True)
        assert rate == RATE, f"{file}: {rate} Hz"
        yield samples.mean(axis=1)


def synthetic_speech():
    """Voiced syllables (a harmonic tone with a moving pitch) and pauses, ten minutes a block."""
    rng = np.random.default_rng(0)
    t = np.arange(int(0.25 * RATE)) / RATE
    while True:
        parts = []
        for _ in range(BLOCK_SECONDS * 2):  # 0.5 s per syllable and pause
            pitch = rng.uniform(100, 260) * (1 + 0.1 * t / t[-1])
            phase = 2 * np.pi * np.cumsum(pitch) / RATE
            voiced = sum(np.sin(k * phase) / k for k in range(1, 8)) * np.hanning(len(t))
            parts += [0.2 * voiced, 0.003 * rng.standard_normal(len(t))]
        yield np.concatenate(parts).astype(np.float32)


def measure(arguments: list[str], folder: Path) -> dict:
    """Run one voxemo command; its exit status, wall time, peak memory and last error line."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "voxemo", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    lines = [line for line in stderr.splitlines() if "long.flac:" in line]
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "message": lines[-1].replace(f"{folder}/", "") if lines else "(a result)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    source.add_argument(
        "--synthetic", action="store_true", help="a synthetic speech-like file instead of RAVDESS"
    )
    args = parser.parse_args()
    speech = synthetic_speech if args.synthetic else (lambda: corpus_speech(corpus))
    corpus = None if args.synthetic else ravdess_path(args.corpus)
    inputs = {
        "silent FLAC, 3 h": (silence, 3 * 3600),
        "silent FLAC, 10 h": (silence, 10 * 3600),
        "speech-like FLAC, 2 h": (speech, 2 * 3600),
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="voxemo-faults-") as folder:
        work = Path(folder)
        for index, (name, (blocks, seconds)) in enumerate(inputs.items()):
            path = write_blocks(work / f"input-{index}" / "label" / "long.flac", blocks, seconds)
            size_mb = round(path.stat().st_size / 1e6, 1)
            for command, arguments in COMMANDS.items():
                row = {
                    "input": name,
                    "hours": seconds / 3600,
                    "file_mb": size_mb,
                    "command": f"voxemo {command}",
                    **measure(arguments(path, work), path.parent),
                }
                print(row, flush=True)
                rows.append(row)
            path.unlink()
    source = "synthetic voiced syllables" if args.synthetic else "RAVDESS recordings end to end"
    write_results("faults", {"speech_source": source, "rows": rows})


if __name__ == "__main__":
    main()
