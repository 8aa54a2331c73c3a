"""Training a model on all of a corpus, ready to be saved as a model folder with its card.

``voxemo train`` is this module behind a command line: the same data, the same recipe
(kind, seed, search, selection, augmentation, epochs) and the same card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from voxemo.errors import VoxemoError
from voxemo.evaluation.protocols import check_learnable, require_speakers
from voxemo.features.dataset import FeatureTable, WaveTable
from voxemo.features.normalization import normalize_per_group, voice_statistics
from voxemo.models.artifact import VOICE_FOLDER, export_onnx, write_model
from voxemo.models.card_check import VOICE_NORMALIZATION
from voxemo.models.estimators import FeatureClassifier, NetworkClassifier, training_rows
from voxemo.models.label_sets import corpus_label_sets
from voxemo.models.neural import is_neural


@dataclass(frozen=True)
class TrainedModel:
    """A trained model not yet on disk: its ONNX graph, output labels and card."""

    graph: bytes
    labels: list[str]
    card: dict
    seconds: float | None = None  # networks: the time training took (None when resumed done)
    voice: TrainedModel | None = None  # trained on features z-scored per speaker

    def save(self, out: str | Path) -> Path:
        """Write the model folder ``out`` (``model.onnx``, ``card.json``, ``MODEL_CARD.md``,
        and the voice model in ``voice/``)."""
        folder = write_model(self.graph, self.labels, self.card, out)
        if self.voice:
            self.voice.save(folder / VOICE_FOLDER)
        return folder


def check_exportable(model_kind: str) -> None:
    """Refuse a kind whose fitted model cannot be saved as an ONNX graph.

    Examples
    --------
    >>> check_exportable("hgb")
    Traceback (most recent call last):
    ...
    voxemo.errors.VoxemoError: model kind 'hgb' cannot be converted to ONNX by skl2onnx yet, \
so it cannot be saved; use it with voxemo evaluate, or train lightgbm instead
    """
    from voxemo.models.registry import get_model_kind

    if not is_neural(model_kind) and not get_model_kind(model_kind).exportable:
        raise VoxemoError(
            f"model kind '{model_kind}' cannot be converted to ONNX by skl2onnx yet, so it "
            "cannot be saved; use it with voxemo evaluate, or train lightgbm instead"
        )


def train(
    data: FeatureTable | WaveTable,
    model_kind: str,
    *,
    features: str,
    seed: int = 42,
    tune: bool = True,
    select: int | None = None,
    augment: FeatureTable | None = None,
    epochs: int | None = None,
    checkpoint: Path | None = None,
    on_epoch: Callable | None = None,
    scores: dict | None = None,
    voice: bool = False,
) -> TrainedModel:
    """Fit one model on every file of ``data``, with the card that describes it.

    Parameters
    ----------
    data : FeatureTable or WaveTable
        Features of the corpora (feature-vector kinds) or their waveforms (networks).
    model_kind : str
        A registered kind that can be exported to ONNX (``logreg``, ``svm``, ``lightgbm``,
        ``mlp``, ... or ``cnn``, ``crnn``).
    features : str
        The feature sets ``data`` holds, joined with ``+`` (``"logmel"`` for a network).
    seed : int
        Seeds the model.
    tune : bool
        Choose hyper-parameters by speaker-grouped cross-validation first.
    select : int or None
        Keep the ``select`` best features.
    augment : FeatureTable or None
        Feature-vector kinds: the same files' features under a random recording condition,
        trained on beside the clean ones (``featurize_corpus(..., condition="random")``).
    epochs, checkpoint, on_epoch
        Networks: epochs (None: the kind's default), a resumable checkpoint file, and a
        callback for each epoch's log.
    scores : dict or None
        Scores of this recipe on unseen speakers, per protocol, for the card
        (:func:`card_scores` of an evaluation).
    voice : bool
        Feature-vector kinds: also fit the voice model (:func:`train_voice_model`), which
        adapting to the voice of a recording uses.

    Returns
    -------
    TrainedModel

    Raises
    ------
    VoxemoError
        A kind that cannot be exported, or data of fewer than two emotions.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from voxemo.features import parse_feature_spec
    >>> names = parse_feature_spec("overview")[0].names()  # four numbers per recording
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({"path": [f"{i}.wav" for i in range(40)], "corpus": "demo",
    ...     "speaker": np.repeat(list("abcd"), 10), "label": ["calm", "sad"] * 20})
    >>> x = rng.normal(size=(40, 4)) + (table["label"] == "sad").to_numpy()[:, None] * 3
    >>> data = FeatureTable(table, x.astype(np.float32), names, ["calm", "sad"], [])
    >>> trained = train(data, "logreg", features="overview", tune=False)
    >>> trained.labels, trained.card["model"]
    (['calm', 'sad'], 'logreg')
    """
    check_exportable(model_kind)
    labels = data.table["label"].astype(str).to_numpy()
    check_learnable(labels, "training data")
    corpora = data.table["corpus"].astype(str).to_numpy()
    label_sets = corpus_label_sets(corpora, labels)
    every_file = np.arange(len(labels))
    if is_neural(model_kind):
        from voxemo.models.card import network_card
        from voxemo.models.neural import training_config
        from voxemo.models.neural.export import export_network

        network = NetworkClassifier(
            training_config(model_kind, epochs),
            seed=seed,
            label_sets=label_sets,
            checkpoint=checkpoint,
            on_epoch=on_epoch,
        ).fit(*training_rows(data.waves, every_file, labels, data.table["speaker"], corpora))
        card = network_card(data, network.trained_, model_kind=model_kind, seed=seed, scores=scores)
        graph = export_network(network.network_)
        return TrainedModel(graph, network.classes_, card, network.training_seconds_)

    from voxemo.features import parse_feature_spec
    from voxemo.models.card import model_card

    extra = None if augment is None else augment.features
    classifier = FeatureClassifier(
        model_kind, seed=seed, select=select, tune=tune, label_sets=label_sets
    ).fit(*training_rows(data.features, every_file, labels, data.table["speaker"], corpora, extra))
    card = model_card(
        data,
        classifier.fitted_,
        features=features,
        feature_sets=parse_feature_spec(features),
        model_kind=model_kind,
        seed=seed,
        select=select,
        scores=scores,
        augmented=augment is not None,
    )
    graph = export_onnx(classifier.model_, int(card["n_features"]))
    sibling = (
        train_voice_model(
            data,
            model_kind,
            features=features,
            seed=seed,
            tune=tune,
            select=select,
            augment=augment,
        )
        if voice
        else None
    )
    return TrainedModel(graph, classifier.classes_, card, voice=sibling)


def train_voice_model(
    data: FeatureTable,
    model_kind: str,
    *,
    features: str,
    seed: int = 42,
    tune: bool = True,
    select: int | None = None,
    augment: FeatureTable | None = None,
) -> TrainedModel:
    """The voice model of a recipe: the same fit on features z-scored per speaker.

    A voice's own colour (pitch range, timbre, loudness, its microphone) is most of what its
    features hold; z-scored over the voice's own speech, what remains is how each utterance
    differs from that voice's usual. The card keeps the typical training voice
    (``voice_prior``, :func:`voxemo.features.normalization.voice_statistics`), where the
    running statistics of a new recording start. Augmented copies are z-scored over each
    speaker's copies, as a recording heard through one channel is over itself.

    Raises
    ------
    CorpusError
        A file with no speaker: normalizing per speaker needs one for every file.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from voxemo.features import parse_feature_spec
    >>> names = parse_feature_spec("overview")[0].names()
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({"path": [f"{i}.wav" for i in range(40)], "corpus": "demo",
    ...     "speaker": np.repeat(list("abcd"), 10), "label": ["calm", "sad"] * 20})
    >>> x = rng.normal(size=(40, 4)) + (table["label"] == "sad").to_numpy()[:, None] * 3
    >>> data = FeatureTable(table, x.astype(np.float32), names, ["calm", "sad"], [])
    >>> voice = train_voice_model(data, "logreg", features="overview", tune=False)
    >>> voice.card["normalization"], len(voice.card["voice_prior"]["std"])
    ('voice', 4)
    """
    speakers = require_speakers(data.table, "a voice model")

    def per_speaker(table: FeatureTable) -> FeatureTable:
        return replace(table, features=normalize_per_group(table.features, speakers))

    trained = train(
        per_speaker(data),
        model_kind,
        features=features,
        seed=seed,
        tune=tune,
        select=select,
        augment=None if augment is None else per_speaker(augment),
    )
    mean, std = voice_statistics(data.features, speakers)
    prior = {"mean": _rounded(mean), "std": _rounded(std)}
    card = trained.card | {"normalization": VOICE_NORMALIZATION, "voice_prior": prior}
    return replace(trained, card=card)


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in values]


def card_scores(result: dict) -> dict:
    """What a model card keeps of an evaluation: pooled and per-corpus scores (each with its
    per-class ones), their spread over folds, the calibration error and the track."""
    from voxemo.evaluation.metrics import calibration_error

    keys = ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std")
    per_corpus = {
        corpus: {key: own[key] for key in (*keys, "folds", "labels", "per_class")}
        for corpus, own in result.get("per_corpus", {}).items()
    }
    return {key: result[key] for key in keys} | {
        "calibration_error": calibration_error(result.get("predictions", [])),
        "folds": len(result["folds"]),
        "per_class": result["per_class"],
        "track": result["track"],
        **({"per_corpus": per_corpus} if per_corpus else {}),
    }
