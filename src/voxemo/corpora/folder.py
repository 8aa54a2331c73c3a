"""Users' own data laid out as one sub-folder per label: ``ROOT/<label>/**/<audio file>``."""

from __future__ import annotations

from pathlib import Path

from voxemo.corpora.table import Corpus, is_audio_file, make_corpus, require_directory, walk_files


def read_folder(root: str | Path) -> Corpus:
    """Label = name of the first folder below ``root``; speakers are unknown."""
    root = require_directory(Path(root))
    rows, problems = [], []
    for path in walk_files(root):
        relative = path.relative_to(root)
        if not is_audio_file(path):
            problems.append(f"{path}: not an audio file")
        elif len(relative.parts) < 2:
            problems.append(f"{path}: not inside a label folder")
        else:
            rows.append({"path": str(path), "label": relative.parts[0]})
    return make_corpus("folder", root, rows, None, problems)
