"""The client of a batch: partitions of inputs to the cluster, results to the store.

The client reads the inputs as a stream, leaves out those already in the results (same path,
size and modification time), and keeps a few partitions per worker in flight: memory holds
those partitions, never a task per file. It never reads audio; workers do.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from voxemo.batch.inputs import count_inputs, file_stamp, iter_inputs
from voxemo.batch.store import ResultsStore

IN_FLIGHT_PER_WORKER = 2
# Dask keeps its last messages for debugging (1,000 by default), partitions sent included: a
# few hundred partitions of paths would stay in the client's memory for nothing.
MESSAGE_LOG = 50


@dataclass
class BatchProgress:
    """What a batch has done so far (what ``progress`` callbacks get)."""

    files: int = 0
    errors: int = 0
    skipped: int = 0
    audio_seconds: float = 0.0
    partitions: int = 0
    total: int | None = None  # inputs in all, where they could be counted
    started: float = field(default_factory=time.monotonic)
    dashboard: str | None = None

    @property
    def rate(self) -> float:
        """Files per second so far."""
        return self.files / max(time.monotonic() - self.started, 1e-9)


class SeenPaths:
    """The paths a run has met, 8 bytes each (a 64-bit BLAKE2b digest of the path), so that
    a manifest of millions is deduplicated in a few megabytes rather than in a set of strings.
    Two paths share a digest with odds below one in 10^7 in a run of a million inputs.

    Examples
    --------
    >>> seen = SeenPaths()
    >>> seen.add("a.wav"), seen.add("b.wav"), seen.add("a.wav")
    (True, True, False)
    """

    MERGE_EVERY = 4096

    def __init__(self) -> None:
        self._sorted = np.empty(0, np.uint64)
        self._recent: set[int] = set()

    def add(self, path: str) -> bool:
        """Record ``path``; False when it was already met."""
        key = int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "little")
        if key in self._recent:
            return False
        at = int(np.searchsorted(self._sorted, np.uint64(key)))
        if at < self._sorted.size and int(self._sorted[at]) == key:
            return False
        self._recent.add(key)
        if len(self._recent) >= self.MERGE_EVERY:
            merged = np.fromiter(self._recent, np.uint64, len(self._recent))
            self._sorted = np.union1d(self._sorted, merged)
            self._recent.clear()
        return True


def partitions(
    records: Iterable[dict], done: dict[str, tuple], size: int, progress: BatchProgress
) -> Iterator[list[dict]]:
    """Partitions of ``size`` inputs not yet in the results, each input once. An input whose
    path is there but whose size or modification time changed goes again with the digest it
    had (``_previous_digest``): the worker skips it if its content is the same."""
    seen = SeenPaths()
    partition: list[dict] = []
    for record in records:
        path = str(record["path"])
        was = done.get(path)
        if not seen.add(path) or (was is not None and _unchanged(path, was)):
            progress.skipped += 1
            continue
        partition.append(record if was is None else {**record, "_previous_digest": was[2]})
        if len(partition) == size:
            yield partition
            partition = []
    if partition:
        yield partition


def _unchanged(path: str, was: tuple) -> bool:
    import fsspec

    try:
        filesystem, location = fsspec.core.url_to_fs(path)
        info = filesystem.info(location)
    except OSError:
        return True  # gone since: its row stays as it was
    return file_stamp(info) == tuple(was[:2])


def run_batch(
    inputs: list[str],
    out: str | Path,
    *,
    model: str | None = None,
    timeline: bool = False,
    adapt: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = 100,
    command: list[str] | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchProgress:
    """Predict every input not yet in ``out`` on a Dask cluster; returns what was done.

    Parameters
    ----------
    inputs : list of str
        Files, folders, globs or manifests (see :func:`voxemo.batch.inputs.iter_inputs`).
    out : str or Path
        The results folder (Parquet datasets and ``manifest.json``).
    model : str or None
        A model name or folder the workers can load (None: the bundled default).
    timeline, adapt
        Timelines (segments and a per-recording summary) instead of one prediction each.
    scheduler : str or None
        A running cluster's scheduler address; None starts a local cluster.
    workers : int or None
        Worker processes of the local cluster (None: one per core).
    partition_size : int
        Inputs per task.
    command : list of str or None
        The command line, recorded in ``manifest.json``.
    progress : callable or None
        Called with a :class:`BatchProgress` after each partition.

    Returns
    -------
    BatchProgress
        Files predicted, error rows, inputs skipped (already in the results) and audio seconds.

    Raises
    ------
    VoxemoError
        A model that cannot be loaded, an input that does not exist, a manifest without
        ``path``: before any partition is sent to the cluster.

    Examples
    --------
    >>> done = run_batch(["archive/"], "results/", workers=2)  # doctest: +SKIP
    >>> done.files, done.errors, done.skipped  # doctest: +SKIP
    (1200, 3, 0)
    """
    import dask
    from distributed import Client, LocalCluster

    from voxemo.batch.worker import card_version
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model

    card = load_model(resolve_model(model)).card  # a bad model fails here, not on the workers
    store = ResultsStore(out)
    done = store.done()
    state = BatchProgress(total=count_inputs(inputs))
    pending = partitions(iter_inputs(inputs), done, partition_size, state)
    with dask.config.set({"distributed.admin.low-level-log-length": MESSAGE_LOG}):
        cluster = None
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
        with Client(cluster or scheduler) as client:
            state.dashboard = client.dashboard_link
            task = (model, timeline, adapt)
            note = partial(store.record, command or [], card_version(card))
            finished = False
            try:
                finished = _drive(client, pending, task, store, done, state, progress, note)
            finally:
                note(finished=finished)
        if cluster is not None:
            cluster.close()
    return state


def _drive(client, pending, task, store, done, state, progress, note) -> bool:
    """Keep a few partitions per worker in flight, store each one's tables as it comes back
    and ``note`` it in the manifest; True once every partition is stored."""
    from distributed import as_completed

    from voxemo.batch.worker import predict_partition

    def submit(partition: list[dict]):
        return client.submit(predict_partition, partition, *task, pure=False)

    slots = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
    running = as_completed([submit(partition) for partition in _take(pending, slots)])
    for future in running:
        tables = future.result()
        written = set(tables["predictions"]["path"].to_pylist())
        store.drop({path for path in written if path in done})  # changed content
        store.write(tables)
        state.skipped += tables.pop("unchanged", 0)
        predictions = tables["predictions"]
        fine = predictions["error"].null_count  # rows without an error
        state.files += predictions.num_rows
        state.errors += predictions.num_rows - fine
        state.audio_seconds += sum(d or 0.0 for d in predictions["duration"].to_pylist())
        state.partitions += 1
        future.release()
        for partition in _take(pending, 1):
            running.add(submit(partition))
        note(finished=False)
        if progress:
            progress(state)
    return True


def _take(iterator: Iterator[list[dict]], count: int) -> list[list[dict]]:
    taken = []
    for _ in range(count):
        try:
            taken.append(next(iterator))
        except StopIteration:
            break
    return taken
