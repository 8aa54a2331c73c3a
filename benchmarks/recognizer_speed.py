"""Speed of the recognizer: cold command line, warm Python API, and hour-long timelines.

Everything is measured in one run on one machine, for every bundled model and, as the
baseline, for the leaderboard's best feature-vector configuration (logistic regression on
spectral+prosody+egemaps, trained here on RAVDESS with cached features):

- cold: ``voxemo predict FILE`` as a new process (imports, model load, decode, predict),
  median of several runs;
- warm: ``Recognizer.predict`` on a 3.5 s clip with one thread (onnxruntime and BLAS),
  median over many calls;
- timeline: ``voxemo predict --timeline`` on one hour of speech (the example conversation
  repeated), as a new process: wall time, times faster than real time, peak memory. Models
  that run prosody and eGeMAPS (the baseline, ``accurate``) are far slower and run on the
  first tenth of it (the factor is a rate).

With ``--against REV`` the default model bundled at commit REV (a model retrained since, say)
is measured too, in the same run, and the results give the default model's times against it.

    python benchmarks/recognizer_speed.py [--corpus DIR] [--runs N] [--against REV]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from threadpoolctl import threadpool_limits

from common import ROOT, ravdess_path, write_results
from render_readme import render_readme
from voxemo import Recognizer
from voxemo.audio import load_audio
from voxemo.models.catalog import DEFAULT_MODEL, list_models
from voxemo.models.ensemble import copy_bundled_members

VOXEMO = [sys.executable, "-m", "voxemo.cli.main"]
EXAMPLE = ROOT / "examples" / "conversation.flac"
BASELINE = ("spectral+prosody+egemaps", "logreg")
SLOW = {"baseline", "accurate"}  # Praat and openSMILE per window: timed on a tenth of the hour
PRETRAINED = "src/voxemo/pretrained"


def cold_seconds(model: Path, clip: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [*VOXEMO, "predict", "--model", str(model), str(clip)], check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def warm_milliseconds(model: Path, clip: np.ndarray, rate: int, calls: int) -> float:
    recognizer = Recognizer(model, threads=1)
    with threadpool_limits(1):
        recognizer.predict(clip, rate)  # first call: lazy imports and allocations
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            recognizer.predict(clip, rate)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def timeline_run(model: Path, recording: Path) -> dict:
    """Wall time and peak resident memory of one ``--timeline`` process (GNU time's %M)."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%M",
            *VOXEMO,
            "predict",
            "--timeline",
            "--json",
            "--model",
            str(model),
            str(recording),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return {"seconds": round(seconds, 1), "peak_mib": round(peak_kib / 1024)}


def train_baseline(corpus: Path, out: Path) -> Path:
    features, model = BASELINE
    subprocess.run(
        [
            *VOXEMO,
            "train",
            "--corpus",
            f"ravdess={corpus}",
            "--features",
            features,
            "--model",
            model,
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def bundled_at(revision: str, name: str, out: Path) -> tuple[str, Path]:
    """The full commit of ``revision`` and the model ``name`` as bundled there, made a
    self-contained folder in ``out`` (the members it shares with that commit's single
    bundled models copied into it); exits with one line if there is none."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        sys.exit(
            f"--against {revision}: not a commit of this repository (a shallow clone lacks it)"
        )
    commit = found.stdout.strip()
    archived = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, f"{PRETRAINED}/"], capture_output=True
    )
    if archived.returncode != 0:
        sys.exit(f"--against {revision}: no bundled models at that commit")
    with tarfile.open(fileobj=io.BytesIO(archived.stdout)) as archive:
        archive.extractall(out, filter="data")
    folder = out / PRETRAINED / name
    if not (folder / "card.json").is_file():
        sys.exit(f"--against {revision}: no bundled model '{name}' at that commit")
    if json.loads((folder / "card.json").read_text()).get("members"):
        copy_bundled_members(folder, out / PRETRAINED)
    return commit, folder


def time_ratios(row: dict, other: dict) -> dict:
    """``row``'s times over ``other``'s, measured on the same inputs: cold, warm, timeline."""
    return {
        "cold": round(row["cold_predict_seconds"] / other["cold_predict_seconds"], 3),
        "warm": round(row["warm_predict_ms"] / other["warm_predict_ms"], 3),
        "timeline": round(row["timeline_seconds"] / other["timeline_seconds"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--runs", type=int, default=5, help="cold runs per model")
    parser.add_argument("--calls", type=int, default=50, help="warm calls per model")
    parser.add_argument("--hours", type=float, default=1.0, help="timeline recording length")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also measure the default model bundled at commit REV, side by side",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        models = {entry.name: entry.path for entry in list_models() if entry.source == "bundled"}
        before = None
        if args.against:
            commit, folder = bundled_at(args.against, DEFAULT_MODEL, scratch / "rev")
            before = {"model": f"{DEFAULT_MODEL} at {commit[:12]}", "commit": commit}
            models[before["model"]] = folder
        models["baseline"] = train_baseline(ravdess_path(args.corpus), scratch / "baseline")
        conversation = load_audio(EXAMPLE)
        rate = conversation.sample_rate
        clip = conversation.samples[int(0.5 * rate) : int(4.0 * rate)]  # 3.5 s of speech
        clip_path = scratch / "clip.wav"
        sf.write(clip_path, clip, rate)
        repeats = int(np.ceil(args.hours * 3600 / conversation.duration))
        recordings = {}
        for name, parts in (("hour", repeats), ("tenth", max(1, repeats // 10))):
            recordings[name] = scratch / f"{name}.flac"
            with sf.SoundFile(recordings[name], "w", rate, 1) as handle:
                for _ in range(parts):
                    handle.write(conversation.samples)
        rows = []
        for name, model in models.items():
            row = {
                "model": name,
                "kind": json.loads((Path(model) / "card.json").read_text())["model"],
                "cold_predict_seconds": round(cold_seconds(model, clip_path, args.runs), 3),
                "warm_predict_ms": round(warm_milliseconds(model, clip, rate, args.calls), 2),
            }
            recording = recordings["tenth" if name in SLOW else "hour"]
            timeline = timeline_run(model, recording)
            hour = sf.info(recording).duration
            row |= {
                "timeline_audio_seconds": round(hour),
                "timeline_seconds": timeline["seconds"],
                "timeline_realtime_factor": round(hour / timeline["seconds"], 1),
                "timeline_peak_mib": timeline["peak_mib"],
            }
            print(row, flush=True)
            rows.append(row)
    by_name = {row["model"]: row for row in rows}
    bundled, baseline = by_name[DEFAULT_MODEL], by_name["baseline"]
    if before:
        before |= time_ratios(bundled, by_name[before["model"]])
    write_results(
        "recognizer_speed",
        {
            "clip_seconds": 3.5,
            "rows": rows,
            **({"against": before} if before else {}),
            "ratios": {
                "warm": round(baseline["warm_predict_ms"] / bundled["warm_predict_ms"], 1),
                "cold": round(
                    baseline["cold_predict_seconds"] / bundled["cold_predict_seconds"], 2
                ),
                "timeline": round(
                    bundled["timeline_realtime_factor"] / baseline["timeline_realtime_factor"], 1
                ),
            },
            "targets": {
                "cold_predict_seconds": 1.5,
                "warm_predict_ms": 30,
                "timeline_realtime_factor": 50,
            },
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
