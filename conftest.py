"""Doctests of the package: run from the repository root (their examples read examples/), and
left out for modules whose optional extra is not installed."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "src" / "voxemo"
# Modules whose examples need a library of an extra, by the library.
NEEDS = {
    "torch": ["models/neural/*.py"],
    "transformers": ["features/ssl.py"],
    "opensmile": ["features/opensmile_sets.py"],
    "parselmouth": ["features/prosody.py"],
    "fastapi": ["service/*.py"],
    "fsspec": ["batch/*.py"],
}
collect_ignore_glob = [
    str(PACKAGE / pattern)
    for library, patterns in NEEDS.items()
    if importlib.util.find_spec(library) is None
    for pattern in patterns
]


@pytest.fixture(autouse=True)
def _doctests_run_from_the_root(request):
    if isinstance(request.node, pytest.DoctestItem):
        previous = os.getcwd()
        os.chdir(ROOT)
        yield
        os.chdir(previous)
    else:
        yield
