"""``voxemo explore``: figures of a corpus and a page that shows them."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo.cli.console import note, progress_bar, report_problems
from voxemo.cli.options import add_extraction
from voxemo.cli.outputs import output_folder
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    explore = sub.add_parser(
        "explore",
        help="figures of a corpus and a page that shows them",
        description="Write PNG figures of a corpus and an index.html that shows them: counts "
        "per emotion, gender, intensity and speaker, durations and silence, one recording in "
        "detail, one text spoken with every emotion, per-emotion spectra, pitch and loudness, "
        "and PCA/t-SNE maps coloured by emotion and by speaker.",
    )
    add_extraction(
        explore,
        features=False,
        repeat="look at several corpora together",
        jobs="feature extraction",
    )
    explore.add_argument("--out", required=True, metavar="DIR", help="folder for the figures")
    explore.add_argument(
        "--example",
        metavar="FILE",
        help="recording of the corpus (one of its files) to show in detail; its speaker, "
        "statement and intensity also pick the one-text-every-emotion figure (default: a "
        "neutral recording of a female speaker, first statement, where the corpus has those "
        "fields)",
    )
    explore.add_argument("--svg", action="store_true", help="also write every figure as SVG")
    explore.add_argument("--no-tsne", action="store_true", help="skip the t-SNE map (slowest)")
    explore.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.cache import cache_from
    from voxemo.cli.inputs import load_corpus
    from voxemo.reports.explore import FEATURES, explore_corpus

    output_folder(args.out, "--out")
    corpus = load_corpus(args.corpus)
    if args.example and str(Path(args.example).resolve()) not in set(corpus.table["path"]):
        raise VoxemoError(
            f"--example {args.example}: not a recording of the corpus read; give one of its files"
        )
    with progress_bar(f"features {FEATURES}", len(corpus.table)) as advance:
        page, data = explore_corpus(
            corpus,
            Path(args.out),
            example=args.example,
            svg=args.svg,
            tsne=not args.no_tsne,
            jobs=args.jobs,
            cache=cache_from(args),
            progress=advance,
        )
    report_problems("files failed and were left out", data.errors)
    note(f"wrote {page}")
    return 0
