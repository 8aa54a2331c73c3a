"""Settings of the log-mel front end of the neural models.

The spectrogram itself is computed inside the network (:mod:`voxemo.models.neural.frontend`)
and so inside its exported ONNX graph: training and inference run the same code, and serving
a network needs only a decoder, a resampler and onnxruntime.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class LogMel:
    """Log-mel spectrogram settings; ``version`` changes whenever the values would.

    Each spectrogram is standardized by its own mean and spread: recording level and
    microphone gain carry no emotion and differ between corpora.
    """

    sample_rate: int = 16000
    n_fft: int = 512
    hop_length: int = 320
    n_mels: int = 64
    fmin: float = 50.0
    fmax: float = 8000.0
    version: int = 1

    def config(self) -> dict:
        return {"type": "logmel", **asdict(self)}

    @classmethod
    def from_config(cls, config: dict) -> LogMel:
        return cls(**{key: value for key, value in config.items() if key != "type"})
