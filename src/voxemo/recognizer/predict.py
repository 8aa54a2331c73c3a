"""Predicting the emotion of audio files with a saved model."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxemo.audio import Audio, load_audio, resample
from voxemo.audio.decode import decode_audio
from voxemo.audio.formats import is_audio_file
from voxemo.emotions import display_order
from voxemo.errors import AudioError, ModelError
from voxemo.features import (
    FeatureCache,
    FeatureSet,
    compute_features,
    extract_features,
    parse_feature_spec,
)
from voxemo.features.extract import ProgressCallback
from voxemo.models import OnnxModel
from voxemo.models.ensemble import EnsembleModel


@dataclass(frozen=True)
class Prediction:
    """The emotion of one file, or the one-line reason it could not be predicted."""

    path: str
    label: str | None = None
    probabilities: dict[str, float] | None = None
    error: str | None = None
    duration: float | None = None  # seconds of audio

    def to_dict(self) -> dict:
        if self.error:
            return {"path": self.path, "error": self.error}
        return {
            "path": self.path,
            "label": self.label,
            "duration": self.duration,
            "probabilities": self.probabilities,
        }


def expand_inputs(inputs: Sequence[str | Path]) -> tuple[list[str], list[Prediction]]:
    """Files as given, folders walked for audio files; empty folders become error rows. A file
    named twice (directly and inside a named folder, say) is listed once."""
    paths, failures, seen = [], [], set()
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(str(p) for p in item.rglob("*") if p.is_file() and is_audio_file(p))
            if not found:
                failures.append(Prediction(str(item), error=f"{item}: no audio files in folder"))
        else:
            found = [str(item)]
        for path in found:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                paths.append(path)
    return paths, failures


def model_feature_sets(model: OnnxModel) -> list[FeatureSet]:
    """The feature sets a model was trained on, checked against this voxemo's settings."""
    feature_sets = parse_feature_spec(model.card["features"])
    if [fs.key for fs in feature_sets] != model.card["feature_keys"]:
        raise ModelError(
            f"{model.path}: trained with '{model.card['features']}' features computed "
            "differently from this voxemo version's; retrain it with this version"
        )
    return feature_sets


def model_rate(model: OnnxModel | EnsembleModel) -> int:
    """The sample rate a model's inputs are computed at (the highest of its feature sets)."""
    if isinstance(model, EnsembleModel):
        return max(model_rate(member) for member in model.members)
    return model.frontend.sample_rate if model.frontend else max(model.card["sample_rates"])


def check_inputs(model: OnnxModel | EnsembleModel) -> None:
    """Fail early (on load, not on the first file) if a model's features cannot be made."""
    if isinstance(model, EnsembleModel):
        for member in model.members:
            check_inputs(member)
    elif model.frontend is None:
        model_feature_sets(model)


def audio_probabilities(model: OnnxModel | EnsembleModel, audios: Sequence[Audio]) -> np.ndarray:
    """(clips, labels) probabilities of decoded audio, whatever the model's inputs."""
    if isinstance(model, EnsembleModel):
        return model.combine([audio_probabilities(member, audios) for member in model.members])
    if model.frontend is not None:
        rate = model.frontend.sample_rate
        return np.stack([model.predict_waveform(resample(a, rate).samples) for a in audios])
    return model.predict_proba(audio_features(model, audios))


def audio_features(model: OnnxModel, audios: Sequence[Audio]) -> np.ndarray:
    """(clips, features) of decoded audio: the feature vectors a feature-vector model takes."""
    feature_sets = model_feature_sets(model)
    return np.stack(
        [np.concatenate([compute_features(a, fs) for fs in feature_sets]) for a in audios]
    )


def _prediction(path: str, model: OnnxModel, row: np.ndarray, duration: float) -> Prediction:
    probs = dict(zip(model.labels, (round(float(p), 6) for p in row), strict=True))
    ordered = {label: probs[label] for label in display_order(model.labels)}
    label = model.labels[int(np.argmax(row))]
    return Prediction(str(path), label, ordered, duration=round(duration, 3))


def _duration(path: str) -> float:
    import soundfile as sf

    return float(sf.info(path).duration)


def predict_files(
    model: OnnxModel,
    paths: Sequence[str],
    *,
    jobs: int | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressCallback | None = None,
) -> list[Prediction]:
    """One :class:`Prediction` per path, in order; bad files give error rows.

    Feature-vector models use the parallel, cached extraction; networks and ensembles decode
    file by file.
    """
    if isinstance(model, EnsembleModel) or model.frontend is not None:
        return [_one_by_one(model, str(path), progress) for path in paths]
    result = extract_features(
        paths, model_feature_sets(model), jobs=jobs, cache=cache, progress=progress
    )
    ok = result.ok
    probabilities = model.predict_proba(result.values[ok]) if ok.any() else []
    rows = iter(probabilities)
    predictions = []
    for index, path in enumerate(paths):
        if not ok[index]:
            predictions.append(Prediction(str(path), error=result.errors[index]))
            continue
        predictions.append(_prediction(path, model, next(rows), _duration(path)))
    return predictions


def _one_by_one(model, path: str, progress: ProgressCallback | None) -> Prediction:
    try:
        return _decoded(model, path, lambda: load_audio(path))
    finally:
        if progress:
            progress(1)


def predict_bytes(model: OnnxModel | EnsembleModel, data: bytes, name: str) -> Prediction:
    """The :class:`Prediction` of one encoded recording held in memory (an upload), the same
    as :func:`predict_files` gives for it on disk; errors name it ``name``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from voxemo import Recognizer
    >>> model = Recognizer("fast").model
    >>> predict_bytes(model, Path("examples/speech.wav").read_bytes(), "speech.wav").duration
    3.104
    >>> predict_bytes(model, b"", "upload").error
    'upload: empty file (0 bytes)'
    """
    return _decoded(model, name, lambda: decode_audio(data, name))


def _decoded(model, name: str, decode: Callable[[], Audio]) -> Prediction:
    try:
        audio = decode()
        row = audio_probabilities(model, [audio])[0]
    except AudioError as exc:
        return Prediction(name, error=str(exc))
    return _prediction(name, model, row, audio.duration)


def write_predictions_csv(predictions: Sequence[Prediction], labels: list[str], out: Path) -> None:
    """One row per file: path, emotion, duration, each emotion's probability, error."""
    import csv

    labels = display_order(labels)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "duration", *labels, "error"])
        for p in predictions:
            probabilities = p.probabilities or {}
            writer.writerow(
                [p.path, p.label or "", "" if p.duration is None else p.duration]
                + [probabilities.get(label, "") for label in labels]
                + [p.error or ""]
            )
