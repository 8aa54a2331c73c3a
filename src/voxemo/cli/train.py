"""``voxemo train``: a model trained on all of the corpora, saved as a folder with its card."""

from __future__ import annotations

import argparse
from contextlib import nullcontext
from pathlib import Path

from voxemo.cli.console import epoch_progress, note
from voxemo.cli.options import add_extraction, add_folds, add_model, add_protocol, protocols_help
from voxemo.cli.outputs import output_folder


def register(sub: argparse._SubParsersAction) -> None:
    protocols = protocols_help()
    train = sub.add_parser(
        "train",
        help="train a model on labelled corpora and save it",
        description="Train a model on all files of the corpora and save it as a folder holding "
        "model.onnx and card.json (safe to load: no pickle). With --protocol, the configuration "
        "is first evaluated and its scores are written into the model card.",
    )
    add_extraction(train)
    add_model(train)
    train.add_argument("--out", required=True, metavar="PATH", help="model folder to write")
    train.add_argument(
        "--force", action="store_true", help="replace the model folder --out if it exists"
    )
    train.add_argument(
        "--voice",
        action="store_true",
        help="also train the voice model (saved in --out/voice): the same recipe on features "
        "z-scored per speaker, which 'predict --timeline --adapt' and 'listen --adapt' use to "
        "judge each window against the running statistics of the recording's voice "
        "(feature-vector models)",
    )
    add_protocol(
        train,
        f"evaluate first and record the scores ({protocols})",
    )
    add_folds(train)
    train.add_argument(
        "--scores",
        type=Path,
        metavar="EVAL.json",
        help="record the scores of an earlier 'voxemo evaluate --json' of the same model kind "
        "and features instead of evaluating again",
    )
    train.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import (
        check_protocol,
        clear_for_replacement,
        copies_if_augmented,
        feature_spec,
        load_corpus,
        load_model_inputs,
        print_evaluation,
        recipe,
        run_evaluation,
    )
    from voxemo.errors import VoxemoError
    from voxemo.evaluation.protocols import check_folds_option
    from voxemo.evaluation.recipe import check_same_recipe, read_evaluation
    from voxemo.models.neural import is_neural
    from voxemo.models.training import card_scores, check_exportable, train

    check_exportable(args.model)
    if args.voice and is_neural(args.model):
        raise VoxemoError(
            f"--voice trains a feature-vector model on per-speaker z-scores; '{args.model}' is "
            "a network (its --adapt corrects probabilities instead)"
        )
    check_folds_option(args.protocol, args.folds is not None)
    output_folder(args.out, "--out", replace=args.force)
    features = feature_spec(args)
    corpus = load_corpus(args.corpus)
    folds = check_protocol(args, corpus) if args.protocol else None
    data = load_model_inputs(args, corpus)
    scores = {}
    if args.protocol:
        result = run_evaluation(args, data, args.protocol, folds)
        print_evaluation(result, title=f"{args.model} on {features}, {args.protocol}")
        scores[args.protocol] = card_scores(result)
    if args.scores:
        result = read_evaluation(args.scores, args.model, features)
        protocol = result["config"]["protocol"]
        check_same_recipe(result["config"], recipe(args, data, protocol), args.scores)
        scores[protocol] = card_scores(result)
    voice = " and its voice model" if args.voice else ""
    note(f"fitting {args.model}{voice} on all {len(data.table)} files")
    neural = is_neural(args.model)
    checkpoint = args.checkpoints / f"{args.model}-all.pt" if neural and args.checkpoints else None
    progress = epoch_progress(f"{args.model} training", 1) if neural else nullcontext()
    with progress as on_epoch:
        trained = train(
            data,
            args.model,
            features=features,
            seed=args.seed,
            tune=args.tune,
            select=args.select,
            augment=copies_if_augmented(args, data),
            epochs=args.epochs,
            checkpoint=checkpoint,
            on_epoch=on_epoch,
            scores=scores,
            voice=args.voice,
        )
    if neural:
        took = (
            "" if trained.seconds is None else f" after {trained.seconds / 60:.1f} min of training"
        )
        chosen = trained.card["chosen_params"]
        note(
            f"kept epoch {chosen['epoch']} (validation UAR {trained.card['validation_uar']}){took}"
        )
    clear_for_replacement(args)
    note(f"saved model to {trained.save(args.out)}")
    return 0
