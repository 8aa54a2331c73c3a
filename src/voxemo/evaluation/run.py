"""Cross-validated evaluation of a model kind on a feature table under a protocol."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from voxemo.errors import CorpusError
from voxemo.evaluation import metrics
from voxemo.evaluation.protocols import (
    PROTOCOLS,
    SEED_SPLIT_STATE,
    SPEAKER_INDEPENDENT,
    Fold,
    make_folds,
    speaker_extras,
)
from voxemo.features.dataset import FeatureTable, speaker_groups
from voxemo.features.normalization import normalize_per_group
from voxemo.models import build_model, get_model_kind
from voxemo.models.selection import INNER_FOLDS, INNER_SCORING, fit_model
from voxemo.provenance import provenance

UTTERANCE_LEVEL = "utterance-level"
SPEAKER_ADAPTED = "speaker-adapted"
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
        if data.table["speaker"].isna().any():
            raise CorpusError("--speaker-norm needs a speaker for every file; this corpus has none")
        features = normalize_per_group(features, data.table["speaker"].astype(str).to_numpy())
    if protocol == "seed":
        return np.hstack([features, speaker_extras(data.table)])
    return features


def evaluate(
    data: FeatureTable,
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
) -> dict:
    """Fit and score one model per fold; returns the evaluation dictionary (JSON-ready).

    With ``tune``, each fold's hyper-parameters are chosen by grouped cross-validation over
    that fold's training speakers only. ``corpus_norm`` z-scores features per corpus (with
    the test corpus's own, unlabelled statistics): an option for multi- and cross-corpus runs.
    """
    folds = make_folds(protocol, data.table)
    inputs = model_inputs(data, protocol, speaker_norm, corpus_norm)
    truth = data.table["label"].astype(str).to_numpy()
    speakers = data.table["speaker"].astype(str).to_numpy()
    labels = [label for label in data.labels if label in set(truth)]
    options = {"seed": seed, "select": select, "tune": tune}
    workers = min(jobs, len(folds))
    threads = None if workers == 1 else 1
    runs = Parallel(n_jobs=workers, return_as="generator")(
        delayed(_fit_fold)(inputs, truth, data.table["speaker"], fold, model_kind, options, threads)
        for fold in folds
    )
    fold_rows, predictions = [], []
    for fold, (predicted, seconds, fitted) in zip(folds, runs, strict=True):
        fold_rows.append(
            {
                "fold": fold.name,
                "test_speakers": fold.test_speakers,
                "n_train": len(fold.train),
                "n_test": len(fold.test),
                **metrics.scores(truth[fold.test], predicted, labels),
                "chosen_params": fitted.chosen_params,
                "inner_uar": fitted.inner_uar,
                "fit_seconds": round(seconds, 3),
            }
        )
        for index, label in zip(fold.test, predicted, strict=True):
            predictions.append(
                {
                    "path": data.table["path"].iloc[index],
                    "speaker": speakers[index],
                    "label": truth[index],
                    "predicted": str(label),
                    "fold": fold.name,
                }
            )
        if on_fold:
            on_fold()
    pooled_true = [p["label"] for p in predictions]
    pooled_pred = [p["predicted"] for p in predictions]
    result = {
        **metrics.spread(fold_rows),
        "pooled": metrics.scores(pooled_true, pooled_pred, labels),
        "labels": labels,
        "confusion_matrix": metrics.confusion(pooled_true, pooled_pred, labels),
        "per_class": metrics.per_class(pooled_true, pooled_pred, labels),
        "folds": fold_rows,
        "speaker_independent": protocol in SPEAKER_INDEPENDENT,
        "track": SPEAKER_ADAPTED if speaker_norm else UTTERANCE_LEVEL,
        "corpus_norm": corpus_norm,
        "predictions": predictions,
    }
    if protocol == "seed":
        result["warning"] = LEAK_WARNING
    return result


def _fit_fold(inputs, truth, speakers, fold: Fold, model_kind: str, options: dict, threads: int):
    start = time.perf_counter()
    train = fold.train
    # The search groups by speaker where every training file has one.
    train_groups = speaker_groups(speakers.iloc[train])
    # Folds already run in parallel processes: more BLAS/OpenMP threads only oversubscribe.
    with threadpool_limits(threads):
        fitted = fit_model(model_kind, inputs[train], truth[train], train_groups, **options)
        predicted = fitted.model.predict(inputs[fold.test])
    return predicted, time.perf_counter() - start, fitted


def evaluation_config(
    data: FeatureTable,
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
) -> dict:
    """The full configuration recorded beside every score."""
    params = build_model(model, seed, select).get_params(deep=True)
    simple = (str, int, float, bool, type(None), tuple)
    return {
        "corpus": corpus_specs,
        "n_files": len(data.table),
        "skipped_files": data.errors,
        "features": features,
        "feature_sets": feature_configs,
        "model": model,
        "model_params": {k: v for k, v in params.items() if isinstance(v, simple) and k != "steps"},
        "feature_selection": select,
        "tuning": {
            "search_space": get_model_kind(model).search_space if tune else {},
            "inner_folds": f"GroupKFold({INNER_FOLDS}) over the training speakers of each fold",
            "scoring": INNER_SCORING,
        },
        "speaker_norm": speaker_norm,
        "corpus_norm": corpus_norm,
        "protocol": protocol,
        "protocol_description": PROTOCOLS[protocol],
        "seeds": {"model": seed, **({"split": SEED_SPLIT_STATE} if protocol == "seed" else {})},
        **provenance(),
    }
