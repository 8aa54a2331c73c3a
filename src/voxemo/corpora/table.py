"""The common corpus table and the helpers every reader shares.

A corpus is a pandas DataFrame with one row per recording and at least the columns in
:data:`BASE_COLUMNS`; readers add their corpus's own fields. Files a reader cannot use are
collected in ``problems`` (one ``"path: reason"`` line each) so they are reported, never
silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from voxemo.audio.formats import is_audio_file
from voxemo.errors import CorpusError

BASE_COLUMNS = ("path", "label", "speaker", "gender", "corpus")
# Files that corpora ship beside their audio (read-me, licence, metadata tables).
DOCUMENT_EXTENSIONS = frozenset(
    {".txt", ".md", ".csv", ".tsv", ".pdf", ".doc", ".docx", ".json", ".xlsx", ".html"}
)


@dataclass
class Corpus:
    """A labelled table of recordings plus what could not be read."""

    name: str
    root: Path
    table: pd.DataFrame
    labels: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def has_speakers(self) -> bool:
        return bool(self.table["speaker"].notna().all())


def make_corpus(
    name: str, root: Path, rows: list[dict], labels_order: Iterable[str] | None, problems: list[str]
) -> Corpus:
    """Build a :class:`Corpus` from reader rows, ordering labels as the corpus defines them."""
    if not rows:
        detail = f"; first problem: {problems[0]}" if problems else ""
        raise CorpusError(f"{root}: no usable recordings found for corpus '{name}'{detail}")
    table = pd.DataFrame(rows)
    for column in BASE_COLUMNS:
        if column not in table:
            table[column] = pd.NA
    table["corpus"] = name
    table = table[list(BASE_COLUMNS) + [c for c in table.columns if c not in BASE_COLUMNS]]
    table = table.sort_values("path", kind="stable").reset_index(drop=True)
    present = set(table["label"])
    order = [label for label in (labels_order or sorted(present)) if label in present]
    return Corpus(name=name, root=root, table=table, labels=order, problems=problems)


def require_directory(root: Path) -> Path:
    root = Path(root).expanduser()
    if not root.exists():
        raise CorpusError(f"{root}: corpus folder does not exist")
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    return root.resolve()


def walk_files(root: Path) -> list[Path]:
    """All regular, non-hidden files below ``root``, in a stable order."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def audio_files(root: Path) -> tuple[list[Path], list[str]]:
    """Audio files below ``root``, plus a problem line for every other file that is not
    documentation (so a stray or mis-named file is reported, never silently dropped)."""
    audio, problems = [], []
    for path in walk_files(root):
        if is_audio_file(path):
            audio.append(path)
        elif path.suffix.lower() not in DOCUMENT_EXTENSIONS:
            problems.append(f"{path}: not an audio file")
    return audio, problems
