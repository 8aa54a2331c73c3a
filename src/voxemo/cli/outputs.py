"""Output paths checked before any work starts, so a long run never fails at its end."""

from __future__ import annotations

from pathlib import Path

from voxemo.errors import VoxemoError


def _parent_usable(path: Path, flag: str) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise VoxemoError(f"{flag} {path}: {parent} is a file, not a folder")
            return


def output_file(path: str | Path | None, flag: str) -> None:
    """``path`` can be written as a file: not a folder, and no file where a folder must be.

    Examples
    --------
    >>> output_file("README.md/x.json", "--json")
    Traceback (most recent call last):
    ...
    voxemo.errors.VoxemoError: --json README.md/x.json: README.md is a file, not a folder
    """
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise VoxemoError(f"{flag} {path}: is a folder; give a file name")
    _parent_usable(path, flag)


def output_folder(path: str | Path | None, flag: str, replace: bool | None = None) -> None:
    """``path`` can be written as a folder; with ``replace`` False an existing one is refused
    (None: an existing folder is written into)."""
    if path is None:
        return
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise VoxemoError(f"{flag} {path}: is a file; give a folder")
    if path.exists() and replace is False:
        raise VoxemoError(f"{flag} {path}: already exists; add --force to replace it")
    if path.exists() and replace and any(path.iterdir()) and not (path / "card.json").is_file():
        raise VoxemoError(
            f"{flag} {path}: is a folder but not a voxemo model; --force replaces only models"
        )
    _parent_usable(path, flag)
