"""``voxemo``: the command line, a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from voxemo.errors import VoxemoError, did_you_mean
from voxemo.provenance import package_version

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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


CORPUS_HELP = (
    "corpus reader and its folder or file: ravdess=DIR, tess=DIR, crema-d=DIR, savee=DIR, "
    "emodb=DIR (each in its official layout), folder=DIR (one sub-folder per label) or "
    "csv=FILE (columns path,label[,speaker][,gender])"
)


def _add_extraction(
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
        type=_positive,
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


def _add_model(parser: argparse.ArgumentParser) -> None:
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
        help="neural models: keep a checkpoint per fold and epoch here, so an interrupted "
        "run continues where it stopped",
    )
    parser.add_argument(
        "--epochs",
        type=_positive,
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
        type=_positive,
        metavar="K",
        help="keep the K features with the highest ANOVA F-score (fitted on training data)",
    )


def _add_folds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--folds",
        type=Path,
        metavar="FILE.json",
        help='--protocol folds: the test speakers of each fold per corpus, as {"CORPUS": '
        "[[speakers of fold 1], [fold 2], ...]}; with several --corpus, each fold tests its "
        "corpus's speakers and trains on every other file of every corpus",
    )


def build_parser() -> argparse.ArgumentParser:
    from voxemo.evaluation import PROTOCOLS

    protocols = "; ".join(f"{name}: {text}" for name, text in PROTOCOLS.items())
    parser = Parser(
        prog="voxemo",
        description="Recognize emotion in the human voice: predict the emotion of recordings, "
        "long recordings over time and live audio with the bundled model (or your own), and "
        "extract features, train and evaluate models honestly on labelled corpora.",
    )
    parser.add_argument("--version", action="version", version=f"voxemo {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    predict = sub.add_parser(
        "predict",
        help="predict the emotion of audio files or folders",
        description="Predict the emotion of each file (folders are searched for audio files). "
        "A file that cannot be read gets an error line; the others are still predicted and the "
        "exit status is 1.",
    )
    predict.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR")
    predict.add_argument(
        "--model",
        metavar="PATH_OR_NAME",
        help="model folder written by voxemo train, or a model name from 'voxemo models' "
        "(default: the bundled model)",
    )
    predict.add_argument("--json", action="store_true", help="print JSON instead of a table")
    predict.add_argument(
        "--csv",
        metavar="OUT.csv",
        type=Path,
        help="also write a CSV: one row per file (path, emotion, duration, the probability of "
        "each emotion, error), or with --timeline one per segment",
    )
    timeline = predict.add_argument_group(
        "long recordings",
        "--timeline finds the speech in each recording, predicts overlapping windows, smooths "
        "them over time and prints segments (start, end, emotion, confidence). The audio is "
        "streamed, so recordings of any length fit in memory.",
    )
    timeline.add_argument("--timeline", action="store_true", help="emotion over time")
    timeline.add_argument(
        "--adapt",
        action="store_true",
        help="adapt to the voice of each recording by the running statistics of its windows "
        "(for recordings of one speaker: a call side, a dictation)",
    )
    timeline.add_argument(
        "--plot", metavar="OUT.png", type=Path, help="also draw the timeline (one recording)"
    )
    timeline.add_argument(
        "--window",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="speech per prediction (default: %(default)s)",
    )
    timeline.add_argument(
        "--hop",
        type=float,
        default=1.5,
        metavar="SECONDS",
        help="time between window starts (default: %(default)s)",
    )
    _add_extraction(predict, corpus=False, jobs="feature extraction")
    predict.set_defaults(handler="predict:cmd_predict")

    models = sub.add_parser(
        "models",
        help="list the bundled and user models",
        description="List the models voxemo can use by name: those bundled with it and those "
        "in the user model folder ($VOXEMO_MODELS_DIR, else ~/.local/share/voxemo/models). "
        "Pass a name or a folder to --model.",
    )
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")
    models.set_defaults(handler="predict:cmd_models")

    ensemble = sub.add_parser(
        "ensemble",
        help="average the probabilities of several models",
        description="With model folders: write an ensemble model folder (--out) that averages "
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
    ensemble.set_defaults(handler="research:cmd_ensemble")

    listen = sub.add_parser(
        "listen",
        help="predict the emotion of live audio: the microphone, or a file replayed",
        description="Listen to an input device and print the emotion of the last --window "
        "seconds every --hop seconds (or 'silence'). Stop with Ctrl+C. --file replays a "
        "recording as if it were live.",
    )
    listen.add_argument("--model", metavar="PATH_OR_NAME", help="default: the bundled model")
    listen.add_argument("--device", help="input device number or name (default: the system's)")
    listen.add_argument(
        "--file", type=Path, help="replay this recording instead of a device, in real time"
    )
    listen.add_argument(
        "--fast", action="store_true", help="with --file: replay as fast as it can be predicted"
    )
    listen.add_argument(
        "--seconds", type=float, metavar="N", help="stop after N seconds (default: never)"
    )
    listen.add_argument(
        "--window",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="audio per prediction (default: %(default)s)",
    )
    listen.add_argument(
        "--hop",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time between predictions (default: %(default)s)",
    )
    listen.add_argument("--json", action="store_true", help="print one JSON object per update")
    listen.add_argument(
        "--adapt",
        action="store_true",
        help="adapt to the voice heard so far (one speaker at the microphone)",
    )
    listen.set_defaults(handler="predict:cmd_listen")

    train = sub.add_parser(
        "train",
        help="train a model on labelled corpora and save it",
        description="Train a model on all files of the corpora and save it as a folder holding "
        "model.onnx and card.json (safe to load: no pickle). With --protocol, the configuration "
        "is first evaluated and its scores are written into the model card.",
    )
    _add_extraction(train)
    _add_model(train)
    train.add_argument("--out", required=True, metavar="PATH", help="model folder to write")
    train.add_argument(
        "--force", action="store_true", help="replace the model folder --out if it exists"
    )
    train.add_argument(
        "--protocol",
        choices=list(PROTOCOLS),
        metavar="PROTOCOL",
        help=f"evaluate first and record the scores ({protocols})",
    )
    _add_folds(train)
    train.add_argument(
        "--scores",
        type=Path,
        metavar="EVAL.json",
        help="record the scores of an earlier 'voxemo evaluate --json' of the same model kind "
        "and features instead of evaluating again",
    )
    train.set_defaults(handler="research:cmd_train")

    evaluate = sub.add_parser(
        "evaluate",
        help="cross-validate a feature set and model under a protocol",
        description="Train and test one model per fold of the protocol and report accuracy, "
        f"UAR (balanced accuracy) and macro-F1 with their spread over folds. {protocols}.",
    )
    _add_extraction(evaluate, corpus_required=False)
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
    _add_model(evaluate)
    evaluate.add_argument(
        "--protocol",
        choices=list(PROTOCOLS),
        metavar="PROTOCOL",
        help=f"{', '.join(PROTOCOLS)} (default: the built-in speaker-independent folds of the "
        "corpora read, emobox for RAVDESS and crema5 for CREMA-D, folds for both; loso for "
        "other corpora; cross with --train and --test)",
    )
    _add_folds(evaluate)
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
    evaluate.set_defaults(handler="research:cmd_evaluate")

    explore = sub.add_parser(
        "explore",
        help="figures of a corpus and a page that shows them",
        description="Write PNG figures of a corpus and an index.html that shows them: counts "
        "per emotion, gender, intensity and speaker, durations and silence, one recording in "
        "detail, one text spoken with every emotion, per-emotion spectra, pitch and loudness, "
        "and PCA/t-SNE maps coloured by emotion and by speaker.",
    )
    _add_extraction(
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
    explore.set_defaults(handler="research:cmd_explore")

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
    report.set_defaults(handler="research:cmd_report")

    data = sub.add_parser(
        "data",
        help="list supported corpora, download the openly available ones",
        description="List the corpora voxemo reads (with license and citation) and download "
        "those with an open download: resumable, checksum-verified where a checksum is "
        "published, and unpacked in the layout the reader expects.",
    )
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_list = data_sub.add_parser("list", help="supported corpora, licenses and citations")
    data_list.add_argument("--json", action="store_true", help="print JSON instead of a table")
    data_list.set_defaults(handler="data:cmd_data_list")
    download = data_sub.add_parser("download", help="download and unpack a corpus")
    download.add_argument("name", metavar="NAME", help="corpus name, as in 'voxemo data list'")
    download.add_argument("--to", required=True, metavar="DIR", help="folder to unpack into")
    download.add_argument("--url", help="fetch from this mirror instead of the official address")
    download.set_defaults(handler="data:cmd_data_download")

    features = sub.add_parser(
        "features",
        help="extract features of corpora into a Parquet table",
        description="Compute features of every file (one decode per file, in parallel, cached "
        "by file content) and write them with the corpus fields to a Parquet file.",
    )
    _add_extraction(features, repeat="tabulate several corpora together", jobs="feature extraction")
    features.add_argument(
        "--out",
        required=True,
        metavar="FILE.parquet",
        help="Parquet file to write: the corpus fields and one column per feature",
    )
    features.set_defaults(handler="research:cmd_features")
    return parser


def _handler(spec: str):
    """The subcommand's function, imported only now: each pulls in only the libraries it uses."""
    from importlib import import_module

    module, _, name = spec.partition(":")
    return getattr(import_module(f"voxemo.cli.{module}"), name)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from voxemo.cli.console import error_line
    from voxemo.extras import missing_extra

    try:
        return _handler(args.handler)(args)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python from complaining when
        # it flushes standard output on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except VoxemoError as exc:
        error_line(str(exc))
        return 1
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except Exception as exc:
        missing = isinstance(exc, ModuleNotFoundError) and missing_extra(
            exc, f"voxemo {args.command}"
        )
        if missing:
            error_line(str(missing))
            return 1
        if os.environ.get("VOXEMO_DEBUG"):
            raise
        error_line(f"internal error: {type(exc).__name__}: {exc} (set VOXEMO_DEBUG=1 for details)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
