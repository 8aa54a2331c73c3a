"""Where a result came from: the commit a process runs is the one checked out when it began,
and only a change to code, not to what the benchmarks write, makes a checkout modified."""

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
        status["porcelain"] = " M src/voxemo/models/training.py"
        assert provenance.git_commit() == "0123abcd"
        provenance.git_commit.cache_clear()  # a new process sees the modification
        assert provenance.git_commit() == "0123abcd-dirty"
    finally:
        provenance.git_commit.cache_clear()


def test_only_code_makes_a_checkout_modified(tmp_path, monkeypatch):
    for name in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    files = ["src/voxemo/x.py", "benchmarks/results/a.json", "README.md", "docs/page.md"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("before\n")
    git("init", "-q")
    git("add", "-A")
    author = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    git(*author, "commit", "-qm", "start")
    commit = provenance.checkout_commit(tmp_path / "src")
    assert commit is not None and len(commit) == 40
    for name in files[1:]:
        (tmp_path / name).write_text("measured again\n")
    (tmp_path / "notes.txt").write_text("untracked\n")
    assert provenance.checkout_commit(tmp_path / "src") == commit
    (tmp_path / files[0]).write_text("changed\n")
    assert provenance.checkout_commit(tmp_path / "src" / "voxemo") == commit + "-dirty"
    assert provenance.checkout_commit(tmp_path.parent / "elsewhere-not-a-folder") is None


def test_a_checkout_git_cannot_read_counts_as_modified(monkeypatch):
    def failing_status(command, **_):
        failed = command[1] == "status"
        out = "" if failed else "0123abcd\n"
        return subprocess.CompletedProcess(command, 128 if failed else 0, stdout=out, stderr="")

    monkeypatch.setattr(provenance.subprocess, "run", failing_status)
    assert provenance.checkout_commit(".") == "0123abcd-dirty"
