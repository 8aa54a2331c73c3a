"""Model artifacts that are safe to load: an ONNX graph plus a JSON model card.

A model folder holds ``model.onnx`` and ``card.json`` (labels, inputs, training data,
scores, versions), and a feature-vector model may hold its voice model in ``voice/``: the same
recipe trained on features z-scored per speaker, which adaptation to the voice of one
recording uses (:mod:`voxemo.recognizer.adapt`). The graph is either a fitted scikit-learn
pipeline converted with skl2onnx (a float32 feature vector in) or an exported network (a
waveform in, at the rate the card's ``frontend`` names; the graph computes its own log-mel
spectrogram); both output class probabilities. Loading never unpickles anything, so a model
received from someone else cannot run code.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from voxemo.errors import ModelError, VoxemoError
from voxemo.features.logmel import LogMel
from voxemo.jsonfile import write_json
from voxemo.models.card_check import (
    VOICE_NORMALIZATION,
    check_model_card,
    check_voice_card,
)
from voxemo.models.card_text import card_markdown

MODEL_FILE = "model.onnx"
CARD_FILE = "card.json"
CARD_TEXT_FILE = "MODEL_CARD.md"
CARD_FORMAT = "voxemo-model/1"
VOICE_FOLDER = "voice"


def _register_lightgbm() -> None:
    """skl2onnx converts LightGBM inside pipelines through onnxmltools' converter."""
    from lightgbm import LGBMClassifier
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    update_registered_converter(
        LGBMClassifier,
        "LightGbmLGBMClassifier",
        calculate_linear_classifier_output_shapes,
        convert_lightgbm,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )


def _register_masked_logistic() -> None:
    """A masked logistic regression predicts as the logistic regression it is."""
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
    from skl2onnx.operator_converters.linear_classifier import convert_sklearn_linear_classifier

    from voxemo.models.masked import MaskedLogisticRegression

    update_registered_converter(
        MaskedLogisticRegression,
        "VoxemoMaskedLogisticRegression",
        calculate_linear_classifier_output_shapes,
        convert_sklearn_linear_classifier,
        options={
            "nocl": [True, False],
            "zipmap": [True, False, "columns"],
            "raw_scores": [True, False],
        },
    )


def _convert_per_label_one_vs_rest(scope, operator, container) -> None:
    """A per-label one-vs-rest model predicts as scikit-learn's one-vs-rest classifier
    holding the same binary estimators: each one's probability of its class, normalized to
    sum to one. skl2onnx converts it through a view of it as that classifier."""
    from skl2onnx.operator_converters.one_vs_rest_classifier import (
        convert_one_vs_rest_classifier,
    )
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import LabelBinarizer

    fitted = operator.raw_operator
    view = OneVsRestClassifier(fitted.estimator)
    view.estimators_ = fitted.estimators_
    view.classes_ = fitted.classes_
    view.label_binarizer_ = LabelBinarizer().fit(fitted.classes_)  # not multi-label
    operator.raw_operator = view
    convert_one_vs_rest_classifier(scope, operator, container)


def _register_per_label_one_vs_rest() -> None:
    """Any kind but the logistic regression, trained on corpora with different emotions."""
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    from voxemo.models.masked import PerLabelOneVsRest

    update_registered_converter(
        PerLabelOneVsRest,
        "VoxemoPerLabelOneVsRest",
        calculate_linear_classifier_output_shapes,
        _convert_per_label_one_vs_rest,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )


def export_onnx(pipeline, n_features: int) -> bytes:
    """Convert a fitted pipeline; the graph outputs a plain probability matrix."""
    from skl2onnx import to_onnx  # heavy import, needed only when saving

    _register_lightgbm()
    _register_masked_logistic()
    _register_per_label_one_vs_rest()
    classifier = pipeline.steps[-1][1]
    sample = np.zeros((1, n_features), dtype=np.float32)
    with warnings.catch_warnings():
        # skl2onnx reads SVC attributes that scikit-learn marks deprecated; nothing to act on.
        warnings.simplefilter("ignore", FutureWarning)
        graph = to_onnx(
            pipeline,
            sample,
            options={id(classifier): {"zipmap": False}},
            target_opset={"": 18, "ai.onnx.ml": 3},
        )
    return graph.SerializeToString()


def save_model(pipeline, card: dict, out: str | Path) -> Path:
    """Write ``model.onnx`` and ``card.json`` into the folder ``out`` (created if needed)."""
    labels = [str(label) for label in pipeline.classes_]
    return write_model(export_onnx(pipeline, int(card["n_features"])), labels, card, out)


def write_model(graph: bytes, labels: list[str], card: dict, out: str | Path) -> Path:
    """Write an ONNX graph and its card (with ``labels`` in output order) as a model folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ModelError(f"{out}: exists and is not a folder (a model is saved as a folder)")
    out.mkdir(parents=True, exist_ok=True)
    card = {"format": CARD_FORMAT, **card, "labels": labels}
    (out / MODEL_FILE).write_bytes(graph)
    write_json(out / CARD_FILE, card, indent=2)
    if "training" in card:  # a card with what people need to know gets a page for them
        (out / CARD_TEXT_FILE).write_text(card_markdown(card))
    return out


@dataclass
class OnnxModel:
    """A loaded model: its card and an onnxruntime session."""

    path: Path
    card: dict
    session: object
    threads: int | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.card["labels"])

    @cached_property
    def voice(self) -> OnnxModel | None:
        """The voice model in ``voice/`` (loaded when first asked for), or None."""
        folder = self.path / VOICE_FOLDER
        if self.card.get("frontend") or not folder.is_dir():
            return None
        voice = _open_model(folder, _read_card(folder), self.threads)
        check_voice_card(folder / CARD_FILE, voice.card, self.card)
        return voice

    @cached_property
    def frontend(self) -> LogMel | None:
        """The spectrogram front end of a network; None for a feature-vector model."""
        config = self.card.get("frontend")
        return LogMel.from_config(config) if config else None

    def predict_waveform(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of one clip at the front end's rate, in :attr:`labels` order."""
        batch = np.ascontiguousarray(samples[np.newaxis], dtype=np.float32)
        (probabilities,) = self.session.run(["probabilities"], {"waveform": batch})
        return np.asarray(probabilities[0], dtype=np.float64)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probabilities of feature vectors, one column per label in :attr:`labels` order."""
        features = np.ascontiguousarray(features, dtype=np.float32)
        if features.ndim != 2 or features.shape[1] != self.card["n_features"]:
            raise ModelError(
                f"{self.path}: expects {self.card['n_features']} features per row, "
                f"got array of shape {features.shape}"
            )
        name = self.session.get_inputs()[0].name
        (probabilities,) = self.session.run(["probabilities"], {name: features})
        return np.asarray(probabilities, dtype=np.float64)


def load_model(path: str | Path, threads: int | None = None) -> OnnxModel:
    """Load a model folder safely: an ONNX graph and its JSON card, nothing unpickled.

    Parameters
    ----------
    path : str or Path
        A folder written by ``voxemo train`` or ``voxemo ensemble`` (for a model by name,
        see :func:`voxemo.models.catalog.resolve_model`).
    threads : int or None
        The most threads onnxruntime uses per call (None: all cores).

    Returns
    -------
    OnnxModel or EnsembleModel
        The card (``model.card``), the labels, and what predicts.

    Raises
    ------
    ModelError
        No such folder, no or a damaged card, a graph that does not load, or a card that
        does not match its graph (labels, inputs, feature sets and sizes): the message
        names the part.

    Examples
    --------
    >>> from voxemo.models.catalog import resolve_model
    >>> model = load_model(resolve_model("fast"))
    >>> model.card["model"], len(model.labels)
    ('crnn', 8)
    """
    path = Path(path)
    card = _read_card(path)
    if card.get("model") == "ensemble":
        from voxemo.models.ensemble import load_ensemble

        return load_ensemble(path, card, threads)
    if card.get("normalization") == VOICE_NORMALIZATION:
        raise ModelError(
            f"{path}: a voice model (it takes features z-scored by one voice's statistics); "
            "load the model folder that holds it and predict with adapt"
        )
    return _open_model(path, card, threads)


def _read_card(path: Path) -> dict:
    if not path.is_dir():
        what = "no such model folder" if not path.exists() else "not a model folder"
        raise ModelError(f"{path}: {what} (expected a folder with {MODEL_FILE} and {CARD_FILE})")
    try:
        card = json.loads((path / CARD_FILE).read_text())
    except FileNotFoundError:
        raise ModelError(f"{path}: no {CARD_FILE} in the model folder") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path / CARD_FILE}: not a readable model card ({exc})") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelError(f"{path / CARD_FILE}: not a voxemo model card (format {CARD_FORMAT})")
    return card


def _open_model(path: Path, card: dict, threads: int | None) -> OnnxModel:
    """A single model's onnxruntime session, once its card has been checked."""
    import onnxruntime

    check_model_card(path / CARD_FILE, card)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # fatal only: a graph that fails to load is our one error line
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"{path / MODEL_FILE}: not a loadable ONNX model ({exc})") from None
    check_card_matches_graph(path, card, session)
    return OnnxModel(path, card, session, threads)


def check_card_matches_graph(path: Path, card: dict, session) -> None:
    """The card describes this graph: its labels, inputs and feature sizes agree, or loading
    stops with a line naming the part that disagrees."""
    where = path / CARD_FILE
    labels = card["labels"]
    outputs = {output.name: output.shape for output in session.get_outputs()}
    if "probabilities" not in outputs:
        raise ModelError(f"{path / MODEL_FILE}: the graph has no 'probabilities' output")
    width = outputs["probabilities"][-1]
    if isinstance(width, int) and width != len(labels):
        raise ModelError(
            f"{where}: the card lists {len(labels)} labels but the graph outputs {width} "
            "probabilities"
        )
    (graph_input, *_) = session.get_inputs()
    if card.get("frontend"):
        if graph_input.name != "waveform":
            raise ModelError(
                f"{where}: the card describes a network, but the graph's input is "
                f"'{graph_input.name}', not 'waveform'"
            )
        return
    size = card.get("n_features")
    if not isinstance(size, int) or graph_input.shape[-1] not in (size, None, "None"):
        raise ModelError(
            f"{where}: the card says {size} features but the graph takes {graph_input.shape[-1]}"
        )
    from voxemo.features import parse_feature_spec

    try:
        total = sum(len(fs.names()) for fs in parse_feature_spec(str(card.get("features"))))
    except VoxemoError as exc:
        raise ModelError(f"{where}: {exc}") from None
    if total != size:
        raise ModelError(
            f"{where}: its feature sets '{card.get('features')}' give {total} features, but "
            f"the graph takes {size}"
        )
