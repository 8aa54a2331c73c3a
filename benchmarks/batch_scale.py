"""``voxemo batch`` against ``voxemo predict``, and its memory as the input grows.

1. Throughput: the same ``--files`` real recordings (CREMA-D where ``$VOXEMO_CREMA_D`` has
   it, else RAVDESS) with ``voxemo predict`` in one process (both cores), and with
   ``voxemo batch`` on a local cluster of 1 and of 2 workers: files/s, audio hours per hour,
   and peak memory of the client (which runs a local cluster's scheduler) and the workers.
   The per-file overhead of Dask is the 1-worker batch's time per file less that of
   ``Recognizer(threads=1).predict_many`` in one process (one thread in all, as a worker runs;
   its start included) on the same files; the ceiling for two workers is how much faster two
   such processes (no Dask), each on half the files, are than that one.
2. Scale: manifests of 20,000 and 200,000 entries (distinct paths, hard links to one tiny
   synthetic clip) through ``voxemo batch --model fast``: the client's and workers' peak
   memory, to show that partitions are streamed rather than held as one task per file.

    python benchmarks/batch_scale.py [--files 2000] [--sizes 20000 200000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ravdess_path, write_results


def recordings(count: int) -> tuple[str, list[Path]]:
    crema = os.environ.get("VOXEMO_CREMA_D")
    if crema and Path(crema).is_dir():
        files = sorted(Path(crema).rglob("*.wav"))
        name = "crema-d"
    else:
        files = sorted(ravdess_path(None).glob("Actor_*/*.flac"))
        name = "ravdess"
    files = [f for f in files if sf.info(f).frames > 0]
    step = max(1, len(files) // count)
    return name, files[::step][:count]


class TreeMemory(threading.Thread):
    """Peak resident memory (MiB) of a process and, separately, of its descendants, read
    through psutil (no process is started to sample, so the sampler costs the run little)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process, self.running = psutil.Process(pid), True
        self.client = 0.0
        self.workers: dict[int, float] = {}

    def run(self) -> None:
        while self.running:
            try:
                self.client = max(self.client, self.process.memory_info().rss / 2**20)
                for child in self.process.children(recursive=True):
                    rss = child.memory_info().rss / 2**20
                    self.workers[child.pid] = max(self.workers.get(child.pid, 0.0), rss)
            except psutil.Error:
                pass
            time.sleep(0.3)


# One thread in all (onnxruntime, BLAS, OpenMP), as a batch worker has: otherwise one process
# alone already uses both cores in places and two at once only contend.
PREDICTOR = (
    "import sys; from threadpoolctl import threadpool_limits; from voxemo import Recognizer; "
    "threadpool_limits(1); Recognizer(threads=1).predict_many(sys.argv[1:])"
)


def predictors(files: list[Path], count: int) -> float:
    """Seconds for ``count`` single-thread predictors in separate processes (no Dask), each
    on its share of ``files``, started at once: with 2, what two cores allow two workers."""
    began = time.perf_counter()
    processes = [
        subprocess.Popen([sys.executable, "-c", PREDICTOR, *map(str, files[index::count])])
        for index in range(count)
    ]
    if any(process.wait() for process in processes):
        sys.exit("a single-thread predictor failed")
    return time.perf_counter() - began


def timed(command: list[str]) -> dict:
    began = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    memory = TreeMemory(process.pid)
    memory.start()
    _, err = process.communicate()
    memory.running = False
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed: {err[-2000:]}")
    return {
        "seconds": round(time.perf_counter() - began, 2),
        "client_peak_mib": round(memory.client, 1),
        "worker_peak_mib": round(max(memory.workers.values(), default=0.0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[20000, 200000])
    args = parser.parse_args()
    voxemo = [sys.executable, "-m", "voxemo"]
    corpus, files = recordings(args.files)
    hours = sum(sf.info(f).duration for f in files) / 3600
    with tempfile.TemporaryDirectory(prefix="voxemo-batch-") as work:
        work = Path(work)
        folder = work / "inputs"
        folder.mkdir()
        for index, path in enumerate(files):
            (folder / f"{index:05d}{path.suffix}").symlink_to(path)
        one = predictors(files, 1)  # also the baseline of Dask's per-file overhead
        one_thread = one / len(files)
        throughput = {"predict": timed([*voxemo, "predict", str(folder), "--json"])}
        for workers in (1, 2):
            out = work / f"results-{workers}"
            throughput[f"batch {workers}"] = timed(
                [*voxemo, "batch", str(folder), "--out", str(out), "--workers", str(workers)]
            )
        for row in throughput.values():
            row["files_per_second"] = round(len(files) / row["seconds"], 2)
            row["audio_hours_per_hour"] = round(hours * 3600 / row["seconds"], 1)
        overhead = throughput["batch 1"]["seconds"] / len(files) - one_thread
        ceiling = one / predictors(files, 2)
        print(throughput, flush=True)

        clip = work / "tiny.wav"
        t = np.arange(1600) / 8000
        sf.write(clip, (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32), 8000)
        scale = {}
        for size in args.sizes:
            links = work / f"links-{size}"
            links.mkdir()
            manifest = work / f"manifest-{size}.csv"
            with manifest.open("w") as handle:
                handle.write("path,entry\n")
                for index in range(size):
                    if index % 50_000 == 0:  # a file takes at most 65,000 hard links
                        source = links / f"source-{index}.wav.src"
                        shutil.copy(clip, source)
                    os.link(source, links / f"{index:07d}.wav")
                    handle.write(f"{links}/{index:07d}.wav,{index}\n")
            out = work / f"scale-{size}"
            scale[str(size)] = timed(
                [*voxemo, "batch", str(manifest), "--out", str(out), "--model", "fast",
                 "--workers", "2", "--partition-size", "500"]
            )  # fmt: skip
            scale[str(size)]["files_per_second"] = round(size / scale[str(size)]["seconds"], 1)
            print(size, scale[str(size)], flush=True)
    sizes = [str(size) for size in args.sizes]
    growth = (
        round(scale[sizes[-1]]["client_peak_mib"] / scale[sizes[0]]["client_peak_mib"] - 1, 3)
        if len(sizes) > 1
        else None
    )
    write_results(
        "batch_scale",
        {
            "corpus": corpus,
            "files": len(files),
            "audio_hours": round(hours, 3),
            "throughput": throughput,
            "two_over_one_worker": round(
                throughput["batch 2"]["files_per_second"]
                / throughput["batch 1"]["files_per_second"],
                3,
            ),
            "two_workers_over_predict": round(
                throughput["batch 2"]["files_per_second"]
                / throughput["predict"]["files_per_second"],
                3,
            ),
            "one_thread_seconds_per_file": round(one_thread, 4),
            "dask_overhead_ms_per_file": round(overhead * 1000, 2),
            "ceiling_two_over_one": round(ceiling, 3),
            "scale": scale,
            "client_growth": growth,
        },
    )


if __name__ == "__main__":
    main()
