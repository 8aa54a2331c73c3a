"""The core install against the full one: install time, packages, and cold `voxemo predict`.

Builds a fresh virtual environment with only ``pip install .`` (pinned by constraints.txt),
then times a cold ``voxemo predict examples/speech.wav`` (a new process each time: imports,
model load, one prediction) in it and in the full environment this script runs from,
alternating between the two so that both see the same machine load.

    python benchmarks/core_install.py [--runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, write_results

EXAMPLE = ROOT / "examples" / "speech.wav"


def cold_predict(voxemo: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(voxemo), "predict", str(EXAMPLE)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold runs in each environment")
    args = parser.parse_args()
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    with tempfile.TemporaryDirectory(prefix="voxemo-core-") as folder:
        venv = Path(folder) / "venv"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"), str(ROOT)],
            check=True, capture_output=True,
        )  # fmt: skip
        install_seconds = time.perf_counter() - start
        frozen = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        packages = [line for line in frozen if not re.match(r"(pip|setuptools)==", line)]
        environments = {
            "core": venv / "bin" / "voxemo",
            "full": Path(sys.executable).parent / "voxemo",
        }
        for voxemo in environments.values():
            cold_predict(voxemo)  # the first run fills the file cache
        times: dict[str, list[float]] = {name: [] for name in environments}
        for _ in range(args.runs):
            for name, voxemo in environments.items():
                times[name].append(cold_predict(voxemo))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print({"install_seconds": round(install_seconds, 1), **medians})
    write_results(
        "core_install",
        {
            "direct_dependencies": dependencies,
            "packages_installed": len(packages),
            "install_seconds": round(install_seconds, 1),
            "runs": args.runs,
            "cold_predict_seconds": {name: round(value, 3) for name, value in medians.items()},
            "cold_predict_all": {name: [round(t, 3) for t in v] for name, v in times.items()},
            "core_over_full": round(medians["core"] / medians["full"], 3),
        },
    )


if __name__ == "__main__":
    main()
