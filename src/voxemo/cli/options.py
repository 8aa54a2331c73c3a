"""What the subcommands share: the parser class, the option groups declared once, checks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from voxemo.errors import VoxemoError, did_you_mean

DEFAULT_SEED = 42


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: a typo gets the closest valid names, not the usage."""

    def error(self, message: str) -> NoReturn:
        from voxemo.cli.console import error_line

        error_line(f"{self.prog}: {_closest(message)} (see {self.prog} --help)")
        raise SystemExit(2)


def _closest(message: str) -> str:
    """argparse's invalid-choice message with the nearest choices named first."""
    import re

    found = re.match(r"(argument [^:]+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not found:
        return message
    where, given, listed = found.groups()
    choices = [choice.strip(" '") for choice in listed.split(",")]
    return f"{where}: unknown '{given}'{did_you_mean(given, choices)} (known: {', '.join(choices)})"


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


CORPUS_HELP = (
    "corpus reader and its folder or file: ravdess=DIR, tess=DIR, crema-d=DIR, savee=DIR, "
    "emodb=DIR (each in its official layout), folder=DIR (one sub-folder per label) or "
    "csv=FILE (columns path,label[,speaker][,gender])"
)


def add_extraction(
    parser: argparse.ArgumentParser,
    corpus: bool = True,
    features: bool = True,
    corpus_required: bool = True,
    repeat: str = "train and evaluate on several corpora together",
    jobs: str = "feature extraction and folds",
) -> None:
    from voxemo.features import available_feature_sets, default_cache_dir, default_jobs

    if corpus:
        parser.add_argument(
            "--corpus",
            action="append",
            required=corpus_required,
            metavar="NAME=PATH",
            help=f"{CORPUS_HELP}; repeat to {repeat}",
        )
    if corpus and features:
        parser.add_argument(
            "--features",
            metavar="SET[+SET...]",
            help=f"feature sets, joined with + (available: {', '.join(available_feature_sets())};"
            " default: seed); neural models compute their own log-mel spectrograms instead",
        )
    parser.add_argument(
        "--jobs",
        type=positive,
        default=default_jobs(),
        metavar="N",
        help=f"worker processes for {jobs} (default: all %(default)s cores)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help=f"do not read or write the feature cache (now {default_cache_dir()}; "
        "set VOXEMO_CACHE_DIR to move it)",
    )


def add_model(parser: argparse.ArgumentParser) -> None:
    from voxemo.models import MODEL_KINDS
    from voxemo.models.neural import NEURAL_KINDS

    kinds = [*MODEL_KINDS, *NEURAL_KINDS]
    parser.add_argument(
        "--model",
        required=True,
        choices=kinds,
        metavar="KIND",
        help=f"model kind: {', '.join(kinds)} (cnn and crnn are neural: they need "
        "voxemo[train] to train, not to predict)",
    )
    parser.add_argument(
        "--checkpoints",
        type=Path,
        metavar="DIR",
        help="keep progress here, so an interrupted run continues where it stopped: neural "
        "models a checkpoint per epoch, an evaluation also each finished fold",
    )
    parser.add_argument(
        "--epochs",
        type=positive,
        metavar="N",
        help="neural models: train for N epochs instead of the kind's default ("
        + ", ".join(f"{kind} {spec.config.epochs}" for kind, spec in NEURAL_KINDS.items())
        + ")",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="random seed of the model (default: %(default)s)",
    )
    parser.add_argument(
        "--no-tune",
        dest="tune",
        action="store_false",
        help="use the model's default hyper-parameters instead of choosing them from its "
        "search space by speaker-grouped cross-validation over the training speakers",
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="feature-vector models: also train on a copy of every training file heard under "
        "a random recording condition (telephone, MP3/Opus, a room, noise, level, clipping); "
        "networks always augment their audio",
    )
    parser.add_argument(
        "--select",
        type=positive,
        metavar="K",
        help="keep the K features with the highest ANOVA F-score (fitted on training data)",
    )


def add_folds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--folds",
        type=Path,
        metavar="FILE.json",
        help='--protocol folds: the test speakers of each fold per corpus, as {"CORPUS": '
        "[[speakers of fold 1], [fold 2], ...]}; with several --corpus, each fold tests its "
        "corpus's speakers and trains on every other file of every corpus",
    )


def check_window(window: float, hop: float) -> None:
    """One line naming which of --window and --hop is wrong, and both values."""
    if window <= 0:
        raise VoxemoError(f"--window {window}: must be more than 0 seconds")
    if not 0 < hop <= window:
        raise VoxemoError(
            f"--hop {hop}: must be more than 0 and at most --window ({window} s); "
            "give a smaller --hop with a short --window"
        )


def protocols_help() -> str:
    """Every protocol with its description, for --help."""
    from voxemo.evaluation import PROTOCOLS

    return "; ".join(f"{name}: {text}" for name, text in PROTOCOLS.items())


def add_protocol(parser: argparse.ArgumentParser, help: str) -> None:
    from voxemo.evaluation import PROTOCOLS

    parser.add_argument("--protocol", choices=list(PROTOCOLS), metavar="PROTOCOL", help=help)
