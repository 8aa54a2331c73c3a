"""Users' own data laid out as one sub-folder per label: ``ROOT/<label>/**/<audio file>``."""

from __future__ import annotations

from pathlib import Path

from voxemo.corpora.table import Corpus, audio_files, make_corpus, require_directory


def read_folder(root: str | Path) -> Corpus:
    """Label = name of the first folder below ``root``; speakers are unknown."""
    root = require_directory(Path(root))
    rows = []
    paths, problems = audio_files(root)
    for path in paths:
        relative = path.relative_to(root)
        if len(relative.parts) < 2:
            problems.append(f"{path}: not inside a label folder")
        else:
            rows.append({"path": str(path), "label": relative.parts[0]})
    return make_corpus("folder", root, rows, None, problems)
