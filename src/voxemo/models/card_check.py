"""Checks of the model-card fields that loading and predicting read.

A card is JSON anyone can edit; each field prediction uses is checked for its type and range
on load, so that a damaged or hand-edited card stops with one line naming the field instead
of failing somewhere inside prediction.
"""

from __future__ import annotations

import math
from pathlib import Path

from voxemo.errors import ModelError

MIN_RATE, MAX_RATE = 1000, 192000
VOICE_NORMALIZATION = "voice"  # the card's "normalization" of a voice model
BUNDLED_PREFIX = "bundled:"  # an ensemble member that is one of the bundled single models


def _fail(where: Path, field: str, expected: str, value) -> None:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    raise ModelError(f"{where}: '{field}' must be {expected}, not {shown}")


def _strings(where: Path, card: dict, field: str) -> list[str]:
    value = card.get(field)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        _fail(where, field, "a list of names", value)
    if len(set(value)) != len(value):
        _fail(where, field, "a list of distinct names", value)
    return value


def _positive_number(value) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def check_model_card(where: Path, card: dict) -> None:
    """The fields a single model's prediction reads: labels, and its front end (a network) or
    its feature sets, their keys and sample rates (a feature-vector model).

    Examples
    --------
    >>> check_model_card(Path("card.json"), {"labels": ["angry", 3], "frontend": {}})
    Traceback (most recent call last):
    ...
    voxemo.errors.ModelError: card.json: 'labels' must be a list of names, not ['angry', 3]
    """
    _strings(where, card, "labels")
    frontend = card.get("frontend")
    if frontend is not None:
        if not isinstance(frontend, dict):
            _fail(where, "frontend", "an object", frontend)
        rate = frontend.get("sample_rate")
        if not isinstance(rate, int) or not MIN_RATE <= rate <= MAX_RATE:
            _fail(where, "frontend.sample_rate", f"a rate in Hz ({MIN_RATE}-{MAX_RATE})", rate)
        return
    if not isinstance(card.get("features"), str):
        _fail(where, "features", "feature sets joined with +", card.get("features"))
    _strings(where, card, "feature_keys")
    rates = card.get("sample_rates")
    if (
        not isinstance(rates, list)
        or not rates
        or not all(isinstance(rate, int) and MIN_RATE <= rate <= MAX_RATE for rate in rates)
    ):
        _fail(where, "sample_rates", f"a list of rates in Hz ({MIN_RATE}-{MAX_RATE})", rates)


def check_voice_card(where: Path, card: dict, parent: dict) -> None:
    """The voice model of a feature-vector model: trained on per-speaker z-scores of the same
    features for the same labels, with the typical voice (``voice_prior``: a finite mean and a
    non-negative spread per feature) that adaptation starts from.

    Examples
    --------
    >>> parent = {"labels": ["calm", "sad"], "features": "overview", "n_features": 2}
    >>> voice = parent | {"normalization": "voice", "voice_prior": {"mean": [0, 1], "std": [1]}}
    >>> check_voice_card(Path("voice/card.json"), voice, parent)
    Traceback (most recent call last):
    ...
    voxemo.errors.ModelError: voice/card.json: 'voice_prior.std' must be 2 finite numbers \
(at least 0), not [1]
    """
    if card.get("normalization") != VOICE_NORMALIZATION:
        _fail(where, "normalization", "'voice' (a voice model)", card.get("normalization"))
    for field in ("labels", "features", "n_features"):
        if card.get(field) != parent.get(field):
            _fail(where, field, f"its model's {parent.get(field)!r}", card.get(field))
    prior = card.get("voice_prior")
    if not isinstance(prior, dict):
        _fail(where, "voice_prior", "an object with 'mean' and 'std'", prior)
    for field in ("mean", "std"):
        values = prior.get(field)
        if (
            not isinstance(values, list)
            or len(values) != card["n_features"]
            or not all(
                isinstance(v, int | float)
                and not isinstance(v, bool)
                and math.isfinite(v)
                and (field == "mean" or v >= 0)
                for v in values
            )
        ):
            bound = "" if field == "mean" else " (at least 0)"
            _fail(
                where,
                f"voice_prior.{field}",
                f"{card['n_features']} finite numbers{bound}",
                values,
            )


def check_ensemble_card(path: Path, card: dict) -> list[Path]:
    """The member folders of an ensemble card, once its members, weights, temperature and
    labels have been checked: each inside the ensemble's folder, or ``bundled:NAME``, a
    single model bundled with voxemo (stored once, however many bundles use it).

    Examples
    --------
    >>> card = {"members": ["../other"], "weights": [1.0], "labels": ["sad"]}
    >>> check_ensemble_card(Path("ens"), card)
    Traceback (most recent call last):
    ...
    voxemo.errors.ModelError: ens/card.json: member '../other' is not a folder inside ens
    """
    where = path / "card.json"
    members = _strings(where, card, "members")
    weights = card.get("weights")
    if not isinstance(weights, list) or len(weights) != len(members):
        _fail(where, "weights", f"a list of {len(members)} weights, one per member", weights)
    if not all(_positive_number(weight) for weight in weights):
        _fail(where, "weights", "positive numbers", weights)
    temperature = card.get("temperature")
    if temperature is not None and not _positive_number(temperature):
        _fail(where, "temperature", "a positive number", temperature)
    _strings(where, card, "labels")
    root = path.resolve()
    folders = []
    for member in members:
        if member.startswith(BUNDLED_PREFIX):
            folders.append(_bundled_member(where, member))
            continue
        folder = (path / member).resolve()
        if Path(member).is_absolute() or folder == root or root not in folder.parents:
            raise ModelError(f"{where}: member '{member}' is not a folder inside {path}")
        folders.append(path / member)
    return folders


def _bundled_member(where: Path, member: str) -> Path:
    """A member shared with a single model bundled with voxemo (``bundled:NAME``)."""
    import json

    from voxemo.models.catalog import BUNDLED_DIR

    name = member.removeprefix(BUNDLED_PREFIX)
    card = BUNDLED_DIR / name / "card.json"
    if "/" in name or name in ("", ".", "..") or not card.is_file():
        raise ModelError(f"{where}: member '{member}' is not a model bundled with voxemo")
    if json.loads(card.read_text()).get("model") == "ensemble":
        raise ModelError(f"{where}: member '{member}' is an ensemble, not a single model")
    return BUNDLED_DIR / name
