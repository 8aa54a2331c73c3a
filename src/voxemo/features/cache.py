"""On-disk feature cache keyed by file content and feature-set configuration.

A file's features are stored as ``<root>/<set>-<config key>/<ab>/<content digest>.npy``:
renaming or moving a file keeps its cache entry, editing it or changing any parameter of
the feature set does not. Entries are plain ``.npy`` arrays read with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
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
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class FeatureCache:
    root: Path

    def entry(self, feature_set: FeatureSet, digest: str) -> Path:
        folder = f"{feature_set.name}-{feature_set.key}"
        return self.root / "features" / folder / digest[:2] / f"{digest}.npy"

    def get(self, feature_set: FeatureSet, digest: str) -> np.ndarray | None:
        try:
            values = np.load(self.entry(feature_set, digest), allow_pickle=False)
        except (OSError, ValueError):
            return None
        return values if values.shape == (len(feature_set.names()),) else None

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
