"""Several corpora together: fold protocols of any corpus, one label set across corpora,
classes balanced within each corpus, and per-corpus scores."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import make_crema_d, make_ravdess, one_error_line, run
from voxemo.corpora import combine_corpora, cross_corpora, read_corpus
from voxemo.corpora.acted import CREMA5_FOLDS
from voxemo.errors import CorpusError, VoxemoError
from voxemo.evaluation import evaluate, make_folds
from voxemo.evaluation.protocols import read_folds
from voxemo.features.dataset import FeatureTable
from voxemo.models.label_sets import balanced_weights, corpus_label_sets
from voxemo.models.masked import (
    MaskedLogisticRegression,
    PerLabelOneVsRest,
    fit_masked_multinomial,
)


def _table(corpus: str, speakers: list[str], labels: list[str], per_cell: int = 2) -> pd.DataFrame:
    rows = [
        {"path": f"{corpus}/{s}-{label}-{i}.wav", "label": label, "speaker": s, "corpus": corpus}
        for s in speakers
        for label in labels
        for i in range(per_cell)
    ]
    return pd.DataFrame(rows).assign(gender="female")


@pytest.fixture
def two_corpora() -> pd.DataFrame:
    """RAVDESS actors 1-24 (with calm) and CREMA-D actors 1001-1091 (without), combined the
    way ``combine_corpora`` prefixes their speakers."""
    ravdess = _table("ravdess", [f"{a:02d}" for a in range(1, 25)], ["neutral", "calm", "sad"])
    crema = _table("crema-d", [str(a) for a in range(1001, 1092)], ["neutral", "sad"], 1)
    table = pd.concat([ravdess, crema], ignore_index=True)
    table["speaker"] = table["corpus"] + ":" + table["speaker"]
    return table


def test_crema5_tests_every_actor_once_with_the_rest_of_crema_d_training():
    table = _table("crema-d", [str(a) for a in range(1001, 1092)], ["sad", "angry"])
    folds = make_folds("crema5", table)
    assert len(folds) == 5 and sum(len(fold.test) for fold in folds) == len(table)
    for fold, actors in zip(folds, CREMA5_FOLDS, strict=True):
        assert set(table["speaker"].iloc[fold.test].astype(int)) == set(actors)
        assert not set(table["speaker"].iloc[fold.train]) & set(fold.test_speakers)
        assert fold.corpus == "crema-d"


def test_with_two_corpora_a_fold_tests_one_corpus_and_trains_on_every_other_speaker(two_corpora):
    table = two_corpora
    emobox = make_folds("emobox", table)
    crema5 = make_folds("crema5", table)
    assert emobox[0].name == "ravdess fold 1" and len(emobox) == 6
    assert len(crema5) == 5
    for fold in emobox + crema5:
        tested = table.iloc[fold.test]
        trained = table.iloc[fold.train]
        assert set(tested["corpus"]) == {fold.corpus}
        assert not set(tested["speaker"]) & set(trained["speaker"])
        # Everything that is not tested trains: the other corpus whole, this one in part.
        assert len(fold.train) + len(fold.test) == len(table)
        assert set(trained["corpus"]) == {"ravdess", "crema-d"}


def test_a_folds_file_covers_several_corpora(tmp_path, two_corpora):
    path = tmp_path / "folds.json"
    path.write_text(json.dumps({"ravdess": [[1, 2], ["03"]], "crema-d": [[1001, 1002]]}))
    definition = read_folds(path)
    assert definition == {"ravdess": [["1", "2"], ["3"]], "crema-d": [["1001", "1002"]]}
    folds = make_folds("folds", two_corpora, definition)
    assert [f.test_speakers for f in folds] == [
        ["ravdess:01", "ravdess:02"],
        ["ravdess:03"],
        ["crema-d:1001", "crema-d:1002"],
    ]
    # The layout of CREMA-D's own folds.json is read too.
    path.write_text(json.dumps({"corpus": "crema-d", "kind": "x", "folds": [[1001], [1002]]}))
    assert read_folds(path) == {"crema-d": [["1001"], ["1002"]]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable JSON folds file"),
        ('{"ravdess": []}', "at least one non-empty fold"),
        ('{"ravdess": [[1, 2], [2, 3]]}', "repeats test speaker"),
    ],
)
def test_a_bad_folds_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "folds.json"
    path.write_text(content)
    with pytest.raises(VoxemoError, match=message):
        read_folds(path)
    with pytest.raises(VoxemoError, match="no such folds file"):
        read_folds(tmp_path / "missing.json")


def test_a_folds_file_must_name_speakers_and_corpora_that_were_read(two_corpora):
    with pytest.raises(CorpusError, match="does not have: 99"):
        make_folds("folds", two_corpora, {"ravdess": [["1"], ["99"]]})
    with pytest.raises(CorpusError, match=r"tess, not among the corpora read.*--corpus"):
        make_folds("folds", two_corpora, {"ravdess": [["1"]], "tess": [["OAF"]]})
    with pytest.raises(VoxemoError, match="no built-in folds for tess"):
        make_folds("folds", two_corpora.assign(corpus="tess"))
    builtin = make_folds("folds", two_corpora)  # EmoBox's and crema5's folds, 11 in all
    assert [f.corpus for f in builtin] == ["ravdess"] * 6 + ["crema-d"] * 5


def test_balanced_weights_balance_the_classes_within_each_corpus(two_corpora):
    # As in RAVDESS, neutral has half the files of each other emotion of its corpus.
    table = two_corpora.drop(two_corpora.index[two_corpora["path"].str.contains("neutral-1")])
    labels, corpora = table["label"].to_numpy(), table["corpus"].to_numpy()
    for share in ("equal", "size"):
        weights = pd.Series(balanced_weights(labels, corpora, corpus_share=share))
        cells = weights.groupby([corpora, labels]).sum()
        for corpus in np.unique(corpora):  # each of a corpus's classes weighs the same in it
            assert np.allclose(cells[corpus], cells[corpus].iloc[0])
        assert np.isclose(weights.mean(), 1.0)
    totals = pd.Series(balanced_weights(labels, corpora)).groupby(corpora).sum()
    assert np.isclose(totals["ravdess"], totals["crema-d"])
    by_size = pd.Series(balanced_weights(labels, corpora, "size")).groupby(corpora).sum()
    files = pd.Series(corpora).value_counts()
    assert np.allclose(by_size / files[by_size.index], by_size.sum() / len(corpora))
    with pytest.raises(ValueError, match="corpus_share"):
        balanced_weights(labels, corpora, "classes")


def test_the_masked_objective_is_scikit_learns_where_every_class_is_allowed():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 6))
    y = rng.integers(0, 3, 200)
    x[:, 0] += y
    w = rng.uniform(0.5, 2.0, 200)
    plain = LogisticRegression(C=0.3, max_iter=5000, tol=1e-10).fit(x, y, sample_weight=w)
    coef, intercept, _ = fit_masked_multinomial(x, y, np.ones((200, 3), bool), w, 0.3, 5000, 1e-10)
    assert np.allclose(plain.coef_, coef, atol=1e-4)
    assert np.allclose(plain.intercept_, intercept, atol=1e-4)


def _conflicting_corpora(n: int = 60):
    """Corpus A has calm (x near +1), sad (-1) and angry (+3); corpus B has no calm, and its
    many sad files sit where A's calm ones do."""
    rng = np.random.default_rng(0)
    a_x = np.r_[rng.normal(1, 0.3, n), rng.normal(-1, 0.3, n), rng.normal(3, 0.3, n)]
    a_y = ["calm"] * n + ["sad"] * n + ["angry"] * n
    b_x = np.r_[rng.normal(1, 0.3, 4 * n), rng.normal(3, 0.3, 4 * n)]
    b_y = ["sad"] * (4 * n) + ["angry"] * (4 * n)
    x = np.r_[a_x, b_x]
    x = np.column_stack([x, (x - 1) ** 2])  # calm's region is separable from both sides
    y = np.array(a_y + b_y)
    corpora = np.array(["a"] * len(a_y) + ["b"] * len(b_y))
    return x, y, corpora


@pytest.mark.parametrize("plain_kind", ["logistic", "one-vs-rest"])
def test_files_of_a_corpus_without_calm_do_not_teach_not_calm(plain_kind):
    from sklearn.linear_model import LogisticRegression

    x, y, corpora = _conflicting_corpora()
    sets = corpus_label_sets(corpora, y)
    row_sets = np.array([sets[c] for c in corpora], dtype=object)
    if plain_kind == "logistic":
        masked = MaskedLogisticRegression(C=1.0, max_iter=2000).fit(x, y, label_sets=row_sets)
        plain = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    else:
        masked = PerLabelOneVsRest(LogisticRegression()).fit(x, y, label_sets=row_sets)
        plain = PerLabelOneVsRest(LogisticRegression()).fit(x, y)
    calm = list(masked.classes_).index("calm")
    at_calm = np.array([[1.0, 0.0]])
    # Trained on both, the plain model hears B's sad files as evidence against calm.
    assert masked.predict_proba(at_calm)[0, calm] > plain.predict_proba(at_calm)[0, calm] + 0.2


def test_evaluating_two_corpora_scores_each_among_its_own_emotions():
    x, y, corpora = _conflicting_corpora(30)
    speakers = [f"{c}:{i % 6}" for i, c in enumerate(corpora)]
    table = pd.DataFrame(
        {"path": [f"{i}.wav" for i in range(len(y))], "label": y, "speaker": speakers}
    ).assign(corpus=corpora, gender="female")
    data = FeatureTable(table, x, ["x", "x2"], ["calm", "sad", "angry"], [])
    definition = {"a": [["0", "1"], ["2", "3"]], "b": [["0", "1", "2"]]}
    result = evaluate(data, model_kind="logreg", protocol="folds", folds=definition, tune=False)
    assert set(result["per_corpus"]) == {"a", "b"}
    assert result["corpus_labels"] == {"a": ["calm", "sad", "angry"], "b": ["sad", "angry"]}
    b_files = [p for p in result["predictions"] if p["corpus"] == "b"]
    assert b_files and all(p["predicted"] != "calm" for p in b_files)
    assert all(p["probabilities"]["calm"] == 0 for p in b_files)
    assert result["per_corpus"]["b"]["labels"] == ["sad", "angry"]
    assert result["per_corpus"]["a"]["folds"] == 2 and result["folds"][2]["corpus"] == "b"


def test_every_feature_vector_kind_trains_on_corpora_with_different_emotions():
    from voxemo.models import fit_model

    x, y, corpora = _conflicting_corpora(20)
    speakers = np.array([f"{c}{i % 4}" for i, c in enumerate(corpora)])
    sets = corpus_label_sets(corpora, y)
    for kind in ("logreg", "svm-linear", "mlp", "hgb"):
        fitted = fit_model(kind, x, y, speakers, corpora=corpora, label_sets=sets, tune=False)
        assert sorted(fitted.model.classes_) == ["angry", "calm", "sad"]
        assert np.allclose(fitted.model.predict_proba(x[:5]).sum(axis=1), 1.0)


@pytest.mark.parametrize("kind", ["svm", "svm-linear", "mlp", "seed-mlp", "lightgbm"])
def test_a_kind_trained_on_corpora_with_different_emotions_saves_as_it_predicts(kind):
    import onnxruntime

    from voxemo.models import fit_model
    from voxemo.models.artifact import export_onnx

    x, y, corpora = _conflicting_corpora(20)
    speakers = np.array([f"{c}{i % 4}" for i, c in enumerate(corpora)])
    sets = corpus_label_sets(corpora, y)
    model = fit_model(kind, x, y, speakers, corpora=corpora, label_sets=sets, tune=False).model
    assert isinstance(model[-1], PerLabelOneVsRest)
    session = onnxruntime.InferenceSession(export_onnx(model, x.shape[1]))
    labels, probabilities = session.run(None, {"X": x.astype(np.float32)})
    assert np.allclose(probabilities, model.predict_proba(x), atol=1e-5)
    assert list(labels) == list(model.predict(x))


def test_a_network_learns_each_file_among_its_corpus_emotions():
    torch = pytest.importorskip("torch")
    from voxemo.models.neural.training import masked_cross_entropy

    logits = torch.randn(6, 4, requires_grad=True)
    targets = torch.tensor([0, 1, 2, 3, 1, 2])
    weights = torch.ones(6)
    reference = torch.nn.functional.cross_entropy(logits, targets, label_smoothing=0.1)
    assert torch.isclose(masked_cross_entropy(logits, targets, weights, None, 0.1), reference)
    allowed = torch.ones(6, 4, dtype=torch.bool)
    allowed[4:, 0] = False  # the last two rows' corpus has no class 0
    masked_cross_entropy(logits, targets, weights, allowed, 0.1).backward()
    assert torch.all(logits.grad[4:, 0] == 0) and torch.all(logits.grad[:4, 0] != 0)


def test_train_network_on_two_corpora_with_different_emotions():
    pytest.importorskip("torch")
    from test_neural import TINY

    from conftest import tone
    from voxemo.models.neural.training import train_network

    waves, labels, corpora, speakers = [], [], [], []
    voices = {"calm": 140.0, "angry": 420.0, "sad": 220.0}
    for i in range(8):
        for corpus, names in (("a", ("calm", "angry", "sad")), ("b", ("angry", "sad"))):
            for label in names:
                waves.append(tone(voices[label] * (1 + 0.02 * (i % 4)), 1.2, noise=0.01, seed=i))
                labels.append(label)
                corpora.append(corpus)
                speakers.append(f"{corpus}{i % 4}")
    sets = corpus_label_sets(corpora, labels)
    trained = train_network(
        waves,
        labels,
        np.array(speakers),
        TINY,
        seed=3,
        threads=1,
        corpora=corpora,
        label_sets=sets,
    )
    assert trained.labels == ["angry", "calm", "sad"]
    assert all(np.isfinite(row["loss"]) for row in trained.history)


def test_train_network_draws_the_clips_of_several_corpora_and_weighs_one_corpus(monkeypatch):
    pytest.importorskip("torch")
    import dataclasses

    from test_neural import TINY

    from conftest import tone
    from voxemo.models.neural import training

    seen = {}
    clips, criterion = training._Clips, training._Criterion

    def record_clips(waves, config, seed, draws=None):
        seen["clips"], seen["draws"] = len(waves), draws
        return clips(waves, config, seed, draws)

    def record_criterion(targets, weights, *args):
        seen["weights"] = weights.numpy()
        return criterion(targets, weights, *args)

    monkeypatch.setattr(training, "_Clips", record_clips)
    monkeypatch.setattr(training, "_Criterion", record_criterion)
    waves, labels, corpora, speakers = [], [], [], []
    for i in range(8):  # corpus a: 8 speakers, calm and sad; corpus b: 4 speakers, sad only
        for corpus, names in (("a", ("calm", "sad", "sad")), ("b", ("sad",))):
            if corpus == "b" and i % 2:
                continue
            for label in names:
                waves.append(tone(140.0 if label == "calm" else 220.0, 1.2, noise=0.01, seed=i))
                labels.append(label)
                corpora.append(corpus)
                speakers.append(f"{corpus}{i}")
    one_epoch = dataclasses.replace(TINY, epochs=1, validation_speakers=0.25)
    sets = corpus_label_sets(corpora, labels)
    training.train_network(
        waves, labels, np.array(speakers), one_epoch, seed=3, threads=1,
        corpora=corpora, label_sets=sets,
    )  # fmt: skip
    draws = seen["draws"]
    assert seen["clips"] == len(draws) < len(waves)  # the training side only
    assert np.isclose(draws.sum(), 1.0) and np.all(seen["weights"] == 1.0)
    train, _ = training.split_validation(np.array(speakers), len(waves), 0.25, 3, corpora)
    shares = pd.Series(draws).groupby(np.array(corpora)[train]).sum()
    assert np.allclose(shares, 0.5)  # corpus b, a quarter of the files, is drawn as often
    one = [i for i, c in enumerate(corpora) if c == "a"]
    training.train_network(
        [waves[i] for i in one], [labels[i] for i in one], np.array(speakers)[one],
        one_epoch, seed=3, threads=1,
    )  # fmt: skip
    assert seen["draws"] is None and len(set(seen["weights"].round(6))) == 2  # calm 1x, sad 2x


def test_a_network_holds_out_speakers_of_every_corpus():
    pytest.importorskip("torch")
    from voxemo.models.neural.training import split_validation

    corpora = np.array(["big"] * 100 + ["small"] * 20)
    speakers = np.array([f"big{i % 50}" for i in range(100)] + [f"small{i % 4}" for i in range(20)])
    for seed in range(20):
        _, validation = split_validation(speakers, 120, 0.15, seed, corpora)
        assert set(corpora[validation]) == {"big", "small"}
        assert len(set(speakers[validation])) == round(0.15 * 50) + 1


def test_a_network_hears_a_small_corpus_as_often_as_a_large_one_under_fresh_crops():
    pytest.importorskip("torch")
    from test_neural import TINY

    from voxemo.models.neural.training import _Clips

    corpora = np.array(["small"] * 10 + ["large"] * 90)
    labels = np.array(["sad", "angry"] * 50)
    weights = balanced_weights(labels, corpora)
    rng = np.random.default_rng(0)
    waves = [rng.standard_normal(TINY.frontend.sample_rate * 4).astype(np.float32)] * 100
    clips = _Clips(waves, TINY, seed=5, draws=weights / weights.sum())
    order = clips.epoch_order(0)
    assert len(order) == 100
    drawn = pd.Series(corpora[order]).value_counts()
    assert 30 < drawn["small"] < 70  # about half, from a tenth of the files
    assert not np.array_equal(order, clips.epoch_order(1))
    twice = pd.Series(order).value_counts().index[0]  # a file drawn more than once
    first, second = np.flatnonzero(order == twice)[:2]
    assert not np.array_equal(clips[(0, first, twice)][0], clips[(0, second, twice)][0])
    once = _Clips(waves, TINY, seed=5)  # one corpus: every file once an epoch
    assert sorted(once.epoch_order(0)) == list(range(100))


def test_cli_evaluates_and_trains_on_two_corpora_with_a_folds_file(tmp_path, capsys):
    ravdess = make_ravdess(tmp_path / "ravdess", actors=(1, 2, 3, 4))
    crema = make_crema_d(tmp_path / "crema-d")
    folds = tmp_path / "folds.json"
    folds.write_text(json.dumps({"ravdess": [[1, 2], [3, 4]], "crema-d": [[1001, 1002]]}))
    corpora = ["--corpus", f"ravdess={ravdess}", "--corpus", f"crema-d={crema}"]
    out = tmp_path / "eval.json"
    common = [*corpora, "--features", "seed", "--model", "logreg", "--no-tune", "--jobs", "1"]
    code, _, err = run(
        ["evaluate", *common, "--protocol", "folds", "--folds", folds, "--json", out], capsys
    )
    assert code == 0, err
    result = json.loads(out.read_text())
    assert [f["fold"] for f in result["folds"]] == [
        "ravdess fold 1",
        "ravdess fold 2",
        "crema-d fold 1",
    ]
    assert result["config"]["folds"]["crema-d"] == [["1001", "1002"]]
    assert result["per_corpus"]["crema-d"]["labels"] == ["neutral", "sad", "angry"]
    assert result["per_corpus"]["ravdess"]["labels"] == ["neutral", "angry"]
    code, _, err = run(["evaluate", *common, "--protocol", "emobox", "--folds", folds], capsys)
    assert code == 1 and "--folds FILE goes with --protocol folds" in one_error_line(err)
    code, _, err = run(["evaluate", *common, "--json", out], capsys)  # the default protocol
    assert code == 0, err
    assert "protocol folds" in err
    assert {f["corpus"] for f in json.loads(out.read_text())["folds"]} == {"ravdess", "crema-d"}
    model = tmp_path / "model"
    code, _, err = run(["train", *common, "--folds", folds, "--out", model], capsys)
    assert code == 1 and "--folds FILE goes with --protocol folds" in one_error_line(err)
    assert not model.exists()
    code, _, err = run(["train", *common, "--out", model], capsys)
    assert code == 0, err
    card = json.loads((model / "card.json").read_text())
    assert card["labels"] == ["angry", "neutral", "sad"]


def test_corpora_read_together_share_no_recording_and_one_readers_no_speaker(tmp_path):
    first = read_corpus(f"ravdess={make_ravdess(tmp_path / 'a', actors=(1, 2))}")
    with pytest.raises(CorpusError, match="recordings are in both") as error:
        combine_corpora([first, read_corpus(f"ravdess={tmp_path / 'a'}")])
    assert str(tmp_path / "a") in str(error.value)
    with pytest.raises(CorpusError, match=r"--train and --test: .* recordings are in both"):
        cross_corpora([first], [first])
    second = read_corpus(f"ravdess={make_ravdess(tmp_path / 'b', actors=(2, 3))}")
    with pytest.raises(CorpusError, match=r"both 'ravdess' corpora .* have speaker 02"):
        combine_corpora([first, second])
    # Two tables of one reader with speakers of their own are one corpus of both.
    other = read_corpus(f"ravdess={make_ravdess(tmp_path / 'c', actors=(3, 4))}")
    combined = combine_corpora([first, other])
    assert combined.table["speaker"].nunique() == 4 and combined.labels == first.labels


def test_combined_corpora_keep_their_own_speaker_ids(tmp_path):
    ravdess = read_corpus(f"ravdess={make_ravdess(tmp_path / 'r', actors=(1, 2))}")
    crema = read_corpus(f"crema-d={make_crema_d(tmp_path / 'c', actors=(1001,))}")
    table = combine_corpora([ravdess, crema]).table
    folds = make_folds("folds", table, {"ravdess": [["1"]], "crema-d": [["1001"]]})
    assert [fold.test_speakers for fold in folds] == [["ravdess:01"], ["crema-d:1001"]]
