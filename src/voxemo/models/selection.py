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

from voxemo.models.label_sets import LabelSets, balanced_weights, differ
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
    corpora: np.ndarray | None = None,
    label_sets: LabelSets | None = None,
) -> FittedModel:
    """Fit ``kind``; with ``tune`` and at least two speakers, search its space first.

    ``corpora`` (one name per row) marks a multi-corpus training set: classes are then
    balanced across corpora by sample weights, and where ``label_sets`` (each corpus's
    emotions) differ, each file is learnt among its own corpus's emotions only (see
    :mod:`voxemo.models.label_sets`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = np.array(["calm", "sad"] * 20); x[y == "sad"] += 2
    >>> fit_model("logreg", x, y, np.repeat(["a", "b", "c", "d"], 10)).model.predict(x[:2])
    array(['calm', 'sad'], dtype='<U4')
    """
    model = build_model(kind, seed, select)
    if select:
        model.set_params(select__k=min(select, features.shape[1]))
    grid = get_model_kind(kind).search_space
    fit_params: dict = {}
    if corpora is not None and len(np.unique(corpora)) > 1:
        grid, fit_params = _across_corpora(model, grid, labels, corpora, label_sets)
    n_groups = 0 if speakers is None else len(np.unique(speakers))
    with warnings.catch_warnings():
        # The study's MLP stops at 400 iterations, converged or not; that is part of it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if not (tune and grid and n_groups >= 2):
            return FittedModel(model.fit(features, labels, **fit_params), {}, None)
        search = GridSearchCV(
            model,
            grid,
            scoring=INNER_SCORING,
            cv=GroupKFold(min(INNER_FOLDS, n_groups)),
            refit=True,
            n_jobs=1,
            error_score="raise",
        )
        search.fit(features, labels, groups=speakers, **fit_params)
    chosen = {name.rsplit("__", 1)[-1]: value for name, value in search.best_params_.items()}
    return FittedModel(search.best_estimator_, chosen, float(search.best_score_))


def _across_corpora(
    model: Pipeline,
    grid: dict,
    labels: np.ndarray,
    corpora: np.ndarray,
    label_sets: LabelSets | None,
) -> tuple[dict, dict]:
    """Set ``model`` up for several corpora; returns its search space and its fit parameters."""
    from voxemo.models.masked import MaskedLogisticRegression, PerLabelOneVsRest

    # Sample weights balance the classes across corpora, in place of per-class weights.
    model.set_params(**{k: None for k in model.get_params() if k.endswith("class_weight")})
    fit_params = {"classifier__sample_weight": balanced_weights(labels, corpora)}
    if label_sets is None or not differ(label_sets):
        return grid, fit_params
    fit_params["classifier__label_sets"] = np.array(
        [label_sets[str(corpus)] for corpus in corpora], dtype=object
    )
    classifier = model.named_steps["classifier"]
    if isinstance(classifier, MaskedLogisticRegression):
        return grid, fit_params
    model.set_params(classifier=PerLabelOneVsRest(classifier))
    prefix = "classifier__"
    return {f"{prefix}estimator__{k[len(prefix) :]}": v for k, v in grid.items()}, fit_params
