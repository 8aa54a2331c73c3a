"""``voxemo ensemble``: average models, as a model folder or as an evaluation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from voxemo.cli.console import note
from voxemo.cli.outputs import output_folder
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    ensemble = sub.add_parser(
        "ensemble",
        help="average the probabilities of several models",
        description="With model folders or names (voxemo models): write an ensemble model folder "
        "(--out) that averages "
        "their probabilities; it predicts like any model. With evaluation JSON files of the same "
        "corpus and folds (voxemo evaluate --json): evaluate the ensemble of those models "
        "without training anything again (each member was trained on each fold's training "
        "side only).",
    )
    ensemble.add_argument("inputs", nargs="+", metavar="MODEL_OR_EVAL.json")
    ensemble.add_argument("--weights", type=float, nargs="+", metavar="W", help="one per input")
    ensemble.add_argument("--out", type=Path, help="ensemble model folder to write")
    ensemble.add_argument(
        "--force", action="store_true", help="replace the model folder --out if it exists"
    )
    ensemble.add_argument("--json", metavar="OUT.json", help="write the ensemble's evaluation")
    ensemble.add_argument(
        "--scores",
        type=Path,
        metavar="EVAL.json",
        help="with --out: record this evaluation of the ensemble (from its members' "
        "evaluations) in the ensemble's model card",
    )
    ensemble.add_argument(
        "--calibrate",
        action="store_true",
        help="with --scores: fit a temperature on the evaluation's out-of-fold probabilities "
        "so that the ensemble's top probability matches how often it is right",
    )
    ensemble.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import clear_for_replacement, print_evaluation, write_evaluation
    from voxemo.evaluation.ensemble import ensemble_evaluation
    from voxemo.evaluation.recipe import check_same_members, member_training, read_evaluation
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.models.ensemble import save_ensemble
    from voxemo.models.training import card_scores

    evaluations = [Path(item) for item in args.inputs if str(item).endswith(".json")]
    if not evaluations:
        if not args.out:
            raise VoxemoError("--out DIR is required to build an ensemble model from folders")
        output_folder(args.out, "--out", replace=args.force)
        # Folders or model names, each loaded (and so checked) once.
        models = [load_model(resolve_model(item)) for item in args.inputs]
        scores, temperature = {}, None
        if args.calibrate and not args.scores:
            raise VoxemoError("--calibrate fits on the ensemble's evaluation: give --scores")
        if args.scores:
            result = read_evaluation(args.scores, "ensemble")
            weights = args.weights or [1.0] * len(models)
            check_same_members(
                result["config"], [model.card for model in models], weights, args.scores
            )
            scores[result["config"]["protocol"]] = card_scores(result)
            if args.calibrate:
                from voxemo.evaluation.calibration import calibrate

                temperature, error = calibrate(result)
                scores[result["config"]["protocol"]] |= {
                    "calibration_error_before_scaling": scores[result["config"]["protocol"]][
                        "calibration_error"
                    ],
                    "calibration_error": error,
                }
                note(
                    f"temperature {temperature:.3f}: cross-validated calibration error {error:.3f}"
                )
        clear_for_replacement(args)
        path = save_ensemble(models, args.out, args.weights, scores, temperature)
        note(f"saved ensemble of {len(args.inputs)} models to {path}")
        return 0
    if len(evaluations) != len(args.inputs):
        raise VoxemoError("give either model folders or evaluation JSON files, not both")
    members = []
    for path in evaluations:
        try:
            members.append(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise VoxemoError(f"{path}: not a readable evaluation JSON ({exc})") from None
    protocols = {member.get("config", {}).get("protocol") for member in members}
    if len(protocols) != 1 or None in protocols:
        raise VoxemoError("the evaluations must come from one protocol (voxemo evaluate --json)")
    result = ensemble_evaluation(members, protocols.pop(), args.weights)
    result["config"] = {
        "model": "ensemble",
        "members": [m["config"]["model"] + " on " + m["config"]["features"] for m in members],
        "weights": args.weights or [1.0] * len(members),
        "protocol": members[0]["config"]["protocol"],
        "features": "+".join(m["config"]["features"] for m in members),
        "member_training": [member_training(m["config"]) for m in members],
    }
    print_evaluation(result, title="ensemble of " + ", ".join(result["config"]["members"]))
    if args.json:
        write_evaluation(result, Path(args.json))
    return 0
