"""Neural models trained on log-mel spectrograms with PyTorch (the ``voxemo[train]`` extra)
and served through ONNX. Only :mod:`kinds` is imported eagerly: inference never needs torch.
"""

from voxemo.models.neural.kinds import (
    NEURAL_KINDS,
    EpochLog,
    NeuralKind,
    TrainingConfig,
    is_neural,
    training_config,
)

__all__ = [
    "NEURAL_KINDS",
    "EpochLog",
    "NeuralKind",
    "TrainingConfig",
    "is_neural",
    "require_torch",
    "training_config",
]


def require_torch() -> None:
    """A one-line error instead of an ImportError deep in training code."""
    from importlib.util import find_spec

    from voxemo.errors import VoxemoError

    if find_spec("torch") is None:
        raise VoxemoError(
            "neural models need PyTorch to train: pip install 'voxemo[train]' "
            "(inference with a saved model does not)"
        )
