"""Training a network on waveforms: augmentation, mixup, one-cycle schedule, early stopping.

Besides the weights of each epoch, an exponential moving average of them (batch-norm
statistics included) is validated: single-epoch weights of a small network swing from one
epoch to the next, the average less so. Of both, at every epoch, the weights kept are those
with the best UAR on speakers held out from the training side (never the test speakers), so
model choice generalizes to new speakers. A checkpoint written after every epoch lets an interrupted
training continue where it stopped.

Trained on one corpus, an epoch passes over every training file once, each weighing so that
the classes are balanced. Trained on several, an epoch draws as many clips as there are
training files, each file with a probability that makes every corpus weigh the same and,
within it, each of its emotions (:func:`voxemo.models.label_sets.balanced_weights`): a
small corpus is heard many times, under fresh crops and augmentation, instead of a few
times at a large weight. Its loss is the cross-entropy over its own corpus's emotions only
(the logits of the others are masked out), so it never teaches the network that it is not
an emotion its corpus lacks.
Training runs on a CUDA GPU where PyTorch sees one (``VOXEMO_DEVICE=cpu`` keeps it on the CPU),
else on the CPU; the returned network is always on the CPU. Where the device computes
bfloat16 natively (a recent GPU, or a CPU with AVX-512 BF16 or AMX), the training steps run
in mixed precision (``VOXEMO_PRECISION=float32`` keeps them in float32); inference, validation
and the exported graph stay in float32.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, Dataset

from voxemo.models.label_sets import (
    LabelSets,
    allowed_labels,
    balanced_weights,
    differ,
    mean_corpus_uar,
    restrict_probabilities,
    several,
)
from voxemo.models.neural.augment import WaveAugment, random_crop, spec_augment
from voxemo.models.neural.kinds import EpochLog, TrainingConfig
from voxemo.models.neural.networks import EmotionNet
from voxemo.provenance import code_digest


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
    """Augmented, cropped waveforms; an item is addressed by (epoch, draw, index): the draw's
    place in its epoch seeds its crop and augmentation, so a file drawn twice differs."""

    def __init__(self, waves, config: TrainingConfig, seed: int, draws=None) -> None:
        self.waves, self.config, self.seed, self.draws = waves, config, seed, draws
        self.augment = WaveAugment()
        self.augment.condition.prepare(config.frontend.sample_rate)
        self.crop = int(config.crop_seconds * config.frontend.sample_rate)

    def __len__(self) -> int:
        return len(self.waves)

    def epoch_order(self, epoch: int) -> np.ndarray:
        """The files of an epoch's clips: every file once in a random order, or, with
        ``draws`` (a probability per file), as many files drawn with replacement."""
        rng = np.random.default_rng([self.seed, epoch])
        if self.draws is None:
            return rng.permutation(len(self.waves))
        return rng.choice(len(self.waves), len(self.waves), p=self.draws)

    def __getitem__(self, item: tuple[int, int, int]):
        epoch, draw, index = item
        rng = np.random.default_rng([self.seed, epoch, 0, draw])  # mixup draws [.., 1]
        rate = self.config.frontend.sample_rate
        # A little more than a crop is augmented: speed perturbation may shorten it.
        margin = int(self.crop * 1.15)
        samples = self.augment(random_crop(self.waves[index], margin, rng), rate, rng)
        return random_crop(samples, self.crop, rng), index


def pad_batch(waves: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, longest) zero-padded tensor and the valid samples per row."""
    lengths = torch.tensor([len(wave) for wave in waves])
    batch = torch.zeros(len(waves), int(lengths.max()))
    for row, wave in enumerate(waves):
        batch[row, : len(wave)] = torch.from_numpy(np.asarray(wave, dtype=np.float32))
    return batch, lengths


def _collate(items):
    waves, indices = zip(*items, strict=True)
    batch, lengths = pad_batch(waves)
    return batch, lengths, torch.tensor(indices)


def training_device() -> torch.device:
    """A CUDA GPU where PyTorch sees one and ``VOXEMO_DEVICE`` is not ``cpu``, else the CPU."""
    wanted = os.environ.get("VOXEMO_DEVICE", "").strip().lower()
    if wanted != "cpu" and torch.cuda.is_available():
        return torch.device(wanted if wanted.startswith("cuda") else "cuda")
    return torch.device("cpu")


def training_precision(device: torch.device) -> torch.dtype | None:
    """bfloat16 where ``device`` computes it natively and ``VOXEMO_PRECISION`` is not
    ``float32``, else None (float32 throughout)."""
    if os.environ.get("VOXEMO_PRECISION", "").strip().lower() == "float32":
        return None
    if device.type == "cuda":
        native = torch.cuda.is_bf16_supported()
    else:
        native = (
            torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    return torch.bfloat16 if native else None


def masked_cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    weights: torch.Tensor,
    allowed: torch.Tensor | None,
    smoothing: float,
) -> torch.Tensor:
    """Weighted cross-entropy with label smoothing over each row's allowed classes only:
    ``sum_i w_i [(1 - s) (-log p_iy) + s/K_i sum_{k allowed} (-log p_ik)] / sum_i w_i``, where
    ``p_i`` is the softmax over the K_i allowed classes of row i (all, where ``allowed`` is
    None)."""
    if allowed is not None:
        logits = logits.masked_fill(~allowed, float("-inf"))
    log_p = torch.log_softmax(logits, dim=-1)
    nll = -log_p.gather(1, targets[:, None]).squeeze(1)
    if allowed is None:
        spread = -log_p.mean(dim=-1)
    else:
        spread = -log_p.masked_fill(~allowed, 0.0).sum(dim=-1) / allowed.sum(dim=-1)
    loss = (1 - smoothing) * nll + smoothing * spread
    return (weights * loss).sum() / weights.sum()


@torch.no_grad()
def network_probabilities(
    net: EmotionNet, waves: Sequence[np.ndarray], batch_size: int = 32
) -> np.ndarray:
    """Whole-recording inference, batched by similar length to keep padding small."""
    net.eval()
    device = next(net.parameters()).device
    order = np.argsort([len(wave) for wave in waves])
    out = np.zeros((len(waves), net.head[-1].out_features), dtype=np.float64)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch, lengths = pad_batch([waves[i] for i in rows])
        logits = net(batch.to(device), lengths.to(device))
        out[rows] = torch.softmax(logits, dim=-1).cpu().numpy()
    return out


def split_validation(
    speakers: np.ndarray | None,
    n: int,
    fraction: float,
    seed: int,
    corpora: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation indices: whole speakers held out where speakers are known,
    ``fraction`` of each corpus's where ``corpora`` names several."""
    rng = np.random.default_rng(seed)
    if speakers is not None and len(np.unique(speakers)) >= 4:
        several_corpora = corpora is not None and several(corpora)
        groups = np.asarray(corpora, dtype=str) if several_corpora else np.zeros(n, int)
        validation = np.zeros(n, bool)
        for group in np.unique(groups):
            unique = np.unique(speakers[groups == group])
            held = rng.choice(unique, max(1, round(fraction * len(unique))), replace=False)
            validation |= np.isin(speakers, held)
    else:
        validation = np.zeros(n, bool)
        validation[rng.choice(n, max(1, round(fraction * n)), replace=False)] = True
    return np.flatnonzero(~validation), np.flatnonzero(validation)


# The code a trained network depends on: a checkpoint made by other code is not resumed.
TRAINING_CODE = (
    "voxemo.models.neural",
    "voxemo.models.label_sets",
    "voxemo.audio.conditions",
    "voxemo.features.logmel",
    "voxemo.features.spectrum",
)


def _digest(config: TrainingConfig, labels: list[str], seed: int, waves, extra: list) -> str:
    """What a checkpoint must match to be resumed: settings, labels, seed, the training audio
    itself and the code that trains on it."""
    audio = hashlib.blake2b(digest_size=8)
    for wave in waves:
        audio.update(np.ascontiguousarray(wave, dtype=np.float32).tobytes())
    text = json.dumps(
        [config.to_dict(), labels, seed, audio.hexdigest(), code_digest(*TRAINING_CODE), *extra],
        sort_keys=True,
        default=str,
    )
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
    corpora: Sequence[str] | None = None,
    label_sets: LabelSets | None = None,
) -> TrainedNetwork:
    """Train on waveforms at ``config.frontend.sample_rate``; returns the best epoch's net.

    ``corpora`` names each file's corpus and ``label_sets`` each corpus's emotions: classes
    are balanced within each corpus and corpora weigh the same, and each file is learnt among
    its corpus's emotions only.
    """
    if threads:
        torch.set_num_threads(threads)
    device = training_device()
    names = sorted(set(labels))
    targets = np.array([names.index(label) for label in labels])
    corpora = np.full(len(labels), "") if corpora is None else np.asarray(corpora, dtype=str)
    masked = label_sets is not None and differ(label_sets)
    row_sets = [label_sets[c] for c in corpora] if masked else None
    train, validation = split_validation(
        speakers, len(waves), config.validation_speakers, seed, corpora
    )
    torch.manual_seed(seed)
    net = EmotionNet(len(names), config.frontend, config.architecture, config.channels)
    net.to(device)
    weights = balanced_weights(np.asarray(labels)[train], corpora[train])
    # Several corpora: files are drawn by their weights, and the loss weighs every clip alike.
    draws = weights / weights.sum() if several(corpora[train]) else None
    allowed = allowed_labels(row_sets, names) if masked else None
    criterion = _Criterion(
        torch.from_numpy(targets[train]),
        torch.from_numpy((weights if draws is None else np.ones_like(weights)).astype(np.float32)),
        None if allowed is None else torch.from_numpy(allowed[train]),
        config.label_smoothing,
        device,
    )
    optimizer = torch.optim.AdamW(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    dataset = _Clips([waves[i] for i in train], config, seed, draws)
    steps = -(-len(train) // config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, config.learning_rate, total_steps=config.epochs * steps
    )
    average = AveragedModel(
        net, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True
    )
    held_out = [waves[i] for i in validation]
    held_sets = [row_sets[i] for i in validation] if masked else None
    held_corpora = corpora[validation]
    state = {"epoch": 0, "best_uar": -1.0, "best_epoch": 0, "best": None, "history": []}
    state["kept"] = "raw"
    state["seconds"] = 0.0
    precision = training_precision(device)
    extra = [*_corpus_digest(corpora, label_sets, labels), str(precision)]
    digest = _digest(config, names, seed, waves, extra)
    path = Path(checkpoint) if checkpoint else None
    if path and path.exists():
        saved = torch.load(path, weights_only=True, map_location=device)
        if saved["digest"] == digest:
            net.load_state_dict(saved["net"])
            average.load_state_dict(saved["average"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            state = saved["state"]
    while state["epoch"] < config.epochs and state["epoch"] - state["best_epoch"] < config.patience:
        epoch = state["epoch"]
        began = time.perf_counter()
        loss = _train_epoch(
            net, average, dataset, epoch, config, criterion, optimizer, scheduler, precision
        )
        scores = {
            name: _validation_uar(
                model, held_out, targets[validation], names, held_sets, held_corpora
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
    net.to("cpu").eval()
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


def _corpus_digest(corpora: np.ndarray, label_sets: LabelSets | None, labels) -> list:
    """The labels, corpora and label sets of the training files, as a checkpoint's digest
    includes them."""
    sets = {c: sorted(found) for c, found in (label_sets or {}).items()}
    rows = "\n".join(f"{c}\t{label}" for c, label in zip(corpora, labels, strict=True))
    return [hashlib.blake2b(rows.encode(), digest_size=8).hexdigest(), sets]


def _validation_uar(net, waves, targets, names, row_sets, corpora) -> float:
    """UAR on the held-out speakers; with several corpora, the mean of each corpus's UAR,
    each file predicted among its corpus's emotions (as evaluations score them)."""
    probabilities = network_probabilities(net, waves)
    if row_sets is not None:
        probabilities = restrict_probabilities(probabilities, names, row_sets)
    return mean_corpus_uar(targets, probabilities.argmax(1), corpora)


class _Criterion:
    """The loss of a batch given the training-set indices of its rows."""

    def __init__(self, targets, weights, allowed, smoothing: float, device) -> None:
        self.targets, self.weights = targets.to(device), weights.to(device)
        self.allowed = None if allowed is None else allowed.to(device)
        self.smoothing, self.device = smoothing, device

    def __call__(self, logits: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        allowed = None if self.allowed is None else self.allowed[rows]
        return masked_cross_entropy(
            logits, self.targets[rows], self.weights[rows], allowed, self.smoothing
        )


def _train_epoch(
    net, average, dataset, epoch, config, criterion, optimizer, scheduler, precision
) -> float:
    net.train()
    seed = dataset.seed
    order = dataset.epoch_order(epoch)
    loader = DataLoader(
        dataset,
        batch_size=config.batch_size,
        sampler=[(epoch, draw, int(i)) for draw, i in enumerate(order)],
        collate_fn=_collate,
        num_workers=1,
        multiprocessing_context="fork",
        # Small per-clip matrices: BLAS threads in the worker only fight the training threads.
        worker_init_fn=lambda _: threadpool_limits(1),
    )
    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    mix = np.random.default_rng([seed, epoch, 1])
    total, count = 0.0, 0
    device = criterion.device
    for waves, samples, rows in loader:
        waves, samples, rows = waves.to(device), samples.to(device), rows.to(device)
        with torch.no_grad():
            batch = net.frontend(waves, samples)
        lengths = net.frontend.frames(samples)
        batch = spec_augment(batch.cpu(), lengths.cpu(), generator).to(device)
        share = float(mix.beta(config.mixup_alpha, config.mixup_alpha))
        partner = torch.randperm(len(rows), generator=generator).to(device)
        batch = share * batch + (1 - share) * batch[partner]
        lengths = torch.maximum(lengths, lengths[partner])
        with torch.autocast(device.type, dtype=precision, enabled=precision is not None):
            logits = net.classify(batch, lengths).float()
        loss = share * criterion(logits, rows) + (1 - share) * criterion(logits, rows[partner])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        average.update_parameters(net)
        total += float(loss.detach()) * len(rows)
        count += len(rows)
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
