"""``voxemo evaluate``: cross-validate a model and its features under a protocol."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo.cli.console import note, warn
from voxemo.cli.options import add_extraction, add_folds, add_model, add_protocol, protocols_help
from voxemo.cli.outputs import output_file, output_folder
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    from voxemo.evaluation import PROTOCOLS

    protocols = protocols_help()
    evaluate = sub.add_parser(
        "evaluate",
        help="cross-validate a feature set and model under a protocol",
        description="Train and test one model per fold of the protocol and report accuracy, "
        f"UAR (balanced accuracy) and macro-F1 with their spread over folds. {protocols}.",
    )
    add_extraction(evaluate, corpus_required=False)
    evaluate.add_argument(
        "--train",
        action="append",
        metavar="NAME=PATH",
        help="--protocol cross: training corpus (repeat to combine)",
    )
    evaluate.add_argument(
        "--test",
        action="append",
        metavar="NAME=PATH",
        help="--protocol cross: test corpus (repeat to combine)",
    )
    evaluate.add_argument(
        "--corpus-norm",
        action="store_true",
        help="z-score features per corpus (each with its own, unlabelled statistics; the test "
        "corpus's too): for multi-corpus training and --protocol cross",
    )
    add_model(evaluate)
    add_protocol(
        evaluate,
        f"{', '.join(PROTOCOLS)} (default: the built-in speaker-independent folds of the "
        "corpora read, emobox for RAVDESS and crema5 for CREMA-D, folds for both; loso for "
        "other corpora; cross with --train and --test)",
    )
    add_folds(evaluate)
    evaluate.add_argument(
        "--speaker-norm",
        action="store_true",
        help="speaker-adapted track: z-score features per speaker over all of that speaker's "
        "utterances (networks: centre each speaker's log-probabilities instead); it uses "
        "unlabelled test-speaker audio, so it is reported as its own track",
    )
    evaluate.add_argument(
        "--json",
        metavar="OUT.json",
        help="write the evaluation JSON here, and a confusion-matrix PNG beside it",
    )
    evaluate.add_argument(
        "--report",
        metavar="DIR",
        help="write an HTML report (figures, per-class, per-fold and per-speaker scores, "
        "confused pairs, misclassified recordings with players) into DIR",
    )
    evaluate.set_defaults(run=run)


def _evaluation_corpus(args: argparse.Namespace) -> tuple:
    """The corpus to evaluate on, the specs it came from, and (cross) the emotions dropped."""
    from voxemo.cli.inputs import load_corpora, load_corpus
    from voxemo.corpora import cross_corpora

    if args.protocol != "cross":
        if args.train or args.test:
            raise VoxemoError("--train and --test go with --protocol cross; use --corpus")
        if not args.corpus:
            raise VoxemoError(
                "--corpus NAME=PATH is required (or --protocol cross with --train and --test)"
            )
        return load_corpus(args.corpus), args.corpus, {}
    if not (args.train and args.test) or args.corpus:
        raise VoxemoError(
            "--protocol cross takes --train NAME=PATH and --test NAME=PATH "
            "(each may be repeated) instead of --corpus"
        )
    corpus, dropped = cross_corpora(load_corpora(args.train), load_corpora(args.test))
    for split, counts in dropped.items():
        if counts:
            listed = ", ".join(f"{label} ({n} files)" for label, n in counts.items())
            warn(f"cross-corpus: {split} emotions not shared by both sides were dropped: {listed}")
    note(f"cross-corpus: {len(corpus.labels)} shared emotions: {', '.join(corpus.labels)}")
    specs = [f"train {spec}" for spec in args.train] + [f"test {spec}" for spec in args.test]
    return corpus, specs, dropped


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import (
        check_protocol,
        feature_spec,
        load_model_inputs,
        print_evaluation,
        recipe,
        run_evaluation,
        write_evaluation,
        write_report,
    )
    from voxemo.corpora import parse_corpus_spec
    from voxemo.evaluation import PROTOCOLS
    from voxemo.evaluation.protocols import default_protocol

    output_file(args.json, "--json")
    output_folder(args.report, "--report")
    if args.protocol is None:
        names = [parse_corpus_spec(spec)[0] for spec in args.corpus or []]
        args.protocol = "cross" if args.train or args.test else default_protocol(names)
        note(f"protocol {args.protocol} ({PROTOCOLS[args.protocol]})")
    corpus, specs, dropped = _evaluation_corpus(args)
    features = feature_spec(args)
    folds = check_protocol(args, corpus)
    data = load_model_inputs(args, corpus)
    result = run_evaluation(args, data, args.protocol, folds, speaker_norm=args.speaker_norm)
    if args.protocol == "cross":
        result["dropped_labels"] = dropped
    result["config"] = recipe(args, data, args.protocol, specs, folds)
    print_evaluation(result, title=f"{args.model} on {features} features, {args.protocol}")
    if args.json:
        write_evaluation(result, Path(args.json))
    if args.report:
        write_report([result], Path(args.report), svg=False)
    return 0
