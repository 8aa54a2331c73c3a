"""Feature extraction speed: the original study's loop against ``voxemo features``.

Both run over the same RAVDESS files on the same machine in one run. The study's loop
decodes every file three times with ``librosa.load(res_type='kaiser_fast', sr=44100,
offset=0.5, duration=3)`` and computes MFCC, chroma and mel separately (chroma here from
each file's own STFT, so both sides do the same work). voxemo runs as a fresh process with
an empty cache (cold: imports, decoding, features, Parquet output all included) and then
again with the cache filled (warm).

    python benchmarks/feature_speed.py [--corpus DIR] [--limit N] [--jobs N]
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

from common import ravdess_path, write_results
from render_readme import render_readme


def study_features(path: str) -> np.ndarray:
    import librosa

    def load():
        return librosa.load(path, res_type="kaiser_fast", duration=3, sr=44100, offset=0.5)

    samples, sr = load()
    mfcc = np.mean(librosa.feature.mfcc(y=samples, sr=sr, n_mfcc=40).T, axis=0)
    samples, sr = load()
    stft = np.abs(librosa.stft(samples))
    chroma = np.mean(librosa.feature.chroma_stft(S=stft, sr=sr).T, axis=0)
    samples, sr = load()
    mel = np.mean(librosa.feature.melspectrogram(y=samples, sr=sr).T, axis=0)
    return np.concatenate([mfcc, chroma, mel])


def time_study(files: list[str]) -> float:
    study_features(files[0])  # first call compiles resampy's kernels; not counted
    start = time.perf_counter()
    for path in files:
        study_features(path)
    return time.perf_counter() - start


def time_voxemo(corpus: Path, jobs: int, cache: Path, out: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "voxemo",
        "features",
        "--corpus",
        f"csv={corpus}",
        "--features",
        "seed",
        "--jobs",
        str(jobs),
        "--out",
        str(out),
    ]
    env = {**os.environ, "VOXEMO_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--limit", type=int, help="use every k-th file to time about N files")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()

    files = sorted(
        str(p) for p in ravdess_path(args.corpus).rglob("*") if p.suffix in (".wav", ".flac")
    )
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)][: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.csv"
        listing.write_text("path,label\n" + "".join(f"{p},x\n" for p in files))
        out = Path(tmp) / "features.parquet"
        print(f"voxemo features, cold cache, {len(files)} files, {args.jobs} jobs ...")
        cold = time_voxemo(listing, args.jobs, Path(tmp) / "cache", out)
        warm = time_voxemo(listing, args.jobs, Path(tmp) / "cache", out)
        print(f"the study's loop, {len(files)} files ...")
        study = time_study(files)

    per_file = {
        name: 1000 * seconds / len(files)
        for name, seconds in (("study", study), ("cold", cold), ("warm", warm))
    }
    results = {
        "files": len(files),
        "jobs": args.jobs,
        "study_loop_ms_per_file": round(per_file["study"], 2),
        "voxemo_cold_ms_per_file": round(per_file["cold"], 2),
        "voxemo_warm_ms_per_file": round(per_file["warm"], 2),
        "speedup_cold": round(per_file["study"] / per_file["cold"], 1),
        "speedup_warm": round(per_file["study"] / per_file["warm"], 1),
        "study_seconds": round(study, 2),
        "voxemo_cold_seconds": round(cold, 2),
        "voxemo_warm_seconds": round(warm, 2),
    }
    print(results)
    write_results("feature_speed", results)
    render_readme()


if __name__ == "__main__":
    main()
