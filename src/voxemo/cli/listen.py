"""``voxemo listen``: the emotion of live audio, from the microphone or a file replayed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from voxemo.cli.actions import add_rule_options, fire, rules_from
from voxemo.cli.console import clock, note, out
from voxemo.cli.options import check_window
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    listen = sub.add_parser(
        "listen",
        help="predict the emotion of live audio: the microphone, or a file replayed",
        description="Listen to an input device and print the emotion of the last --window "
        "seconds every --hop seconds (or 'silence'). Stop with Ctrl+C. --file replays a "
        "recording as if it were live.",
    )
    listen.add_argument("--model", metavar="PATH_OR_NAME", help="default: the bundled model")
    listen.add_argument("--device", help="input device number or name (default: the system's)")
    listen.add_argument(
        "--file", type=Path, help="replay this recording instead of a device, in real time"
    )
    listen.add_argument(
        "--fast", action="store_true", help="with --file: replay as fast as it can be predicted"
    )
    listen.add_argument(
        "--seconds", type=float, metavar="N", help="stop after N seconds (default: never)"
    )
    listen.add_argument(
        "--window",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="audio per prediction (default: %(default)s)",
    )
    listen.add_argument(
        "--hop",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time between predictions (default: %(default)s)",
    )
    listen.add_argument("--json", action="store_true", help="print one JSON object per update")
    listen.add_argument(
        "--adapt",
        action="store_true",
        help="adapt to the voice heard so far (one speaker at the microphone)",
    )
    add_rule_options(listen)
    listen.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.recognizer.live import FileSource, MicrophoneSource, listen
    from voxemo.recognizer.predict import model_rate

    check_window(args.window, args.hop)
    if args.fast and not args.file:
        raise VoxemoError("--fast goes with --file (a microphone runs in real time)")
    model = load_model(resolve_model(args.model))
    rules, dispatcher = rules_from(args, model.labels)  # bad rules fail before any audio
    if args.file:
        source = FileSource(
            str(args.file), model_rate(model), realtime=not args.fast, seconds=args.seconds
        )
        pace = "as fast as it can" if args.fast else "in real time"
        note(f"replaying {args.file} ({source.duration:.1f} s) {pace}")
    else:
        device = int(args.device) if args.device and args.device.isdigit() else args.device
        source = MicrophoneSource(device=device, seconds=args.seconds)
        note(f"listening on '{source.name}'; Ctrl+C stops")
    from voxemo.actions import RuleWatcher

    updates = listen(model, source, window=args.window, hop=args.hop, adapt=args.adapt)
    name = str(args.file) if args.file else "microphone"
    watcher = RuleWatcher(rules, source=name) if rules else None
    try:
        _listen(args, updates, watcher, dispatcher)
    finally:
        if dispatcher:
            dispatcher.close()
    return 0


def _listen(args, updates, watcher, dispatcher) -> None:
    last = 0.0
    for update in updates:
        last = update.time
        if args.json:
            print(json.dumps(update.__dict__), flush=True)
        elif update.label is None:
            out.print(f"{clock(update.time)}  (silence)")
        else:
            others = sorted(update.probabilities.items(), key=lambda item: -item[1])[1:3]
            rest = ", ".join(f"{label} {p:.2f}" for label, p in others)
            out.print(f"{clock(update.time)}  {update.label:<10} {update.confidence:.2f}  ({rest})")
        if watcher:
            fire(watcher.update(update.time, update.probabilities), dispatcher, args.json)
    if watcher:
        fire(watcher.finish(last), dispatcher, args.json)
