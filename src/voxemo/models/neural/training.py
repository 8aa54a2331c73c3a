"""Training a network on waveforms: augmentation, mixup, one-cycle schedule, early stopping.

Besides the weights of each epoch, an exponential moving average of them (batch-norm
statistics included) is validated: single-epoch weights of a small network swing from one
epoch to the next, the average less so. Of both, at every epoch, the weights kept are those
with the best UAR on speakers held out from the training side (never the test speakers), so
model choice generalizes to new speakers. A checkpoint written after every epoch lets an interrupted
training continue where it stopped.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from threadpoolctl import threadpool_limits
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, Dataset

from voxemo.models.neural.augment import WaveAugment, random_crop, spec_augment
from voxemo.models.neural.kinds import EpochLog, TrainingConfig
from voxemo.models.neural.networks import EmotionNet


@dataclass
class TrainedNetwork:
    net: EmotionNet
    labels: list[str]
    config: TrainingConfig
    best_epoch: int
    weights: str  # "raw" (that epoch's) or "averaged" (the moving average at that epoch)
    validation_uar: float | None
    history: list[dict]
    seconds: float | None  # training time over all runs; None if resumed from an older file


class _Clips(Dataset):
    """Augmented, cropped waveforms; an item is addressed by (epoch, index) for seeding."""

    def __init__(self, waves, targets, config: TrainingConfig, seed: int) -> None:
        self.waves, self.targets, self.config, self.seed = waves, targets, config, seed
        self.augment = WaveAugment()
        self.crop = int(config.crop_seconds * config.frontend.sample_rate)

    def __len__(self) -> int:
        return len(self.waves)

    def __getitem__(self, item: tuple[int, int]):
        epoch, index = item
        rng = np.random.default_rng([self.seed, epoch, index])
        rate = self.config.frontend.sample_rate
        # A little more than a crop is augmented: speed perturbation may shorten it.
        margin = int(self.crop * 1.15)
        samples = self.augment(random_crop(self.waves[index], margin, rng), rate, rng)
        return random_crop(samples, self.crop, rng), self.targets[index]


def pad_batch(waves: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, longest) zero-padded tensor and the valid samples per row."""
    lengths = torch.tensor([len(wave) for wave in waves])
    batch = torch.zeros(len(waves), int(lengths.max()))
    for row, wave in enumerate(waves):
        batch[row, : len(wave)] = torch.from_numpy(np.asarray(wave, dtype=np.float32))
    return batch, lengths


def _collate(items):
    waves, targets = zip(*items, strict=True)
    batch, lengths = pad_batch(waves)
    return batch, lengths, torch.tensor(targets)


@torch.no_grad()
def network_probabilities(
    net: EmotionNet, waves: Sequence[np.ndarray], batch_size: int = 32
) -> np.ndarray:
    """Whole-recording inference, batched by similar length to keep padding small."""
    net.eval()
    order = np.argsort([len(wave) for wave in waves])
    out = np.zeros((len(waves), net.head[-1].out_features), dtype=np.float64)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch, lengths = pad_batch([waves[i] for i in rows])
        out[rows] = torch.softmax(net(batch, lengths), dim=-1).numpy()
    return out


def split_validation(
    speakers: np.ndarray | None, n: int, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation indices: whole speakers held out where speakers are known."""
    rng = np.random.default_rng(seed)
    if speakers is not None and len(np.unique(speakers)) >= 4:
        unique = np.unique(speakers)
        held = rng.choice(unique, max(1, round(fraction * len(unique))), replace=False)
        validation = np.isin(speakers, held)
    else:
        validation = np.zeros(n, bool)
        validation[rng.choice(n, max(1, round(fraction * n)), replace=False)] = True
    return np.flatnonzero(~validation), np.flatnonzero(validation)


def _digest(config: TrainingConfig, labels: list[str], seed: int, n: int) -> str:
    text = json.dumps([config.to_dict(), labels, seed, n], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def train_network(
    waves: Sequence[np.ndarray],
    labels: Sequence[str],
    speakers: np.ndarray | None,
    config: TrainingConfig,
    *,
    seed: int = 42,
    threads: int | None = None,
    checkpoint: str | Path | None = None,
    progress: Callable[[EpochLog], None] | None = None,
) -> TrainedNetwork:
    """Train on waveforms at ``config.frontend.sample_rate``; returns the best epoch's net."""
    if threads:
        torch.set_num_threads(threads)
    names = sorted(set(labels))
    targets = np.array([names.index(label) for label in labels])
    train, validation = split_validation(speakers, len(waves), config.validation_speakers, seed)
    torch.manual_seed(seed)
    net = EmotionNet(len(names), config.frontend, config.architecture, config.channels)
    counts = np.bincount(targets[train], minlength=len(names)).clip(min=1)
    weights = torch.tensor(len(train) / (len(names) * counts), dtype=torch.float32)
    criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=config.label_smoothing)
    optimizer = torch.optim.AdamW(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    dataset = _Clips([waves[i] for i in train], targets[train], config, seed)
    steps = -(-len(train) // config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, config.learning_rate, total_steps=config.epochs * steps
    )
    average = AveragedModel(
        net, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True
    )
    held_out = [waves[i] for i in validation]
    state = {"epoch": 0, "best_uar": -1.0, "best_epoch": 0, "best": None, "history": []}
    state["kept"] = "raw"
    state["seconds"] = 0.0
    digest = _digest(config, names, seed, len(waves))
    path = Path(checkpoint) if checkpoint else None
    if path and path.exists():
        saved = torch.load(path, weights_only=True)
        if saved["digest"] == digest:
            net.load_state_dict(saved["net"])
            average.load_state_dict(saved["average"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            state = saved["state"]
    while state["epoch"] < config.epochs and state["epoch"] - state["best_epoch"] < config.patience:
        epoch = state["epoch"]
        began = time.perf_counter()
        loss = _train_epoch(net, average, dataset, epoch, config, criterion, optimizer, scheduler)
        scores = {
            name: float(
                balanced_accuracy_score(
                    targets[validation], network_probabilities(model, held_out).argmax(1)
                )
            )
            for name, model in (("raw", net), ("averaged", average.module))
        }
        uar = max(scores.values())
        state["epoch"] = epoch + 1
        if state.get("seconds") is not None:
            state["seconds"] += time.perf_counter() - began
        state["history"].append(
            {
                "epoch": epoch + 1,
                "loss": loss,
                **{f"validation_uar_{k}": v for k, v in scores.items()},
            }
        )
        if uar > state["best_uar"]:
            kept = max(scores, key=scores.get)
            model = net if kept == "raw" else average.module
            best = copy.deepcopy(model.state_dict())
            state.update(best_uar=uar, best_epoch=epoch + 1, best=best, kept=kept)
        if path:
            _save_checkpoint(path, digest, net, average, optimizer, scheduler, state)
        if progress:
            progress(EpochLog(epoch + 1, config.epochs, loss, uar))
    net.load_state_dict(state["best"])
    net.eval()
    return TrainedNetwork(
        net,
        names,
        config,
        state["best_epoch"],
        state["kept"],
        round(state["best_uar"], 4),
        state["history"],
        state.get("seconds"),
    )


def _train_epoch(net, average, dataset, epoch, config, criterion, optimizer, scheduler) -> float:
    net.train()
    seed = dataset.seed
    order = np.random.default_rng([seed, epoch]).permutation(len(dataset))
    loader = DataLoader(
        dataset,
        batch_size=config.batch_size,
        sampler=[(epoch, int(i)) for i in order],
        collate_fn=_collate,
        num_workers=1,
        multiprocessing_context="fork",
        # Small per-clip matrices: BLAS threads in the worker only fight the training threads.
        worker_init_fn=lambda _: threadpool_limits(1),
    )
    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    mix = np.random.default_rng([seed, epoch, 1])
    total, count = 0.0, 0
    for waves, samples, target in loader:
        with torch.no_grad():
            batch = net.frontend(waves, samples)
        lengths = net.frontend.frames(samples)
        batch = spec_augment(batch, lengths, generator)
        share = float(mix.beta(config.mixup_alpha, config.mixup_alpha))
        partner = torch.randperm(len(target), generator=generator)
        batch = share * batch + (1 - share) * batch[partner]
        lengths = torch.maximum(lengths, lengths[partner])
        logits = net.classify(batch, lengths)
        loss = share * criterion(logits, target) + (1 - share) * criterion(logits, target[partner])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        average.update_parameters(net)
        total += float(loss.detach()) * len(target)
        count += len(target)
    return total / max(count, 1)


def _save_checkpoint(
    path: Path, digest: str, net, average, optimizer, scheduler, state: dict
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(
        {
            "digest": digest,
            "net": net.state_dict(),
            "average": average.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "state": state,
        },
        partial,
    )
    partial.replace(path)
