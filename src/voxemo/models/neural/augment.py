"""Training-time augmentation: waveform perturbations (numpy) and batch ones (torch).

Waveform: speed perturbation (resampling, which moves tempo and pitch together as in
Kaldi's recipe), pitch shift at constant tempo (Signalsmith Stretch), additive noise at a
random SNR, random gain, and a random recording condition (telephone band, MP3 or Opus,
a room, loud noise, level or clipping: :class:`voxemo.audio.conditions.RandomCondition`).
Batch: SpecAugment masks and mixup. Every random draw comes from
the generator passed in, so an epoch is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import soxr
import torch

from voxemo.audio.conditions import RandomCondition


@dataclass(frozen=True)
class WaveAugment:
    speed_range: tuple[float, float] = (0.9, 1.1)
    speed_probability: float = 0.5
    pitch_semitones: float = 2.0
    pitch_probability: float = 0.3
    snr_db_range: tuple[float, float] = (10.0, 40.0)
    noise_probability: float = 0.5
    gain_db: float = 6.0
    gain_probability: float = 0.5
    condition: RandomCondition = field(default_factory=RandomCondition)

    def __call__(self, samples: np.ndarray, sample_rate: int, rng: np.random.Generator):
        if rng.random() < self.speed_probability:
            factor = rng.uniform(*self.speed_range)
            samples = soxr.resample(samples, sample_rate, sample_rate / factor, quality="LQ")
        if rng.random() < self.pitch_probability:
            samples = _pitch_shift(samples, sample_rate, rng.uniform(-1, 1) * self.pitch_semitones)
        if rng.random() < self.noise_probability:
            snr = rng.uniform(*self.snr_db_range)
            power = float(np.mean(samples**2)) / 10 ** (snr / 10)
            samples = samples + np.sqrt(power) * rng.standard_normal(len(samples), np.float32)
        if rng.random() < self.gain_probability:
            samples = samples * 10 ** (rng.uniform(-1, 1) * self.gain_db / 20)
        samples = self.condition(np.asarray(samples, dtype=np.float32), sample_rate, rng)
        return np.asarray(samples, dtype=np.float32)


def _pitch_shift(samples: np.ndarray, sample_rate: int, semitones: float) -> np.ndarray:
    import python_stretch

    stretch = python_stretch.Signalsmith.Stretch()
    stretch.preset(1, sample_rate)
    stretch.setTransposeSemitones(float(semitones))
    return stretch.process(samples[np.newaxis].astype(np.float32))[0]


def random_crop(samples: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """A random window of ``length`` samples; shorter clips are kept whole (padded later)."""
    if len(samples) <= length:
        return samples
    start = int(rng.integers(0, len(samples) - length + 1))
    return samples[start : start + length]


def spec_augment(
    batch: torch.Tensor,
    lengths: torch.Tensor,
    generator: torch.Generator,
    freq_masks: int = 2,
    freq_width: int = 8,
    time_masks: int = 2,
    time_fraction: float = 0.1,
) -> torch.Tensor:
    """Zero random mel bands and frame spans of each (batch, 1, mels, frames) row."""
    batch = batch.clone()
    n_mels = batch.shape[2]

    def draw(high: int) -> int:
        return int(torch.randint(0, max(1, high), (1,), generator=generator))

    for row, length in enumerate(lengths.tolist()):
        for _ in range(freq_masks):
            width = draw(freq_width + 1)
            start = draw(n_mels - width)
            batch[row, :, start : start + width, :] = 0.0
        for _ in range(time_masks):
            width = draw(int(length * time_fraction) + 1)
            start = draw(length - width)
            batch[row, :, :, start : start + width] = 0.0
    return batch
