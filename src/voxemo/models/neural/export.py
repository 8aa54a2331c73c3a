"""ONNX export of a trained network: one log-mel spectrogram of any length in,
probabilities out. The front end stays in numpy (:class:`voxemo.features.logmel.LogMel`),
shared by training and inference, so serving needs onnxruntime only."""

from __future__ import annotations

import io
import warnings

import torch

from voxemo.models.neural.networks import EmotionNet, ProbabilityGraph

OPSET = 17


def export_network(net: EmotionNet, n_mels: int) -> bytes:
    graph = ProbabilityGraph(net).eval()
    example = torch.zeros(1, 1, n_mels, 160)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript exporter warns about its own future; its graphs run in onnxruntime.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            (example,),
            buffer,
            input_names=["logmel"],
            output_names=["probabilities"],
            dynamic_axes={"logmel": {3: "frames"}},
            opset_version=OPSET,
            dynamo=False,
        )
    return buffer.getvalue()
