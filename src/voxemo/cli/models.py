"""``voxemo models``: the bundled models and the user's, with what each was trained on."""

from __future__ import annotations

import argparse

from rich.table import Table

from voxemo.cli.console import out, print_json


def register(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser(
        "models",
        help="list the bundled and user models",
        description="List the models voxemo can use by name: those bundled with it and those "
        "in the user model folder ($VOXEMO_MODELS_DIR, else ~/.local/share/voxemo/models). "
        "Pass a name or a folder to --model.",
    )
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")
    models.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.models.catalog import card_summary, list_models

    entries = list_models()
    if args.json:
        print_json(
            [
                {"name": e.name, "source": e.source, "path": str(e.path), **card_summary(e.card)}
                for e in entries
            ]
        )
        return 0
    table = Table(title="models (use with --model NAME)", title_justify="left")
    columns = ("name", "source", "kind", "emotions", "trained on", "acc / UAR on unseen speakers")
    for column in (*columns, "path"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        summary = card_summary(entry.card)
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
