"""``voxemo report``: an HTML report from evaluation JSON files."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo.actions.rules import CALL_RULES
from voxemo.cli.console import note
from voxemo.cli.outputs import output_folder
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="HTML report from evaluation JSON files, or of one call (--call)",
        description="Write an HTML report from one or more evaluation JSON files written by "
        "'voxemo evaluate --json', e.g. the utterance-level and the speaker-adapted track of "
        "one configuration side by side; or, with --call, one page for one long recording: "
        "its timeline, the share of speech per emotion, the events the rules found (linked "
        "to their audio) and the model's card.",
    )
    report.add_argument("evaluations", nargs="*", metavar="EVALUATION.json")
    call = report.add_argument_group("a call")
    call.add_argument("--call", type=Path, metavar="FILE", help="a long recording to report on")
    call.add_argument("--model", metavar="PATH_OR_NAME", help="default: the bundled model")
    call.add_argument(
        "--on",
        dest="rules",
        action="append",
        metavar="RULE",
        help="rules whose events are listed (default: " + "; ".join(CALL_RULES) + ")",
    )
    call.add_argument("--adapt", action="store_true", help="adapt to the caller's voice")
    report.add_argument(
        "--out", required=True, metavar="DIR", help="folder for index.html and its figures"
    )
    report.add_argument("--svg", action="store_true", help="also write every figure as SVG")
    report.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import write_report
    from voxemo.jsonfile import read_json

    if bool(args.call) == bool(args.evaluations):
        raise VoxemoError("give evaluation JSON files or --call FILE (one of them)")
    output_folder(args.out, "--out")
    if args.call:
        return _call(args)
    results = []
    for path in map(Path, args.evaluations):
        result = read_json(path, "evaluation file")
        if not isinstance(result, dict) or not {"config", "folds", "track"} <= set(result):
            raise VoxemoError(f"{path}: not a voxemo evaluation (written by evaluate --json)")
        results.append(result)
    write_report(results, Path(args.out), args.svg)
    return 0


def _call(args: argparse.Namespace) -> int:
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.reports.call import write_call_report

    model = load_model(resolve_model(args.model))
    rules = args.rules or CALL_RULES
    note(f"wrote {write_call_report(model, args.call, args.out, rules=rules, adapt=args.adapt)}")
    return 0
