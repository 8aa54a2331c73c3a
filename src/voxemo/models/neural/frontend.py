"""Log-mel spectrograms as a network layer, so they are part of the exported graph.

The short-time Fourier transform is a strided 1-D convolution with windowed cosine and sine
kernels (what ``librosa.stft`` computes with a periodic Hann window and zero padding of
half a window at both ends), which every ONNX runtime executes; the mel filters (Slaney's
scale, as librosa's) are stored in the graph as constants.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from voxemo.features.logmel import LogMel
from voxemo.features.spectrum import mel_filters


class LogMelLayer(nn.Module):
    def __init__(self, settings: LogMel) -> None:
        super().__init__()
        self.settings = settings
        n_fft = settings.n_fft
        window = np.hanning(n_fft + 1)[:-1]  # periodic Hann, as librosa's default window
        phase = 2 * np.pi * np.outer(np.arange(n_fft // 2 + 1), np.arange(n_fft)) / n_fft
        kernels = np.concatenate([np.cos(phase) * window, -np.sin(phase) * window])
        self.register_buffer("kernels", torch.tensor(kernels[:, None, :], dtype=torch.float32))
        mel = mel_filters(
            settings.sample_rate, n_fft, settings.n_mels, fmin=settings.fmin, fmax=settings.fmax
        )
        self.register_buffer("mel", torch.tensor(mel, dtype=torch.float32))

    def frames(self, samples: torch.Tensor) -> torch.Tensor:
        """Valid spectrogram frames of clips of ``samples`` samples (centered framing)."""
        return torch.div(samples, self.settings.hop_length, rounding_mode="floor") + 1

    def forward(self, waves: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, samples) -> standardized (batch, 1, n_mels, frames); with ``lengths``
        (valid samples per row) the statistics skip the padding, which is then zero."""
        half = self.settings.n_fft // 2
        padded = nn.functional.pad(waves.unsqueeze(1), (half, half))
        parts = nn.functional.conv1d(padded, self.kernels, stride=self.settings.hop_length)
        real, imaginary = parts.chunk(2, dim=1)
        power = torch.matmul(self.mel, real**2 + imaginary**2)
        decibels = 10.0 * torch.log10(power + 1e-10)
        if lengths is None:
            mean = decibels.mean(dim=(1, 2), keepdim=True)
            spread = ((decibels - mean) ** 2).mean(dim=(1, 2), keepdim=True).sqrt()
            return ((decibels - mean) / (spread + 1e-5)).unsqueeze(1)
        steps = torch.arange(decibels.shape[-1], device=waves.device)
        mask = (steps[None, :] < self.frames(lengths)[:, None]).to(decibels.dtype)[:, None, :]
        count = mask.sum(dim=(1, 2), keepdim=True) * decibels.shape[1]
        mean = (decibels * mask).sum(dim=(1, 2), keepdim=True) / count
        spread = (((decibels - mean) ** 2) * mask).sum(dim=(1, 2), keepdim=True) / count
        return (((decibels - mean) / (spread.sqrt() + 1e-5)) * mask).unsqueeze(1)
