"""``voxemo batch``: many recordings on a Dask cluster, resumable, each input once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voxemo.cli.console import note
from voxemo.cli.options import positive


def register(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser(
        "batch",
        help="predict many recordings on a Dask cluster into a Parquet dataset",
        description="Predict every input (files, folders, globs, or CSV/Parquet manifests with "
        "a 'path' column whose other columns are kept; fsspec URLs such as s3:// work too) on "
        "a Dask cluster: a local one sized to the machine, or --scheduler's. Results go to "
        "RESULTS_DIR as Parquet, partition by partition; running the same command again "
        "skips every input already there (same path, size and modification time, or the same "
        "content), predicts again one whose content changed (replacing its row) and "
        "finishes the rest. Bad files become rows with their error. Needs the batch extra.",
    )
    batch.add_argument("inputs", nargs="+", metavar="INPUT")
    batch.add_argument("--out", required=True, type=Path, metavar="RESULTS_DIR")
    batch.add_argument("--model", metavar="NAME_OR_DIR", help="default: the bundled model")
    batch.add_argument(
        "--timeline",
        action="store_true",
        help="the emotion over time: a segments table and a per-recording summary too",
    )
    batch.add_argument("--adapt", action="store_true", help="with --timeline: adapt to each voice")
    batch.add_argument("--scheduler", metavar="tcp://HOST:8786", help="a running cluster")
    batch.add_argument(
        "--workers",
        type=positive,
        metavar="N",
        help="local cluster workers (default: one per core)",
    )
    batch.add_argument(
        "--partition-size",
        type=positive,
        default=100,
        metavar="K",
        help="inputs per task (default: %(default)s)",
    )
    batch.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from voxemo.batch.run import run_batch
    from voxemo.errors import VoxemoError

    if args.adapt and not args.timeline:
        raise VoxemoError("--adapt goes with --timeline")
    if args.scheduler and args.workers:
        raise VoxemoError("--workers sizes the local cluster; a --scheduler's cluster has its own")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(
            "{task.fields[files]} files, {task.fields[hours]:.2f} h of audio, "
            "{task.fields[rate]:.1f} files/s"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("batch", total=None, files=0, hours=0.0, rate=0.0)
        shown = [False]

        def progress(state) -> None:
            if not shown[0] and state.dashboard:
                bar.console.print(f"Dask dashboard: {state.dashboard}")
                shown[0] = True
            hours = state.audio_seconds / 3600
            bar.update(
                task,
                total=state.total,
                completed=state.files + state.skipped,
                files=state.files,
                hours=hours,
                rate=state.rate,
            )

        state = run_batch(
            args.inputs,
            args.out,
            model=args.model,
            timeline=args.timeline,
            adapt=args.adapt,
            scheduler=args.scheduler,
            workers=args.workers,
            partition_size=args.partition_size,
            command=["voxemo", *sys.argv[1:]],
            progress=progress,
        )
    note(
        f"{state.files} files predicted ({state.errors} with errors), {state.skipped} already "
        f"in {args.out}; {state.audio_seconds / 3600:.2f} h of audio"
    )
    return 0
