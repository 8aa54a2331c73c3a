"""The results folder of a batch: Parquet files written partition by partition, and what is
already done in them.

Each partition is written whole to a temporary name and renamed into place, so a partition
is in the results entirely or not at all; the files themselves, not a log beside them, say
what is done. ``manifest.json`` records the command, the model card digest and the
partitions written, for people and tools.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from voxemo.jsonfile import write_json

PREDICTIONS, SEGMENTS, SUMMARIES = "predictions", "segments", "summaries"


def pa_array(values: list[str]):
    import pyarrow as pa

    return pa.array(values, pa.string())


class ResultsStore:
    """The results folder ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.run = uuid.uuid4().hex[:8]  # this run's partitions never collide with others'
        self.written = 0

    def done(self) -> dict[str, tuple[int, float, str]]:
        """Every input already in the results: its path, and the size, modification time and
        content digest it had."""
        import pyarrow.parquet as pq

        done: dict[str, tuple[int, float, str]] = {}
        columns = ("path", "size", "mtime", "digest")
        for part in sorted((self.root / PREDICTIONS).glob("*.parquet")):
            table = pq.read_table(part, columns=list(columns))
            for path, *was in zip(*(table[c].to_pylist() for c in columns), strict=True):
                done[path] = tuple(was)
        return done

    def drop(self, paths: set[str]) -> None:
        """Remove the rows of ``paths`` (inputs whose content changed) from every table,
        rewriting each file that holds one atomically. Done before their new rows are
        written, so an interruption between the two loses them (the next run predicts them
        again) but never keeps two rows of one input."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if not paths:
            return
        wanted = pa.array(sorted(paths), pa.string())
        for kind in (PREDICTIONS, SEGMENTS, SUMMARIES):
            for part in sorted((self.root / kind).glob("*.parquet")):
                table = pq.read_table(part)
                kept = table.filter(pc.invert(pc.is_in(table["path"], value_set=wanted)))
                if kept.num_rows == table.num_rows:
                    continue
                temporary = part.with_name(f".{part.name}.tmp")
                pq.write_table(kept, temporary)
                os.replace(temporary, part)

    def write(self, tables: dict[str, object]) -> None:
        """Write one partition's tables (``predictions`` and, for timelines, ``segments`` and
        ``summaries``) atomically, each under its own folder."""
        import pyarrow.parquet as pq

        name = f"part-{self.run}-{self.written:06d}.parquet"
        # Segments and summaries first: predictions are what says the partition is done.
        for kind in (SEGMENTS, SUMMARIES, PREDICTIONS):
            table = tables.get(kind)
            if table is None:
                continue
            folder = self.root / kind
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{name}.tmp"
            pq.write_table(table, temporary)
            os.replace(temporary, folder / name)
        self.written += 1

    def record(self, command: list[str], card_digest: str, finished: bool) -> None:
        """Update ``manifest.json``: the command, the model, the partitions on disk."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "manifest.json"
        manifest = json.loads(path.read_text()) if path.exists() else {"runs": []}
        manifest.update(
            {
                "command": command,
                "model_card_digest": card_digest,
                "partitions": sorted(p.name for p in (self.root / PREDICTIONS).glob("*.parquet")),
            }
        )
        runs = [run for run in manifest["runs"] if run["run"] != self.run]
        runs.append(
            {
                "run": self.run,
                "partitions_written": self.written,
                "finished": finished,
                "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        manifest["runs"] = runs
        write_json(path, manifest, indent=2)
