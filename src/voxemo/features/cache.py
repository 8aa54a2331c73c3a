"""On-disk feature cache keyed by file content and feature-set configuration.

A file's features are stored as ``<root>/<set>-<config key>/<ab>/<content digest>.npy``:
renaming or moving a file keeps its cache entry, editing it or changing any parameter of
the feature set does not. Entries are plain ``.npy`` arrays read with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voxemo.features.base import FeatureSet


def default_cache_dir() -> Path:
    """``$VOXEMO_CACHE_DIR``, else ``$XDG_CACHE_HOME/voxemo``, else ``~/.cache/voxemo``."""
    if os.environ.get("VOXEMO_CACHE_DIR"):
        return Path(os.environ["VOXEMO_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "voxemo"


def content_digest(data: bytes) -> str:
    """The cache key of a file's content (hex BLAKE2b, 16 bytes).

    Examples
    --------
    >>> content_digest(b"RIFF")
    'f9d45a7be062711cbb5ca8c8e2699db2'
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str | Path) -> str:
    """:func:`content_digest` of a file, read in blocks so that memory does not grow with it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as handle:
    ...     _ = handle.write(b"RIFF"); handle.flush()
    ...     file_digest(handle.name) == content_digest(b"RIFF")
    True
    """
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


@dataclass(frozen=True)
class FeatureCache:
    """Feature rows on disk. An entry that cannot be read (cut short by a full disk or a
    crash) counts as a miss: it is removed, recomputed and written again, and its path is
    kept in ``repaired`` so the caller can say so once."""

    root: Path
    repaired: list[Path] = field(default_factory=list, compare=False)

    def entry(self, feature_set: FeatureSet, digest: str) -> Path:
        folder = f"{feature_set.name}-{feature_set.key}"
        return self.root / "features" / folder / digest[:2] / f"{digest}.npy"

    def get(self, feature_set: FeatureSet, digest: str) -> np.ndarray | None:
        path = self.entry(feature_set, digest)
        try:
            values = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError):
            values = None
        if values is not None and values.shape == (len(feature_set.names()),):
            return values
        self.repaired.append(path)
        path.unlink(missing_ok=True)
        return None

    def put(self, feature_set: FeatureSet, digest: str, values: np.ndarray) -> None:
        """Write atomically, so a crash or a parallel writer never leaves a torn entry."""
        path = self.entry(feature_set, digest)
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as f:
                np.save(f, values, allow_pickle=False)
            os.replace(temporary, path)
        except OSError:
            # The cache only saves time; a read-only or full disk must not fail extraction.
            if temporary:
                Path(temporary).unlink(missing_ok=True)
