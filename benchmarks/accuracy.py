"""Accuracy of the study's pipeline and the simple baselines on RAVDESS.

The study's protocol (random 80/20, speakers leak) is run only beside its speaker-independent
twin (EmoBox actor folds), so the gap between them is always visible.

    python benchmarks/accuracy.py [--corpus DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import time

from common import ravdess_path, write_results
from render_readme import render_readme

from voxemo.corpora.ravdess import read_ravdess
from voxemo.evaluation import evaluate
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
        start = time.perf_counter()
        result = evaluate(data, model_kind=model, protocol=protocol, seed=SEED, jobs=args.jobs)
        row = {
            "features": features,
            "model": model,
            "protocol": protocol,
            "speaker_independent": result["speaker_independent"],
            "files": len(data.table),
            "folds": len(result["folds"]),
            **{
                k: round(result[k], 4)
                for k in ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std")
            },
            "fold_accuracies": [round(f["accuracy"], 4) for f in result["folds"]],
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(row)
        rows.append(row)
    write_results("accuracy", {"corpus": "ravdess", "model_seed": SEED, "rows": rows})
    render_readme()


if __name__ == "__main__":
    main()
