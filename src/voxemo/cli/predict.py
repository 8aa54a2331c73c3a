"""``voxemo predict``: the emotion of files and folders, or of long recordings over time."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from voxemo.cli.actions import add_rule_options, rules_from, show_events
from voxemo.cli.console import clock, error_line, note, out, print_json, progress_bar
from voxemo.cli.options import add_extraction, check_window
from voxemo.cli.outputs import output_file
from voxemo.emotions import display_order
from voxemo.errors import AudioError, VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    predict = sub.add_parser(
        "predict",
        help="predict the emotion of audio files or folders",
        description="Predict the emotion of each file (folders are searched for audio files). "
        "A file that cannot be read gets an error line; the others are still predicted and the "
        "exit status is 1.",
    )
    predict.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR")
    predict.add_argument(
        "--model",
        metavar="PATH_OR_NAME",
        help="model folder written by voxemo train, or a model name from 'voxemo models' "
        "(default: the bundled model)",
    )
    predict.add_argument("--json", action="store_true", help="print JSON instead of a table")
    predict.add_argument(
        "--csv",
        metavar="OUT.csv",
        type=Path,
        help="also write a CSV: one row per file (path, emotion, duration, the probability of "
        "each emotion, error), or with --timeline one per segment",
    )
    timeline = predict.add_argument_group(
        "long recordings",
        "--timeline finds the speech in each recording, predicts overlapping windows, smooths "
        "them over time and prints segments (start, end, emotion, confidence). The audio is "
        "streamed, so recordings of any length fit in memory.",
    )
    timeline.add_argument("--timeline", action="store_true", help="emotion over time")
    timeline.add_argument(
        "--adapt",
        action="store_true",
        help="adapt to the voice of each recording by the running statistics of its windows "
        "(for recordings of one speaker: a call side, a dictation)",
    )
    timeline.add_argument(
        "--plot", metavar="OUT.png", type=Path, help="also draw the timeline (one recording)"
    )
    timeline.add_argument(
        "--window",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="speech per prediction (default: %(default)s)",
    )
    timeline.add_argument(
        "--hop",
        type=float,
        default=1.5,
        metavar="SECONDS",
        help="time between window starts (default: %(default)s)",
    )
    add_rule_options(predict)
    add_extraction(predict, corpus=False, jobs="feature extraction")
    predict.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.cache import cache_from, report_repaired
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.recognizer import expand_inputs, predict_files
    from voxemo.recognizer.predict import write_predictions_csv

    output_file(args.csv, "--csv")
    output_file(args.plot, "--plot")
    model = load_model(resolve_model(args.model))
    paths, failures = expand_inputs(args.inputs)
    if args.timeline:
        return _timelines(args, model, paths, failures)
    if args.plot or args.adapt or args.rules:
        raise VoxemoError("--plot, --adapt and --on go with --timeline")
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


def _timelines(args: argparse.Namespace, model, paths: list[str], failures) -> int:
    from voxemo.recognizer.timeline import TimelineSettings, predict_timeline, write_segments_csv

    check_window(args.window, args.hop)
    if args.plot and len(paths) != 1:
        raise VoxemoError(f"--plot draws one recording; {len(paths)} were given")
    settings = TimelineSettings(window=args.window, hop=args.hop)
    rules, dispatcher = rules_from(args, model.labels)
    timelines, rows, events = [], [], {}  # rows: every input in order, a timeline or an error
    for path in paths:
        try:
            with progress_bar(f"timeline {Path(path).name} (seconds)", _seconds(path)) as advance:
                timeline = predict_timeline(
                    model, path, settings, progress=advance, adapt=args.adapt
                )
            timelines.append(timeline)
            rows.append(timeline.to_dict())
            if rules:
                events[path] = _rule_events(timeline, rules, args.hop, dispatcher)
                rows[-1]["events"] = [event.to_dict() for event in events[path]]
        except AudioError as exc:
            rows.append({"path": path, "error": str(exc)})
    rows += [failure.to_dict() for failure in failures]
    errors = [row["error"] for row in rows if "error" in row]
    if dispatcher:
        dispatcher.close()
    if args.json:
        print_json(rows)
    else:
        for timeline in timelines:
            _print_timeline(timeline)
            show_events(events.get(timeline.path, []), as_json=False)
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


def _rule_events(timeline, rules, hop: float, dispatcher) -> list:
    from voxemo.actions import RuleWatcher, timeline_events

    found = timeline_events(timeline, RuleWatcher(rules, source=timeline.path), hop)
    for event in found:
        dispatcher.submit(event)
    return found


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
            clock(segment.start), clock(segment.end), segment.label, f"{segment.confidence:.2f}"
        )
    out.print(table)
    if not timeline.segments:
        out.print("no speech found")
