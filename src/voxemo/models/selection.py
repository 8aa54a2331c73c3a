"""Hyper-parameter choice without leakage: grouped cross-validation over training speakers.

Called with the training side of an outer fold only, so the test speakers of that fold
never reach the search; inner folds split by speaker too, so the chosen parameters are
those that generalize to unseen speakers.

A logistic regression's ``C`` is searched as a regularization path
(:class:`RegularizationPath`): the same inner folds, values and score as a grid search, and
the same choice, in a fraction of the solver's iterations. Trained on several corpora, it
also chooses how much each corpus weighs (``class_weights``): the same (``corpora``: a small
corpus weighs as much as a large one) or by its number of files (``files``); within every
corpus each of its emotions weighs the same either way.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline

from voxemo.models.label_sets import (
    LabelSets,
    balanced_weights,
    differ,
    mean_corpus_uar,
    restrict_probabilities,
    several,
)
from voxemo.models.registry import build_model, get_model_kind

INNER_FOLDS = 3
INNER_SCORING = "balanced_accuracy"  # UAR
PATH_PARAMETER = "classifier__C"
WEIGHTS = "classifier__sample_weight"
ROW_LABELS = "classifier__label_sets"
CLASS_WEIGHTS = {
    "corpora": "every corpus weighs the same, and within it each of its emotions",
    "files": "every corpus weighs by its number of files, and within it each of its emotions",
}


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

    ``corpora`` (one name per row) marks a multi-corpus training set: sample weights then
    balance the classes within each corpus and the corpora against each other (for
    ``logreg``, the inner folds also choose whether each corpus weighs the same or by its
    size), and where
    ``label_sets`` (each corpus's emotions) differ, each file is learnt among its own
    corpus's emotions only (see :mod:`voxemo.models.label_sets`).

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
    if corpora is not None and several(corpora):
        grid, fit_params = _across_corpora(model, grid, labels, corpora, label_sets)
    n_groups = 0 if speakers is None else len(np.unique(speakers))
    with warnings.catch_warnings():
        # The study's MLP stops at 400 iterations, converged or not; that is part of it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if not (tune and grid and n_groups >= 2):
            return FittedModel(model.fit(features, labels, **fit_params), {}, None)
        inner = GroupKFold(min(INNER_FOLDS, n_groups))
        if on_a_path(model, grid):
            weightings = None
            if WEIGHTS in fit_params:  # several corpora: the CLASS_WEIGHTS are chosen too
                weightings = {
                    "corpora": fit_params.pop(WEIGHTS),
                    "files": balanced_weights(labels, corpora, corpus_share="size"),
                }
            search = RegularizationPath(
                model, grid[PATH_PARAMETER], inner, weightings, corpora if weightings else None
            )
        else:
            search = GridSearchCV(
                model, grid, scoring=INNER_SCORING, cv=inner, n_jobs=1, error_score="raise"
            )
        search.fit(features, labels, groups=speakers, **fit_params)
    chosen = {name.rsplit("__", 1)[-1]: value for name, value in search.best_params_.items()}
    return FittedModel(search.best_estimator_, chosen, float(search.best_score_))


def on_a_path(model: Pipeline, grid: dict) -> bool:
    """Whether ``model`` and its search space are searched by :class:`RegularizationPath`
    (which, with several training corpora, also chooses the ``class_weights``)."""
    return list(grid) == [PATH_PARAMETER] and isinstance(model[-1], LogisticRegression)


class RegularizationPath:
    """A grid search over a logistic regression's ``C`` that fits each inner fold as a path.

    Within each inner fold the values are fitted from the strongest penalty to the weakest,
    each fit starting from the solution before it; the final fit on all the rows starts from
    the last inner fold's solution at the chosen value (where that fold had every class).
    The objective is convex, so every fit reaches the optimum that a fit from zero reaches,
    in fewer iterations. The choice is a grid search's: the best mean balanced accuracy over
    the inner folds, the smallest ``C`` among ties. Where files carry their corpus's emotions
    (``classifier__label_sets``), each inner test file is predicted among those, and with
    ``corpora`` an inner fold's score is the mean of its corpora's, as evaluations report
    them: each corpus counts the same, however many files it has.

    Parameters
    ----------
    model : Pipeline
        Ends in a ``LogisticRegression``.
    values : list of float
        The values of ``C`` to try.
    cv : GroupKFold
        The inner folds.
    weightings : dict or None
        Sample weights to choose among too (name: one weight per row), chosen with ``C`` and
        reported as ``class_weights``; the first wins ties.
    corpora : array or None
        Each row's corpus, where there are several.

    Examples
    --------
    >>> from voxemo.models.registry import build_model
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(60, 3)); y = np.array(["calm", "sad"] * 30); x[y == "sad"] += 1
    >>> search = RegularizationPath(build_model("logreg"), [0.01, 1.0], GroupKFold(3))
    >>> search.fit(x, y, groups=np.arange(60) % 6).best_params_
    {'classifier__C': 1.0}
    """

    def __init__(
        self,
        model: Pipeline,
        values: list[float],
        cv: GroupKFold,
        weightings: dict[str, np.ndarray] | None = None,
        corpora: np.ndarray | None = None,
    ) -> None:
        self.model, self.values, self.cv = model, sorted(values), cv
        self.weightings, self.corpora = weightings, corpora

    def fit(self, X, y, groups, **fit_params) -> RegularizationPath:
        X, y = np.asarray(X), np.asarray(y)
        splits = list(self.cv.split(X, y, groups))
        candidates = [
            (name, fit_params if weights is None else {**fit_params, WEIGHTS: weights})
            for name, weights in (self.weightings or {None: None}).items()
        ]
        scores = np.zeros((len(candidates), len(splits), len(self.values)))
        last = []  # per weighting, the last inner fold's solution at each value
        for row, (_, params) in enumerate(candidates):
            for split, (train, test) in enumerate(splits):
                path = clone(self.model).set_params(classifier__warm_start=True)
                subset = {name: values[train] for name, values in params.items()}
                solutions = []
                for column, value in enumerate(self.values):
                    path.set_params(**{PATH_PARAMETER: value}).fit(X[train], y[train], **subset)
                    predicted = _predicted(path, X[test], params.get(ROW_LABELS), test)
                    scores[row, split, column] = self._score(y[test], predicted, test)
                    fitted = path[-1]
                    solutions.append(
                        (fitted.classes_, fitted.coef_.copy(), fitted.intercept_.copy())
                    )
            last.append(solutions)
        means = scores.mean(axis=1)
        row, column = np.unravel_index(int(np.argmax(means)), means.shape)
        name, params = candidates[row]
        final = clone(self.model).set_params(
            **{PATH_PARAMETER: self.values[column], "classifier__warm_start": True}
        )
        classes, coef, intercept = last[row][column]
        if np.array_equal(classes, np.unique(y)):  # else that inner fold lacked a class
            final[-1].coef_, final[-1].intercept_ = coef, intercept
        final.fit(X, y, **params)
        self.best_estimator_ = final.set_params(classifier__warm_start=False)
        self.best_params_ = {PATH_PARAMETER: self.values[column]}
        if name is not None:
            self.best_params_["class_weights"] = name
        self.best_score_ = float(means[row, column])
        return self

    def _score(self, truth: np.ndarray, predicted: np.ndarray, rows: np.ndarray) -> float:
        """Balanced accuracy, or with several corpora the mean of each corpus's."""
        if self.corpora is None:
            return balanced_accuracy_score(truth, predicted)
        return mean_corpus_uar(truth, predicted, np.asarray(self.corpora)[rows])


def _predicted(model: Pipeline, X: np.ndarray, row_sets: np.ndarray | None, rows) -> np.ndarray:
    """``model``'s predictions; with ``row_sets`` (each file's emotions, indexed by ``rows``),
    each among its own emotions."""
    if row_sets is None:
        return model.predict(X)
    probabilities = restrict_probabilities(model.predict_proba(X), model.classes_, row_sets[rows])
    return model.classes_[probabilities.argmax(axis=1)]


def _across_corpora(
    model: Pipeline,
    grid: dict,
    labels: np.ndarray,
    corpora: np.ndarray,
    label_sets: LabelSets | None,
) -> tuple[dict, dict]:
    """Set ``model`` up for several corpora; returns its search space and its fit parameters."""
    from voxemo.models.masked import MaskedLogisticRegression, PerLabelOneVsRest

    # Sample weights balance the classes within each corpus, in place of per-class weights.
    model.set_params(**{k: None for k in model.get_params() if k.endswith("class_weight")})
    fit_params = {WEIGHTS: balanced_weights(labels, corpora)}
    if label_sets is None or not differ(label_sets):
        return grid, fit_params
    fit_params[ROW_LABELS] = np.array([label_sets[str(corpus)] for corpus in corpora], dtype=object)
    classifier = model.named_steps["classifier"]
    if isinstance(classifier, MaskedLogisticRegression):
        return grid, fit_params
    model.set_params(classifier=PerLabelOneVsRest(classifier))
    prefix = "classifier__"
    return {f"{prefix}estimator__{k[len(prefix) :]}": v for k, v in grid.items()}, fit_params
