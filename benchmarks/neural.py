"""Neural models on RAVDESS under the EmoBox actor folds, and probability-averaging ensembles.

Each network trains fold after fold on the fold's training actors (the epoch kept is chosen
on actors held out from that training side), then predicts the test actors' whole recordings.
The best feature-vector configuration of the leaderboard is evaluated on the same folds, and
ensembles average the members' test probabilities file by file. Checkpoints (one per fold)
make an interrupted run resumable.

    python benchmarks/neural.py [--corpus DIR] [--models cnn,crnn] [--checkpoints DIR]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from common import ROOT, ravdess_path, result_row, write_results
from render_readme import render_readme
from voxemo.corpora.ravdess import read_ravdess
from voxemo.evaluation import evaluate
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus, load_corpus_waves
from voxemo.models.neural import training_config

SEED = 42
CLASSIC = ("spectral+prosody+egemaps", "logreg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--models", default="cnn", help="comma-separated neural kinds")
    parser.add_argument(
        "--checkpoints",
        type=Path,
        default=ROOT / "benchmarks" / "checkpoints",
        help="per-fold checkpoints (default: %(default)s)",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    corpus = read_ravdess(ravdess_path(args.corpus))
    rows, results = [], {}
    features, model = CLASSIC
    data = featurize_corpus(
        corpus, parse_feature_spec(features), cache=FeatureCache(default_cache_dir())
    )
    began = time.perf_counter()
    results[model] = evaluate(data, model_kind=model, protocol="emobox", seed=SEED, jobs=2)
    rows.append(
        result_row(
            results[model],
            features=features,
            model=model,
            protocol="emobox",
            files=len(data.table),
            seconds=time.perf_counter() - began,
        )
    )
    waves = load_corpus_waves(corpus, training_config("cnn").frontend.sample_rate)
    for kind in args.models.split(","):
        began = time.perf_counter()
        results[kind] = evaluate(
            waves,
            model_kind=kind,
            protocol="emobox",
            seed=SEED,
            checkpoints=args.checkpoints,
            on_epoch=lambda log: print(log, flush=True),
        )
        rows.append(
            result_row(
                results[kind],
                features="logmel",
                model=kind,
                protocol="emobox",
                files=len(waves.table),
                seconds=time.perf_counter() - began,
            )
        )
    for size in range(2, len(results) + 1):
        for members in itertools.combinations(results, size):
            ensemble = ensemble_evaluation([results[m] for m in members], "emobox")
            rows.append(
                result_row(
                    ensemble,
                    features="+".join("logmel" if m != model else features for m in members),
                    model="ensemble(" + "+".join(members) + ")",
                    protocol="emobox",
                    files=len(waves.table),
                    seconds=sum(r["seconds"] for r in rows if r["model"] in members),
                )
            )
    write_results(
        "neural",
        {
            "corpus": "ravdess",
            "protocol": "emobox",
            "model_seed": SEED,
            "training": {kind: training_config(kind).to_dict() for kind in args.models.split(",")},
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
