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
where it does not, each fold's network is trained again. Networks go fold by fold (those
whose checkpoint this machine has first): each fold is tested clean and under every condition
before the next, and kept beside the checkpoints (``results/folds/SETUP/``, as every
feature-vector model's finished fold is; small enough to commit), so an interrupted run
resumes at its next fold, on this machine or another. A run of one setup keeps the rows of the
others from the previous results, each naming the commit it was measured at.

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
    network_checkpoint,
    read_corpora,
    setup_corpus,
)
from render_readme import render_readme
from voxemo.evaluation import evaluate, make_folds
from voxemo.evaluation.ensemble import ensemble_evaluation
from voxemo.evaluation.protocols import builtin_folds
from voxemo.evaluation.run import summarize
from voxemo.features import FeatureCache, default_cache_dir, parse_feature_spec
from voxemo.features.dataset import (
    WaveTable,
    degrade_waves,
    featurize_corpus,
    load_corpus_waves,
)
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
        clean = load_corpus_waves(corpus, training_config(model).frontend.sample_rate)
        return fold_by_fold(
            clean,
            conditions,
            protocol=protocol,
            folds=folds or builtin_folds(protocol),
            checkpoints=args.checkpoints / setup,
            model_kind=model,
            seed=SEED,
            epochs=EPOCHS[setup],
            on_fold=lambda: print(name, "fold done", flush=True),
        )
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


def fold_by_fold(
    clean, conditions: list[str], *, protocol: str, folds: dict, checkpoints, **options
):
    """A network's evaluation on clean test audio and under each condition, made one fold
    at a time: each fold's network is trained once (or resumed from its checkpoint) and
    tested on its test files clean and under every condition before the next fold starts,
    so a run cut short keeps all conditions of its finished folds, and only a fold whose
    network checkpoint is lost trains again. Folds whose checkpoint this machine has go
    first. Returns, per condition (and ``clean``), the evaluation over all folds."""
    named = []  # each fold alone: the folds of the others' corpora and numbers left empty
    for corpus, lists in folds.items():
        for k in range(len(lists)):
            one = {
                c: [t if (c, i) == (corpus, k) else [] for i, t in enumerate(ls)]
                for c, ls in folds.items()
            }
            named.append((make_folds("folds", clean.table, one)[0], one))
    order = {fold.name: i for i, (fold, _) in enumerate(named)}
    architecture = training_config(options["model_kind"]).architecture
    named.sort(
        key=lambda pair: not network_checkpoint(checkpoints, architecture, pair[0].name).exists()
    )
    parts = {condition: [] for condition in ["clean", *conditions]}
    for fold, one in named:
        versions = {c: degraded_rows(clean, fold.test, c) for c in conditions}
        result = evaluate(
            clean,
            protocol="folds",
            folds=one,
            also_test=versions,
            checkpoints=checkpoints,
            **options,
        )
        for condition, part in [("clean", result), *result.pop("also_tested").items()]:
            parts[condition].append(part)
    return {condition: merged(found, protocol, order) for condition, found in parts.items()}


def degraded_rows(data, rows, condition: str):
    """``data`` with the files at ``rows`` heard under ``condition`` (drawn as
    :func:`degrade_waves` draws them for the whole table) and the others as they are."""
    part = WaveTable(
        data.table.iloc[rows].reset_index(drop=True),
        [data.waves[i] for i in rows],
        data.sample_rate,
        data.labels,
        data.errors,
    )
    waves = list(data.waves)
    for i, wave in zip(rows, degrade_waves(part, condition).waves, strict=True):
        waves[i] = wave
    return WaveTable(data.table, waves, data.sample_rate, data.labels, data.errors)


def merged(results: list[dict], protocol: str, order: dict) -> dict:
    """One evaluation of several evaluations of one fold each, their folds in ``order``."""
    results = sorted(results, key=lambda result: order[result["folds"][0]["fold"]])
    first = results[0]
    return summarize(
        [row for result in results for row in result["folds"]],
        [p for result in results for p in result["predictions"]],
        first["labels"],
        protocol,
        first["track"],
        corpus_labels=first.get("corpus_labels"),
    )


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
