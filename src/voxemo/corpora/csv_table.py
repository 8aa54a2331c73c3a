"""Users' own data listed in a CSV file with columns ``path,label[,speaker][,gender]``.

Relative paths are taken relative to the CSV file's folder; further columns are kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voxemo.corpora.table import Corpus, make_corpus
from voxemo.errors import CorpusError


def read_csv_corpus(csv_path: str | Path) -> Corpus:
    csv_path = Path(csv_path).expanduser()
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CorpusError(f"{csv_path}: no such CSV file") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CorpusError(f"{csv_path}: not a readable CSV file ({exc})") from None
    missing = {"path", "label"} - set(frame.columns)
    if missing:
        raise CorpusError(f"{csv_path}: missing column(s) {', '.join(sorted(missing))}")
    base = csv_path.resolve().parent
    rows, problems = [], []
    for line, record in enumerate(frame.to_dict("records"), start=2):
        try:
            path = (base / record["path"]).resolve() if record["path"] else None
            is_file = path is not None and path.is_file()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the system
            reason = getattr(exc, "strerror", None) or exc
            problems.append(f"{csv_path}:{line}: not a usable path ({reason})")
            continue
        if path is None or not record["label"]:
            problems.append(f"{csv_path}:{line}: empty path or label")
        elif not is_file:
            problems.append(f"{path}: listed in {csv_path.name} line {line} but does not exist")
        else:
            row = {key: (value or pd.NA) for key, value in record.items()}
            rows.append({**row, "path": str(path)})
    return make_corpus("csv", base, rows, None, problems)
