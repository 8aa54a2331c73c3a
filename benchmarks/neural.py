"""Neural models on RAVDESS under the EmoBox actor folds, and probability-averaging ensembles.

Each network trains fold after fold on the fold's training actors (the weights kept are
chosen on actors held out from that training side), then predicts the test actors' whole
recordings. Feature-vector configurations of the leaderboard are evaluated on the same folds,
and ensembles average their members' test probabilities file by file. Every member's full
evaluation is written to ``results/evaluations/`` (``voxemo train --scores`` reads it). Each
network's finished folds are kept in ``results/folds/ravdess/``, shared with the ravdess setup
of ``cross_corpus.py`` (the same crnn), and read back only by the same data, settings and
code; per-epoch checkpoints beside them make an interrupted fold resumable.

Both tracks are measured: utterance-level, and speaker-adapted (features z-scored per
speaker; a network's log-probabilities centred over each test speaker's files, from the
same trained networks).

    python benchmarks/neural.py [--corpus DIR] [--models cnn,crnn] [--checkpoints DIR]

Networks train with seed 42; a member named ``KIND-seedN`` (``--models cnn,crnn,crnn-seed7``)
is a network trained with seed N instead, a member of its own, so that ensembles of seeds are
measured too.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from common import FOLDS, RESULTS, ravdess_path, result_row, train_in_float32, write_results
from render_readme import render_readme
from voxemo.corpora.ravdess import read_ravdess
from voxemo.evaluation import evaluate, evaluation_config
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.evaluation.run import SPEAKER_ADAPTED
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import featurize_corpus, load_corpus_waves
from voxemo.jsonfile import write_json
from voxemo.models.neural import training_config

SEED = 42
# The best utterance-level configuration of the leaderboard, and the best one whose features
# are fast enough for real-time use.
CLASSIC = [("spectral+prosody+egemaps", "logreg"), ("spectral", "logreg")]


def member_name(features: str, model: str) -> str:
    return model if features == "logmel" else f"{model}[{features}]"


def member_parts(name: str) -> tuple[str, str, int]:
    """(features, model kind, seed) of a member name: ``logreg[spectral]``, ``crnn-seed7``."""
    model, _, features = name.rstrip("]").partition("[")
    kind, _, seed = model.partition("-seed")
    return features or "logmel", kind, int(seed or SEED)


def training_seconds(result: dict) -> float | None:
    """A network's training time over its folds, resumed runs included, where every fold's
    checkpoint recorded it; a resumed network otherwise only shows how long it predicted."""
    times = [fold.get("training_seconds") for fold in result["folds"]]
    return sum(times) if all(times) else None


def record(name: str, result: dict, seconds: float, data, corpus, seed: int = SEED) -> dict:
    """The results row of one member; its full evaluation is written beside the results."""
    features, model, _ = member_parts(name)
    adapted = result["track"] == SPEAKER_ADAPTED
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
        seed=seed,
        speaker_norm=adapted,
    )
    stem = name.replace("[", "-").replace("]", "") + ("-speaker-adapted" if adapted else "")
    out = RESULTS / "evaluations" / f"{stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, result, indent=1)
    files = len(result["predictions"])
    return result_row(
        result,
        features=features,
        model=name if features == "logmel" else model,
        protocol="emobox",
        files=files,
        seconds=seconds,
    )


def ensemble_rows(results: dict, seconds: dict, neural: list[str]) -> list[dict]:
    """Every ensemble of the members that has at least one network among them."""
    rows = []
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
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument(
        "--models", default="cnn,crnn", help="comma-separated neural kinds, KIND-seedN for seed N"
    )
    parser.add_argument(
        "--checkpoints",
        type=Path,
        # The folds of cross_corpus.py's ravdess setup: the same crnn, trained once for both.
        default=FOLDS / "ravdess",
        help="per-fold predictions and checkpoints (default: %(default)s)",
    )
    args = parser.parse_args()
    train_in_float32()
    start = time.perf_counter()
    corpus = read_ravdess(ravdess_path(args.corpus))
    cache = FeatureCache(default_cache_dir())
    networks = {name: member_parts(name)[1:] for name in args.models.split(",")}
    kinds = sorted({kind for kind, _ in networks.values()})
    waves = load_corpus_waves(corpus, training_config(kinds[0]).frontend.sample_rate)
    rows = []
    # The speaker-adapted track reuses the networks' saved folds: only their outputs change.
    for adapted in (False, True):
        results, seconds = {}, {}
        for features, model in CLASSIC:
            name, began = member_name(features, model), time.perf_counter()
            data = featurize_corpus(corpus, parse_feature_spec(features), cache=cache)
            results[name] = evaluate(
                data, model_kind=model, protocol="emobox", seed=SEED, jobs=2, speaker_norm=adapted
            )
            seconds[name] = time.perf_counter() - began
            rows.append(record(name, results[name], seconds[name], data, corpus))
        for name, (kind, seed) in networks.items():
            began = time.perf_counter()
            results[name] = evaluate(
                waves,
                model_kind=kind,
                protocol="emobox",
                seed=seed,
                # One folder per seed: a checkpoint holds one seed's training.
                checkpoints=args.checkpoints / ("" if seed == SEED else f"seed{seed}"),
                on_epoch=lambda log: print(log, flush=True),
                speaker_norm=adapted,
            )
            seconds[name] = training_seconds(results[name]) or time.perf_counter() - began
            rows.append(record(name, results[name], seconds[name], waves, corpus, seed))
        rows += ensemble_rows(results, seconds, list(networks))
    write_results(
        "neural",
        {
            "corpus": "ravdess",
            "protocol": "emobox",
            "model_seed": SEED,
            "training": {kind: training_config(kind).to_dict() for kind in kinds},
            "seeds": sorted({seed for _, seed in networks.values()}),
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
