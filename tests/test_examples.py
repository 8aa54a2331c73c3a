"""The examples run offline as they are, with the bundled model and the project's own
recordings, and do what they say."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

from conftest import REPO


def run_example(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_music_assistant_switches_playlist_when_a_mood_settles_and_says_why():
    out = run_example("mood_music.py")
    switches = re.findall(r"now playing '([^']+)': '([^']+)' has held since (\S+)", out)
    assert switches, out
    playing = [playlist for playlist, _, _ in switches]
    assert all(a != b for a, b in itertools.pairwise(playing))  # only real changes
    assert f"last playlist: {playing[-1]}" in out


def test_the_escalation_watcher_alerts_its_local_receiver():
    out = run_example("escalation_watcher.py")
    alerts = re.findall(r"\[supervisor\] ALERT conversation\.flac: '([^']+)'", out)
    assert alerts, out
    assert re.search(rf"call over \(\d+ s\): {len(alerts)} alert\(s\) raised", out)
