import numpy as np
import pytest

from conftest import separable
from voxemo.evaluation import LEAK_WARNING, evaluate


def test_loso_evaluation_reports_every_score_and_never_trains_on_test_speakers():
    data = separable()
    result = evaluate(data, model_kind="logreg", protocol="loso", seed=0)
    assert len(result["folds"]) == 6
    for fold in result["folds"]:
        assert fold["n_train"] + fold["n_test"] == len(data.table)
        assert 0.0 <= fold["accuracy"] <= 1.0
    tested = [p["speaker"] for p in result["predictions"]]
    assert sorted(tested) == sorted(data.table["speaker"])
    for prediction in result["predictions"]:
        assert prediction["fold"] == f"speaker {prediction['speaker']}"
    matrix = np.array(result["confusion_matrix"])
    assert matrix.sum() == len(data.table) and matrix.shape == (3, 3)
    correct = sum(p["label"] == p["predicted"] for p in result["predictions"])
    assert result["pooled"]["accuracy"] == correct / len(data.table)
    fold_accuracies = [fold["accuracy"] for fold in result["folds"]]
    assert result["accuracy"] == np.mean(fold_accuracies)
    assert result["accuracy_std"] == np.std(fold_accuracies)
    assert result["speaker_independent"] and "warning" not in result
    assert set(result["per_class"]) == {"angry", "calm", "sad"}


def test_seed_protocol_adds_speaker_inputs_and_warns():
    result = evaluate(separable(), model_kind="logreg", protocol="seed", seed=0)
    assert result["warning"] == LEAK_WARNING and not result["speaker_independent"]
    assert len(result["folds"]) == 1 and result["folds"][0]["n_test"] == 18


def test_parallel_folds_give_the_same_result():
    data = separable()
    serial = evaluate(data, model_kind="seed-mlp", protocol="loso", seed=1, jobs=1)
    parallel = evaluate(data, model_kind="seed-mlp", protocol="loso", seed=1, jobs=2)
    assert serial["predictions"] == parallel["predictions"]


def test_calibration_error_is_zero_only_when_confidence_matches_accuracy():
    from voxemo.evaluation.metrics import calibration_error

    def rows(confidence, right):
        return [
            {
                "label": "a",
                "predicted": "a" if ok else "b",
                "probabilities": {"a": c, "b": 1 - c} if ok else {"a": 1 - c, "b": c},
            }
            for c, ok in zip(confidence, right, strict=True)
        ]

    honest = rows([0.75] * 4, [True, True, True, False])
    assert calibration_error(honest) == pytest.approx(0.0)
    overconfident = rows([0.95] * 4, [True, False, True, False])
    assert calibration_error(overconfident) == pytest.approx(0.45)


def test_evaluation_digest_follows_data_and_settings_but_not_the_commit(monkeypatch):
    from voxemo.evaluation import evaluation_config, evaluation_digest
    from voxemo.evaluation import run as evaluation_run

    data = separable()

    def config(**changes):
        options = {"features": "x", "feature_configs": [], "model": "logreg", "seed": 0}
        options["protocol"] = "loso"
        return evaluation_config(data, corpus_specs=["csv"], **options | changes)

    digest = evaluation_digest(config(), data)
    assert evaluation_digest(config(), data) == digest
    monkeypatch.setattr(evaluation_run, "provenance", lambda: {"git_commit": "0" * 40})
    assert evaluation_digest(config(), data) == digest
    assert evaluation_digest(config(seed=1), data) != digest
    assert evaluation_digest(config(), data, separable(seed=1)) != digest
    changed = separable()
    changed.features[0, 0] += 1e-6
    assert evaluation_digest(config(), changed) != digest
    for column, value in (("speaker", "7"), ("gender", "male")):
        relabelled = separable()
        relabelled.table.loc[0, column] = value
        assert evaluation_digest(config(), relabelled) != digest
    emobox = evaluation_digest(config(protocol="emobox"), data)
    monkeypatch.setattr("voxemo.corpora.ravdess.EMOBOX_FOLDS", [[1, 2], [3, 4]])
    assert evaluation_digest(config(protocol="emobox"), data) != emobox  # other built-in folds


def test_feature_folds_resume_from_checkpoints_only_with_the_same_inputs(tmp_path, monkeypatch):
    from voxemo.evaluation import run as evaluation_run

    data = separable()
    fresh = evaluate(data, model_kind="logreg", protocol="loso", seed=0, checkpoints=tmp_path)
    saved = sorted(tmp_path.glob("fold-*.json"))
    assert len(saved) == 6
    fit_fold = evaluation_run._fit_fold
    fitted = []

    def counted(*args, **kwargs):
        fitted.append(1)
        return fit_fold(*args, **kwargs)

    monkeypatch.setattr(evaluation_run, "_fit_fold", counted)
    again = evaluate(data, model_kind="logreg", protocol="loso", seed=0, checkpoints=tmp_path)
    assert again == fresh and not fitted  # every fold read back, the same evaluation
    saved[0].unlink()
    saved[1].write_text("{")  # cut short by an interruption
    resumed = evaluate(data, model_kind="logreg", protocol="loso", seed=0, checkpoints=tmp_path)
    assert len(fitted) == 2
    assert resumed["predictions"] == fresh["predictions"]
    evaluate(separable(seed=1), model_kind="logreg", protocol="loso", seed=0, checkpoints=tmp_path)
    assert len(fitted) == 8  # other inputs: every fold fitted
