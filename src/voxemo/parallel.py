"""Per-file work spread over worker processes, one BLAS thread each."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_unordered(func: Callable[[T], R], tasks: Sequence[T], jobs: int) -> Iterator[R]:
    """``func`` over ``tasks``, results in completion order (tasks carry their own index)."""
    # Per-file matrices are small: BLAS threads only add overhead and oversubscribe the
    # cores the worker processes already use.
    if jobs <= 1 or len(tasks) < 2 * jobs:
        with threadpool_limits(1):
            yield from map(func, tasks)
        return
    # fork: workers inherit the imported libraries instead of importing them again.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(
        jobs, initializer=threadpool_limits, initargs=(1,)
    ) as pool:
        yield from pool.imap_unordered(func, tasks, chunksize=4)
