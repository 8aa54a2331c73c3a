"""What the research subcommands share: reading corpora and computing their inputs with
progress, running and showing an evaluation, writing it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rich.table import Table

from voxemo.cli.cache import cache_from, report_repaired
from voxemo.cli.console import epoch_progress, note, out, progress_bar, report_problems, warn
from voxemo.corpora import Corpus, combine_corpora, read_corpus
from voxemo.errors import VoxemoError
from voxemo.evaluation.protocols import (
    BUILTIN_PROTOCOLS,
    FoldsDefinition,
    builtin_folds,
    read_folds,
)
from voxemo.features import parse_feature_spec
from voxemo.features.dataset import (
    FeatureTable,
    WaveTable,
    augmented_copies,
    featurize_corpus,
    load_corpus_waves,
)
from voxemo.jsonfile import write_json
from voxemo.models.neural import NEURAL_KINDS, is_neural, require_torch

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


def input_configs(model: str, features: str) -> list[dict]:
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


def run_evaluation(
    args: argparse.Namespace,
    data: FeatureTable | WaveTable,
    protocol: str,
    folds: FoldsDefinition | None,
    speaker_norm: bool = False,
) -> dict:
    from voxemo.evaluation import evaluate, make_folds

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
            checkpoints=args.checkpoints,
            **common,
        )


def write_evaluation(result: dict, path: Path) -> None:
    from voxemo.reports.evaluation import evaluation_title
    from voxemo.reports.figures import confusion_figure
    from voxemo.reports.style import save

    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, result, indent=2)
    figure = path.with_name(f"{path.stem}-confusion.png")
    save(
        confusion_figure(result["confusion_matrix"], result["labels"], evaluation_title(result)),
        figure,
    )
    note(f"wrote {path} and {figure}")


def write_report(results: list[dict], out: Path, svg: bool) -> None:
    from voxemo.reports.evaluation import write_evaluation_report

    note(f"wrote {write_evaluation_report(results, out, svg)}")


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


def clear_for_replacement(args: argparse.Namespace) -> None:
    """With --force, the old model folder goes just before the new one is written (after the
    training, so a failed training keeps it), whole: no file of the old model stays."""
    if args.force and Path(args.out).is_dir():
        shutil.rmtree(args.out)


def recipe(
    args: argparse.Namespace,
    data,
    protocol: str,
    specs: list[str] | None = None,
    folds: FoldsDefinition | None = None,
) -> dict:
    """The configuration an evaluation of these arguments records (``specs``: the corpora as
    given, by default ``--corpus``; ``folds``: the test speakers of ``--protocol folds``)."""
    from voxemo.evaluation import evaluation_config  # scikit-learn: only where evaluated

    features = feature_spec(args)
    return evaluation_config(
        data,
        corpus_specs=specs or args.corpus,
        features=features,
        feature_configs=input_configs(args.model, features),
        model=args.model,
        protocol=protocol,
        seed=args.seed,
        tune=args.tune,
        select=args.select,
        speaker_norm=getattr(args, "speaker_norm", False),
        corpus_norm=getattr(args, "corpus_norm", False),
        epochs=args.epochs,
        folds=folds,
        augment=args.augment,
    )
