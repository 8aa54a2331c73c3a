import json

import numpy as np
import pytest

from conftest import separable
from voxemo.errors import ModelError, VoxemoError
from voxemo.features import parse_feature_spec
from voxemo.features.dataset import FeatureTable
from voxemo.models import MODEL_KINDS, build_model, fit_model, load_model, save_model
from voxemo.models.card import model_card
from voxemo.recognizer import predict_files


def fit(data: FeatureTable, kind: str, tune: bool = False, select: int | None = None):
    labels = data.table["label"].to_numpy()
    speakers = data.table["speaker"].to_numpy()
    return fit_model(kind, data.features, labels, speakers, seed=0, tune=tune, select=select)


def card_for(data: FeatureTable, fitted, kind: str) -> dict:
    return model_card(
        data,
        fitted,
        features="seed",
        feature_sets=parse_feature_spec("seed"),
        model_kind=kind,
        seed=0,
    )


EXPORTABLE = [kind for kind, spec in MODEL_KINDS.items() if spec.exportable]


@pytest.mark.parametrize("kind", EXPORTABLE)
def test_saved_model_gives_the_fitted_models_probabilities(tmp_path, kind):
    data = separable(n_features=180)  # the size of the seed set its card names
    fitted = fit(data, kind)
    folder = save_model(fitted.model, card_for(data, fitted, kind), tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["MODEL_CARD.md", "card.json", "model.onnx"]
    assert f"`{kind}`" in (folder / "MODEL_CARD.md").read_text()
    loaded = load_model(folder)
    assert loaded.labels == list(fitted.model.classes_)
    expected = fitted.model.predict_proba(data.features)
    got = loaded.predict_proba(data.features)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


@pytest.mark.parametrize("kind", list(MODEL_KINDS))
def test_every_kind_learns_a_separable_problem(kind):
    data = separable()
    fitted = fit(data, kind)
    assert (fitted.model.predict(data.features) == data.table["label"]).mean() > 0.9


def test_feature_selection_keeps_k_features_and_exports(tmp_path):
    data = separable(n_features=180)
    fitted = fit(data, "logreg", select=5)
    assert fitted.model.named_steps["select"].get_support().sum() == 5
    assert fit(data, "logreg", select=500).model.named_steps["select"].k == 180
    folder = save_model(fitted.model, card_for(data, fitted, "logreg"), tmp_path / "m")
    np.testing.assert_allclose(
        load_model(folder).predict_proba(data.features),
        fitted.model.predict_proba(data.features),
        atol=1e-5,
    )


def test_tuning_searches_the_documented_space_by_speaker():
    data = separable()
    fitted = fit(data, "logreg", tune=True)
    assert set(fitted.chosen_params) == {"C"}
    assert fitted.chosen_params["C"] in MODEL_KINDS["logreg"].search_space["classifier__C"]
    assert 0.0 <= fitted.inner_uar <= 1.0
    assert fit(data, "seed-mlp", tune=True).chosen_params == {}  # reproduced as published


def test_model_seed_makes_training_reproducible():
    data = separable()
    a = build_model("seed-mlp", 7).fit(data.features, data.table["label"])
    b = build_model("seed-mlp", 7).fit(data.features, data.table["label"])
    np.testing.assert_array_equal(a.predict_proba(data.features), b.predict_proba(data.features))


def test_unknown_model_kind():
    with pytest.raises(VoxemoError, match="unknown model kind"):
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
    card = {"format": "voxemo-model/1", "labels": ["sad"], "frontend": {"sample_rate": 16000}}
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    (tmp_path / "m" / "model.onnx").write_bytes(b"\x80\x04garbage")
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        load_model(tmp_path / "m")


def test_model_with_other_feature_settings_is_refused(tmp_path):
    data = separable(n_features=180)
    fitted = fit(data, "logreg")
    card = card_for(data, fitted, "logreg") | {"feature_keys": ["0000000000000000"]}
    folder = save_model(fitted.model, card, tmp_path / "model")
    with pytest.raises(ModelError, match="computed differently"):
        predict_files(load_model(folder), ["a.wav"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda card: card.update(labels=card["labels"][:1]), "lists 1 labels but the graph"),
        (lambda card: card.update(n_features=card["n_features"] - 1), "features but the graph"),
        (lambda card: card.update(features="seed+spectral"), "give 978 features"),
    ],
)
def test_a_card_that_does_not_match_its_graph_is_refused_on_load(
    fake_ravdess, tmp_path, edit, message
):
    from conftest import train_model

    folder = train_model(fake_ravdess, tmp_path / "m", "seed")
    card = json.loads((folder / "card.json").read_text())
    edit(card)
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=message):
        load_model(folder)
