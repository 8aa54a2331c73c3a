"""Feature sets are registered by name; ``"a+b"`` concatenates several from one decode."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cached_property
from importlib import import_module

import numpy as np

from voxemo.audio import Audio, resample
from voxemo.errors import VoxemoError, did_you_mean
from voxemo.extras import missing_extra

_REGISTRY: dict[str, Callable[[], FeatureSet]] = {}
# The module that defines (and registers) each set: imported only when the set is used,
# so listing the sets, or predicting with a network, loads none of their libraries.
SET_MODULES = {
    "seed": "seed",
    "spectral": "spectral",
    "prosody": "prosody",
    "egemaps": "opensmile_sets",
    "compare": "opensmile_sets",
    "overview": "overview",
    "ssl": "ssl",  # ssl:<model id>@<revision>: a self-supervised speech encoder
}
TAKES_ARGUMENT = {"ssl"}


class FeatureSet(ABC):
    """One named set of utterance-level features computed at a fixed sample rate.

    ``version`` must be bumped whenever the computed values change, so that cached features
    and trained models made with the old values are recognised as stale.
    """

    name: str
    version: int
    sample_rate: int

    @abstractmethod
    def params(self) -> dict:
        """Everything besides name, version and rate that determines the values."""

    @abstractmethod
    def names(self) -> list[str]:
        """Column names, one per value of :meth:`compute`."""

    @abstractmethod
    def compute(self, audio: Audio) -> np.ndarray:
        """Features of audio already at :attr:`sample_rate`, as a 1-D float32 array."""

    def select(self, audio: Audio) -> Audio:
        """The part of a recording the set looks at: all of it unless a subclass says less.

        Applied before resampling, so no time is spent resampling audio that is not used.
        """
        return audio

    def config(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "sample_rate": self.sample_rate,
            **self.params(),
        }

    @cached_property
    def key(self) -> str:
        """Short digest of :meth:`config`: the cache folder and the model card use it."""
        text = json.dumps(self.config(), sort_keys=True)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def register(name: str) -> Callable[[type[FeatureSet]], type[FeatureSet]]:
    def decorator(cls: type[FeatureSet]) -> type[FeatureSet]:
        _REGISTRY[name] = cls
        cls.name = name
        return cls

    return decorator


def available_feature_sets() -> list[str]:
    return sorted(
        f"{name}:<model id>@<revision>" if name in TAKES_ARGUMENT else name for name in SET_MODULES
    )


def _problem(part: str, family: str, argument: str) -> str | None:
    if family not in SET_MODULES:
        return f"unknown feature set '{part}'{did_you_mean(family, SET_MODULES)}"
    if family in TAKES_ARGUMENT and not argument:
        return f"'{family}' needs an argument: {family}:<model id>@<revision> or {family}:<folder>"
    if family not in TAKES_ARGUMENT and argument:
        return f"'{family}' takes no argument"
    return None


def parse_feature_spec(spec: str) -> list[FeatureSet]:
    """``"seed"``, ``"spectral+prosody"`` or ``"ssl:microsoft/wavlm-base-plus+prosody"`` into
    feature-set instances (order kept)."""
    parts = [part.strip() for part in spec.split("+")]
    families = [part.partition(":")[0].lower() for part in parts]
    arguments = [part.partition(":")[2] for part in parts]
    problems = [
        _problem(part, family, arg)
        for part, family, arg in zip(parts, families, arguments, strict=True)
    ]
    problem = next((p for p in problems if p), None)
    if not problem and len(set(parts)) != len(parts):
        problem = "each set may appear once"
    if not spec.strip() or problem:
        known = ", ".join(available_feature_sets())
        raise VoxemoError(f"features '{spec}': {problem} (known: {known}; combine with +)")
    for family in families:
        try:
            import_module(f"voxemo.features.{SET_MODULES[family]}")
        except ModuleNotFoundError as exc:
            raise missing_extra(exc, f"feature set '{family}'") or exc from None
    return [
        _REGISTRY[family](argument) if argument else _REGISTRY[family]()
        for family, argument in zip(families, arguments, strict=True)
    ]


def compute_features(audio: Audio, feature_set: FeatureSet) -> np.ndarray:
    """Select, resample to the set's rate, compute, and check the length matches the names."""
    selected = resample(feature_set.select(audio), feature_set.sample_rate)
    values = np.asarray(feature_set.compute(selected))
    expected = len(feature_set.names())
    if values.shape != (expected,):
        raise RuntimeError(f"{feature_set.name} gave shape {values.shape}, expected ({expected},)")
    return values.astype(np.float32, copy=False)
