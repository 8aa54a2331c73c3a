"""Model kinds (scikit-learn pipelines and neural networks), their selection, and their
safe on-disk artifacts. Selection (scikit-learn) loads on first use."""

from voxemo.models.artifact import OnnxModel, load_model, save_model, write_model
from voxemo.models.registry import MODEL_KINDS, ModelKind, build_model, get_model_kind

__all__ = [
    "MODEL_KINDS",
    "FittedModel",
    "ModelKind",
    "OnnxModel",
    "build_model",
    "fit_model",
    "get_model_kind",
    "load_model",
    "save_model",
    "write_model",
]


def __getattr__(name: str):
    if name in ("FittedModel", "fit_model"):
        from voxemo.models import selection

        return getattr(selection, name)
    raise AttributeError(f"module 'voxemo.models' has no attribute {name!r}")
