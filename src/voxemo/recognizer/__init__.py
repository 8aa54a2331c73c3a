"""Turning audio into emotion predictions with a trained model."""

from voxemo.recognizer.api import EmotionResult, Outcome, Recognizer
from voxemo.recognizer.predict import Prediction, expand_inputs, predict_files

__all__ = [
    "EmotionResult",
    "Outcome",
    "Prediction",
    "Recognizer",
    "expand_inputs",
    "predict_files",
]
