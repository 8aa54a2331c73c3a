import json

import numpy as np
import pandas as pd
import pytest

from voxemo.errors import ModelError
from voxemo.features import parse_feature_spec
from voxemo.features.dataset import FeatureTable
from voxemo.models import MODEL_KINDS, build_model, load_model, save_model
from voxemo.models.training import fit_model, model_card
from voxemo.recognizer import predict_files


def separable(n_per_class=30, n_features=12, seed=0) -> FeatureTable:
    rng = np.random.default_rng(seed)
    labels = ["angry", "calm", "sad"]
    X = rng.standard_normal((3 * n_per_class, n_features)).astype(np.float32)
    y = np.repeat(labels, n_per_class)
    for i, label in enumerate(labels):
        X[y == label, i] += 3.0
    table = pd.DataFrame(
        {
            "path": [f"f{i}.wav" for i in range(len(y))],
            "label": y,
            "speaker": [str(i % 6) for i in range(len(y))],
            "gender": "female",
            "corpus": "csv",
        }
    )
    return FeatureTable(table, X, [f"x{i}" for i in range(n_features)], labels, [])


def card_for(data: FeatureTable, kind: str) -> dict:
    return model_card(
        data,
        corpus_specs=["csv=x.csv"],
        features="seed",
        feature_sets=parse_feature_spec("seed"),
        model_kind=kind,
        seed=0,
    )


@pytest.mark.parametrize("kind", list(MODEL_KINDS))
def test_saved_model_gives_the_fitted_models_probabilities(tmp_path, kind):
    data = separable()
    model = fit_model(data, kind, seed=0)
    folder = save_model(model, card_for(data, kind), tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["card.json", "model.onnx"]
    loaded = load_model(folder)
    assert loaded.labels == list(model.classes_)
    expected = model.predict_proba(data.features)
    got = loaded.predict_proba(data.features)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert (model.predict(data.features) == data.table["label"]).mean() > 0.9


def test_model_seed_makes_training_reproducible():
    data = separable()
    a = build_model("seed-mlp", 7).fit(data.features, data.table["label"])
    b = build_model("seed-mlp", 7).fit(data.features, data.table["label"])
    np.testing.assert_array_equal(a.predict_proba(data.features), b.predict_proba(data.features))


def test_unknown_model_kind():
    with pytest.raises(Exception, match="unknown model kind"):
        build_model("transformer")


def test_loading_rejects_what_is_not_a_voxemo_model(tmp_path):
    with pytest.raises(ModelError, match="no such model folder"):
        load_model(tmp_path / "missing")
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelError, match=r"no card\.json"):
        load_model(tmp_path / "m")
    (tmp_path / "m" / "card.json").write_text(json.dumps({"format": "pickle"}))
    with pytest.raises(ModelError, match="not a voxemo model card"):
        load_model(tmp_path / "m")
    (tmp_path / "m" / "card.json").write_text(json.dumps({"format": "voxemo-model/1"}))
    (tmp_path / "m" / "model.onnx").write_bytes(b"\x80\x04garbage")
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        load_model(tmp_path / "m")


def test_model_with_other_feature_settings_is_refused(tmp_path):
    data = separable(n_features=180)
    card = card_for(data, "logreg") | {"feature_keys": ["0000000000000000"]}
    folder = save_model(fit_model(data, "logreg"), card, tmp_path / "model")
    with pytest.raises(ModelError, match="computed differently"):
        predict_files(load_model(folder), ["a.wav"])
