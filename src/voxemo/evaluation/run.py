"""Cross-validated evaluation of a model kind on a feature table under a protocol."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from voxemo.errors import VoxemoError
from voxemo.evaluation import metrics
from voxemo.evaluation.protocols import (
    BUILTIN_PROTOCOLS,
    PROTOCOLS,
    SEED_SPLIT_STATE,
    SPEAKER_INDEPENDENT,
    Fold,
    FoldsDefinition,
    builtin_folds,
    make_folds,
    require_speakers,
    speaker_extras,
)
from voxemo.features.dataset import FeatureTable, WaveTable
from voxemo.features.normalization import center_probabilities_per_group, normalize_per_group
from voxemo.jsonfile import write_json
from voxemo.models import build_model, get_model_kind
from voxemo.models.estimators import FeatureClassifier, NetworkClassifier, training_rows
from voxemo.models.label_sets import (
    LabelSets,
    corpus_label_sets,
    differ,
    restrict_probabilities,
)
from voxemo.models.neural import EpochLog, is_neural, require_torch, training_config
from voxemo.models.neural.kinds import CLIPS_WITH_SEVERAL_CORPORA
from voxemo.models.selection import CLASS_WEIGHTS, INNER_FOLDS, INNER_SCORING, on_a_path
from voxemo.provenance import LIBRARIES, code_digest, library_versions, provenance

if TYPE_CHECKING:
    import pandas as pd

UTTERANCE_LEVEL = "utterance-level"
SPEAKER_ADAPTED = "speaker-adapted"
SPEAKER_NORM = "--speaker-norm"  # what needs every file's speaker, in its error
LEAK_WARNING = (
    "speakers leak: the same actors are in training and test, and the actor number is an "
    "input, so this score is inflated; see the speaker-independent protocols emobox and loso"
)


def model_inputs(
    data: FeatureTable, protocol: str, speaker_norm: bool = False, corpus_norm: bool = False
) -> np.ndarray:
    """The feature matrix (normalized per corpus and/or per speaker where asked), plus the
    speaker extras that only the study's protocol uses."""
    features = data.features
    if corpus_norm:
        features = normalize_per_group(features, data.table["corpus"].astype(str).to_numpy())
    if speaker_norm:
        features = normalize_per_group(features, require_speakers(data.table, SPEAKER_NORM))
    if protocol == "seed":
        return np.hstack([features, speaker_extras(data.table)])
    return features


def evaluate(
    data: FeatureTable | WaveTable,
    *,
    model_kind: str,
    protocol: str,
    seed: int = 42,
    jobs: int = 1,
    tune: bool = True,
    select: int | None = None,
    speaker_norm: bool = False,
    corpus_norm: bool = False,
    on_fold: Callable[[], None] | None = None,
    checkpoints: Path | None = None,
    epochs: int | None = None,
    on_epoch: Callable[[EpochLog], None] | None = None,
    folds: FoldsDefinition | None = None,
    test_data: FeatureTable | WaveTable | None = None,
    augment: FeatureTable | None = None,
    also_test: dict[str, FeatureTable | WaveTable] | None = None,
) -> dict:
    """Fit and score one model per fold of a protocol: the evaluation, JSON-ready.

    Every choice a fold makes (hyper-parameters, feature selection, normalization, epochs)
    is made on that fold's training speakers only; test speakers are only ever predicted.

    Parameters
    ----------
    data : FeatureTable or WaveTable
        Features of a corpus (:func:`voxemo.features.dataset.featurize_corpus`), or its
        waveforms for a network (:func:`voxemo.features.dataset.load_corpus_waves`).
    model_kind : str
        A registered kind (``logreg``, ``svm``, ``lightgbm``, ... or ``cnn``, ``crnn``).
    protocol : str
        ``emobox``, ``crema5``, ``folds``, ``loso``, ``cross`` or ``seed`` (see
        :data:`voxemo.evaluation.PROTOCOLS`).
    seed : int
        Seeds the model (and the study's split).
    jobs : int
        Folds fitted in parallel (feature-vector models).
    tune : bool
        Choose each fold's hyper-parameters by grouped cross-validation over that fold's
        training speakers; else the kind's defaults.
    select : int or None
        Keep the ``select`` features scoring best on each fold's training side.
    speaker_norm, corpus_norm : bool
        Z-score features per speaker (the speaker-adapted track), or per corpus with the
        test corpus's own, unlabelled statistics (for multi- and cross-corpus runs).
    on_fold : callable or None
        Called after each fold.
    checkpoints : Path or None
        A folder that makes an interrupted evaluation resumable: each finished fold's
        predictions are kept there (read back only by the same inputs, settings, code and
        library versions), and networks also keep a checkpoint per fold and epoch.
    epochs : int or None
        Networks: epochs to train (None: the kind's default).
    on_epoch : callable or None
        Networks: called with each epoch's log.
    folds : dict or None
        The test speakers of ``protocol="folds"``, per corpus
        (:func:`voxemo.evaluation.protocols.read_folds`).
    test_data : FeatureTable or WaveTable or None
        The same files as ``data`` (e.g. heard under a recording condition): what each
        fold's model is tested on instead of ``data``.
    augment : FeatureTable or None
        Feature-vector models: the same files' features under a random recording condition
        (``featurize_corpus(..., condition="random")``); a degraded copy of every training
        file joins each fold's training side; test files stay as they are.
    also_test : dict or None
        More versions of the same files (name: table, e.g. one per recording condition),
        each also predicted by each fold's model, so that one training serves them all.

    Returns
    -------
    dict
        Pooled ``accuracy``, ``uar``, ``macro_f1`` (with their spread over folds), the
        per-fold scores and choices, the confusion matrix, every test prediction, the
        ``track`` and, with several corpora, ``per_corpus`` scores; with ``also_test``,
        ``also_tested``: the same, by name, for each of its versions.

    Raises
    ------
    VoxemoError
        An unknown protocol or kind, data of fewer than two emotions on a fold's training
        side, or options that do not go together.

    Notes
    -----
    With several corpora, classes are balanced within each corpus and the corpora against
    each other, each training file is learnt among its own corpus's emotions only, and each
    test file is scored among them.

    Examples
    --------
    >>> from voxemo.features.dataset import FeatureTable
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({"path": [f"{i}.wav" for i in range(40)], "corpus": "demo",
    ...     "speaker": np.repeat(list("abcd"), 10), "label": ["calm", "sad"] * 20})
    >>> x = rng.normal(size=(40, 3)) + (table["label"] == "sad").to_numpy()[:, None] * 3
    >>> data = FeatureTable(table, x, ["f1", "f2", "f3"], ["calm", "sad"], [])
    >>> evaluate(data, model_kind="logreg", protocol="loso", tune=False)["accuracy"]
    1.0
    """
    also_test = also_test or {}
    others = [(test_data, "test data"), (augment, "augmented data")]
    others += [(table, f"test data '{name}'") for name, table in also_test.items()]
    for other, what in others:
        if other is not None and list(other.table["path"]) != list(data.table["path"]):
            raise VoxemoError(f"{what} must hold the same files as the training data, in order")
    test_sets = [test_data or data, *also_test.values()]
    fold_list = make_folds(protocol, data.table, folds)
    truth = data.table["label"].astype(str).to_numpy()
    speakers = data.table["speaker"].astype(str).to_numpy()
    corpora = data.table["corpus"].astype(str).to_numpy()
    label_sets = corpus_label_sets(corpora, truth)
    labels = [label for label in data.labels if label in set(truth)]
    if is_neural(model_kind):
        if corpus_norm or protocol == "seed" or augment is not None:
            raise VoxemoError(
                f"model '{model_kind}': --corpus-norm, --augment and --protocol seed "
                "apply to feature-vector models only (networks augment their own audio)"
            )
        if speaker_norm:
            require_speakers(data.table, SPEAKER_NORM)
        config = training_config(model_kind, epochs)
        others = [table for table in test_sets if table is not data]
        inputs = [*data.waves, *(wave for table in others for wave in table.waves)]
        require_torch()
        from voxemo.models.neural.training import training_device, training_precision

        # Trained in mixed precision or not, a network is not the same.
        precision = str(training_precision(training_device()))
        options = {"network": config.to_dict(), "precision": precision}

        def network(fold: Fold) -> NetworkClassifier:
            name = f"{config.architecture}-{fold.name.replace(' ', '-')}.pt"
            return NetworkClassifier(
                config,
                seed=seed,
                label_sets=label_sets,
                checkpoint=checkpoints / name if checkpoints else None,
                on_epoch=on_epoch,
            )

        def fit(folds: list[Fold]):
            return (
                _fit_fold(
                    network(fold),
                    training_rows(data.waves, fold.train, truth, data.table["speaker"], corpora),
                    [[tested.waves[i] for i in fold.test] for tested in test_sets],
                )
                for fold in folds
            )
    else:
        train = model_inputs(data, protocol, speaker_norm, corpus_norm)
        tested = [
            train if table is data else model_inputs(table, protocol, speaker_norm, corpus_norm)
            for table in test_sets
        ]
        extra = (
            None if augment is None else model_inputs(augment, protocol, speaker_norm, corpus_norm)
        )
        inputs = [train, *tested, *([] if extra is None else [extra])]
        options = {"select": select, "tune": tune}

        def fit(folds: list[Fold]):
            workers = max(1, min(jobs, len(folds)))
            # Folds run in parallel processes: more BLAS/OpenMP threads only oversubscribe.
            threads = None if workers == 1 else 1
            return Parallel(n_jobs=workers, return_as="generator")(
                delayed(_fit_fold)(
                    FeatureClassifier(
                        model_kind, seed=seed, select=select, tune=tune, label_sets=label_sets
                    ),
                    training_rows(train, fold.train, truth, data.table["speaker"], corpora, extra),
                    [matrix[fold.test] for matrix in tested],
                    threads=threads,
                )
                for fold in folds
            )

    if checkpoints is None:
        runs = fit(fold_list)
    else:  # finished folds are read back; only the others are fitted
        sets = {corpus: sorted(found) for corpus, found in label_sets.items()}
        keys = _fold_keys(
            [*inputs, truth, speakers, corpora],
            {"model_kind": model_kind, "seed": seed, "label_sets": sets, **options},
            fold_list,
            network=is_neural(model_kind),
        )
        saved = [_saved_fold(checkpoints, key) for key in keys]
        todo = [fold for fold, kept in zip(fold_list, saved, strict=True) if kept is None]
        runs = _saved_or_fitted(saved, fit(todo), keys, checkpoints)
    if speaker_norm and is_neural(model_kind):
        # The speaker-adapted track of a network: the same outputs (saved folds serve both
        # tracks), each test speaker's log-probabilities centred.
        runs = (
            [_centred(run, speakers[fold.test]) for run in fold_runs]
            for fold_runs, fold in zip(runs, fold_list, strict=True)
        )
    corpus_labels = {
        corpus: [label for label in labels if label in found]
        for corpus, found in label_sets.items()
    }
    done = []  # per fold, a run per version of its test files
    for fold_runs in runs:
        done.append(fold_runs)
        if on_fold:
            on_fold()
    track = SPEAKER_ADAPTED if speaker_norm else UTTERANCE_LEVEL

    def scored(version: int) -> dict:
        fold_rows, predictions = _scored_folds(
            [fold_runs[version] for fold_runs in done],
            fold_list,
            data.table,
            label_sets,
            corpus_labels,
            labels,
        )
        return summarize(
            fold_rows, predictions, labels, protocol, track, corpus_norm, corpus_labels
        )

    result = scored(0)
    if also_test:
        result["also_tested"] = {name: scored(i) for i, name in enumerate(also_test, start=1)}
    return result


def _scored_folds(
    runs: list[FoldRun],
    fold_list: list[Fold],
    table: pd.DataFrame,
    label_sets: LabelSets,
    corpus_labels: dict[str, list[str]],
    labels: list[str],
) -> tuple[list[dict], list[dict]]:
    """Each fold's scores and choices, and every test file's prediction, from the folds' runs
    (test files are scored among their own corpus's emotions)."""
    truth = table["label"].astype(str).to_numpy()
    speakers = table["speaker"].astype(str).to_numpy()
    corpora = table["corpus"].astype(str).to_numpy()
    fold_rows, predictions = [], []
    for fold, run in zip(fold_list, runs, strict=True):
        if differ(label_sets):
            row_sets = [label_sets[corpus] for corpus in corpora[fold.test]]
            run.probabilities = restrict_probabilities(run.probabilities, run.classes, row_sets)
            run.predicted = np.array(run.classes)[run.probabilities.argmax(axis=1)]
        fold_labels = corpus_labels.get(fold.corpus, labels)  # its test corpus's emotions
        fold_rows.append(
            {
                "fold": fold.name,
                **({"corpus": fold.corpus} if fold.corpus else {}),
                "test_speakers": fold.test_speakers,
                "n_train": len(fold.train),
                "n_test": len(fold.test),
                **metrics.scores(truth[fold.test], run.predicted, fold_labels),
                "chosen_params": run.chosen_params,
                "inner_uar": run.inner_uar,
                "fit_seconds": round(run.seconds, 3),
                **(
                    {"training_seconds": round(run.training_seconds, 1)}
                    if run.training_seconds
                    else {}
                ),
            }
        )
        for row, index in enumerate(fold.test):
            predictions.append(
                {
                    "path": table["path"].iloc[index],
                    "corpus": corpora[index],
                    "speaker": speakers[index],
                    "label": truth[index],
                    "predicted": str(run.predicted[row]),
                    "fold": fold.name,
                    "probabilities": {
                        str(label): round(float(p), 5)
                        for label, p in zip(run.classes, run.probabilities[row], strict=True)
                    },
                }
            )
    return fold_rows, predictions


def pooled_scores(predictions: list[dict], labels: list[str]) -> dict:
    """Scores, confusion matrix and per-class scores over all ``predictions``."""
    truth = [p["label"] for p in predictions]
    predicted = [p["predicted"] for p in predictions]
    return {
        "pooled": metrics.scores(truth, predicted, labels),
        "labels": labels,
        "confusion_matrix": metrics.confusion(truth, predicted, labels),
        "per_class": metrics.per_class(truth, predicted, labels),
    }


def per_corpus_scores(
    fold_rows: list[dict], predictions: list[dict], corpus_labels: dict[str, list[str]]
) -> dict:
    """Each test corpus's scores: mean and spread over its folds, and pooled over its files."""
    tested = dict.fromkeys(row["corpus"] for row in fold_rows if row.get("corpus"))
    out = {}
    for corpus in tested:
        rows = [row for row in fold_rows if row.get("corpus") == corpus]
        files = [p for p in predictions if p.get("corpus") == corpus]
        out[corpus] = {
            **metrics.spread(rows),
            "folds": len(rows),
            "n_test": len(files),
            **pooled_scores(files, corpus_labels[corpus]),
        }
    return out


def summarize(
    fold_rows: list[dict],
    predictions: list[dict],
    labels: list[str],
    protocol: str,
    track: str,
    corpus_norm: bool = False,
    corpus_labels: dict[str, list[str]] | None = None,
) -> dict:
    """The evaluation dictionary from per-fold scores and per-file predictions;
    ``corpus_labels`` (each corpus's emotions) adds the scores per test corpus."""
    result = {
        **metrics.spread(fold_rows),
        **pooled_scores(predictions, labels),
        "calibration_error": metrics.calibration_error(predictions),
        "folds": fold_rows,
        "speaker_independent": protocol in SPEAKER_INDEPENDENT,
        "track": track,
        "corpus_norm": corpus_norm,
        "predictions": predictions,
    }
    if corpus_labels:
        result["corpus_labels"] = corpus_labels
        result["per_corpus"] = per_corpus_scores(fold_rows, predictions, corpus_labels)
    if protocol == "seed":
        result["warning"] = LEAK_WARNING
    return result


@dataclass
class FoldRun:
    """What one fold's model said about its test files, and how it was chosen."""

    predicted: np.ndarray
    probabilities: np.ndarray
    classes: list[str]
    chosen_params: dict
    inner_uar: float | None
    seconds: float
    # A network's training time over all the runs that made it (None: unknown, or no network).
    training_seconds: float | None = None


def _fold_keys(arrays: list, options: dict, fold_list: list[Fold], network: bool) -> list[str]:
    """Per fold, a digest of all that its run depends on: the input arrays (features or
    waveforms, each file's label, speaker and corpus), the model's options, the fold's files,
    the code and the library versions."""
    base = _digest([options], arrays, network, FOLD_CODE)
    keys = []
    for fold in fold_list:
        key = base.copy()
        key.update(fold.name.encode())
        key.update(np.asarray(fold.train, np.int64).tobytes())
        key.update(np.asarray(fold.test, np.int64).tobytes())
        keys.append(key.hexdigest())
    return keys


def _digest(header: list, arrays, network: bool, code: tuple[str, ...]):
    """A running digest of ``header`` (JSON-ready), the library versions (with
    :data:`NETWORK_LIBRARIES` for a ``network``), the source of the modules ``code``, and
    each array's type, shape and contents."""
    names = (*LIBRARIES, *NETWORK_LIBRARIES) if network else LIBRARIES
    digest = hashlib.blake2b(digest_size=8)
    digest.update(
        json.dumps(
            [*header, library_versions(*names), code_digest(*code)],
            sort_keys=True,
            default=str,
        ).encode()
    )
    for values in arrays:
        values = np.ascontiguousarray(values)
        digest.update(f"{values.dtype}{values.shape}".encode())
        digest.update(values.astype(str).tobytes() if values.dtype == object else values.tobytes())
    return digest


def _saved_fold(folder: Path, key: str) -> list[FoldRun] | None:
    """A finished fold's runs kept in ``folder`` under ``key`` (None: none, or unreadable)."""
    try:
        saved = json.loads((folder / f"fold-{key}.json").read_text())
        return [
            FoldRun(**run | {"predicted": np.array(run["predicted"]),
                             "probabilities": np.array(run["probabilities"])})
            for run in saved["runs"]
        ]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _saved_or_fitted(saved: list, fitted, keys: list[str], folder: Path):
    """Each fold's runs in order: read back where saved, else the next fitted one, kept in
    ``folder`` as soon as it is done."""
    fitted = iter(fitted)
    for runs, key in zip(saved, keys, strict=True):
        if runs is None:
            runs = next(fitted)
            folder.mkdir(parents=True, exist_ok=True)
            runs_json = [
                asdict(run) | {"predicted": run.predicted.tolist(),
                               "probabilities": run.probabilities.tolist()}
                for run in runs
            ]  # fmt: skip
            write_json(folder / f"fold-{key}.json", {"runs": runs_json}, default=_plain)
        yield runs


def _plain(value):
    """A numpy scalar as the Python number it holds (for JSON), anything else as text."""
    return value.item() if isinstance(value, np.generic) else str(value)


def _centred(run: FoldRun, speakers: np.ndarray) -> FoldRun:
    """``run`` with each test speaker's log-probabilities centred over that speaker's files."""
    probabilities = center_probabilities_per_group(run.probabilities, speakers)
    predicted = np.array(run.classes)[probabilities.argmax(axis=1)]
    return replace(run, probabilities=probabilities, predicted=predicted)


def _fit_fold(estimator, training_side: tuple, test_sets: list, threads=None) -> list[FoldRun]:
    """Fit ``estimator`` on a fold's training side and predict each version of its test
    inputs. The seconds are those of fitting and predicting the first version."""
    start = time.perf_counter()
    runs = []
    with threadpool_limits(threads):
        estimator.fit(*training_side)
        for test_inputs in test_sets:
            probabilities = estimator.predict_proba(test_inputs)
            runs.append(
                FoldRun(
                    np.array(estimator.classes_)[probabilities.argmax(axis=1)],
                    probabilities,
                    estimator.classes_,
                    estimator.chosen_params_,
                    estimator.inner_uar_,
                    runs[0].seconds if runs else time.perf_counter() - start,
                    estimator.training_seconds_,
                )
            )
    return runs


def evaluation_config(
    data: FeatureTable | WaveTable,
    *,
    corpus_specs: list[str],
    features: str,
    feature_configs: list[dict],
    model: str,
    protocol: str,
    seed: int,
    tune: bool = True,
    select: int | None = None,
    speaker_norm: bool = False,
    corpus_norm: bool = False,
    epochs: int | None = None,
    folds: FoldsDefinition | None = None,
    augment: bool = False,
) -> dict:
    """The full configuration recorded beside every score (with ``protocol="folds"``, the
    test speakers of every fold)."""
    weighting: dict = {}
    if is_neural(model):
        model_params = training_config(model, epochs).to_dict()
        search_space: dict = {}
        weighting = {"clips_with_several_corpora": CLIPS_WITH_SEVERAL_CORPORA}
    else:
        pipeline = build_model(model, seed, select)
        simple = (str, int, float, bool, type(None), tuple)
        params = pipeline.get_params(deep=True)
        model_params = {k: v for k, v in params.items() if isinstance(v, simple) and k != "steps"}
        search_space = get_model_kind(model).search_space if tune else {}
        if search_space and on_a_path(pipeline, search_space):
            weighting = {"class_weights_with_several_corpora": CLASS_WEIGHTS}
    return {
        "corpus": corpus_specs,
        "n_files": len(data.table),
        "skipped_files": data.errors,
        "features": features,
        "feature_sets": feature_configs,
        "model": model,
        "model_params": model_params,
        "feature_selection": select,
        "tuning": {
            "search_space": search_space,
            "inner_folds": f"GroupKFold({INNER_FOLDS}) over the training speakers of each fold",
            "scoring": INNER_SCORING,
            **weighting,
        },
        "speaker_norm": speaker_norm,
        "corpus_norm": corpus_norm,
        "augment": augment or is_neural(model),
        "protocol": protocol,
        "protocol_description": PROTOCOLS[protocol],
        **({"folds": folds} if folds else {}),
        "seeds": {"model": seed, **({"split": SEED_SPLIT_STATE} if protocol == "seed" else {})},
        **provenance(),
    }


# The code that turns an evaluation's inputs into its scores (how the inputs were made is in
# their digest): fitting, predicting and scoring, the grouping and normalization they use, the
# model kinds, and what networks compute their spectrograms and training conditions with. A
# saved evaluation made by other code is not reused; model cards, artifacts and the like are
# not part of it.
EVALUATION_CODE = (
    "voxemo.audio.conditions",
    "voxemo.evaluation.metrics",
    "voxemo.evaluation.protocols",
    "voxemo.evaluation.run",
    "voxemo.features.dataset",
    "voxemo.features.logmel",
    "voxemo.features.normalization",
    "voxemo.features.spectrum",
    "voxemo.models.estimators",
    "voxemo.models.label_sets",
    "voxemo.models.masked",
    "voxemo.models.neural",
    "voxemo.models.registry",
    "voxemo.models.selection",
    "voxemo.probabilities",
)
# What a saved fold's predictions depend on: the same less scoring and fold making (a fold's
# files are in its key, and its scores are computed again from the predictions).
FOLD_CODE = tuple(
    name
    for name in EVALUATION_CODE
    if name not in ("voxemo.evaluation.metrics", "voxemo.evaluation.protocols")
)
# What networks also train with: their tensors, codecs and rooms (training conditions).
NETWORK_LIBRARIES = ("torch", "av", "pyroomacoustics")


def evaluation_digest(config: dict, *inputs: FeatureTable | WaveTable) -> str:
    """What a saved evaluation must match to stand for running it again: its configuration
    (less the version and commit it ran at), every input it was given (features or audio,
    with the whole table of its files), the library versions and the code of
    :data:`EVALUATION_CODE` (and, for a network, the versions of :data:`NETWORK_LIBRARIES`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"path": ["a.wav", "b.wav"], "label": ["sad", "angry"]})
    >>> data = FeatureTable(table, np.zeros((2, 3)), ["f0", "f1", "f2"], ["angry", "sad"], [])
    >>> digest = evaluation_digest({"model": "logreg"}, data)
    >>> digest == evaluation_digest({"model": "svm"}, data), len(digest)
    (False, 16)
    """
    recorded = provenance()
    settings = {key: value for key, value in config.items() if key not in recorded}
    header, arrays = [settings], []
    for data in inputs:
        header.append(data.table.astype(str).to_json(orient="split"))
        if isinstance(data, FeatureTable):
            header.append([data.labels, data.names])
            arrays.append(data.features)
        else:
            header.append([data.labels, data.sample_rate])
            arrays.extend(data.waves)
    if config.get("protocol") in BUILTIN_PROTOCOLS.values():  # its folds, as they are now
        header.append(builtin_folds(config["protocol"]))
    return _digest(header, arrays, is_neural(str(config.get("model"))), EVALUATION_CODE).hexdigest()
