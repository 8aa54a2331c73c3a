"""The research subcommands: features, evaluate, train, explore and report."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
from rich.table import Table

from voxemo.cli.console import (
    epoch_progress,
    note,
    out,
    progress_bar,
    report_problems,
    warn,
)
from voxemo.cli.outputs import output_file, output_folder
from voxemo.cli.predict import cache_from, report_repaired
from voxemo.corpora import (
    Corpus,
    combine_corpora,
    cross_corpora,
    parse_corpus_spec,
    read_corpus,
)
from voxemo.errors import VoxemoError
from voxemo.evaluation import evaluate, evaluation_config
from voxemo.evaluation.protocols import (
    BUILTIN_PROTOCOLS,
    PROTOCOLS,
    FoldsDefinition,
    builtin_folds,
    check_learnable,
    default_protocol,
    read_folds,
)
from voxemo.features import parse_feature_spec
from voxemo.features.dataset import (
    FeatureTable,
    WaveTable,
    augmented_copies,
    featurize_corpus,
    load_corpus_waves,
    speaker_groups,
)
from voxemo.jsonfile import read_json
from voxemo.models import fit_model, get_model_kind, save_model, write_model
from voxemo.models.card import model_card, network_card
from voxemo.models.label_sets import corpus_label_sets
from voxemo.models.neural import NEURAL_KINDS, is_neural, require_torch, training_config

DEFAULT_FEATURES = "seed"
# Feature sets that take tens of milliseconds a file (Praat, openSMILE, encoders).
SLOW_SETS = ("prosody", "egemaps", "compare", "ssl")


def load_corpora(specs: list[str]) -> list[Corpus]:
    corpora = [read_corpus(spec) for spec in specs]
    for corpus in corpora:
        report_problems(
            f"files in {corpus.root} left out of corpus '{corpus.name}'", corpus.problems
        )
    return corpora


def load_corpus(specs: list[str]) -> Corpus:
    return combine_corpora(load_corpora(specs))


def load_feature_table(args: argparse.Namespace, corpus: Corpus | None = None) -> FeatureTable:
    """Read the corpora and compute (or fetch from cache) their features, with a progress bar."""
    spec = args.features or DEFAULT_FEATURES
    feature_sets = parse_feature_spec(spec)
    corpus = corpus or load_corpus(args.corpus)
    total = len(corpus.table)
    slow = [fs.name for fs in feature_sets if fs.name in SLOW_SETS]
    if slow:
        note(
            f"{' and '.join(slow)} features take tens of milliseconds per file: "
            + (
                "with --no-cache every run computes them again"
                if args.no_cache
                else "files not in the cache yet can take minutes, later runs read them from it"
            )
        )
    cache = cache_from(args)
    with progress_bar(f"features {spec}", total) as advance:
        data = featurize_corpus(corpus, feature_sets, jobs=args.jobs, cache=cache, progress=advance)
    report_repaired(cache)
    report_problems("files failed and were left out", data.errors)
    note(f"{corpus.name}: {len(data.table)} of {total} files, {data.features.shape[1]} features")
    return data


def copies_if_augmented(args: argparse.Namespace, data) -> FeatureTable | None:
    """With --augment, the features of every file of ``data`` under a random recording
    condition, row for row (a file the condition leaves unusable keeps its clean features)."""
    if not getattr(args, "augment", False) or is_neural(args.model):
        return None
    spec = args.features or DEFAULT_FEATURES
    cache = cache_from(args)
    with progress_bar(f"features {spec} (random recording conditions)", len(data.table)) as step:
        copies = augmented_copies(
            data, parse_feature_spec(spec), jobs=args.jobs, cache=cache, progress=step
        )
    report_repaired(cache)
    note(
        f"augmented copies: {len(data.table)} files under random recording conditions"
        + (f", {len(copies.errors)} kept clean (unusable degraded)" if copies.errors else "")
    )
    return copies


def feature_spec(args: argparse.Namespace) -> str:
    """The feature sets of a feature-vector model; networks compute their own spectrograms."""
    if is_neural(args.model):
        if args.features:
            raise VoxemoError(
                f"--features: model '{args.model}' computes its own log-mel spectrograms; "
                "leave --features out"
            )
        return "logmel"
    return args.features or DEFAULT_FEATURES


def load_model_inputs(
    args: argparse.Namespace, corpus: Corpus | None = None
) -> FeatureTable | WaveTable:
    """Features for feature-vector models, decoded audio for networks."""
    if not is_neural(args.model):
        return load_feature_table(args, corpus)
    require_torch()
    corpus = corpus or load_corpus(args.corpus)
    rate = NEURAL_KINDS[args.model].config.frontend.sample_rate
    with progress_bar("decoding", len(corpus.table)) as advance:
        data = load_corpus_waves(corpus, rate, jobs=args.jobs, progress=advance)
    report_problems("files failed and were left out", data.errors)
    note(f"{corpus.name}: {len(data.table)} of {len(corpus.table)} files decoded at {rate} Hz")
    return data


def cmd_features(args: argparse.Namespace) -> int:
    out_path = Path(args.out)
    if out_path.suffix.lower() != ".parquet":
        raise VoxemoError(f"{out_path}: the output must be a .parquet file")
    output_file(out_path, "--out")
    data = load_feature_table(args)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    data.to_frame().to_parquet(out_path, index=False)
    note(f"wrote {out_path}")
    return 1 if data.errors else 0


def _evaluation_corpus(args: argparse.Namespace) -> tuple[Corpus, list[str], dict]:
    """The corpus to evaluate on, the specs it came from, and (cross) the emotions dropped."""
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


def cmd_evaluate(args: argparse.Namespace) -> int:
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
    result = _evaluate(args, data, args.protocol, folds, speaker_norm=args.speaker_norm)
    if args.protocol == "cross":
        result["dropped_labels"] = dropped
    result["config"] = evaluation_config(
        data,
        corpus_specs=specs,
        features=features,
        feature_configs=_input_configs(args.model, features),
        model=args.model,
        protocol=args.protocol,
        seed=args.seed,
        tune=args.tune,
        select=args.select,
        speaker_norm=args.speaker_norm,
        corpus_norm=args.corpus_norm,
        epochs=args.epochs,
        folds=folds,
        augment=args.augment,
    )
    print_evaluation(result, title=f"{args.model} on {features} features, {args.protocol}")
    if args.json:
        _write_evaluation(result, Path(args.json))
    if args.report:
        _write_report([result], Path(args.report), svg=False)
    return 0


def _input_configs(model: str, features: str) -> list[dict]:
    if is_neural(model):
        return [NEURAL_KINDS[model].config.frontend.config()]
    return [fs.config() for fs in parse_feature_spec(features)]


def check_protocol(args: argparse.Namespace, corpus: Corpus) -> FoldsDefinition | None:
    """The folds file read (None without one), once the protocol's folds were made from the
    corpus table alone: a protocol the corpus cannot have (no speakers, no folds of its
    corpora) fails before any feature is computed."""
    from voxemo.evaluation import make_folds

    folds = read_folds(args.folds) if args.folds else None
    make_folds(args.protocol, corpus.table, folds)
    return folds


def _evaluate(
    args: argparse.Namespace,
    data: FeatureTable | WaveTable,
    protocol: str,
    folds: FoldsDefinition | None,
    speaker_norm: bool = False,
) -> dict:
    from voxemo.evaluation import make_folds

    n_folds = len(make_folds(protocol, data.table, folds))
    if protocol in BUILTIN_PROTOCOLS.values():
        (defined,) = (len(lists) for lists in builtin_folds(protocol).values())
        if n_folds < defined:
            note(f"{protocol}: {n_folds} of its {defined} folds have test speakers in this corpus")
    common = {
        "model_kind": args.model,
        "protocol": protocol,
        "folds": folds,
        "seed": args.seed,
        "speaker_norm": speaker_norm,
        "corpus_norm": getattr(args, "corpus_norm", False),
    }
    if is_neural(args.model):
        with epoch_progress(f"{args.model} fold", n_folds) as on_epoch:
            return evaluate(
                data, checkpoints=args.checkpoints, epochs=args.epochs, on_epoch=on_epoch, **common
            )
    with progress_bar(f"{protocol} folds", n_folds) as advance:
        return evaluate(
            data,
            jobs=args.jobs,
            tune=args.tune,
            select=args.select,
            on_fold=advance,
            augment=copies_if_augmented(args, data),
            **common,
        )


def _write_evaluation(result: dict, path: Path) -> None:
    from voxemo.reports.evaluation import evaluation_title
    from voxemo.reports.figures import confusion_figure
    from voxemo.reports.style import save

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    figure = path.with_name(f"{path.stem}-confusion.png")
    save(
        confusion_figure(result["confusion_matrix"], result["labels"], evaluation_title(result)),
        figure,
    )
    note(f"wrote {path} and {figure}")


def _write_report(results: list[dict], out: Path, svg: bool) -> None:
    from voxemo.reports.evaluation import write_evaluation_report

    note(f"wrote {write_evaluation_report(results, out, svg)}")


def cmd_report(args: argparse.Namespace) -> int:
    output_folder(args.out, "--out")
    results = []
    for path in map(Path, args.evaluations):
        result = read_json(path, "evaluation file")
        if not isinstance(result, dict) or not {"config", "folds", "track"} <= set(result):
            raise VoxemoError(f"{path}: not a voxemo evaluation (written by evaluate --json)")
        results.append(result)
    _write_report(results, Path(args.out), args.svg)
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
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


def print_evaluation(result: dict, title: str) -> None:
    folds = Table(title=title, title_justify="left")
    for column in ("fold", "test speakers", "train", "test", "accuracy", "UAR", "macro-F1"):
        folds.add_column(column, justify="left" if column in ("fold", "test speakers") else "right")
    for fold in result["folds"]:
        speakers = ", ".join(fold["test_speakers"])
        folds.add_row(
            fold["fold"],
            speakers if len(speakers) < 40 else f"{len(fold['test_speakers'])} speakers",
            str(fold["n_train"]),
            str(fold["n_test"]),
            *(f"{fold[k]:.3f}" for k in ("accuracy", "uar", "macro_f1")),
        )
    if len(result["folds"]) > 1:
        folds.add_section()
        folds.add_row(
            "mean ± sd",
            "",
            "",
            "",
            *(
                f"{result[k]:.3f} ± {result[k + '_std']:.3f}"
                for k in ("accuracy", "uar", "macro_f1")
            ),
        )
    out.print(folds)
    per_class = Table(title="per class (all test predictions)", title_justify="left")
    for column in ("emotion", "precision", "recall", "F1", "support"):
        per_class.add_column(column, justify="left" if column == "emotion" else "right")
    for label, row in result["per_class"].items():
        per_class.add_row(
            label, *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")), str(row["support"])
        )
    out.print(per_class)
    matrix = Table(title="confusion matrix (rows: true, columns: predicted)", title_justify="left")
    matrix.add_column("")
    for label in result["labels"]:
        matrix.add_column(label, justify="right")
    for label, row in zip(result["labels"], result["confusion_matrix"], strict=True):
        matrix.add_row(label, *map(str, row))
    out.print(matrix)
    kind = "speaker-independent" if result["speaker_independent"] else "NOT speaker-independent"
    out.print(
        f"accuracy {result['accuracy']:.3f}, UAR {result['uar']:.3f}, "
        f"macro-F1 {result['macro_f1']:.3f} ({kind}; track: {result['track']})"
    )
    chosen = [fold["chosen_params"] for fold in result["folds"] if fold.get("chosen_params")]
    if chosen:
        picks = "; ".join(", ".join(f"{k}={v}" for k, v in c.items()) for c in chosen)
        out.print(f"hyper-parameters chosen per fold on its training speakers: {picks}")
    if "warning" in result:
        warn(result["warning"])


def cmd_train(args: argparse.Namespace) -> int:
    neural = is_neural(args.model)
    if not neural and not get_model_kind(args.model).exportable:
        raise VoxemoError(
            f"model kind '{args.model}' cannot be converted to ONNX by skl2onnx yet, so it "
            "cannot be saved; use it with voxemo evaluate, or train lightgbm instead"
        )
    output_folder(args.out, "--out", replace=args.force)
    features = feature_spec(args)
    corpus = load_corpus(args.corpus)
    folds = check_protocol(args, corpus) if args.protocol else None
    data = load_model_inputs(args, corpus)
    scores = {}
    if args.protocol:
        result = _evaluate(args, data, args.protocol, folds)
        print_evaluation(result, title=f"{args.model} on {features}, {args.protocol}")
        scores[args.protocol] = _card_scores(result)
    if args.scores:
        result = _earlier_evaluation(args.scores, args.model, features)
        _check_same_recipe(args, data, result["config"], Path(args.scores))
        scores[result["config"]["protocol"]] = _card_scores(result)
    note(f"fitting {args.model} on all {len(data.table)} files")
    labels = data.table["label"].astype(str).to_numpy()
    speakers = speaker_groups(data.table["speaker"])
    corpora = data.table["corpus"].astype(str).to_numpy()
    label_sets = corpus_label_sets(corpora, labels)
    check_learnable(labels, "training data")
    if neural:
        path = _train_network(args, data, labels, speakers, scores, corpora, label_sets)
    else:
        inputs = data.features
        copies = copies_if_augmented(args, data)
        if copies is not None:
            inputs = np.vstack([inputs, copies.features])
            labels, corpora = np.concatenate([labels, labels]), np.concatenate([corpora, corpora])
            speakers = None if speakers is None else np.concatenate([speakers, speakers])
        fitted = fit_model(
            args.model,
            inputs,
            labels,
            speakers,
            seed=args.seed,
            select=args.select,
            tune=args.tune,
            corpora=corpora,
            label_sets=label_sets,
        )
        card = model_card(
            data,
            fitted,
            features=features,
            feature_sets=parse_feature_spec(features),
            model_kind=args.model,
            seed=args.seed,
            select=args.select,
            scores=scores,
            augmented=copies is not None,
        )
        clear_for_replacement(args)
        path = save_model(fitted.model, card, args.out)
    note(f"saved model to {path}")
    return 0


def _card_scores(result: dict) -> dict:
    from voxemo.evaluation.metrics import calibration_error

    keys = ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std")
    per_corpus = {
        corpus: {key: own[key] for key in (*keys, "folds", "labels")}
        for corpus, own in result.get("per_corpus", {}).items()
    }
    return {key: result[key] for key in keys} | {
        "calibration_error": calibration_error(result.get("predictions", [])),
        "folds": len(result["folds"]),
        "per_class": result["per_class"],
        "track": result["track"],
        **({"per_corpus": per_corpus} if per_corpus else {}),
    }


def _earlier_evaluation(path: Path, model: str, features: str | None) -> dict:
    """An evaluation JSON of this very configuration, whose scores go into the model card."""
    try:
        result = json.loads(Path(path).read_text())
        config = result["config"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VoxemoError(f"{path}: not an evaluation JSON of voxemo evaluate ({exc})") from None
    if config["model"] != model or (features and config["features"] != features):
        raise VoxemoError(
            f"{path}: evaluates {config['model']} on {config['features']}, not {model} on "
            f"{features}; its scores would not describe this model"
        )
    return result


def clear_for_replacement(args: argparse.Namespace) -> None:
    """With --force, the old model folder goes just before the new one is written (after the
    training, so a failed training keeps it), whole: no file of the old model stays."""
    if args.force and Path(args.out).is_dir():
        shutil.rmtree(args.out)


# What an evaluation must share with a model for its scores to describe that model.
RECIPE_KEYS = (
    "features",
    "feature_sets",
    "model",
    "model_params",
    "feature_selection",
    "speaker_norm",
    "corpus_norm",
    "augment",
)


def _corpus_names(specs: list[str]) -> list[str]:
    return sorted(
        spec.removeprefix("train ").partition("=")[0].lower()
        for spec in specs
        if not spec.startswith("test ")
    )


def _check_same_recipe(args: argparse.Namespace, data, config: dict, path: Path) -> None:
    """An earlier evaluation describes this model only if it trained the same way: the same
    corpora, features (their settings and versions), kind and parameters, feature selection,
    normalization, augmentation, hyper-parameter search and seed."""
    features = feature_spec(args)
    recipe = evaluation_config(
        data,
        corpus_specs=args.corpus,
        features=features,
        feature_configs=_input_configs(args.model, features),
        model=args.model,
        protocol=config.get("protocol", "loso"),
        seed=args.seed,
        tune=args.tune,
        select=args.select,
        epochs=args.epochs,
        augment=args.augment,
    )
    differences = [
        key.replace("_", " ")
        for key in RECIPE_KEYS
        if json.dumps(config.get(key), sort_keys=True, default=str)
        != json.dumps(recipe[key], sort_keys=True, default=str)
    ]
    if _corpus_names(config.get("corpus", [])) != _corpus_names(args.corpus):
        differences.insert(0, f"corpora ({', '.join(_corpus_names(config.get('corpus', [])))})")
    if config.get("tuning", {}).get("search_space") != recipe["tuning"]["search_space"]:
        differences.append("hyper-parameter search")
    if config.get("seeds", {}).get("model") != args.seed:
        differences.append(f"seed ({config.get('seeds', {}).get('model')})")
    if differences:
        raise VoxemoError(
            f"{path}: that evaluation differs from this model in its {', '.join(differences)}; "
            "its scores would not describe this model"
        )


def _check_same_members(args: argparse.Namespace, config: dict, path: Path) -> None:
    """An ensemble's evaluation describes it only with the same members, in order, and
    weights."""
    from voxemo.models import load_model

    members = []
    for folder in args.inputs:
        card = load_model(folder).card
        members.append(f"{card['model']} on {card.get('features', 'its members')}")
    weights = [float(w) for w in (args.weights or [1.0] * len(members))]
    recorded = [float(w) for w in config.get("weights", [])]
    if config.get("members") != members or recorded != weights:
        raise VoxemoError(
            f"{path}: evaluates the ensemble of {', '.join(config.get('members', []))} weighted "
            f"{recorded}, not of {', '.join(members)} weighted {weights}; its scores would not "
            "describe this ensemble"
        )


def _train_network(
    args, data: WaveTable, labels, speakers, scores: dict, corpora, label_sets
) -> Path:
    from voxemo.models.neural.export import export_network
    from voxemo.models.neural.training import train_network

    config = training_config(args.model, args.epochs)
    checkpoint = args.checkpoints / f"{args.model}-all.pt" if args.checkpoints else None
    with epoch_progress(f"{args.model} training", 1) as on_epoch:
        trained = train_network(
            data.waves,
            labels,
            speakers,
            config,
            seed=args.seed,
            checkpoint=checkpoint,
            progress=on_epoch,
            corpora=corpora,
            label_sets=label_sets,
        )
    took = "" if trained.seconds is None else f" after {trained.seconds / 60:.1f} min of training"
    note(f"kept epoch {trained.best_epoch} (validation UAR {trained.validation_uar}){took}")
    card = network_card(
        data,
        trained,
        model_kind=args.model,
        seed=args.seed,
        scores=scores,
    )
    graph = export_network(trained.net)
    clear_for_replacement(args)
    return write_model(graph, trained.labels, card, args.out)


def cmd_ensemble(args: argparse.Namespace) -> int:
    from voxemo.evaluation.ensemble import ensemble_evaluation
    from voxemo.models.ensemble import save_ensemble

    evaluations = [Path(item) for item in args.inputs if str(item).endswith(".json")]
    if not evaluations:
        if not args.out:
            raise VoxemoError("--out DIR is required to build an ensemble model from folders")
        output_folder(args.out, "--out", replace=args.force)
        scores, temperature = {}, None
        if args.calibrate and not args.scores:
            raise VoxemoError("--calibrate fits on the ensemble's evaluation: give --scores")
        if args.scores:
            result = _earlier_evaluation(args.scores, "ensemble", None)
            _check_same_members(args, result["config"], Path(args.scores))
            scores[result["config"]["protocol"]] = _card_scores(result)
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
        path = save_ensemble(args.inputs, args.out, args.weights, scores, temperature)
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
    }
    print_evaluation(result, title="ensemble of " + ", ".join(result["config"]["members"]))
    if args.json:
        _write_evaluation(result, Path(args.json))
    return 0
