"""Model kinds (scikit-learn pipelines) and their safe on-disk artifacts."""

from voxemo.models.artifact import OnnxModel, load_model, save_model
from voxemo.models.registry import MODEL_KINDS, build_model

__all__ = ["MODEL_KINDS", "OnnxModel", "build_model", "load_model", "save_model"]
