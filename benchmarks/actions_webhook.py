"""A webhook receiver that is slow, hangs or is down never delays the next prediction.

Replays ``examples/conversation.flac`` through ``listen`` as fast as it can be predicted,
with rules that fire often (each emotion at 0.2 for 0 s) posting every event to a receiver
on loopback that answers at once, answers after 3 s, never answers (the 5 s timeout
applies) or is not there at all. For each: the replay's wall time against the run without
actions (medians of 5 replays, the modes in turn), the longest time one update spent in the
rule watcher and the dispatcher, and the events fired and dropped (the queue of 100 was
full).

    python benchmarks/actions_webhook.py
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, write_results

RECORDING = ROOT / "examples" / "conversation.flac"


def receiver(mode: str):
    """A loopback server (None for "down": a port nobody listens on) and its URL."""
    if mode == "down":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return None, f"http://127.0.0.1:{probe.getsockname()[1]}/"
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["content-length"])))
            if mode == "slow":
                time.sleep(3.0)
            elif mode == "hanging":
                time.sleep(60.0)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.received = received
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/events"


def replay(model, rules: list[str], url: str | None) -> dict:
    from voxemo.actions import RuleWatcher
    from voxemo.actions.dispatch import Dispatcher, WebhookAction
    from voxemo.recognizer.live import FileSource, listen
    from voxemo.recognizer.predict import model_rate

    watcher = RuleWatcher(rules, model.labels)
    actions = {rule.text: [WebhookAction(url)] if url else [] for rule in watcher.rules}
    dispatcher = Dispatcher(actions)
    handling, events = [], 0
    began = time.perf_counter()
    source = FileSource(str(RECORDING), model_rate(model))
    for update in listen(model, source, window=3.0, hop=0.5):
        start = time.perf_counter()
        for event in watcher.update(update.time, update.probabilities):
            dispatcher.submit(event)
            events += 1
        handling.append(time.perf_counter() - start)
    wall = time.perf_counter() - began
    dispatcher.close(timeout=0)  # do not wait for the receiver
    return {
        "wall_seconds": round(wall, 3),
        "updates": len(handling),
        "events": events,
        "dropped": dispatcher.dropped,
        "handling_ms_max": round(max(handling) * 1000, 3),
    }


def main() -> None:
    from voxemo import Recognizer

    repeats = 5
    model = Recognizer("default").model
    rules = [f"{label} >= 0.2 for 0s" for label in model.labels]
    replay(model, rules, None)  # warm
    receivers = {mode: receiver(mode) for mode in ("fast", "slow", "hanging", "down")}
    runs: dict[str, list[dict]] = {"baseline": [], **{mode: [] for mode in receivers}}
    for _ in range(repeats):  # the modes in turn, so that each sees the same machine load
        runs["baseline"].append(replay(model, rules, None))
        for mode, (_, url) in receivers.items():
            runs[mode].append(replay(model, rules, url))
    baseline = statistics.median(run["wall_seconds"] for run in runs["baseline"])
    results = {}
    for mode, done in runs.items():
        results[mode] = {
            "wall_seconds": round(statistics.median(run["wall_seconds"] for run in done), 3),
            "updates": done[0]["updates"],
            "events": done[0]["events"],
            "dropped": sum(run["dropped"] for run in done),
            "handling_ms_max": max(run["handling_ms_max"] for run in done),
        }
        if mode != "baseline":
            results[mode]["wall_over_baseline"] = round(results[mode]["wall_seconds"] / baseline, 3)
        server = receivers.get(mode, (None,))[0]
        if server is not None:
            results[mode]["received"] = len(server.received)
        print(mode, json.dumps(results[mode]), flush=True)
    write_results(
        "actions_webhook",
        {
            "recording": RECORDING.name,
            "model": "default",
            "rules": rules,
            "repeats": repeats,
            "runs": results,
        },
    )


if __name__ == "__main__":
    main()
