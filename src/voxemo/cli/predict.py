"""The prediction subcommands: predict (files and timelines), models and listen."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from voxemo.cli.console import error_line, note, out, print_json, progress_bar, warn
from voxemo.cli.outputs import output_file
from voxemo.emotions import display_order
from voxemo.errors import AudioError, VoxemoError
from voxemo.features import FeatureCache, default_cache_dir
from voxemo.models import load_model
from voxemo.models.card_text import corpus_names
from voxemo.models.catalog import list_models, resolve_model
from voxemo.recognizer import expand_inputs, predict_files
from voxemo.recognizer.predict import write_predictions_csv
from voxemo.recognizer.timeline import TimelineSettings, predict_timeline, write_segments_csv


def cache_from(args: argparse.Namespace) -> FeatureCache | None:
    return None if args.no_cache else FeatureCache(default_cache_dir())


def report_repaired(cache: FeatureCache | None) -> None:
    """One warning for the damaged cache entries that were recomputed, however many."""
    if cache and cache.repaired:
        warn(
            f"{len(cache.repaired)} damaged feature cache entries were recomputed and replaced "
            f"(first: {cache.repaired[0]})"
        )


def cmd_predict(args: argparse.Namespace) -> int:
    output_file(args.csv, "--csv")
    output_file(args.plot, "--plot")
    model = load_model(resolve_model(args.model))
    paths, failures = expand_inputs(args.inputs)
    if args.timeline:
        return _timelines(args, model, paths, failures)
    if args.plot or args.adapt:
        raise VoxemoError("--plot and --adapt go with --timeline")
    with progress_bar("predicting", len(paths)) as advance:
        cache = cache_from(args)
        predictions = predict_files(model, paths, jobs=args.jobs, cache=cache, progress=advance)
    report_repaired(cache)
    predictions += failures
    if args.csv:
        write_predictions_csv(predictions, model.labels, args.csv)
    if args.json:
        print_json([p.to_dict() for p in predictions])
    else:
        _print_predictions([p for p in predictions if not p.error], model.labels)
    failed = [p for p in predictions if p.error]
    for prediction in failed:
        error_line(prediction.error)
    return 1 if failed else 0


def _print_predictions(predictions, labels: list[str]) -> None:
    if not predictions:
        return
    table = Table(title="probability of each emotion", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("emotion", style="bold")
    labels = display_order(labels)
    for label in labels:
        table.add_column(label, justify="right")
    for prediction in predictions:
        table.add_row(
            prediction.path,
            prediction.label,
            *(f"{prediction.probabilities[label]:.2f}" for label in labels),
        )
    out.print(table)


def cmd_models(args: argparse.Namespace) -> int:
    entries = list_models()
    if args.json:
        print_json(
            [
                {"name": e.name, "source": e.source, "path": str(e.path), **_summary(e.card)}
                for e in entries
            ]
        )
        return 0
    table = Table(title="models (use with --model NAME)", title_justify="left")
    columns = ("name", "source", "kind", "emotions", "trained on", "acc / UAR on unseen speakers")
    for column in (*columns, "path"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        summary = _summary(entry.card)
        scores = "; ".join(
            f"{test} {s['accuracy']:.3f} / {s['uar']:.3f}" for test, s in summary["scores"].items()
        )
        table.add_row(
            entry.name,
            entry.source,
            summary["kind"],
            str(len(summary["labels"])),
            f"{summary['files']} files of {', '.join(summary['corpus'])}",
            scores or "-",
            str(entry.path),
        )
    out.print(table)
    if not entries:
        out.print("no models found; train one with voxemo train --out DIR")
    return 0


# The test corpus of a single-corpus protocol whose evaluation predates per-corpus scores.
PROTOCOL_CORPORA = {"emobox": "ravdess", "crema5": "crema-d"}


def _summary(card: dict) -> dict:
    training = card.get("training", {})
    scores: dict[str, dict] = {}
    for protocol, recorded in card.get("scores", {}).items():
        if protocol == "seed":  # speakers leak: not a score on unseen speakers
            continue
        tests = recorded.get("per_corpus") or {PROTOCOL_CORPORA.get(protocol, protocol): recorded}
        for test, own in tests.items():
            scores.setdefault(test, {k: own[k] for k in ("accuracy", "uar")})
    return {
        "kind": card.get("model", "?"),
        "labels": display_order(card.get("labels", [])),
        "corpus": corpus_names(training),
        "files": training.get("n_files", 0),
        "scores": scores,
        "emobox": scores.get("ravdess") if "emobox" in card.get("scores", {}) else None,
    }


def _timelines(args: argparse.Namespace, model, paths: list[str], failures) -> int:
    check_window(args.window, args.hop)
    if args.plot and len(paths) != 1:
        raise VoxemoError(f"--plot draws one recording; {len(paths)} were given")
    settings = TimelineSettings(window=args.window, hop=args.hop)
    timelines, rows = [], []  # rows: every input in order, a timeline or an error
    for path in paths:
        try:
            with progress_bar(f"timeline {Path(path).name} (seconds)", _seconds(path)) as advance:
                timeline = predict_timeline(
                    model, path, settings, progress=advance, adapt=args.adapt
                )
            timelines.append(timeline)
            rows.append(timeline.to_dict())
        except AudioError as exc:
            rows.append({"path": path, "error": str(exc)})
    rows += [failure.to_dict() for failure in failures]
    errors = [row["error"] for row in rows if "error" in row]
    if args.json:
        print_json(rows)
    else:
        for timeline in timelines:
            _print_timeline(timeline)
    if args.csv:
        write_segments_csv(timelines, args.csv)
        note(f"wrote {args.csv}")
    if args.plot and timelines:
        from voxemo.reports.style import save
        from voxemo.reports.timeline import timeline_figure

        save(timeline_figure(timelines[0], model.labels), args.plot)
        note(f"wrote {args.plot}")
    for error in errors:
        error_line(error)
    return 1 if errors else 0


def check_window(window: float, hop: float) -> None:
    """One line naming which of --window and --hop is wrong, and both values."""
    if window <= 0:
        raise VoxemoError(f"--window {window}: must be more than 0 seconds")
    if not 0 < hop <= window:
        raise VoxemoError(
            f"--hop {hop}: must be more than 0 and at most --window ({window} s); "
            "give a smaller --hop with a short --window"
        )


def _seconds(path: str) -> int | None:
    import soundfile

    try:
        return int(soundfile.info(path).duration) + 1
    except Exception:  # unreadable: stream_audio reports it properly
        return None


def _print_timeline(timeline) -> None:
    out.print(
        f"{timeline.path}: {timeline.duration:.1f} s, {timeline.speech_seconds:.1f} s of speech",
        markup=False,
    )
    table = Table()
    for column in ("start", "end", "emotion", "confidence"):
        table.add_column(column, justify="left" if column == "emotion" else "right")
    for segment in timeline.segments:
        table.add_row(
            _clock(segment.start), _clock(segment.end), segment.label, f"{segment.confidence:.2f}"
        )
    out.print(table)
    if not timeline.segments:
        out.print("no speech found")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:05.2f}" if hours else f"{minutes}:{rest:05.2f}"


def cmd_listen(args: argparse.Namespace) -> int:
    import json

    from voxemo.recognizer.live import FileSource, MicrophoneSource, listen
    from voxemo.recognizer.predict import model_rate

    check_window(args.window, args.hop)
    if args.fast and not args.file:
        raise VoxemoError("--fast goes with --file (a microphone runs in real time)")
    model = load_model(resolve_model(args.model))
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
    for update in listen(model, source, window=args.window, hop=args.hop, adapt=args.adapt):
        if args.json:
            print(json.dumps(update.__dict__), flush=True)
        elif update.label is None:
            out.print(f"{_clock(update.time)}  (silence)")
        else:
            others = sorted(update.probabilities.items(), key=lambda item: -item[1])[1:3]
            rest = ", ".join(f"{label} {p:.2f}" for label, p in others)
            out.print(
                f"{_clock(update.time)}  {update.label:<10} {update.confidence:.2f}  ({rest})"
            )
    return 0
