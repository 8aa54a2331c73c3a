"""Turning audio into emotion predictions with a trained model."""

from voxemo.recognizer.predict import Prediction, expand_inputs, predict_files

__all__ = ["Prediction", "expand_inputs", "predict_files"]
