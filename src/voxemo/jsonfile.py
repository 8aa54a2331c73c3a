"""Reading a JSON file a user named, with one-line errors that say which file and why."""

from __future__ import annotations

import json
from pathlib import Path

from voxemo.errors import VoxemoError


def read_json(path: str | Path, what: str) -> object:
    """The parsed contents of ``path``; ``what`` names the kind of file in errors.

    Examples
    --------
    >>> read_json("no/such.json", "folds file")
    Traceback (most recent call last):
    ...
    voxemo.errors.VoxemoError: no/such.json: no such folds file
    """
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise VoxemoError(f"{path}: no such {what}") from None
    except (OSError, ValueError) as exc:
        raise VoxemoError(f"{path}: not a readable JSON {what} ({exc})") from None
