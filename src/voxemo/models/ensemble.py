"""Ensembles as models: several saved models whose probabilities are averaged.

An ensemble folder holds its members' folders (``members/<n>-<name>``) and a card naming
them with their weights; loading it loads every member, each with its own inputs (feature
vectors or waveforms), so networks and feature-vector models, or one network trained with
several seeds, combine freely. Labels are the union of the members' (a member gives 0 to an
emotion it does not know).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.errors import ModelError
from voxemo.jsonfile import write_json
from voxemo.models.artifact import (
    CARD_FILE,
    CARD_FORMAT,
    CARD_TEXT_FILE,
    MODEL_FILE,
    OnnxModel,
    load_model,
)
from voxemo.models.card_check import check_ensemble_card
from voxemo.models.card_sections import MEASURED_SECTIONS
from voxemo.models.card_text import card_markdown
from voxemo.probabilities import log_probabilities, softmax
from voxemo.provenance import provenance

ENSEMBLE = "ensemble"


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``p ** (1 / T)``, normalized: T > 1 softens, T < 1 sharpens, the order never changes."""
    return softmax(log_probabilities(probabilities) / temperature)


@dataclass
class EnsembleModel:
    path: Path
    card: dict
    members: list[OnnxModel | EnsembleModel]

    frontend = None  # members compute their own inputs

    @property
    def labels(self) -> list[str]:
        return list(self.card["labels"])

    def combine(self, probabilities: list[np.ndarray]) -> np.ndarray:
        """Weighted mean of the members' (clips, labels) matrices, in :attr:`labels` order."""
        total = np.zeros((len(probabilities[0]), len(self.labels)))
        for member, weight, rows in zip(
            self.members, self.card["weights"], probabilities, strict=True
        ):
            columns = [self.labels.index(label) for label in member.labels]
            total[:, columns] += weight * rows
        mean = total / sum(self.card["weights"])
        temperature = self.card.get("temperature")
        return apply_temperature(mean, temperature) if temperature else mean


def save_ensemble(
    members: Sequence[str | Path | OnnxModel | EnsembleModel],
    out: str | Path,
    weights: list[float] | None = None,
    scores: dict | None = None,
    temperature: float | None = None,
) -> Path:
    """Copy ``members`` (model folders, or models already loaded from them) into a new
    ensemble folder ``out``; ``scores`` are those of an evaluation of this ensemble (see
    :func:`ensemble_evaluation`), and ``temperature`` rescales its probabilities (see
    :mod:`voxemo.evaluation.calibration`)."""
    out = Path(out)
    weights = weights or [1.0] * len(members)
    if len(members) < 2 or len(weights) != len(members) or min(weights) <= 0:
        raise ModelError("an ensemble needs two or more models and one positive weight each")
    if out.exists():
        raise ModelError(f"{out}: already exists; choose a new folder for the ensemble")
    loaded = [
        member if isinstance(member, OnnxModel | EnsembleModel) else load_model(member)
        for member in members
    ]
    names = [f"{i}-{model.path.resolve().name}" for i, model in enumerate(loaded, start=1)]
    labels = sorted({label for model in loaded for label in model.labels})
    for model, name in zip(loaded, names, strict=True):
        shutil.copytree(model.path, out / "members" / name)
    trainings = [model.card.get("training") for model in loaded]
    card = {
        "format": CARD_FORMAT,
        "model": ENSEMBLE,
        "members": [f"members/{name}" for name in names],
        "member_models": [model.card["model"] for model in loaded],
        "member_features": [model.card.get("features", "?") for model in loaded],
        "weights": weights,
        **({"temperature": round(temperature, 4)} if temperature else {}),
        "labels": labels,
        # One training set when every member saw the same files; otherwise see the members.
        **({"training": trainings[0]} if _same_data(trainings) else {}),
        "scores": scores or {},
        **provenance(),
    }
    write_json(out / CARD_FILE, card, indent=2)
    if "training" in card:
        (out / CARD_TEXT_FILE).write_text(card_markdown(card))
    return out


def _same_data(trainings: list[dict | None]) -> bool:
    keys = [(t["corpus"], t["n_files"]) if t else None for t in trainings]
    return None not in keys and len(set(map(str, keys))) == 1


def load_ensemble(path: Path, card: dict, threads: int | None) -> EnsembleModel:
    members = [load_model(folder, threads) for folder in check_ensemble_card(path, card)]
    labels = sorted({label for member in members for label in member.labels})
    if sorted(card.get("labels") or []) != labels:
        raise ModelError(
            f"{path / CARD_FILE}: the card lists labels {card.get('labels')}, but its members "
            f"predict {labels}"
        )
    return EnsembleModel(path, card, members)


def _same_model(a: Path, b: Path) -> bool:
    """Whether two model folders hold one model: the same graph and the same card, but for
    what was measured of it afterwards (its recording conditions, its other corpora)."""

    def trained(folder: Path) -> dict:
        card = json.loads((folder / CARD_FILE).read_text())
        return {key: value for key, value in card.items() if key not in MEASURED_SECTIONS}

    same_graph = (a / MODEL_FILE).read_bytes() == (b / MODEL_FILE).read_bytes()
    return same_graph and trained(a) == trained(b)


def share_bundled_members(folder: Path, bundled: Path) -> list[str]:
    """Replace each member of the ensemble ``folder`` that is one of the single models in
    ``bundled`` (the same graph, byte for byte, and the same card but for the measured
    sections added to either: recording conditions, other corpora) by a reference to it
    (``bundled:NAME``), so that a model bundled alone and inside ensembles is stored once.
    Returns the names newly shared; a member already shared stays as it is, so running it
    again changes nothing (``scripts/train_default_model.sh`` runs it on every bundled
    ensemble)."""
    from voxemo.models.card_check import BUNDLED_PREFIX

    card = json.loads((folder / CARD_FILE).read_text())
    singles = {
        model.parent.name: model.parent
        for model in sorted(bundled.glob(f"*/{CARD_FILE}"))
        if json.loads(model.read_text()).get("model") != ENSEMBLE
    }
    shared = []
    for index, member in enumerate(card["members"]):
        if member.startswith(BUNDLED_PREFIX):
            continue
        for name, single in singles.items():
            if _same_model(folder / member, single):
                shutil.rmtree(folder / member)
                card["members"][index] = BUNDLED_PREFIX + name
                shared.append(name)
                break
    write_json(folder / CARD_FILE, card, indent=2)
    return shared


def copy_bundled_members(folder: Path, bundled: Path) -> list[str]:
    """Replace each member of the ensemble ``folder`` that refers to a bundled single model
    (``bundled:NAME``) by a copy of the model ``NAME`` in ``bundled``: the inverse of
    :func:`share_bundled_members`, for an ensemble that must stand alone, such as one of
    the models bundled at an earlier commit (whose ``bundled:`` members are that commit's,
    not those installed now). Returns the names copied.

    Examples
    --------
    >>> copy_bundled_members(Path("old/default"), Path("old"))  # doctest: +SKIP
    ['fast']
    """
    from voxemo.models.card_check import BUNDLED_PREFIX

    card = json.loads((folder / CARD_FILE).read_text())
    copied = []
    for index, member in enumerate(card["members"]):
        if not member.startswith(BUNDLED_PREFIX):
            continue
        name = member.removeprefix(BUNDLED_PREFIX)
        if not (bundled / name / CARD_FILE).is_file():
            raise ModelError(f"{folder}: member '{member}' is not a model in {bundled}")
        inside = f"members/bundled-{name}"
        if not (folder / inside).exists():
            shutil.copytree(bundled / name, folder / inside)
        card["members"][index] = inside
        copied.append(name)
    write_json(folder / CARD_FILE, card, indent=2)
    return copied
