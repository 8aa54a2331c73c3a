"""Neural model kinds and their training settings (importable without PyTorch)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from voxemo.features.logmel import LogMel


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that shapes a trained network, recorded in its model card."""

    architecture: str = "cnn"
    channels: tuple[int, ...] = (16, 32, 64, 128)
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    label_smoothing: float = 0.1
    mixup_alpha: float = 0.4
    ema_decay: float = 0.99  # weight averaging over roughly the last 100 steps
    crop_seconds: float = 3.0
    validation_speakers: float = 0.15
    patience: int = 10
    frontend: LogMel = field(default_factory=LogMel)

    def to_dict(self) -> dict:
        values = asdict(self)
        values["frontend"] = self.frontend.config()
        return values


# How a network trained on several corpora hears them, as its evaluations record it.
CLIPS_WITH_SEVERAL_CORPORA = (
    "each epoch draws as many clips as there are training files, each file with a "
    "probability under which every corpus weighs the same and, within it, each of its emotions"
)


@dataclass(frozen=True)
class EpochLog:
    """What a training reports after each epoch."""

    epoch: int
    epochs: int
    loss: float
    validation_uar: float


@dataclass(frozen=True)
class NeuralKind:
    description: str
    config: TrainingConfig


NEURAL_KINDS: dict[str, NeuralKind] = {
    "cnn": NeuralKind(
        "2-D CNN on log-mel spectrograms: four blocks of two 3x3 convolutions (16 to 128 "
        "channels), mean and max pooling over time; SpecAugment, mixup, speed, pitch, noise "
        "and gain augmentation; one-cycle schedule; averaged weights, epoch chosen on "
        "held-out training speakers",
        TrainingConfig(architecture="cnn"),
    ),
    "crnn": NeuralKind(
        "CRNN on log-mel spectrograms: the CNN's blocks, then a bidirectional GRU (2x96) with "
        "attention pooling over time; same augmentation and schedule as cnn, over 45 epochs",
        # At 30 epochs the weights kept came from one of the last few epochs in most folds.
        TrainingConfig(architecture="crnn", epochs=45),
    ),
}


def training_config(kind: str, epochs: int | None = None) -> TrainingConfig:
    """The kind's settings, with the number of epochs overridden where asked."""
    config = NEURAL_KINDS[kind].config
    return replace(config, epochs=epochs) if epochs else config


def is_neural(kind: str) -> bool:
    return kind in NEURAL_KINDS
