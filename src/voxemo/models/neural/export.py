"""ONNX export of a trained network, front end included: one mono waveform of any length
(at the front end's sample rate) in, class probabilities out. Serving needs onnxruntime
only."""

from __future__ import annotations

import io
import warnings

import torch

from voxemo.models.neural.networks import EmotionNet, ProbabilityGraph

OPSET = 17


def export_network(net: EmotionNet) -> bytes:
    graph = ProbabilityGraph(net).eval()
    example = torch.randn(1, 3 * net.frontend.settings.sample_rate) * 0.1
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript exporter warns about its own future; its graphs run in onnxruntime.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            (example,),
            buffer,
            input_names=["waveform"],
            output_names=["probabilities"],
            dynamic_axes={"waveform": {1: "samples"}},
            opset_version=OPSET,
            dynamo=False,
        )
    return buffer.getvalue()
