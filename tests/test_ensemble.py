"""Ensembles: averaged probabilities as a model folder, and as an evaluation of members."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import one_error_line, run, train_model
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.models import load_model
from voxemo.recognizer import Recognizer


def test_an_ensemble_model_averages_its_members(fake_ravdess, tmp_path, capsys):
    first = train_model(fake_ravdess, tmp_path / "a", "spectral")
    second = train_model(fake_ravdess, tmp_path / "b", "seed")
    code, _, err = run(
        ["ensemble", first, second, "--weights", "1", "3", "--out", tmp_path / "both"], capsys
    )
    assert code == 0, err
    clip = str(next(fake_ravdess.rglob("*.wav")))
    expected = {}
    for path, weight in ((first, 1), (second, 3)):
        for label, p in Recognizer(path).predict(clip).probabilities.items():
            expected[label] = expected.get(label, 0) + weight * p / 4
    got = Recognizer(tmp_path / "both").predict(clip).probabilities
    assert got == pytest.approx(expected, abs=1e-6)
    code, out, _ = run(["predict", "--model", tmp_path / "both", clip], capsys)
    assert code == 0 and max(got, key=got.get) in out
    assert load_model(tmp_path / "both").card["member_models"] == ["logreg", "logreg"]
    card_text = (tmp_path / "both" / "MODEL_CARD.md").read_text()
    assert "`logreg` on `seed`, weight 3.0" in card_text and "CC BY-NC-SA 4.0" in card_text


def _evaluation(probabilities: list[list[float]], labels=("angry", "calm")) -> dict:
    truth = ["angry", "calm", "angry", "calm"]
    predictions = [
        {
            "path": f"f{i}",
            "speaker": str(i % 2),
            "label": truth[i],
            "fold": f"fold {i // 2 + 1}",
            "predicted": labels[int(np.argmax(row))],
            "probabilities": dict(zip(labels, row, strict=True)),
        }
        for i, row in enumerate(probabilities)
    ]
    folds = [
        {"fold": f"fold {k}", "test_speakers": ["0", "1"], "n_train": 2, "n_test": 2}
        for k in (1, 2)
    ]
    return {
        "predictions": predictions,
        "labels": list(labels),
        "track": "utterance-level",
        "folds": folds,
        "config": {"protocol": "loso", "model": "m", "features": "f"},
    }


def accuracy(result: dict) -> float:
    return float(np.mean([p["label"] == p["predicted"] for p in result["predictions"]]))


def test_an_ensemble_evaluation_can_beat_both_members(tmp_path, capsys):
    # Each member is confidently wrong on one file the other gets right.
    a = _evaluation([[0.9, 0.1], [0.05, 0.95], [0.45, 0.55], [0.3, 0.7]])
    b = _evaluation([[0.6, 0.4], [0.9, 0.1], [0.9, 0.1], [0.45, 0.55]])
    assert accuracy(a) == accuracy(b) == 0.75
    combined = ensemble_evaluation([a, b], "loso")
    assert combined["accuracy"] == 1.0
    paths = []
    for name, result in (("a", a), ("b", b)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(result))
    code, _, err = run(["ensemble", *paths, "--json", tmp_path / "e.json"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "e.json").read_text())["accuracy"] == 1.0


def test_an_ensemble_needs_two_models(fake_ravdess, tmp_path, capsys):
    only = train_model(fake_ravdess, tmp_path / "a", "spectral")
    code, _, err = run(["ensemble", only, "--out", tmp_path / "e"], capsys)
    assert code == 1 and "two or more" in one_error_line(err)


def test_temperature_scaling_fixes_underconfident_probabilities():
    from voxemo.evaluation.calibration import calibrate
    from voxemo.evaluation.metrics import calibration_error
    from voxemo.models.ensemble import apply_temperature

    rng = np.random.default_rng(0)
    labels = ["a", "b", "c"]
    predictions = []
    for i in range(600):  # right 90% of the time, but only ~50% sure
        truth = labels[i % 3]
        guess = truth if rng.random() < 0.9 else labels[(i + 1) % 3]
        probs = {k: 0.5 if k == guess else 0.25 for k in labels}
        predictions.append(
            {"label": truth, "predicted": guess, "probabilities": probs, "fold": f"fold {i % 4}"}
        )
    result = {"labels": labels, "predictions": predictions}
    temperature, error = calibrate(result)
    assert temperature < 1 and error < calibration_error(predictions) / 3
    scaled = apply_temperature(np.array([[0.5, 0.25, 0.25]]), temperature)
    assert scaled.argmax() == 0 and scaled[0, 0] == pytest.approx(0.9, abs=0.05)


@pytest.mark.parametrize(
    ("model", "card_file", "edit", "message"),
    [
        ("default", "card.json", {"weights": [1.0, "x"]}, "'weights' must be positive numbers"),
        ("default", "card.json", {"weights": [1.0]}, "'weights' must be a list of 2 weights"),
        ("default", "card.json", {"temperature": -1}, "'temperature' must be a positive number"),
        ("default", "card.json", {"members": ["../../elsewhere", "."]}, "is not a folder inside"),
        ("default", "card.json", {"members": [".", "bundled:fast"]}, "member '.' is not a folder"),
        ("default", "card.json", {"members": ["/tmp", "bundled:fast"]}, "member '/tmp' is not"),
        ("default", "card.json", {"members": ["bundled:../fast", "x"]}, "not a model bundled"),
        ("default", "card.json", {"members": ["bundled:nothing", "x"]}, "not a model bundled"),
        ("default", "card.json", {"members": ["bundled:default", "x"]}, "is an ensemble"),
        ("fast", "card.json", {"labels": [1.5, "sad"]}, "'labels' must be a list of"),
        ("fast", "card.json", {"frontend": {"sample_rate": 1e308}}, "frontend.sample_rate"),
        (
            "default",
            "{own}/card.json",  # the member stored inside it
            {"sample_rates": "16k"},
            "'sample_rates'",
        ),
        (
            "default",
            "{own}/card.json",  # the member stored inside it
            {"feature_keys": None},
            "'feature_keys'",
        ),
    ],
)
def test_an_edited_card_field_is_refused_on_load_naming_it(
    tmp_path, model, card_file, edit, message
):
    import shutil

    from voxemo.errors import ModelError
    from voxemo.models.catalog import resolve_model

    folder = tmp_path / model
    shutil.copytree(resolve_model(model), folder)
    members = json.loads((folder / "card.json").read_text()).get("members", [])
    card_file = card_file.format(own=next((m for m in members if "bundled:" not in m), ""))
    card = json.loads((folder / card_file).read_text())
    (folder / card_file).write_text(json.dumps(card | edit))
    with pytest.raises(ModelError, match=message) as error:
        load_model(folder)
    assert str(folder / "card.json") in str(error.value) or str(folder / card_file) in str(
        error.value
    )


def test_a_member_that_is_a_bundled_model_is_stored_once(fake_ravdess, tmp_path, capsys):
    import shutil

    from voxemo.models.card_sections import add_sections
    from voxemo.models.catalog import BUNDLED_DIR
    from voxemo.models.ensemble import share_bundled_members

    mine = train_model(fake_ravdess, tmp_path / "mine", "spectral")
    code, _, err = run(["ensemble", "fast", mine, "--out", tmp_path / "both"], capsys)
    assert code == 0, err
    clip = str(next(fake_ravdess.rglob("*.wav")))
    before = Recognizer(tmp_path / "both").predict(clip)
    # The bundled single model's card may carry measured sections its copy lacks.
    bundled = tmp_path / "bundled"
    shutil.copytree(BUNDLED_DIR / "fast", bundled / "fast")
    section = {"source": "test", "labels": ["sad"], "rows": []}
    add_sections(bundled / "fast", {"robustness": section, "cross_corpus": section})
    shutil.copytree(mine, bundled / "mine-retrained")
    (bundled / "mine-retrained" / "model.onnx").write_bytes(b"another graph")
    assert share_bundled_members(tmp_path / "both", bundled) == ["fast"]
    assert share_bundled_members(tmp_path / "both", bundled) == []
    card = json.loads((tmp_path / "both" / "card.json").read_text())
    assert card["members"][0] == "bundled:fast"
    assert [p.name for p in (tmp_path / "both" / "members").iterdir()] == [
        card["members"][1].split("/")[-1]
    ]
    assert Recognizer(tmp_path / "both").predict(clip) == before


def test_ensemble_scores_must_evaluate_the_same_members_and_weights(fake_ravdess, tmp_path, capsys):
    folders, evaluations = [], []
    for features in ("spectral", "seed"):
        folders.append(train_model(fake_ravdess, tmp_path / features, features))
        evaluations.append(tmp_path / f"{features}.json")
        args = ["evaluate", "--corpus", f"ravdess={fake_ravdess}", "--features", features]
        args += ["--model", "logreg", "--no-tune", "--protocol", "loso", "--jobs", "1"]
        assert run([*args, "--json", evaluations[-1]], capsys)[0] == 0
    scores = tmp_path / "ensemble.json"
    assert run(["ensemble", *evaluations, "--json", scores], capsys)[0] == 0
    code, _, err = run(["ensemble", *folders, "--scores", scores, "--out", tmp_path / "a"], capsys)
    assert code == 0, err
    assert load_model(tmp_path / "a").card["scores"]["loso"]["folds"] == 4
    reseeded = tmp_path / "spectral-seed-7"
    args = ["train", "--corpus", f"ravdess={fake_ravdess}", "--features", "spectral"]
    args += ["--model", "logreg", "--no-tune", "--seed", "7", "--jobs", "1", "--out", reseeded]
    assert run(args, capsys)[0] == 0
    for order, weights in (
        (folders[::-1], []),
        (folders, ["--weights", "1", "2"]),
        ([reseeded, folders[1]], []),
    ):
        code, _, err = run(
            ["ensemble", *order, *weights, "--scores", scores, "--out", tmp_path / "b"], capsys
        )
        assert code == 1 and "would not describe this ensemble" in one_error_line(err)
    assert "'seed': 7" in err
