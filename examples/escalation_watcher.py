"""A call-centre escalation watcher: replays a call and alerts a supervisor's webhook when
the caller stays angry or distressed.

Without ``--post`` it starts its own receiver on 127.0.0.1 and prints what arrives, so it
runs offline as it is; give ``--post URL`` to alert a real one. Alerts are posted off the
audio path (a slow or absent receiver never holds up the call's analysis).

    python examples/escalation_watcher.py                       # examples/conversation.flac
    python examples/escalation_watcher.py --call call.wav --post http://alerts.local/hook
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from voxemo import Recognizer
from voxemo.actions import RuleWatcher
from voxemo.actions.dispatch import Dispatcher, WebhookAction
from voxemo.recognizer.live import FileSource, listen
from voxemo.recognizer.predict import model_rate

HERE = Path(__file__).resolve().parent
RULES = ["any negative >= 0.8 for 3s cooldown 10s"]


def local_receiver() -> tuple[HTTPServer, str]:
    """A supervisor's webhook on loopback that prints each alert."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            alert = json.loads(self.rfile.read(int(self.headers["content-length"])))
            if alert["kind"] == "start":
                print(
                    f"  [supervisor] ALERT {alert['source']}: {alert['rule']!r} since "
                    f"{alert['since']:.1f} s (at {alert['time']:.1f} s, {alert['value']:.2f})",
                    flush=True,
                )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/alerts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", type=Path, default=HERE / "conversation.flac")
    parser.add_argument("--post", metavar="URL", help="the supervisor's webhook")
    parser.add_argument("--realtime", action="store_true", help="replay at the call's pace")
    args = parser.parse_args()

    server, url = (None, args.post) if args.post else local_receiver()
    model = Recognizer().model
    watcher = RuleWatcher(RULES, model.labels, source=args.call.name)
    dispatcher = Dispatcher({rule.text: [WebhookAction(url)] for rule in watcher.rules})
    source = FileSource(str(args.call), model_rate(model), realtime=args.realtime)
    alerts = 0
    print(f"watching {args.call.name}; alerts go to {url}")
    last = 0.0
    for update in listen(model, source, window=3.0, hop=1.0):
        last = update.time
        for event in watcher.update(update.time, update.probabilities):
            alerts += event.kind == "start"
            dispatcher.submit(event)
    for event in watcher.finish(last):
        dispatcher.submit(event)
    dispatcher.close()
    if server:
        server.shutdown()
    print(f"call over ({last:.0f} s): {alerts} alert(s) raised")


if __name__ == "__main__":
    main()
