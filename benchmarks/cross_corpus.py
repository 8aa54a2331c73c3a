"""Across corpora: train on RAVDESS, CREMA-D or both, test on speakers never trained on.

Every score is speaker-independent:

- ``ravdess``: RAVDESS alone, its 6 EmoBox actor folds;
- ``crema-d``: CREMA-D alone, its 5 crema5 actor folds;
- ``both``: RAVDESS and CREMA-D together, 11 folds: each tests the actors of one EmoBox or
  crema5 fold and trains on every other actor of both corpora;
- ``ravdess->crema-d`` and ``crema-d->ravdess``: trained on all of one corpus, tested on all
  of the other, over the 6 emotions both have.

The recipe is fixed here, before any run, and is the same for every fold: the members are
logistic regression on ``spectral+prosody+egemaps`` and on ``spectral`` (``C`` and, on both
corpora, the class weights chosen inside each fold on its training speakers; trained on every
training file and on a copy of it under a random recording condition) and the ``crnn``
(weights chosen on training speakers held out inside each fold; half its clips under a random
recording condition), trained for 45 epochs on RAVDESS alone and 16 on CREMA-D alone (about
50k and 80k clips heard), and 16 on both, where an epoch draws as many clips as there are
training files, half of them RAVDESS's (each corpus weighs the same): about 50-60k clips of
each corpus. The ensembles are the bundles' (``default``: crnn +
logreg on spectral; ``accurate``: crnn + logreg on spectral+prosody+egemaps), with equal
weights. Corpora with different emotions are handled as
in :mod:`voxemo.models.label_sets`.

    python benchmarks/cross_corpus.py [--ravdess DIR] [--crema-d DIR] [--members ...]
                                      [--setups ...] [--checkpoints DIR]

Every finished fold's predictions are kept in ``results/folds/SETUP/`` under a digest
of its data, settings, code and library versions, and read back only by a run with the same
digest; they are small and committed with the results, so a run of many hours (the crnn on
both corpora takes 6 to 7 h on 2 cores in float32) resumes fold by fold across machines and days.
Networks also keep a checkpoint per fold and epoch beside them (not committed), so an
interrupted fold continues from its last epoch. Each evaluation is written to
``results/evaluations/cross-corpus/`` with a digest of its data, configuration and code; a
later run whose digest is the same reuses it instead of fitting again (its row names the
commit it was evaluated at). The table is written to ``results/cross_corpus.json``; a run of
some setups or members replaces their rows there and keeps the others, each naming the commit
it was measured at.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from common import (
    FOLDS,
    RESULTS,
    ROOT,
    kept_rows,
    ravdess_path,
    train_in_float32,
    write_results,
)
from render_readme import render_readme
from voxemo.corpora import combine_corpora, cross_corpora, read_corpus
from voxemo.evaluation import evaluate, evaluation_config, evaluation_digest
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.evaluation.protocols import BUILTIN_PROTOCOLS, builtin_folds
from voxemo.evaluation.rescore import over_labels
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import augmented_copies, featurize_corpus, load_corpus_waves
from voxemo.jsonfile import write_json
from voxemo.models.neural import training_config

SEED = 42
MEMBERS = ("logreg[spectral+prosody+egemaps]", "logreg[spectral]", "crnn")
ENSEMBLES = {
    "default": ("crnn", "logreg[spectral]"),
    "accurate": ("crnn", "logreg[spectral+prosody+egemaps]"),
}
# crnn epochs per training set: more files per epoch, fewer epochs. On both corpora half of
# an epoch's clips are RAVDESS's, so 16 epochs hear it about as often as 45 epochs alone.
EPOCHS = {"ravdess": 45, "crema-d": 16, "both": 16}
SETUPS = ("both", "crema-d", "ravdess", "ravdess->crema-d", "crema-d->ravdess")
SHARED = ["neutral", "happy", "sad", "angry", "fearful", "disgust"]


def choices(setup: str, members: set[str]) -> list[str]:
    """How the choices behind the scores of a recipe (its ``members``) trained on ``setup``
    were made, in sentences for its model card (the README says it at length)."""
    nested = [
        *(
            [f"logistic regression's C{' and its class weights' if setup == 'both' else ''}"]
            if members - {"crnn"}
            else []
        ),
        *(["the epoch whose weights the crnn keeps"] if "crnn" in members else []),
    ]
    recipe = [
        *(["the members and their equal weights"] if len(members) > 1 else []),
        *([f"the crnn's {EPOCHS[setup]} epochs"] if "crnn" in members else []),
        "the augmentation",
    ]
    lines = [
        f"Chosen inside each fold on its training speakers only: {' and '.join(nested)}.",
        "Fixed in benchmarks/cross_corpus.py before the evaluation: "
        f"{', '.join(recipe[:-1])} and {recipe[-1]}.",
    ]
    if setup == "crema-d":
        return [
            *lines,
            "No choice looked at CREMA-D's test folds; the model kinds and ensembles were "
            "picked by their scores on RAVDESS's EmoBox folds, which makes the scores on RAVDESS "
            "under Other corpora somewhat optimistic.",
        ]
    return [
        *lines,
        "Not blind to these test folds, so the scores in this card are somewhat optimistic: "
        "the model kinds, the ensembles and the crnn's epochs on RAVDESS were picked by their "
        "scores on RAVDESS's EmoBox folds, and how the two corpora are weighted, and the "
        f"crnn's {EPOCHS['both']} epochs on both, were set after an earlier run had been scored "
        "on these folds.",
    ]


EVALUATIONS = RESULTS / "evaluations" / "cross-corpus"


def crema_path(given: str | None) -> Path:
    path = Path(given or os.environ.get("VOXEMO_CREMA_D") or ROOT / "data" / "crema-d")
    if not (path / "AudioWAV").is_dir():
        sys.exit(
            f"CREMA-D not found at {path}: pass --crema-d DIR or set VOXEMO_CREMA_D "
            "(../shared/corpora/crema-d/get.sh lays it out)"
        )
    return path


def setup_corpus(setup: str, corpora: dict):
    """The table, protocol and folds of a setup; the training side's name for epochs."""
    if setup == "both":
        folds = builtin_folds(*BUILTIN_PROTOCOLS.values())
        return combine_corpora([corpora["ravdess"], corpora["crema-d"]]), "folds", folds, "both"
    if "->" in setup:
        train, test = setup.split("->")
        corpus, _ = cross_corpora([corpora[train]], [corpora[test]])
        return corpus, "cross", None, train
    return corpora[setup], BUILTIN_PROTOCOLS[setup], None, setup


def member_parts(name: str) -> tuple[str, str]:
    model, _, features = name.rstrip("]").partition("[")
    return features or "logmel", model


def member_inputs(name: str, corpus):
    """A member's inputs: decoded audio (networks), or features and the features of a copy
    of every file under a random recording condition (feature-vector models)."""
    features, model = member_parts(name)
    if model == "crnn":
        return load_corpus_waves(corpus, training_config(model).frontend.sample_rate), None
    cache = FeatureCache(default_cache_dir())
    sets = parse_feature_spec(features)
    data = featurize_corpus(corpus, sets, cache=cache)
    return data, augmented_copies(data, sets, cache=cache)


def setup_folder(setup: str) -> str:
    """The folder of a setup's fold results and checkpoints (``ravdess->crema-d``:
    ``ravdess-to-crema-d``)."""
    return setup.replace("->", "-to-")


def network_checkpoint(folder: Path, architecture: str, fold_name: str) -> Path:
    """Where ``voxemo.evaluation.evaluate`` keeps the per-epoch checkpoint of a fold's
    network in the checkpoints ``folder`` (``crnn-ravdess-fold-1.pt``)."""
    return folder / f"{architecture}-{fold_name.replace(' ', '-')}.pt"


def run_member(setup: str, name: str, corpus, protocol, folds, train_side, args) -> dict:
    """One member's evaluation: the saved one where its digest (data, configuration and
    code) matches this run's, else a new one, saved."""
    features, model = member_parts(name)
    began = time.perf_counter()
    data, copies = member_inputs(name, corpus)
    epochs = EPOCHS[train_side] if model == "crnn" else None
    if model == "crnn":
        configs = [training_config(model).frontend.config()]
    else:
        configs = [fs.config() for fs in parse_feature_spec(features)]
    config = evaluation_config(
        data,
        corpus_specs=sorted(set(corpus.table["corpus"].astype(str))),
        features=features,
        feature_configs=configs,
        model=model,
        protocol=protocol,
        seed=SEED,
        epochs=epochs,
        folds=folds,
        augment=True,
    )
    digest = evaluation_digest(config, data, *([copies] if copies else []))
    folder = setup_folder(setup)
    stem = f"{folder}-{name.replace('[', '-').replace(']', '')}"
    path = EVALUATIONS / f"{stem}.json"
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):  # none yet, or cut short: evaluated again
        saved = {}
    if saved.get("digest") == digest:
        print(f"{setup} {name}: the evaluation in {path.name} has this run's digest, reused")
        return saved | {"minutes": training_minutes(saved["folds"]) or saved["minutes"]}
    done = []

    def fold_done() -> None:  # folds read back from earlier runs count too
        done.append(1)
        minutes = (time.perf_counter() - began) / 60
        print(f"{setup} {name}: fold {len(done)} done, {minutes:.0f} min", flush=True)

    def epoch_done(log) -> None:
        print(
            f"{setup} {name}: fold {len(done) + 1}, epoch {log.epoch}/{log.epochs}, "
            f"loss {log.loss:.3f}, validation UAR {log.validation_uar:.3f}",
            flush=True,
        )

    common = {
        "model_kind": model,
        "protocol": protocol,
        "folds": folds,
        "seed": SEED,
        "checkpoints": args.checkpoints / folder,
        "on_fold": fold_done,
    }
    if model == "crnn":
        result = evaluate(data, epochs=epochs, on_epoch=epoch_done, **common)
    else:
        # Like the networks, trained on every file and on a copy under a random condition.
        result = evaluate(data, jobs=2, augment=copies, **common)
    result["config"] = config
    result["digest"] = digest
    result["minutes"] = training_minutes(result["folds"]) or round(
        (time.perf_counter() - began) / 60, 1
    )
    EVALUATIONS.mkdir(parents=True, exist_ok=True)
    write_json(path, result)
    return result


def training_minutes(folds: list[dict]) -> float | None:
    """Minutes of training summed over ``folds``, as their records keep them whichever run
    trained them: a network's whole training across resumptions, a feature-vector model's
    fit with its nested search (None where a fold records neither).

    Examples
    --------
    >>> training_minutes([{"fit_seconds": 3.0, "training_seconds": 600.0}, {"fit_seconds": 60.0}])
    11.0
    >>> training_minutes([{"uar": 0.5}]) is None
    True
    """
    seconds = [fold.get("training_seconds") or fold.get("fit_seconds") for fold in folds]
    return round(sum(seconds) / 60, 1) if all(s is not None for s in seconds) else None


def cells(setup: str, result: dict) -> dict:
    """The table's cells of one evaluation: per test corpus, all its emotions and the shared."""
    out = {}
    if "->" in setup:
        test = setup.split("->")[1]
        out[f"{test} shared"] = score(result)
        return out
    for corpus in result.get("per_corpus", {}):
        out[corpus] = score(result["per_corpus"][corpus])
        out[f"{corpus} shared"] = score(over_labels(result, SHARED, corpus))
    return out


def score(result: dict) -> dict:
    """Means and spreads over folds, and how many folds (a whole evaluation lists them)."""
    keys = ("accuracy", "accuracy_std", "uar", "uar_std")
    folds = result.get("folds", 1)
    return {key: round(result[key], 6) for key in keys} | {
        "folds": len(folds) if isinstance(folds, list) else folds
    }


def arguments(description: str, **extra: dict) -> argparse.Namespace:
    """The options of the cross-corpus benchmarks: corpora, members, checkpoints, and
    ``extra`` ones (name: add_argument keywords)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ravdess", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--crema-d", help="CREMA-D folder (default: $VOXEMO_CREMA_D or data/)")
    parser.add_argument("--members", default=",".join(MEMBERS), help="comma-separated members")
    for name, options in extra.items():
        parser.add_argument(f"--{name}", **options)
    parser.add_argument(
        "--checkpoints",
        type=Path,
        default=FOLDS,
        help="per-fold checkpoints of cross_corpus.py (default: %(default)s)",
    )
    args = parser.parse_args()
    train_in_float32()
    return args


def read_corpora(args: argparse.Namespace) -> dict:
    return {
        "ravdess": read_corpus(f"ravdess={ravdess_path(args.ravdess)}"),
        "crema-d": read_corpus(f"crema-d={crema_path(args.crema_d)}"),
    }


def main() -> None:
    args = arguments(
        __doc__.split("\n\n")[0],
        setups={"default": ",".join(SETUPS), "help": "comma-separated setups"},
    )
    start = time.perf_counter()
    corpora = read_corpora(args)
    members = args.members.split(",")
    rows = []
    for setup in args.setups.split(","):
        corpus, protocol, folds, train_side = setup_corpus(setup, corpora)
        results = {}
        for name in members:
            results[name] = run_member(setup, name, corpus, protocol, folds, train_side, args)
        for ensemble, parts in ENSEMBLES.items():
            if set(parts) <= set(results):
                results[ensemble] = ensemble_evaluation([results[m] for m in parts], protocol) | {
                    "minutes": sum(results[m]["minutes"] for m in parts)
                }
        for name, result in results.items():
            parts = ENSEMBLES.get(name, (name,))
            rows.append(
                {
                    "model": name,
                    "members": list(parts),
                    "setup": setup,
                    "trained_on": train_side,
                    "minutes": result["minutes"],
                    "evaluated_at": sorted(
                        {str(results[m]["config"]["git_commit"]) for m in parts}
                    ),
                    "cells": cells(setup, result),
                }
            )
            print(rows[-1], flush=True)
    kept = kept_rows("cross_corpus", rows, ("setup", "model"))
    write_results(
        "cross_corpus",
        {
            "setups": list(dict.fromkeys([*args.setups.split(","), *(r["setup"] for r in kept)])),
            "epochs": EPOCHS,
            "shared_labels": SHARED,
            "training": training_config("crnn").to_dict(),
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows + kept,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
