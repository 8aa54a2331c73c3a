"""Every model kind behind one estimator interface: ``fit``, ``predict_proba``, ``classes_``.

A feature-vector kind learns from a matrix of features, a network from a list of waveforms;
otherwise cross-validation treats them alike. Both learn multi-corpus data among each
file's own corpus's emotions (``label_sets``) and record how they chose their settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from voxemo.models.label_sets import LabelSets


def training_rows(
    inputs: np.ndarray | Sequence[np.ndarray],
    rows: np.ndarray,
    labels: np.ndarray,
    speakers,
    corpora: np.ndarray,
    extra: np.ndarray | None = None,
) -> tuple:
    """The arguments of an estimator's ``fit`` for the files at ``rows``.

    ``inputs`` is a feature matrix or a list of waveforms; ``extra`` (augmented copies of
    the feature matrix) adds the same rows again beside the clean ones. The search groups by
    speaker where every file has one.

    Examples
    --------
    >>> import pandas as pd
    >>> x = np.arange(8.0).reshape(4, 2)
    >>> taken, y, groups, corpora = training_rows(x, np.array([0, 2]), np.array(list("abab")),
    ...     pd.Series(["s1", "s1", "s2", "s2"]), np.array(["c"] * 4), extra=-x)
    >>> taken.shape, y.tolist(), groups.tolist()
    ((4, 2), ['a', 'a', 'a', 'a'], ['s1', 's2', 's1', 's2'])
    """
    from voxemo.features.dataset import speaker_groups

    if isinstance(inputs, np.ndarray):
        taken = inputs[rows]
        if extra is not None:
            taken, rows = np.vstack([taken, extra[rows]]), np.concatenate([rows, rows])
    else:
        taken = [inputs[i] for i in rows]
    return taken, labels[rows], speaker_groups(speakers.iloc[rows]), corpora[rows]


class FeatureClassifier:
    """A registered feature-vector kind, its hyper-parameters chosen on the training data.

    Parameters
    ----------
    kind : str
        ``logreg``, ``svm``, ``lightgbm``, ... (see ``voxemo.models.MODEL_KINDS``).
    seed : int
        Seeds the model.
    select : int or None
        Keep the ``select`` best features (fitted on the training data).
    tune : bool
        Choose hyper-parameters by speaker-grouped cross-validation over the training data.
    label_sets : dict or None
        Each corpus's emotions, where corpora differ.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = np.array(["calm", "sad"] * 20); x[y == "sad"] += 2
    >>> model = FeatureClassifier("logreg", tune=False).fit(x, y)
    >>> model.classes_, model.predict_proba(x[:1]).shape
    (['calm', 'sad'], (1, 2))
    """

    training_seconds_ = None

    def __init__(
        self,
        kind: str,
        *,
        seed: int = 42,
        select: int | None = None,
        tune: bool = True,
        label_sets: LabelSets | None = None,
    ) -> None:
        self.kind, self.seed, self.select, self.tune = kind, seed, select, tune
        self.label_sets = label_sets

    def fit(
        self,
        features: np.ndarray,
        labels: np.ndarray,
        groups: np.ndarray | None = None,
        corpora: np.ndarray | None = None,
    ) -> FeatureClassifier:
        """Fit on ``features`` (one row per file); ``groups`` (speakers) group the search."""
        from voxemo.models.selection import fit_model

        fitted = fit_model(
            self.kind,
            features,
            labels,
            groups,
            seed=self.seed,
            select=self.select,
            tune=self.tune,
            corpora=corpora,
            label_sets=self.label_sets,
        )
        self.fitted_, self.model_ = fitted, fitted.model
        self.classes_ = [str(label) for label in fitted.model.classes_]
        self.chosen_params_, self.inner_uar_ = fitted.chosen_params, fitted.inner_uar
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """One row of probabilities per file, one column per label of :attr:`classes_`."""
        return self.model_.predict_proba(features)


class NetworkClassifier:
    """A network trained on waveforms, its epoch chosen on held-out training speakers.

    Parameters
    ----------
    config : TrainingConfig
        The architecture and its training settings (``voxemo.models.neural.training_config``).
    seed : int
        Seeds initialization, batches and augmentation.
    label_sets : dict or None
        Each corpus's emotions, where corpora differ.
    checkpoint : Path or None
        A file to resume from and save to after every epoch.
    on_epoch : callable or None
        Called with each epoch's log.
    """

    def __init__(
        self,
        config,
        *,
        seed: int = 42,
        label_sets: LabelSets | None = None,
        checkpoint: Path | None = None,
        on_epoch: Callable | None = None,
    ) -> None:
        self.config, self.seed, self.label_sets = config, seed, label_sets
        self.checkpoint, self.on_epoch = checkpoint, on_epoch

    def fit(
        self,
        waves: Sequence[np.ndarray],
        labels: np.ndarray,
        groups: np.ndarray | None = None,
        corpora: np.ndarray | None = None,
    ) -> NetworkClassifier:
        """Train on ``waves`` (one per file, at the front end's rate)."""
        from voxemo.models.neural.training import train_network

        trained = train_network(
            waves,
            labels,
            groups,
            self.config,
            seed=self.seed,
            corpora=corpora,
            label_sets=self.label_sets,
            checkpoint=self.checkpoint,
            progress=self.on_epoch,
        )
        self.trained_, self.network_ = trained, trained.net
        self.classes_ = list(trained.labels)
        self.chosen_params_ = {"epoch": trained.best_epoch, "weights": trained.weights}
        self.inner_uar_ = trained.validation_uar
        self.training_seconds_ = trained.seconds
        return self

    def predict_proba(self, waves: Sequence[np.ndarray]) -> np.ndarray:
        """One row of probabilities per whole recording, one column per label."""
        from voxemo.models.neural.training import network_probabilities

        return network_probabilities(self.network_, list(waves))
