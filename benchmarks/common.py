"""Shared by the benchmark scripts: where the corpus is, and how results are recorded."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from voxemo.jsonfile import write_json
from voxemo.provenance import git_commit, machine_info, package_version

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
# Each finished fold's predictions, one folder per training setup (``ravdess``, ``both``, ...),
# kept with the results so that a run longer than a working day resumes on any machine;
# networks' per-epoch checkpoints beside them stay local (.gitignore). Benchmarks that train
# the same recipe on the same folds share them.
FOLDS = RESULTS / "folds"
DEFAULT_RAVDESS = ROOT.parent / "shared" / "corpora" / "ravdess"
# The commit of the code a benchmark runs, taken when it starts (git_commit keeps its first
# answer): the evaluations it writes on the way must not make that commit look modified.
STARTED_AT_COMMIT = git_commit()


def train_in_float32() -> None:
    """Train networks in float32 unless ``VOXEMO_PRECISION`` says otherwise: a fold's key
    includes the precision its network trained in, and machines differ in whether they
    compute bfloat16 natively, so a run resumes from its committed folds on any machine."""
    os.environ.setdefault("VOXEMO_PRECISION", "float32")


def ravdess_path(given: str | None) -> Path:
    """The corpus from the argument, ``$VOXEMO_RAVDESS`` or ``../shared``; exits if absent."""
    path = Path(given or os.environ.get("VOXEMO_RAVDESS") or DEFAULT_RAVDESS)
    if not (path / "Actor_01").is_dir():
        sys.exit(f"RAVDESS not found at {path}: pass --corpus DIR or set VOXEMO_RAVDESS")
    return path


def write_results(name: str, results: dict) -> Path:
    """Write ``results/<name>.json`` with the machine, versions and commit it was measured on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "voxemo": package_version(),
        "git_commit": STARTED_AT_COMMIT,
        "machine": machine_info(),
        **results,
    }
    path = RESULTS / f"{name}.json"
    write_json(path, record, indent=2)
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def kept_rows(name: str, rows: list[dict], key: tuple[str, ...]) -> list[dict]:
    """The rows of the previous ``results/<name>.json`` that this run did not measure again
    (rows are told apart by the fields ``key``), each naming the commit it was measured at.
    A key field an older file named once, for all its rows, is copied into each row."""
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return []
    previous = json.loads(path.read_text())
    shared = {field: previous[field] for field in key if field in previous}
    measured = {tuple(row[field] for field in key) for row in rows}
    kept = [{"git_commit": previous["git_commit"], **shared} | row for row in previous["rows"]]
    return [row for row in kept if tuple(row[field] for field in key) not in measured]


def evaluation_row(data, *, features: str, model: str, protocol: str, **options) -> dict:
    """Evaluate one configuration and keep what a results table needs."""
    from voxemo.evaluation import evaluate

    start = time.perf_counter()
    result = evaluate(data, model_kind=model, protocol=protocol, **options)
    return result_row(
        result,
        features=features,
        model=model,
        protocol=protocol,
        files=len(data.table),
        seconds=time.perf_counter() - start,
    )


def result_row(
    result: dict, *, features: str, model: str, protocol: str, files: int, seconds: float
) -> dict:
    """What a results table needs from one evaluation."""
    fold_accuracies = [round(fold["accuracy"], 4) for fold in result["folds"]]
    row = {
        "features": features,
        "model": model,
        "protocol": protocol,
        "track": "cross-corpus" if protocol == "cross" else result["track"],
        "speaker_independent": result["speaker_independent"],
        "files": files,
        "folds": len(result["folds"]),
        **{
            name: round(result[name], 4)
            for name in ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std")
        },
        "fold_accuracies": fold_accuracies,
        "chosen_params": [fold.get("chosen_params", {}) for fold in result["folds"]],
        "seconds": round(seconds, 1),
    }
    print(
        {k: row[k] for k in ("features", "model", "track", "accuracy", "uar", "seconds")},
        flush=True,
    )
    return row
