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


def write_json(path: str | Path, value: object, *, indent: int | None = None, default=None) -> None:
    """Write ``value`` as JSON to ``path`` whole or not at all: to a sibling file first, then
    renamed, so an interrupted write never leaves a file cut short.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "scores.json"
    >>> write_json(path, {"uar": 0.7})
    >>> read_json(path, "scores file")
    {'uar': 0.7}
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(json.dumps(value, indent=indent, default=default) + "\n")
    partial.replace(path)
