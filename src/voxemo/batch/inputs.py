"""What a batch reads: files, folders, globs and manifests, local or through fsspec, streamed
as records (path plus the manifest's other columns) so that no list of millions is built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voxemo.audio.formats import is_audio_file
from voxemo.errors import VoxemoError

MANIFEST_SUFFIXES = (".csv", ".parquet")


def is_manifest(spec: str) -> bool:
    """A CSV or Parquet table of inputs (by name).

    Examples
    --------
    >>> is_manifest("calls.parquet"), is_manifest("s3://bucket/calls.csv"), is_manifest("a.wav")
    (True, True, False)
    """
    return spec.lower().endswith(MANIFEST_SUFFIXES)


def iter_inputs(specs: list[str], batch_rows: int = 50_000) -> Iterator[dict]:
    """One record per input, in order: ``{"path": ...}`` plus a manifest's other columns.

    Parameters
    ----------
    specs : list of str
        Files, folders (searched for audio files), globs, or manifests (CSV or Parquet with a
        ``path`` column); each may be an fsspec URL (``file://``, ``s3://``, ``memory://``).
    batch_rows : int
        Manifest rows read at a time (a manifest is never read whole).

    Raises
    ------
    VoxemoError
        An input that does not exist, a folder without audio, a manifest without ``path``.
    """
    for spec in specs:
        if is_manifest(spec):
            yield from _manifest(spec, batch_rows)
            continue
        filesystem, root = _filesystem(spec)
        if any(char in root for char in "*?["):
            matches = sorted(filesystem.glob(root))
            if not matches:
                raise VoxemoError(f"{spec}: no file matches")
            for match in matches:
                if filesystem.isfile(match):
                    yield {"path": _unstrip(spec, filesystem, match)}
            continue
        if filesystem.isdir(root):
            found = False
            for match in sorted(filesystem.find(root)):
                if is_audio_file(Path(match)):
                    found = True
                    yield {"path": _unstrip(spec, filesystem, match)}
            if not found:
                raise VoxemoError(f"{spec}: no audio files in the folder")
            continue
        if not filesystem.exists(root):
            raise VoxemoError(f"{spec}: no such file or folder")
        yield {"path": spec}


def count_inputs(specs: list[str]) -> int:
    """How many records :func:`iter_inputs` will give, cheaply: a Parquet manifest's row
    count from its footer, a CSV's lines, a folder's or a glob's listing.

    Examples
    --------
    >>> count_inputs(["examples"])
    2
    """
    import fsspec

    total = 0
    for spec in specs:
        if spec.lower().endswith(".parquet"):
            import pyarrow.parquet as pq

            with fsspec.open(spec, "rb") as handle:
                total += pq.ParquetFile(handle).metadata.num_rows
        elif spec.lower().endswith(".csv"):
            with fsspec.open(spec, "rb") as handle:
                total += max(0, sum(1 for line in handle if line.strip()) - 1)
        else:
            total += sum(1 for _ in iter_inputs([spec]))
    return total


def file_stamp(info: dict) -> tuple[int, float | None]:
    """The size and modification time (seconds) in an fsspec ``info`` dict, whatever the
    filesystem calls them: what says a file may have changed since its row was written.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> file_stamp({"size": 10, "mtime": 1.5})
    (10, 1.5)
    >>> file_stamp({"size": 7, "LastModified": datetime(2026, 1, 1, tzinfo=timezone.utc)})
    (7, 1767225600.0)
    """
    value = info.get("mtime") or info.get("LastModified") or info.get("created")
    if value is not None:
        value = float(value.timestamp()) if hasattr(value, "timestamp") else float(value)
    return int(info.get("size") or 0), value


def _filesystem(spec: str):
    import fsspec

    filesystem, root = fsspec.core.url_to_fs(spec)
    return filesystem, root


def _unstrip(spec: str, filesystem, path: str) -> str:
    """A found path as the user would write it: a URL where they gave one."""
    if "://" not in spec:
        return path
    protocol = (
        filesystem.protocol if isinstance(filesystem.protocol, str) else filesystem.protocol[0]
    )
    return f"{protocol}://{path.lstrip('/')}" if protocol != "file" else f"file://{path}"


def _manifest(spec: str, batch_rows: int) -> Iterator[dict]:
    """Rows of a manifest, streamed; relative paths are relative to the manifest's folder."""
    import fsspec

    base = spec.rsplit("/", 1)[0] if "/" in spec else "."
    with fsspec.open(spec, "rb") as handle:
        batches = (
            _csv_batches(handle)
            if spec.lower().endswith(".csv")
            else _parquet_batches(handle, batch_rows)
        )
        checked = False
        for batch in batches:
            if not checked and "path" not in batch.schema.names:
                raise VoxemoError(f"{spec}: a manifest needs a 'path' column")
            checked = True
            for row in batch.to_pylist():
                path = str(row["path"])
                if "://" not in path and not path.startswith("/"):
                    row["path"] = f"{base}/{path}"
                yield row


def _csv_batches(handle):
    import pyarrow.csv as csv

    options = csv.ConvertOptions(strings_can_be_null=True, column_types={"path": "string"})
    # One block at a time: a threaded reader reads blocks ahead, megabytes of a big manifest.
    reading = csv.ReadOptions(use_threads=False, block_size=1 << 20)
    try:
        yield from csv.open_csv(handle, read_options=reading, convert_options=options)
    except (ValueError, OSError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise VoxemoError(f"manifest: not a readable CSV ({exc})") from None


def _parquet_batches(handle, batch_rows: int):
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_rows)
