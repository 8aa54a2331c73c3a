"""Where a result came from: package version, git commit, machine and library versions."""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path


def package_version() -> str:
    try:
        return metadata.version("voxemo")
    except metadata.PackageNotFoundError:
        return "unknown"


# What the benchmarks write: their results and the pages rendered from them. A checkout that
# differs from its commit only there still runs that commit's code.
MEASURED_OUTPUTS = ("benchmarks/results", "README.md", "docs")


def checkout_commit(folder: str | Path) -> str | None:
    """The commit checked out where ``folder`` is (None outside a git checkout), ``-dirty``
    where tracked files other than :data:`MEASURED_OUTPUTS` differ from it, or where git
    cannot tell.

    Examples
    --------
    >>> import tempfile
    >>> checkout_commit(tempfile.mkdtemp()) is None  # not a git checkout
    True
    """
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "0"}  # the pathspecs below are magic
    outputs = [f":(top,exclude){path}" for path in MEASURED_OUTPUTS]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ":/", *outputs],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = status.returncode != 0 or status.stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


@functools.cache
def git_commit() -> str | None:
    """The commit of the source checkout voxemo runs from (None for an installed wheel),
    ``-dirty`` where its code differs from it (:func:`checkout_commit`).

    Taken once per process, at the first call: the code that runs is the code checked out
    then, and the tracked result files a long run writes on its way (a benchmark's
    evaluations) must not make the commit it ran at look modified.

    Examples
    --------
    >>> git_commit() is None or len(git_commit().removesuffix("-dirty")) == 40
    True
    """
    return checkout_commit(Path(__file__).resolve().parent)


def code_digest(*modules: str) -> str:
    """A digest of the source files of ``modules`` (dotted names; a package counts with
    every module inside it): what a cached result also depends on, besides data and settings.

    Examples
    --------
    >>> len(code_digest("voxemo.provenance"))
    16
    """
    from importlib.util import find_spec

    digest = hashlib.blake2b(digest_size=8)
    for name in sorted(modules):
        spec = find_spec(name)
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None:
            raise ValueError(f"no source for module {name}")
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The libraries whose versions every results file records.
LIBRARIES = ("numpy", "scipy", "librosa", "soundfile", "soxr", "scikit-learn", "onnxruntime")


def library_versions(*names: str) -> dict[str, str]:
    """The installed version of each of ``names`` (those not installed are left out).

    Examples
    --------
    >>> library_versions("numpy", "no-such-library").keys()
    dict_keys(['numpy'])
    """
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine_info() -> dict:
    libraries = library_versions(*LIBRARIES)
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": libraries,
    }


def provenance() -> dict:
    return {"voxemo": package_version(), "git_commit": git_commit()}


def short_commit(commit: str | None) -> str:
    """A commit as tables and model cards name it: 12 digits, and ``-dirty`` where the
    checkout was modified.

    Examples
    --------
    >>> short_commit("0c89d4d82eb50c888eb224ce4c3cef68cc831aac-dirty")
    '0c89d4d82eb5-dirty'
    """
    commit = commit or "unknown"
    return commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")


def measured_at(record: dict, row: dict) -> list[str | None]:
    """The commits a row of a benchmark's results ``record`` was measured at: those of the
    saved evaluations it was made of (``evaluated_at``), else the row's own, else the
    record's.

    Examples
    --------
    >>> measured_at({"git_commit": "abc"}, {"evaluated_at": ["def"]})
    ['def']
    >>> measured_at({"git_commit": "abc"}, {})
    ['abc']
    """
    return list(row.get("evaluated_at") or [row.get("git_commit", record["git_commit"])])
