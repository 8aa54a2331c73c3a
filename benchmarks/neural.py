"""Neural models on RAVDESS under the EmoBox actor folds, and probability-averaging ensembles.

Each network trains fold after fold on the fold's training actors (the weights kept are
chosen on actors held out from that training side), then predicts the test actors' whole
recordings. Feature-vector configurations of the leaderboard are evaluated on the same folds,
and ensembles average their members' test probabilities file by file. Every member's full
evaluation is written to ``results/evaluations/`` (``voxemo train --scores`` reads it), and
checkpoints (one per fold) make an interrupted run resumable.

    python benchmarks/neural.py [--corpus DIR] [--models cnn,crnn] [--checkpoints DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from common import RESULTS, ROOT, ravdess_path, result_row, write_results
from render_readme import render_readme
from voxemo.corpora.ravdess import read_ravdess
from voxemo.evaluation import evaluate, evaluation_config
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus, load_corpus_waves
from voxemo.models.neural import training_config

SEED = 42
# The best utterance-level configuration of the leaderboard, and the best one whose features
# are fast enough for real-time use.
CLASSIC = [("spectral+prosody+egemaps", "logreg"), ("spectral", "logreg")]


def member_name(features: str, model: str) -> str:
    return model if features == "logmel" else f"{model}[{features}]"


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
    cache = FeatureCache(default_cache_dir())
    rows, results, seconds = [], {}, {}

    def record(name: str, data, result: dict, features: str, model: str, began: float) -> None:
        results[name], seconds[name] = result, time.perf_counter() - began
        configs = (
            [training_config(model).frontend.config()]
            if features == "logmel"
            else [fs.config() for fs in parse_feature_spec(features)]
        )
        result["config"] = evaluation_config(
            data,
            corpus_specs=[f"ravdess={corpus.root}"],
            features=features,
            feature_configs=configs,
            model=model,
            protocol="emobox",
            seed=SEED,
        )
        row = result_row(
            result,
            features=features,
            model=model,
            protocol="emobox",
            files=len(result["predictions"]),
            seconds=seconds[name],
        )
        rows.append(row)
        out = RESULTS / "evaluations" / f"{name.replace('[', '-').replace(']', '')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")

    for features, model in CLASSIC:
        began = time.perf_counter()
        data = featurize_corpus(corpus, parse_feature_spec(features), cache=cache)
        result = evaluate(data, model_kind=model, protocol="emobox", seed=SEED, jobs=2)
        record(member_name(features, model), data, result, features, model, began)
    waves = load_corpus_waves(corpus, training_config("cnn").frontend.sample_rate)
    for kind in args.models.split(","):
        began = time.perf_counter()
        result = evaluate(
            waves,
            model_kind=kind,
            protocol="emobox",
            seed=SEED,
            checkpoints=args.checkpoints,
            on_epoch=lambda log: print(log, flush=True),
        )
        record(kind, waves, result, "logmel", kind, began)
    neural = args.models.split(",")
    for size in range(2, len(results) + 1):
        for members in itertools.combinations(results, size):
            if not set(members) & set(neural):
                continue  # ensembles of feature-vector models alone are not this benchmark's
            ensemble = ensemble_evaluation([results[m] for m in members], "emobox")
            rows.append(
                result_row(
                    ensemble,
                    features="see members",
                    model="ensemble(" + " + ".join(members) + ")",
                    protocol="emobox",
                    files=len(ensemble["predictions"]),
                    seconds=sum(seconds[m] for m in members),
                )
            )
    write_results(
        "neural",
        {
            "corpus": "ravdess",
            "protocol": "emobox",
            "model_seed": SEED,
            "training": {kind: training_config(kind).to_dict() for kind in neural},
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
