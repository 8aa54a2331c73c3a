"""Cross-validated evaluation of a model kind on a feature table under a protocol."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning

from voxemo.evaluation import metrics
from voxemo.evaluation.protocols import (
    PROTOCOLS,
    SEED_SPLIT_STATE,
    SPEAKER_INDEPENDENT,
    Fold,
    make_folds,
    speaker_extras,
)
from voxemo.features.dataset import FeatureTable
from voxemo.models import build_model
from voxemo.provenance import provenance

LEAK_WARNING = (
    "speakers leak: the same actors are in training and test, and the actor number is an "
    "input, so this score is inflated; see the speaker-independent protocols emobox and loso"
)


def model_inputs(data: FeatureTable, protocol: str) -> np.ndarray:
    """The feature matrix, plus the speaker extras that only the study's protocol uses."""
    if protocol == "seed":
        return np.hstack([data.features, speaker_extras(data.table)])
    return data.features


def evaluate(
    data: FeatureTable,
    *,
    model_kind: str,
    protocol: str,
    seed: int = 42,
    jobs: int = 1,
    on_fold: Callable[[], None] | None = None,
) -> dict:
    """Fit and score one model per fold; returns the evaluation dictionary (JSON-ready)."""
    folds = make_folds(protocol, data.table)
    inputs = model_inputs(data, protocol)
    truth = data.table["label"].astype(str).to_numpy()
    labels = [label for label in data.labels if label in set(truth)]
    runs = Parallel(n_jobs=min(jobs, len(folds)), return_as="generator")(
        delayed(_fit_fold)(inputs, truth, fold, model_kind, seed) for fold in folds
    )
    fold_rows, predictions = [], []
    for fold, (predicted, seconds) in zip(folds, runs, strict=True):
        fold_rows.append(
            {
                "fold": fold.name,
                "test_speakers": fold.test_speakers,
                "n_train": len(fold.train),
                "n_test": len(fold.test),
                **metrics.scores(truth[fold.test], predicted, labels),
                "fit_seconds": round(seconds, 3),
            }
        )
        for index, label in zip(fold.test, predicted, strict=True):
            predictions.append(
                {
                    "path": data.table["path"].iloc[index],
                    "speaker": str(data.table["speaker"].iloc[index]),
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
        "predictions": predictions,
    }
    if protocol == "seed":
        result["warning"] = LEAK_WARNING
    return result


def _fit_fold(inputs, truth, fold: Fold, model_kind: str, seed: int):
    model = build_model(model_kind, seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # The study's MLP stops at 400 iterations, converged or not; that is part of it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(inputs[fold.train], truth[fold.train])
    return model.predict(inputs[fold.test]), time.perf_counter() - start


def evaluation_config(
    data: FeatureTable,
    *,
    corpus_specs: list[str],
    features: str,
    feature_configs: list[dict],
    model_kind: str,
    protocol: str,
    seed: int,
) -> dict:
    """The full configuration recorded beside every score."""
    params = build_model(model_kind, seed).get_params(deep=True)
    simple = (str, int, float, bool, type(None), tuple)
    return {
        "corpus": corpus_specs,
        "n_files": len(data.table),
        "skipped_files": data.errors,
        "features": features,
        "feature_sets": feature_configs,
        "model": model_kind,
        "model_params": {k: v for k, v in params.items() if isinstance(v, simple) and k != "steps"},
        "protocol": protocol,
        "protocol_description": PROTOCOLS[protocol],
        "seeds": {"model": seed, **({"split": SEED_SPLIT_STATE} if protocol == "seed" else {})},
        **provenance(),
    }
