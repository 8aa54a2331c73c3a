"""Protocols, metrics and cross-validated evaluation."""

from voxemo.evaluation.protocols import PROTOCOLS, SPEAKER_INDEPENDENT, Fold, make_folds
from voxemo.evaluation.run import LEAK_WARNING, evaluate, evaluation_config

__all__ = [
    "LEAK_WARNING",
    "PROTOCOLS",
    "SPEAKER_INDEPENDENT",
    "Fold",
    "evaluate",
    "evaluation_config",
    "make_folds",
]
