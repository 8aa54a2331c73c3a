"""The robustness benchmark tests networks fold by fold, each fold clean and under every
condition, and its merged evaluation is the one of all folds at once."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import benchmark_module, separable
from voxemo.evaluation import evaluate
from voxemo.features.dataset import WaveTable

FOLDS = {"csv": [["0", "1"], ["2", "3"], ["4", "5"]]}


@pytest.fixture
def robustness():
    return benchmark_module("robustness")


def test_networks_go_fold_by_fold_and_merge_into_the_evaluation_of_all_folds(
    robustness, monkeypatch, tmp_path
):
    features = separable()
    rng = np.random.default_rng(0)
    waves = [rng.uniform(-0.5, 0.5, 800).astype(np.float32) for _ in range(len(features.table))]
    clean = WaveTable(features.table, waves, 16000, features.labels, [])
    (tmp_path / "crnn-fold-2.pt").touch()  # fold 2's network is on this machine
    calls = []

    def fold_alone(data, *, folds, also_test, **options):
        """Stands in for a network: logistic regression on the files' features, checking
        that only the fold's test files are degraded."""
        (tested,) = [i for i, lists in enumerate(folds["csv"]) if lists]
        calls.append(tested + 1)
        for version in also_test.values():
            changed = [
                i
                for i, (a, b) in enumerate(zip(data.waves, version.waves, strict=True))
                if a is not b
            ]
            test = data.table["speaker"].isin(folds["csv"][tested]).to_numpy().nonzero()[0]
            assert changed == test.tolist()
            assert np.allclose(version.waves[test[0]], data.waves[test[0]] * 0.1, atol=1e-6)
        versions = dict.fromkeys(also_test, features)
        return evaluate(
            features,
            model_kind="logreg",
            protocol="folds",
            folds=folds,
            tune=False,
            also_test=versions,
        )

    monkeypatch.setattr(robustness, "evaluate", fold_alone)
    out = robustness.fold_by_fold(
        clean,
        ["gain:-20"],
        protocol="folds",
        folds=FOLDS,
        checkpoints=tmp_path,
        model_kind="crnn",
    )
    assert calls == [2, 1, 3]  # the fold whose checkpoint is here first, then in order
    whole = evaluate(features, model_kind="logreg", protocol="folds", folds=FOLDS, tune=False)
    for condition in ("clean", "gain:-20"):
        assert [row["fold"] for row in out[condition]["folds"]] == ["fold 1", "fold 2", "fold 3"]
        for key in ("accuracy", "uar", "uar_std", "confusion_matrix"):
            assert out[condition][key] == whole[key]
