"""Protocols, metrics and cross-validated evaluation (loaded on first use: the protocol
names are all the command line needs to start)."""

from voxemo.evaluation.protocols import PROTOCOLS, SPEAKER_INDEPENDENT, Fold, make_folds

__all__ = [
    "LEAK_WARNING",
    "PROTOCOLS",
    "SPEAKER_INDEPENDENT",
    "Fold",
    "evaluate",
    "evaluation_config",
    "evaluation_digest",
    "make_folds",
]


def __getattr__(name: str):
    if name in ("LEAK_WARNING", "evaluate", "evaluation_config", "evaluation_digest"):
        from voxemo.evaluation import run

        return getattr(run, name)
    raise AttributeError(f"module 'voxemo.evaluation' has no attribute {name!r}")
