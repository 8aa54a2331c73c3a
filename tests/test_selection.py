"""Model selection never sees test speakers; the speaker-adapted track is labelled as such."""

from typing import ClassVar

import numpy as np
import pytest

from conftest import separable
from voxemo.errors import CorpusError
from voxemo.evaluation import evaluate
from voxemo.evaluation.run import SPEAKER_ADAPTED, UTTERANCE_LEVEL
from voxemo.features.normalization import (
    RunningVoiceNormalizer,
    center_probabilities_per_group,
    normalize_per_group,
    voice_statistics,
)
from voxemo.models import selection


class RecordingFolds(selection.GroupKFold):
    """GroupKFold that remembers which speakers each search split."""

    seen: ClassVar[list[set[str]]] = []

    def split(self, X, y=None, groups=None):
        RecordingFolds.seen.append(set(groups))
        return super().split(X, y, groups)


@pytest.mark.parametrize("kind", ["logreg", "svm-linear"])
def test_inner_search_only_sees_training_speakers(monkeypatch, kind):
    monkeypatch.setattr(selection, "GroupKFold", RecordingFolds)
    RecordingFolds.seen = []
    data = separable()
    result = evaluate(data, model_kind=kind, protocol="loso", jobs=1, tune=True)
    assert len(RecordingFolds.seen) == len(result["folds"]) == 6
    for seen, fold in zip(RecordingFolds.seen, result["folds"], strict=True):
        assert seen and not seen & set(fold["test_speakers"])
        assert seen | set(fold["test_speakers"]) == set(data.table["speaker"])
        assert set(fold["chosen_params"]) == {"C"} and fold["inner_uar"] is not None


def test_no_tune_uses_the_defaults(monkeypatch):
    monkeypatch.setattr(selection, "GroupKFold", RecordingFolds)
    RecordingFolds.seen = []
    result = evaluate(separable(), model_kind="logreg", protocol="loso", jobs=1, tune=False)
    assert RecordingFolds.seen == []
    assert all(fold["chosen_params"] == {} for fold in result["folds"])


@pytest.mark.parametrize("masked", [False, True])
def test_the_regularization_path_chooses_and_fits_as_a_grid_search_does(masked):
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    from voxemo.models.label_sets import restrict_probabilities
    from voxemo.models.registry import build_model

    rng = np.random.default_rng(5)
    data = separable(n_per_class=40, n_features=30, seed=5)
    x = data.features + rng.normal(0.0, 2.0, data.features.shape).astype(np.float32)
    y = data.table["label"].to_numpy()
    speakers = data.table["speaker"].to_numpy()
    model = build_model("logreg").set_params(classifier__class_weight=None, classifier__tol=1e-8)
    values = [0.001, 0.01, 0.1, 1.0]
    fit_params, row_sets = {}, None
    if masked:  # speakers 0-2 come from a corpus without "calm"
        keep = ~np.isin(speakers, ["0", "1", "2"]) | (y != "calm")
        x, y, speakers = x[keep], y[keep], speakers[keep]
        every = frozenset(y)
        row_sets = np.array(
            [every - {"calm"} if s in "012" else every for s in speakers], dtype=object
        )
        fit_params = {"classifier__label_sets": row_sets}
    # The reference: every value fitted from zero on every inner fold, scored as evaluations
    # score (each file among its corpus's emotions).
    splits = list(selection.GroupKFold(3).split(x, y, speakers))
    means = []
    for value in values:
        scores = []
        for train, test in splits:
            params = {k: v[train] for k, v in fit_params.items()}
            fitted = clone(model).set_params(classifier__C=value).fit(x[train], y[train], **params)
            probabilities = fitted.predict_proba(x[test])
            if masked:
                probabilities = restrict_probabilities(
                    probabilities, fitted.classes_, row_sets[test]
                )
            scores.append(
                balanced_accuracy_score(y[test], fitted.classes_[probabilities.argmax(1)])
            )
        means.append(np.mean(scores))
    best = values[int(np.argmax(means))]
    reference = clone(model).set_params(classifier__C=best).fit(x, y, **fit_params)
    path = selection.RegularizationPath(model, values, selection.GroupKFold(3))
    path.fit(x, y, groups=speakers, **fit_params)
    assert path.best_params_ == {"classifier__C": best}
    assert path.best_score_ == pytest.approx(max(means), abs=1e-9)
    np.testing.assert_allclose(
        path.best_estimator_.predict_proba(x), reference.predict_proba(x), atol=1e-3
    )
    assert path.best_estimator_[-1].warm_start is False


def test_speaker_norm_removes_speaker_offsets_and_is_labelled_as_its_own_track():
    data = separable(n_per_class=36, seed=3)
    rng = np.random.default_rng(3)
    offsets = {s: rng.normal(0.0, 6.0, data.features.shape[1]) for s in set(data.table["speaker"])}
    data.features = data.features + np.stack([offsets[s] for s in data.table["speaker"]])
    plain = evaluate(data, model_kind="logreg", protocol="loso", tune=False)
    adapted = evaluate(data, model_kind="logreg", protocol="loso", tune=False, speaker_norm=True)
    assert plain["track"] == UTTERANCE_LEVEL and adapted["track"] == SPEAKER_ADAPTED
    assert adapted["accuracy"] > plain["accuracy"] + 0.2


def test_speaker_norm_z_scores_each_speaker():
    rng = np.random.default_rng(0)
    features = rng.normal(5.0, 3.0, (40, 4))
    speakers = np.repeat(["a", "b"], 20)
    features[speakers == "b"] += 100.0
    normalized = normalize_per_group(features, speakers)
    for speaker in ("a", "b"):
        rows = normalized[speakers == speaker]
        np.testing.assert_allclose(rows.mean(axis=0), 0.0, atol=1e-5)
        np.testing.assert_allclose(rows.std(axis=0), 1.0, atol=1e-5)


def test_centring_probabilities_removes_a_speakers_bias_toward_one_class():
    rng = np.random.default_rng(2)
    truth = np.tile([0, 1, 2], 10)
    logits = 2.0 * np.eye(3)[truth] + rng.normal(0.0, 0.3, (30, 3))
    speakers = np.repeat(["a", "b"], 15)
    logits[speakers == "b", 0] += 4.0  # speaker b sounds "class 0" whatever the emotion
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    centred = center_probabilities_per_group(probabilities, speakers)
    np.testing.assert_allclose(centred.sum(axis=1), 1.0, rtol=1e-6)
    for speaker in ("a", "b"):
        rows = speakers == speaker
        assert np.ptp(np.log(centred[rows]).mean(axis=0)) < 1e-5
    assert (probabilities.argmax(axis=1) == truth).mean() < 0.7
    assert (centred.argmax(axis=1) == truth).mean() > 0.9


def test_constant_feature_is_centred_not_divided_by_zero():
    features = np.ones((5, 2))
    assert np.isfinite(normalize_per_group(features, np.array(["a"] * 5))).all()


def test_running_normalizer_without_a_prior_converges_to_the_batch_one():
    rng = np.random.default_rng(1)
    features = rng.normal(2.0, 4.0, (30, 3))
    speakers = np.array(["a", "b", "c"] * 10)
    unseen = RunningVoiceNormalizer().transform(features[0])
    np.testing.assert_allclose(unseen, features[0], rtol=1e-6)
    expected = normalize_per_group(features, speakers)
    for speaker in "abc":
        voice = RunningVoiceNormalizer()
        rows = np.flatnonzero(speakers == speaker)
        for row in rows:
            voice.update(features[row])
        for row in rows:
            np.testing.assert_allclose(voice.transform(features[row]), expected[row], atol=1e-5)


def test_running_normalizer_starts_at_the_typical_voice_and_moves_to_this_one():
    rng = np.random.default_rng(2)
    speakers = np.repeat(["a", "b", "c", "d"], 20)
    offsets = np.repeat(rng.normal(0, 5, (4, 3)), 20, axis=0)
    features = offsets + rng.normal(0, 1, (80, 3))
    mean, std = voice_statistics(features, speakers)
    np.testing.assert_allclose(mean, features.mean(axis=0), atol=1e-9)
    assert (std < features.std(axis=0)).all()  # one voice varies less than the population
    voice = RunningVoiceNormalizer((mean, std), prior_windows=5)
    new_voice = mean + np.array([3.0, -3.0, 2.0]) + rng.normal(0, 1, (200, 3))
    voice.update(new_voice[0])
    first = voice.transform(new_voice[0])
    assert np.abs(first).max() > 1.5  # still judged against the typical voice
    for row in new_voice[1:]:
        voice.update(row)
    settled = np.stack([voice.transform(row) for row in new_voice])
    np.testing.assert_allclose(settled.mean(axis=0), 0.0, atol=0.1)
    np.testing.assert_allclose(settled.std(axis=0), 1.0, atol=0.1)


def test_speaker_norm_needs_speakers():
    data = separable()
    data.table["speaker"] = None
    with pytest.raises(CorpusError, match="needs a speaker"):
        evaluate(data, model_kind="logreg", protocol="seed", speaker_norm=True)


def test_with_two_corpora_the_inner_folds_choose_how_classes_are_weighted():
    from voxemo.models import fit_model

    rng = np.random.default_rng(1)
    centres = {"angry": (3.0, 0.0), "sad": (0.0, 3.0), "calm": (-3.0, -3.0)}
    # A small corpus whose angry and sad sit where the large corpus has them swapped: giving
    # it the large one's weight (class_weights "corpora") costs the large one's files.
    rows = []
    for corpus, files, swap in (("small", 60, True), ("large", 600, False)):
        for i in range(files):
            label = ("angry", "sad", "calm")[i % 3]
            place = {"angry": "sad", "sad": "angry"}.get(label, label) if swap else label
            speaker = f"{corpus}{i // 3 % 6}"
            rows.append((corpus, speaker, label, rng.normal(centres[place], 1.0)))
    corpora, speakers, y, x = (np.array(column) for column in zip(*rows, strict=True))
    fitted = fit_model("logreg", x, y, speakers, corpora=corpora)
    assert fitted.chosen_params["class_weights"] == "files"
    assert fitted.model.predict([centres["angry"]])[0] == "angry"
    single = fit_model("logreg", x, y, speakers)
    assert set(single.chosen_params) == {"C"}


def test_the_path_fits_where_an_inner_fold_lacks_a_class():
    from voxemo.models import fit_model

    data = separable(n_per_class=12, seed=4)
    y = data.table["label"].to_numpy()
    speakers = np.array([str(i % 6) for i in range(len(y))])
    speakers[y == "calm"] = "0"  # the inner fold that tests speaker 0 trains without calm
    fitted = fit_model("logreg", data.features, y, speakers)
    assert list(fitted.model.classes_) == ["angry", "calm", "sad"]
    assert (fitted.model.predict(data.features) == y).mean() > 0.9


def test_with_several_corpora_each_corpus_counts_the_same_in_an_inner_score():
    from voxemo.models.registry import build_model

    corpora = np.array(["small"] * 4 + ["large"] * 40)
    truth = np.array(["sad", "angry"] * 22)
    predicted = truth.copy()
    predicted[:4] = "calm"  # every file of the small corpus wrong, every large one right
    search = selection.RegularizationPath(build_model("logreg"), [1.0], None, {}, corpora)
    assert search._score(truth, predicted, np.arange(44)) == pytest.approx(0.5)
    assert selection.balanced_accuracy_score(truth, predicted) > 0.85


def test_a_model_card_takes_no_scores_of_another_weighting_of_several_corpora():
    from voxemo.evaluation.recipe import recipe_differences

    recipe = {
        "corpus": ["ravdess=/r", "crema-d=/c"],
        "tuning": {"class_weights_with_several_corpora": {"corpora": "new"}},
    }
    older = recipe | {"tuning": {"class_weights_with_several_corpora": {"corpora": "old"}}}
    assert recipe_differences(older, recipe) == ["weighting of several corpora"]
    assert recipe_differences(recipe, recipe) == []
    one = {"corpus": ["crema-d=/c"]}  # one corpus: its weighting across corpora never applied
    assert recipe_differences(older | one, recipe | one) == []
