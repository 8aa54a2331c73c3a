"""``voxemo report``: an HTML report from evaluation JSON files."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo.cli.outputs import output_folder
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="HTML report from evaluation JSON files",
        description="Write an HTML report from one or more evaluation JSON files written by "
        "'voxemo evaluate --json', e.g. the utterance-level and the speaker-adapted track of "
        "one configuration side by side.",
    )
    report.add_argument("evaluations", nargs="+", metavar="EVALUATION.json")
    report.add_argument(
        "--out", required=True, metavar="DIR", help="folder for index.html and its figures"
    )
    report.add_argument("--svg", action="store_true", help="also write every figure as SVG")
    report.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import write_report
    from voxemo.jsonfile import read_json

    output_folder(args.out, "--out")
    results = []
    for path in map(Path, args.evaluations):
        result = read_json(path, "evaluation file")
        if not isinstance(result, dict) or not {"config", "folds", "track"} <= set(result):
            raise VoxemoError(f"{path}: not a voxemo evaluation (written by evaluate --json)")
        results.append(result)
    write_report(results, Path(args.out), args.svg)
    return 0
