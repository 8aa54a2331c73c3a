"""Rules on synthetic probability streams: when events fire, counted in hops."""

from __future__ import annotations

import pytest

from voxemo.actions import RuleError, RuleWatcher, parse_rule

HOP = 0.5


def stream(values, emotion="angry"):
    """One update per hop: ``emotion`` at each value (None: silence), the rest on calm."""
    for index, value in enumerate(values):
        yield index * HOP, None if value is None else {emotion: value, "calm": 1 - value}


def run(watcher, updates):
    events = []
    for time, probabilities in updates:
        events += [(e.kind, round(e.time / HOP)) for e in watcher.update(time, probabilities)]
    return events


@pytest.mark.parametrize("seconds, becomes_true", [(0.0, 3), (1.0, 3), (3.0, 10), (2.5, 0)])
def test_an_event_fires_on_the_hop_its_duration_is_reached(seconds, becomes_true):
    values = [0.1] * becomes_true + [0.9] * 20 + [0.1]
    events = run(RuleWatcher([f"angry >= 0.6 for {seconds}s"]), stream(values))
    due = becomes_true + round(seconds / HOP)
    assert events == [("start", due), ("end", becomes_true + 20)]


def test_a_long_episode_starts_once_and_ends_once():
    values = ([0.1] * 5 + [0.8] * 200 + [0.2] * 5) * 3
    events = run(RuleWatcher(["angry > 0.6 for 2s"]), stream(values))
    assert [kind for kind, _ in events] == ["start", "end"] * 3


def test_a_condition_that_breaks_before_its_duration_never_fires():
    values = [0.9, 0.9, 0.9, 0.1] * 10  # 1.5 s at a time, never 2 s
    assert run(RuleWatcher(["angry >= 0.6 for 2s"]), stream(values)) == []


def test_release_keeps_a_short_dip_from_splitting_an_episode():
    values = [0.9] * 10 + [0.3] + [0.9] * 10 + [0.3] * 3
    split = run(RuleWatcher(["angry >= 0.6 for 1s"]), stream(values))
    held = run(RuleWatcher(["angry >= 0.6 for 1s"], release=1.0), stream(values))
    assert [k for k, _ in split] == ["start", "end", "start", "end"]
    assert held == [("start", 2), ("end", 23)]  # ends two hops (1 s) into the final dip


def test_the_cooldown_holds_back_the_next_episode():
    values = [0.9] * 4 + [0.1] * 2 + [0.9] * 30
    events = run(RuleWatcher(["angry >= 0.6 for 1s cooldown 5s"]), stream(values))
    # The first episode ends at hop 4; the second may start 5 s (10 hops) later, at hop 14,
    # though its condition has held since hop 6.
    assert events == [("start", 2), ("end", 4), ("start", 14)]


def test_short_silence_pauses_a_condition_and_long_silence_ends_it():
    pause = [0.9] * 4 + [None] * 3 + [0.9] * 4 + [0.1]
    assert run(RuleWatcher(["angry >= 0.6 for 1s"]), stream(pause)) == [("start", 2), ("end", 11)]
    gap = [0.9] * 4 + [None] * 8 + [0.1]
    # Silence from hop 4; past the 2 s grace (4 hops) at hop 9 it ends the episode.
    assert run(RuleWatcher(["angry >= 0.6 for 1s"]), stream(gap)) == [("start", 2), ("end", 9)]


def test_emotions_joined_by_or_and_groups_sum_their_probabilities():
    watcher = RuleWatcher(["sad or fearful >= 0.5 for 0s", "any negative >= 0.7 for 0s"])
    mixed = {"sad": 0.3, "fearful": 0.3, "angry": 0.15, "calm": 0.25}
    assert [e.rule for e in watcher.update(0.0, mixed)] == [
        "sad or fearful >= 0.5 for 0s",
        "any negative >= 0.7 for 0s",
    ]
    calm = {"calm": 0.9, "sad": 0.1}
    assert {e.kind for e in watcher.update(0.5, calm)} == {"end"}


def test_finish_ends_open_episodes():
    watcher = RuleWatcher(["angry >= 0.6 for 0s"])
    watcher.update(0.0, {"angry": 0.9})
    (event,) = watcher.finish(4.0)
    assert (event.kind, event.time, event.since, event.value) == ("end", 4.0, 0.0, None)
    assert watcher.finish(5.0) == []


@pytest.mark.parametrize(
    "rule, problem",
    [
        ("angry", "expected EMOTIONS OP THRESHOLD for DURATION"),
        ("angry >= 0.6", "expected EMOTIONS OP THRESHOLD for DURATION"),
        ("angry >= high for 3s", "threshold 'high' is not a probability"),
        ("angry >= 1.5 for 3s", "threshold '1.5' is not a probability"),
        ("angry >= 0.5 for 3 seconds", "duration '3 seconds' is not a length of time"),
        ("angry >= 0.5 for 3s cooldown soon", "cooldown 'soon' is not a length of time"),
        ("furious >= 0.5 for 3s", "unknown emotion 'furious'"),
        ("any grumpy >= 0.5 for 3s", "unknown emotion 'grumpy'"),
        ("sad or sad >= 0.5 for 3s", "named twice"),
    ],
)
def test_bad_rules_get_one_line_naming_the_bad_part(rule, problem):
    with pytest.raises(RuleError) as error:
        parse_rule(rule)
    message = str(error.value)
    assert message.startswith(f"rule {rule!r}: ") and problem in message and "\n" not in message


def test_rules_are_checked_against_the_models_emotions():
    parse_rule("angry >= 0.5 for 1s", labels=["angry", "calm"])
    with pytest.raises(RuleError, match="unknown emotion 'sad'"):
        parse_rule("sad >= 0.5 for 1s", labels=["angry", "calm"])


# The command line and the service: rules on real predictions. "angry >= 0 for 1s" holds at
# every update with speech, whatever the model hears, so its episode is known in advance.
ALWAYS = "angry >= 0 for 1s"


@pytest.fixture
def recording(tmp_path):
    import numpy as np

    from conftest import speech_like, write

    speech = np.concatenate([speech_like(180, 5, 0.4), np.zeros(16000 * 4, np.float32)])
    return write(tmp_path / "call.wav", speech)


def test_listen_runs_a_command_per_event_with_the_event_on_stdin_and_in_the_environment(
    recording, tmp_path, capsys
):
    import json
    import sys

    from conftest import run

    script = tmp_path / "record.py"
    script.write_text(
        "import json, os, sys\n"
        "event = json.load(sys.stdin)\n"
        "event['env_kind'] = os.environ['VOXEMO_EVENT_KIND']\n"
        "event['argv'] = sys.argv[1:]\n"
        "with open(sys.argv[1], 'a') as out:\n"
        "    out.write(json.dumps(event) + '\\n')\n"
    )
    log = tmp_path / "events.jsonl"
    command = f"{sys.executable} {script} {log} '$(touch {tmp_path}/pwned)'"
    code, out, err = run(
        ["listen", "--file", recording, "--fast", "--model", "fast", "--json", "--hop", "1",
         "--on", ALWAYS, "--exec", command],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    printed = [json.loads(line) for line in out.splitlines() if '"rule"' in line]
    ran = [json.loads(line) for line in log.read_text().splitlines()]
    # Updates every second from 3 s (the first full window) to 9 s (the end of the file):
    # the episode starts after 1 s of them and ends with the stream.
    assert [(e["kind"], e["time"]) for e in printed] == [("start", 4.0), ("end", 9.0)]
    assert [(e["kind"], e["env_kind"]) for e in ran] == [("start", "start"), ("end", "end")]
    assert ran[0]["argv"][1] == f"$(touch {tmp_path}/pwned)"  # an argument, never a shell
    assert not (tmp_path / "pwned").exists()
    assert ran[0]["source"] == str(recording)


def test_predict_timeline_lists_events_and_posts_them_to_a_webhook(recording, capsys):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from conftest import run

    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/alerts"
        code, out, err = run(
            ["predict", recording, "--timeline", "--json", "--model", "fast", "--hop", "1",
             "--on", ALWAYS, "--post", url, "--on", "any negative >= 0.99 for 60s"],
            capsys,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert code == 0, err
    (row,) = json.loads(out)
    kinds = [(e["rule"], e["kind"]) for e in row["events"]]
    assert kinds == [(ALWAYS, "start"), (ALWAYS, "end")]
    assert row["events"][-1]["time"] == row["duration"]  # open until the recording ends
    assert [event["kind"] for event in received] == ["start", "end"]


def test_a_webhook_that_is_down_is_logged_and_never_fails_the_command(recording, capsys):
    import socket

    from conftest import run

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, _ = run(
        ["listen", "--file", recording, "--fast", "--model", "fast", "--on", ALWAYS,
         "--post", f"http://127.0.0.1:{port}/"],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert "rule 'angry >= 0 for 1s' started" in out


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--on", "furious >= 0.5 for 1s"], "unknown emotion 'furious'"),
        (["--on", ALWAYS, "--post", "ftp://example"], "not an http:// or https:// URL"),
        (["--on", ALWAYS, "--exec", "'unclosed"], "cannot be split into words"),
    ],
)
def test_bad_rule_options_get_one_error_line(recording, capsys, args, problem):
    from conftest import one_error_line, run

    code, _, err = run(["listen", "--file", recording, "--fast", "--model", "fast", *args], capsys)
    assert code == 1 and problem in one_error_line(err)


def test_an_action_without_its_rule_is_a_usage_error(recording, capsys):
    from conftest import one_error_line, run

    with pytest.raises(SystemExit) as exited:
        run(["listen", "--file", recording, "--exec", "true"], capsys)
    assert exited.value.code == 2
    assert "--exec goes after the --on RULE" in one_error_line(capsys.readouterr().err)


def test_the_service_stream_sends_rule_events():
    pytest.importorskip("fastapi", reason="the service needs the serve extra")
    from test_service import ready_client, stream_updates

    from conftest import speech_like

    client = ready_client()
    try:
        samples = speech_like(200, 4, 0.5)
        config = {"sample_rate": 16000, "encoding": "f32le", "hop": 1.0, "rules": [ALWAYS]}
        messages = stream_updates(client, samples, config)
        kinds = [(m["event"], m.get("kind"), m["time"]) for m in messages if m["event"] == "rule"]
        assert kinds == [("rule", "start", 4.0), ("rule", "end", 4.0)]
        assert messages[-1]["event"] == "summary"
        with client.websocket_connect("/v1/stream") as ws:
            ws.send_json({"sample_rate": 16000, "encoding": "f32le", "rules": ["grumpy > 1"]})
            from starlette.websockets import WebSocketDisconnect

            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == 1008 and "grumpy" in closed.value.reason
    finally:
        client.__exit__(None, None, None)
