"""Whether an earlier evaluation describes a model: the same recipe, or the same members.

A model card may carry the scores of an evaluation made before the model was trained
(``voxemo train --scores``, ``voxemo ensemble --scores``); they describe the model only if
that evaluation trained each fold the way the model was trained.
"""

from __future__ import annotations

import json
from pathlib import Path

from voxemo.errors import VoxemoError

# What an evaluation must share with a model for its scores to describe that model.
RECIPE_KEYS = (
    "features",
    "feature_sets",
    "model",
    "model_params",
    "feature_selection",
    "speaker_norm",
    "corpus_norm",
    "augment",
)
# How a training on several corpora weighs them (``tuning``): compared where there are several.
SEVERAL_CORPORA_KEYS = ("class_weights_with_several_corpora", "clips_with_several_corpora")


def read_evaluation(path: str | Path, model: str, features: str | None = None) -> dict:
    """An evaluation JSON written by ``voxemo evaluate --json`` of ``model`` on ``features``.

    Raises
    ------
    VoxemoError
        Not readable as an evaluation, or of another model or features.
    """
    try:
        result = json.loads(Path(path).read_text())
        config = result["config"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VoxemoError(f"{path}: not an evaluation JSON of voxemo evaluate ({exc})") from None
    if config["model"] != model or (features and config["features"] != features):
        raise VoxemoError(
            f"{path}: evaluates {config['model']} on {config['features']}, not {model} on "
            f"{features}; its scores would not describe this model"
        )
    return result


def corpus_names(specs: list[str]) -> list[str]:
    """The training corpora's names of an evaluation's ``corpus`` entries.

    Examples
    --------
    >>> corpus_names(["ravdess=/data/r", "train crema-d=/x", "test tess=/y"])
    ['crema-d', 'ravdess']
    """
    return sorted(
        spec.removeprefix("train ").partition("=")[0].lower()
        for spec in specs
        if not spec.startswith("test ")
    )


def recipe_differences(config: dict, recipe: dict) -> list[str]:
    """What an evaluation's configuration does differently from a model's recipe (both as
    :func:`voxemo.evaluation.evaluation_config` writes them): corpora, features (their
    settings and versions), kind and parameters, feature selection, normalization,
    augmentation, hyper-parameter search, how several corpora are weighed, and seed.

    Examples
    --------
    >>> recipe = {"corpus": ["ravdess=/r"], "features": "seed", "seeds": {"model": 42},
    ...           "tuning": {"search_space": {}}}
    >>> recipe_differences(recipe | {"seeds": {"model": 7}}, recipe)
    ['seed (7)']
    """
    differences = [
        key.replace("_", " ")
        for key in RECIPE_KEYS
        if _comparable(key, config.get(key)) != _comparable(key, recipe.get(key))
    ]
    recorded = corpus_names(config.get("corpus", []))
    if recorded != corpus_names(recipe.get("corpus", [])):
        differences.insert(0, f"corpora ({', '.join(recorded)})")
    tuning, wanted = config.get("tuning", {}), recipe.get("tuning", {})
    if tuning.get("search_space") != wanted.get("search_space"):
        differences.append("hyper-parameter search")
    if len(recorded) > 1 and any(tuning.get(k) != wanted.get(k) for k in SEVERAL_CORPORA_KEYS):
        differences.append("weighting of several corpora")
    seed = config.get("seeds", {}).get("model")
    if seed != recipe.get("seeds", {}).get("model"):
        differences.append(f"seed ({seed})")
    return differences


def _comparable(key: str, value) -> str:
    """A recipe entry as compared; the seed inside a model's parameters is compared once, as
    the seed."""
    if key == "model_params" and isinstance(value, dict):
        value = {k: v for k, v in value.items() if not k.endswith("random_state")}
    return json.dumps(value, sort_keys=True, default=str)


def check_same_recipe(config: dict, recipe: dict, path: str | Path) -> None:
    """Refuse an evaluation (read from ``path``) whose recipe is not the model's."""
    differences = recipe_differences(config, recipe)
    if differences:
        raise VoxemoError(
            f"{path}: that evaluation differs from this model in its {', '.join(differences)}; "
            "its scores would not describe this model"
        )


def member_training(config: dict) -> dict:
    """What an ensemble's evaluation records of how a member trained: its training corpora
    and seed (from the member's evaluation configuration).

    Examples
    --------
    >>> member_training({"corpus": ["ravdess=/r"], "seeds": {"model": 42}})
    {'corpus': ['ravdess'], 'seed': 42}
    """
    return {
        "corpus": corpus_names(config.get("corpus", [])),
        "seed": config.get("seeds", {}).get("model"),
    }


def _card_training(card: dict) -> dict:
    """:func:`member_training` of a saved model, from its card."""
    from voxemo.models.card_text import corpus_names as card_corpora

    training = card.get("training", {})
    return {"corpus": sorted(card_corpora(training)), "seed": training.get("seed")}


def check_same_members(config: dict, members: list[dict], weights: list[float], path) -> None:
    """Refuse an ensemble evaluation (read from ``path``) of other members (their cards, in
    order: kind, features, training corpora and seed) or other weights."""
    names = [f"{card['model']} on {card.get('features', 'its members')}" for card in members]
    weights = [float(weight) for weight in weights]
    recorded = [float(weight) for weight in config.get("weights", [])]
    if config.get("members") != names or recorded != weights:
        raise VoxemoError(
            f"{path}: evaluates the ensemble of {', '.join(config.get('members', []))} weighted "
            f"{recorded}, not of {', '.join(names)} weighted {weights}; its scores would not "
            "describe this ensemble"
        )
    trained = config.get("member_training")
    for index, (card, name) in enumerate(zip(members, names, strict=True)):
        own = _card_training(card)
        if trained is None or trained[index] != own:
            was = "not recorded" if trained is None else trained[index]
            raise VoxemoError(
                f"{path}: member {index + 1} ({name}) was evaluated trained on {was}, but the "
                f"model was trained on {own}; its scores would not describe this ensemble"
            )
