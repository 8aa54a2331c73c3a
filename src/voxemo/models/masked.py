"""Classifiers that learn each file only among the emotions of its corpus.

Both take ``label_sets`` at fit time: one frozenset of allowed labels per training row (see
:mod:`voxemo.models.label_sets`). Without it, or where every row allows every class, they fit
exactly as their plain scikit-learn counterparts.

- :class:`MaskedLogisticRegression`: multinomial logistic regression whose likelihood of each
  row is the softmax over that row's allowed classes only (the same convex objective as
  scikit-learn's, L2-penalized, solved with L-BFGS). It stays a ``LogisticRegression``, so it
  exports to ONNX as one, and with ``warm_start`` it starts from its last solution, as
  scikit-learn's does.
- :class:`PerLabelOneVsRest`: any other classifier, one binary problem per class, each trained
  only on the rows whose corpus has that class; the probabilities are renormalized.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_sample_weight

from voxemo.models.label_sets import allowed_labels


class MaskedLogisticRegression(LogisticRegression):
    """``LogisticRegression`` (lbfgs, multinomial, L2) with per-row allowed classes.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.normal(-1, 1, (40, 2)), rng.normal(1, 1, (40, 2))]
    >>> y = np.array(["calm"] * 20 + ["sad"] * 20 + ["happy"] * 40)
    >>> every, no_calm = frozenset({"calm", "sad", "happy"}), frozenset({"sad", "happy"})
    >>> sets = np.array([every] * 40 + [no_calm] * 40)
    >>> model = MaskedLogisticRegression(C=1.0).fit(x, y, label_sets=sets)
    >>> model.predict_proba(x).shape
    (80, 3)
    """

    def fit(self, X, y, sample_weight=None, label_sets=None):
        classes = np.unique(np.asarray(y, dtype=str))
        mask = None if label_sets is None else allowed_labels(label_sets, classes)
        if mask is None or mask.all():
            return super().fit(X, y, sample_weight=sample_weight)
        X = np.asarray(X, dtype=np.float64)
        targets = np.searchsorted(classes, np.asarray(y, dtype=str))
        if not mask[np.arange(len(targets)), targets].all():
            raise ValueError("a row's label is not among its allowed labels")
        weights = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
        if self.class_weight is not None:
            weights = weights * compute_sample_weight(self.class_weight, y)
        previous = getattr(self, "coef_", None) if self.warm_start else None
        start = None
        if previous is not None and previous.shape == (len(classes), X.shape[1]):
            start = np.concatenate([previous.ravel(), self.intercept_])
        coef, intercept, iterations = fit_masked_multinomial(
            X, targets, mask, weights, self.C, self.max_iter, self.tol, start
        )
        self.classes_ = classes
        self.coef_, self.intercept_ = coef, intercept
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = np.array([iterations])
        return self


def fit_masked_multinomial(
    X: np.ndarray,
    targets: np.ndarray,
    mask: np.ndarray,
    weights: np.ndarray,
    C: float,
    max_iter: int,
    tol: float,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Coefficients ``(classes, features)``, intercepts and iterations minimizing
    ``C * sum_i w_i * -log softmax_{allowed_i}(x_i W' + b)[y_i] + ||W||^2 / 2``: scikit-learn's
    multinomial objective where each row's softmax runs over its allowed classes, from
    ``start`` (coefficients then intercepts, flat) or from zero."""
    n_features, n_classes = X.shape[1], mask.shape[1]
    blocked = np.where(mask, 0.0, -np.inf)
    onehot = np.eye(n_classes)[targets]
    rows = np.arange(len(X))
    # Scaled by 1 / (C * sum of weights) as scikit-learn does, so that ``tol`` means the same.
    scale = 1.0 / (C * float(np.sum(weights)))

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta[: n_classes * n_features].reshape(n_classes, n_features)
        intercept = theta[n_classes * n_features :]
        log_p = log_softmax(X @ coef.T + intercept + blocked, axis=1)
        loss = -np.sum(weights * log_p[rows, targets])
        residual = (np.exp(log_p) - onehot) * (weights * C)[:, None]
        # (X.T @ residual).T: the same product as residual.T @ X, which BLAS runs 2-3x slower.
        gradient = np.concatenate([((X.T @ residual).T + coef).ravel(), residual.sum(axis=0)])
        return scale * (C * loss + 0.5 * float(np.sum(coef**2))), scale * gradient

    solution = minimize(
        objective,
        np.zeros(n_classes * (n_features + 1)) if start is None else start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "maxls": 50, "ftol": 64 * np.finfo(float).eps},
    )
    coef = solution.x[: n_classes * n_features].reshape(n_classes, n_features)
    return coef, solution.x[n_classes * n_features :], int(solution.nit)


class PerLabelOneVsRest(ClassifierMixin, BaseEstimator):
    """One binary ``estimator`` per class, fitted on the rows whose corpus has that class.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> x = np.array([[0.0], [0.1], [1.0], [1.1], [2.0], [2.1]])
    >>> y = np.array(["a", "a", "b", "b", "c", "c"])
    >>> sets = np.array([frozenset("abc")] * 4 + [frozenset("bc")] * 2)
    >>> PerLabelOneVsRest(LogisticRegression()).fit(x, y, label_sets=sets).predict([[0.0]])
    array(['a'], dtype='<U1')
    """

    def __init__(self, estimator) -> None:
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None, label_sets=None):
        X = np.asarray(X)
        y = np.asarray(y, dtype=str)
        self.classes_ = np.unique(y)
        mask = (
            np.ones((len(y), len(self.classes_)), bool)
            if label_sets is None
            else allowed_labels(label_sets, self.classes_)
        )
        self.estimators_ = []
        for column, label in enumerate(self.classes_):
            rows = mask[:, column]
            options = {} if sample_weight is None else {"sample_weight": sample_weight[rows]}
            binary = clone(self.estimator).fit(X[rows], y[rows] == label, **options)
            self.estimators_.append(binary)
        return self

    def predict_proba(self, X) -> np.ndarray:
        scores = np.column_stack(
            [
                binary.predict_proba(X)[:, list(binary.classes_).index(True)]
                for binary in self.estimators_
            ]
        )
        total = scores.sum(axis=1, keepdims=True)
        even = np.full_like(scores, 1 / scores.shape[1])
        return np.divide(scores, total, out=even, where=total > 0)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
