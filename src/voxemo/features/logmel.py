"""The log-mel front end of the neural models, in numpy so inference needs no PyTorch.

Training and inference call the same :meth:`LogMel.frames`, so the exported ONNX network
sees exactly the spectrograms it was trained on. Each spectrogram is standardized by its own
mean and spread: recording level and microphone gain carry no emotion and differ between
corpora.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import librosa
import numpy as np

from voxemo.audio import Audio, resample


@dataclass(frozen=True)
class LogMel:
    """Log-mel spectrogram settings; ``version`` changes whenever the values would."""

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

    @cached_property
    def _basis(self) -> np.ndarray:
        return librosa.filters.mel(
            sr=self.sample_rate,
            n_fft=self.n_fft,
            n_mels=self.n_mels,
            fmin=self.fmin,
            fmax=self.fmax,
        ).astype(np.float32)

    def frames_per_second(self) -> float:
        return self.sample_rate / self.hop_length

    def frames(self, samples: np.ndarray) -> np.ndarray:
        """``(n_mels, frames)`` float32 spectrogram of samples already at ``sample_rate``."""
        spectrum = np.abs(
            librosa.stft(samples, n_fft=self.n_fft, hop_length=self.hop_length, center=True)
        )
        power = self._basis @ (spectrum.astype(np.float32) ** 2)
        decibels = 10.0 * np.log10(power + 1e-10)
        return ((decibels - decibels.mean()) / (decibels.std() + 1e-5)).astype(np.float32)

    def of_audio(self, audio: Audio) -> np.ndarray:
        return self.frames(resample(audio, self.sample_rate).samples)
