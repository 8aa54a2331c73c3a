"""Model kinds by name: scikit-learn pipelines with scaling where the model needs it.

The hyper-parameters here are fixed, documented defaults; nothing is tuned on test data.
"""

from __future__ import annotations

from collections.abc import Callable

from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from voxemo.errors import VoxemoError


def _seed_mlp(seed: int) -> Pipeline:
    """The original study's model: scaling, then one hidden layer of 200 units."""
    mlp = MLPClassifier(
        hidden_layer_sizes=(200,), learning_rate="adaptive", max_iter=400, random_state=seed
    )
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def _svm(seed: int) -> Pipeline:
    """RBF SVM; probabilities from Platt scaling fitted on internal cross-validation."""
    svc = SVC(kernel="rbf", C=10.0, gamma="scale", class_weight="balanced", random_state=seed)
    calibrated = CalibratedClassifierCV(svc, method="sigmoid", ensemble=False)
    return Pipeline([("scale", StandardScaler()), ("svm", calibrated)])


def _logreg(seed: int) -> Pipeline:
    logreg = LogisticRegression(C=0.1, class_weight="balanced", max_iter=5000, random_state=seed)
    return Pipeline([("scale", StandardScaler()), ("logreg", logreg)])


MODEL_KINDS: dict[str, Callable[[int], Pipeline]] = {
    "seed-mlp": _seed_mlp,
    "svm": _svm,
    "logreg": _logreg,
}


def build_model(kind: str, seed: int = 42) -> Pipeline:
    """A fresh, unfitted pipeline of the given kind."""
    if kind not in MODEL_KINDS:
        known = ", ".join(MODEL_KINDS)
        raise VoxemoError(f"model '{kind}': unknown model kind (known: {known})")
    return MODEL_KINDS[kind](seed)
