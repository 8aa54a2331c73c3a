"""Recording conditions: how much each bundled model's recipe loses on degraded test audio.

By default the models are those of ``cross_corpus.py``'s ``both`` setup (RAVDESS and CREMA-D
together, 11 speaker-independent folds; the recipe of the ``default``, ``accurate`` and ``fast``
bundles); ``--setup crema-d`` measures the recipe of the ``open`` bundle on CREMA-D's 5 actor
folds instead. The networks train with their condition augmentation, the feature-vector models
on every file and a copy of it under a random condition; each fold's model is trained once and
tested on each fold's test speakers heard through a telephone line, MP3 and Opus at 16 and
32 kbit/s, a reverberant room, pink noise at 20, 10 and 0 dB SNR, 20 dB less level, and 12 dB
of clipping (``voxemo.audio.conditions``; rooms and noise drawn apart from training's). The
networks' per-epoch checkpoints of the cross-corpus run are reused where this machine has them
(they are resumed only by the same data, settings and code), so networks only predict here;
where it does not, each fold's network is trained again. Every finished fold, under each
condition, is kept beside them (``results/folds/SETUP/``), so an interrupted run resumes. A
run of one setup keeps the rows of the others from the previous results, each naming the
commit it was measured at.

    python benchmarks/robustness.py [--ravdess DIR] [--crema-d DIR] [--members ...]
                                    [--setup both|ravdess|crema-d] [--conditions ...]
                                    [--checkpoints DIR]
"""

from __future__ import annotations

import time

from common import kept_rows, write_results
from cross_corpus import (
    ENSEMBLES,
    EPOCHS,
    SEED,
    arguments,
    member_inputs,
    member_parts,
    read_corpora,
    setup_corpus,
)
from render_readme import render_readme
from voxemo.evaluation import evaluate
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import degrade_waves, featurize_corpus, load_corpus_waves
from voxemo.models.neural import training_config

CONDITIONS = (
    "telephone",
    "mp3:16",
    "opus:16",
    "mp3:32",
    "opus:32",
    "reverb:0.6",
    "noise:20",
    "noise:10",
    "noise:0",
    "gain:-20",
    "clip:12",
)


SETUPS = ("both", "ravdess", "crema-d")


def member_results(name: str, setup: str, split, conditions: list[str], args) -> dict:
    """The evaluation of one member on clean test audio and under each condition;
    ``split`` is the setup's table, protocol and folds (``setup_corpus``)."""
    features, model = member_parts(name)
    corpus, protocol, folds = split
    if model == "crnn":
        out = {}
        clean = load_corpus_waves(corpus, training_config(model).frontend.sample_rate)
        common = {
            "model_kind": model,
            "protocol": protocol,
            "folds": folds,
            "seed": SEED,
            "epochs": EPOCHS[setup],
            "checkpoints": args.checkpoints / setup,
        }
        for condition in [None, *conditions]:
            began = time.perf_counter()
            tested = degrade_waves(clean, condition) if condition else clean
            out[condition or "clean"] = evaluate(clean, test_data=tested, **common)
            print(name, condition or "clean", f"{time.perf_counter() - began:.0f} s", flush=True)
        return out
    # One training per fold, on every file and a copy under a random condition (the recipe of
    # cross_corpus.py and of the bundled models), tested on every version of its test files.
    clean, copies = member_inputs(name, corpus)
    cache = FeatureCache(default_cache_dir())
    sets = parse_feature_spec(features)
    began = time.perf_counter()
    versions = {c: featurize_corpus(corpus, sets, cache=cache, condition=c) for c in conditions}
    # A file that a condition makes unusable (none in these corpora so far) is left out of all.
    usable = set(clean.table["path"])
    for tested in versions.values():
        usable &= set(tested.table["path"])
    clean, copies = (_subset(table, usable) for table in (clean, copies))
    versions = {c: _subset(tested, usable) for c, tested in versions.items()}
    print(name, f"features of {len(conditions)} conditions: {time.perf_counter() - began:.0f} s")
    result = evaluate(
        clean,
        model_kind=model,
        protocol=protocol,
        folds=folds,
        seed=SEED,
        jobs=2,
        augment=copies,
        also_test=versions,
        checkpoints=args.checkpoints / setup,
        on_fold=lambda: print(
            name, "fold done", f"{time.perf_counter() - began:.0f} s", flush=True
        ),
    )
    return {"clean": result, **result.pop("also_tested")}


def _subset(data, paths: set):
    from voxemo.features.dataset import FeatureTable

    rows = data.table["path"].isin(paths).to_numpy()
    return FeatureTable(
        data.table[rows].reset_index(drop=True),
        data.features[rows],
        data.names,
        data.labels,
        data.errors,
    )


def scores(result: dict, setup: str) -> dict:
    """Accuracy and UAR per test corpus (an evaluation on one corpus has no per-corpus part)."""
    per_corpus = result.get("per_corpus") or {setup: result}
    return {
        corpus: {k: round(v[k], 4) for k in ("accuracy", "uar")} for corpus, v in per_corpus.items()
    }


def main() -> None:
    args = arguments(
        __doc__.split("\n\n")[0],
        setup={"default": "both", "choices": SETUPS, "help": "the setup (default: both)"},
        conditions={"default": ",".join(CONDITIONS), "help": "comma-separated conditions"},
    )
    start = time.perf_counter()
    corpus, protocol, folds, _ = setup_corpus(args.setup, read_corpora(args))
    conditions = args.conditions.split(",")
    results = {
        name: member_results(name, args.setup, (corpus, protocol, folds), conditions, args)
        for name in args.members.split(",")
    }
    for ensemble, parts in ENSEMBLES.items():
        if set(parts) <= set(results):
            results[ensemble] = {
                condition: ensemble_evaluation([results[m][condition] for m in parts], protocol)
                for condition in results[parts[0]]
            }
    rows = []
    for name, by_condition in results.items():
        clean = scores(by_condition["clean"], args.setup)
        for condition, result in by_condition.items():
            degraded = scores(result, args.setup)
            rows.append(
                {
                    "model": name,
                    "setup": args.setup,
                    "condition": condition,
                    "scores": degraded,
                    "uar_drop": {
                        c: round(clean[c]["uar"] - degraded[c]["uar"], 4) for c in degraded
                    },
                }
            )
    kept = kept_rows("robustness", rows, ("setup", "model", "condition"))
    measured = {row["condition"] for row in rows + kept} - {"clean"}
    write_results(
        "robustness",
        {
            "setups": list(dict.fromkeys([args.setup, *(row["setup"] for row in kept)])),
            "conditions": [c for c in dict.fromkeys([*CONDITIONS, *conditions]) if c in measured],
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows + kept,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
