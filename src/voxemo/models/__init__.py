"""Model kinds (scikit-learn pipelines and neural networks), their selection, and their
safe on-disk artifacts."""

from voxemo.models.artifact import OnnxModel, load_model, save_model, write_model
from voxemo.models.registry import MODEL_KINDS, ModelKind, build_model, get_model_kind
from voxemo.models.selection import FittedModel, fit_model

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
