"""Where a result came from: the commit a process runs is the one checked out when it began."""

from __future__ import annotations

import subprocess

from voxemo import provenance


def test_files_written_during_a_run_do_not_make_its_commit_look_modified(monkeypatch):
    status = {"porcelain": ""}  # what `git status` would say at each moment

    def fake_git(command, **_):
        out = "0123abcd\n" if command[1] == "rev-parse" else status["porcelain"]
        return subprocess.CompletedProcess(command, 0, stdout=out, stderr="")

    monkeypatch.setattr(provenance.subprocess, "run", fake_git)
    provenance.git_commit.cache_clear()
    try:
        assert provenance.git_commit() == "0123abcd"
        status["porcelain"] = " M benchmarks/results/evaluation.json"  # the run's own output
        assert provenance.git_commit() == "0123abcd"
        provenance.git_commit.cache_clear()  # a new process sees the modification
        assert provenance.git_commit() == "0123abcd-dirty"
    finally:
        provenance.git_commit.cache_clear()
