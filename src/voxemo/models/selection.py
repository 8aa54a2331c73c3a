"""Hyper-parameter choice without leakage: grouped cross-validation over training speakers.

Called with the training side of an outer fold only, so the test speakers of that fold
never reach the search; inner folds split by speaker too, so the chosen parameters are
those that generalize to unseen speakers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline

from voxemo.models.registry import build_model, get_model_kind

INNER_FOLDS = 3
INNER_SCORING = "balanced_accuracy"  # UAR


@dataclass
class FittedModel:
    model: Pipeline
    chosen_params: dict
    inner_uar: float | None


def fit_model(
    kind: str,
    features: np.ndarray,
    labels: np.ndarray,
    speakers: np.ndarray | None = None,
    *,
    seed: int = 42,
    select: int | None = None,
    tune: bool = True,
) -> FittedModel:
    """Fit ``kind``; with ``tune`` and at least two speakers, search its space first."""
    model = build_model(kind, seed, select)
    if select:
        model.set_params(select__k=min(select, features.shape[1]))
    grid = get_model_kind(kind).search_space
    n_groups = 0 if speakers is None else len(np.unique(speakers))
    with warnings.catch_warnings():
        # The study's MLP stops at 400 iterations, converged or not; that is part of it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if not (tune and grid and n_groups >= 2):
            return FittedModel(model.fit(features, labels), {}, None)
        search = GridSearchCV(
            model,
            grid,
            scoring=INNER_SCORING,
            cv=GroupKFold(min(INNER_FOLDS, n_groups)),
            refit=True,
            n_jobs=1,
            error_score="raise",
        )
        search.fit(features, labels, groups=speakers)
    chosen = {name.rsplit("__", 1)[-1]: value for name, value in search.best_params_.items()}
    return FittedModel(search.best_estimator_, chosen, float(search.best_score_))
