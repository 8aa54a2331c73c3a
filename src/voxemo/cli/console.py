"""Terminal output shared by the subcommands: tables on stdout, progress and notes on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape as _escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

out = Console(highlight=False)
if not out.is_terminal:
    out = Console(highlight=False, width=160)  # piped output: wide tables, no wrapping
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

MAX_LISTED_PROBLEMS = 10
PROGRESS_SECONDS = 10.0  # between progress lines off a terminal


def _bar(*columns) -> Progress:
    """A progress display on stderr, drawn only on an interactive terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *columns,
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@contextmanager
def progress_bar(description: str, total: int) -> Iterator:
    """Yields ``advance(n)`` for work counted in items: a bar on a terminal, and off one (a
    log file, a pipe) a line every ``PROGRESS_SECONDS`` while the work lasts."""
    columns = (MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    began = time.monotonic()
    state = {"done": 0, "said": began}

    def line(n: int = 1) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["said"] >= PROGRESS_SECONDS and state["done"] < total:
            state["said"] = now
            note(f"{description}: {state['done']} of {total} ({now - began:.0f} s)")

    with _bar(*columns) as progress:
        task = progress.add_task(description, total=total)
        if err.is_terminal:
            yield lambda n=1: progress.advance(task, n)
        else:
            yield line


@contextmanager
def epoch_progress(description: str, runs: int) -> Iterator:
    """Yields ``update(log)`` for network training: epochs with loss and validation UAR.

    Off a terminal (a log file) every epoch is also written as a line.
    """
    with _bar(TimeElapsedColumn()) as progress:
        task = progress.add_task(description, total=None)
        state = {"run": 1, "last": 0}

        def update(log) -> None:
            if log.epoch <= state["last"]:
                state["run"] += 1
            state["last"] = log.epoch
            line = (
                f"{description} {state['run']}/{runs}: epoch {log.epoch}/{log.epochs} "
                f"loss {log.loss:.3f} validation UAR {log.validation_uar:.3f}"
            )
            progress.update(task, description=line)
            if not err.is_terminal:
                note(line)

        yield update


@contextmanager
def transfer_progress(description: str, in_bytes: bool = True) -> Iterator:
    """Yields ``update(done, total)`` for downloads: bytes with speed, or a count of files."""
    columns = (DownloadColumn(), TransferSpeedColumn()) if in_bytes else (MofNCompleteColumn(),)
    with _bar(*columns, TimeRemainingColumn()) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def note(message: str) -> None:
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {_escape(message)}")


def error_line(message: str) -> None:
    err.print(f"[red]error:[/red] {_escape(message)}")


def report_problems(what: str, problems: list[str]) -> None:
    """List files that were left out (first few in full), so nothing is dropped silently."""
    if not problems:
        return
    warn(f"{len(problems)} {what}:")
    for problem in problems[:MAX_LISTED_PROBLEMS]:
        err.print(f"  {_escape(problem)}")
    if len(problems) > MAX_LISTED_PROBLEMS:
        err.print(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more")


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def clock(seconds: float) -> str:
    """``m:ss.ss``, or ``h:mm:ss.ss`` from an hour on."""
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:05.2f}" if hours else f"{minutes}:{rest:05.2f}"
