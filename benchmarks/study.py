"""Accuracy of the study's pipeline and the simple baselines on RAVDESS (untuned defaults).

The study's protocol (random 80/20, speakers leak) is run only beside its speaker-independent
twin (EmoBox actor folds), so the gap between them is always visible.

    python benchmarks/study.py [--corpus DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import os

from common import evaluation_row, ravdess_path, write_results
from render_readme import render_readme
from voxemo.corpora.ravdess import read_ravdess
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus

# (features, model, protocol): the study as published, then its honest twin and baselines.
CONFIGURATIONS = [
    ("seed", "seed-mlp", "seed"),
    ("seed", "seed-mlp", "emobox"),
    ("seed", "logreg", "emobox"),
    ("seed", "svm", "emobox"),
]
SEED = 42


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()

    corpus = read_ravdess(ravdess_path(args.corpus))
    cache = FeatureCache(default_cache_dir())
    rows = []
    for features, model, protocol in CONFIGURATIONS:
        data = featurize_corpus(corpus, parse_feature_spec(features), jobs=args.jobs, cache=cache)
        rows.append(
            evaluation_row(
                data,
                features=features,
                model=model,
                protocol=protocol,
                seed=SEED,
                jobs=args.jobs,
                tune=False,
            )
        )
    write_results("study", {"corpus": "ravdess", "model_seed": SEED, "rows": rows})
    render_readme()


if __name__ == "__main__":
    main()
