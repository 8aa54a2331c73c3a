"""The PyTorch networks: a 2-D CNN and a CRNN over log-mel spectrograms.

Both take waveforms ``(batch, samples)`` and optional ``lengths`` (valid samples per row,
for padded batches); without lengths every sample counts, which is how the exported ONNX
graph runs on one clip of any length. Padded frames are zeroed after every convolution and
skipped by the GRU and the pooling, so a padded clip gets the same output as the clip alone.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from voxemo.features.logmel import LogMel
from voxemo.models.neural.frontend import LogMelLayer


def _unit(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


def _valid(lengths: torch.Tensor, scale: int) -> torch.Tensor:
    return torch.clamp(torch.div(lengths, scale, rounding_mode="floor"), min=1)


def _frame_mask(lengths: torch.Tensor | None, scale: int, like: torch.Tensor) -> torch.Tensor:
    """(batch, frames) float mask of the valid frames at 1/scale of the input rate."""
    frames = like.shape[-1]
    if lengths is None:
        return torch.ones(like.shape[0], frames, dtype=like.dtype, device=like.device)
    steps = torch.arange(frames, device=like.device).unsqueeze(0)
    return (steps < _valid(lengths, scale).unsqueeze(1)).to(like.dtype)


class EmotionNet(nn.Module):
    """Convolutional blocks, then pooling over time: statistics (``cnn``) or a
    bidirectional GRU with attention pooling (``crnn``)."""

    def __init__(
        self,
        n_classes: int,
        frontend: LogMel,
        architecture: str = "cnn",
        channels: tuple[int, ...] = (16, 32, 64, 128),
        hidden: int = 96,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        if architecture not in ("cnn", "crnn"):
            raise ValueError(f"unknown architecture {architecture!r}")
        self.architecture = architecture
        self.frontend = LogMelLayer(frontend)
        widths = (1, *channels)
        self.blocks = nn.ModuleList(
            nn.ModuleList([_unit(a, b), _unit(b, b)]) for a, b in itertools.pairwise(widths)
        )
        self.pool = nn.MaxPool2d(2)
        width = channels[-1]
        if architecture == "crnn":
            self.recurrent = nn.GRU(width, hidden, batch_first=True, bidirectional=True)
            width = 2 * hidden
            self.attention = nn.Linear(width, 1)
            pooled = width
        else:
            pooled = 2 * width  # mean and max
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(pooled, n_classes))

    def forward(self, waves: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        frames = None if lengths is None else self.frontend.frames(lengths)
        return self.classify(self.frontend(waves, lengths), frames)

    def classify(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of spectrograms ``(batch, 1, n_mels, frames)`` with ``lengths`` in frames."""
        scale = 1
        for block in self.blocks:
            for unit in block:
                x = unit(x)
                if lengths is not None:
                    x = x * _frame_mask(lengths, scale, x)[:, None, None, :]
            x = self.pool(x)
            scale *= 2
        hidden = x.mean(dim=2).transpose(1, 2)  # (batch, frames, channels)
        mask = _frame_mask(lengths, scale, x).unsqueeze(-1)
        if self.architecture == "crnn":
            hidden = self._recur(hidden, lengths, scale)
            scores = self.attention(hidden).masked_fill(mask == 0, -1e4)
            weights = torch.softmax(scores, dim=1)
            pooled = (weights * hidden).sum(dim=1)
        else:
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            peak = hidden.masked_fill(mask == 0, -1e4).amax(dim=1)
            pooled = torch.cat([mean, peak], dim=1)
        return self.head(pooled)

    def _recur(self, hidden: torch.Tensor, lengths: torch.Tensor | None, scale: int):
        if lengths is None:
            return self.recurrent(hidden)[0]
        packed = nn.utils.rnn.pack_padded_sequence(
            hidden, _valid(lengths, scale).cpu(), batch_first=True, enforce_sorted=False
        )
        output, _ = self.recurrent(packed)
        return nn.utils.rnn.pad_packed_sequence(
            output, batch_first=True, total_length=hidden.shape[1]
        )[0]


class ProbabilityGraph(nn.Module):
    """What is exported: one full-length clip in, class probabilities out."""

    def __init__(self, net: EmotionNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(waveform), dim=-1)
