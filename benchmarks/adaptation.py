"""Long recordings of one voice: segment accuracy of timelines with and without ``--adapt``.

For each fold of a setup of ``cross_corpus.py`` (the same recipe, trained on the fold's
training speakers only), every test speaker's utterances are joined, in a random order with a
second of quiet room between them, into one long recording of that voice. The pause is never
louder than the voice's own room tone (the quietest moments of its files): a pause louder than
the files' silence would be taken for speech and enter the voice's statistics. The recording
goes through ``predict_timeline`` as a user's would: plain; with ``adapt=True`` by
probabilities alone (the model folder without its voice model); and with ``adapt=True`` as it
comes, the feature-vector members judging each window's features by the voice's running
statistics with their voice models (trained in the fold on its training speakers' per-speaker
z-scores). Each utterance is then labelled with the mean probabilities of the windows centred
inside it (among its corpus's emotions) and scored against its true emotion. Segment UAR and
accuracy are averaged over folds. Each fold's scores are kept with the fold results
(``results/folds/SETUP/adaptation-KEY.json``, KEY a digest of its data, recipe and code) as
soon as they are made, so an interrupted run resumes at its next fold; a run of some setups
keeps the others' rows from the previous results, each naming the commit it was measured at.

    python benchmarks/adaptation.py [--setups both] [--members ...] [--checkpoints DIR]
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

import cross_corpus
from common import kept_rows, write_results
from cross_corpus import (
    ENSEMBLES,
    EPOCHS,
    SEED,
    SETUPS,
    arguments,
    member_inputs,
    member_parts,
    network_checkpoint,
    read_corpora,
    setup_corpus,
    setup_folder,
)
from render_readme import ADAPTATION_MODES, render_readme
from voxemo.audio import load_audio, resample
from voxemo.evaluation import make_folds, metrics
from voxemo.evaluation.run import _fold_keys  # a fold's key, made as the evaluation makes it
from voxemo.features.dataset import FeatureTable
from voxemo.jsonfile import write_json
from voxemo.models import load_model, write_model
from voxemo.models.artifact import VOICE_FOLDER
from voxemo.models.card import network_card
from voxemo.models.ensemble import save_ensemble
from voxemo.models.label_sets import corpus_label_sets
from voxemo.models.neural import training_config
from voxemo.models.training import train
from voxemo.provenance import code_digest
from voxemo.recognizer.timeline import FRAME_SECONDS, predict_timeline

RATE = 16000
PAUSE_SECONDS = 1.0
ROOM_LEVEL = 0.0005  # RMS of the pauses' noise (-66 dBFS), or the voice's room tone if quieter
PLAIN, PROBABILITIES, FEATURES = ADAPTATION_MODES
# What a fold's scores depend on besides the evaluation's code (in every digest): how audio
# is read, features made, models trained, saved, loaded and adapted, and timelines made.
ADAPTATION_CODE = ("voxemo.audio", "voxemo.features", "voxemo.models", "voxemo.recognizer")


def long_recordings(table, fold, out: Path, seed: int = SEED) -> list[dict]:
    """One FLAC per test speaker of ``fold``: their utterances, shuffled, with pauses of
    quiet room; the list of recordings with each utterance's span and label."""
    rng = np.random.default_rng(seed)
    recordings = []
    tested = table.iloc[fold.test]
    for speaker, rows in tested.groupby("speaker", sort=True):
        order = rng.permutation(len(rows))
        utterances = [resample(load_audio(rows.iloc[i]["path"]), RATE).samples for i in order]
        level = min(ROOM_LEVEL, float(np.median([room_level(x) for x in utterances])))
        room = level * rng.standard_normal(int(PAUSE_SECONDS * RATE)).astype(np.float32)
        parts, spans, position = [room], [], PAUSE_SECONDS
        for index, samples in zip(order, utterances, strict=True):
            row = rows.iloc[index]
            parts += [samples, room]
            spans.append((position, position + len(samples) / RATE, row["label"]))
            position += len(samples) / RATE + PAUSE_SECONDS
        path = out / f"{str(speaker).replace(':', '-')}.flac"
        sf.write(path, np.concatenate(parts), RATE)
        recordings.append({"path": path, "spans": spans, "corpus": rows["corpus"].iloc[0]})
    return recordings


def room_level(samples: np.ndarray) -> float:
    """The RMS of a file's quietest frames of the timeline's speech detector (their 5th
    percentile): its room tone."""
    frame = int(FRAME_SECONDS * RATE)
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame).astype(np.float64)
    return float(np.sqrt(np.percentile(np.mean(frames**2, axis=1), 5)))


def segment_labels(timeline, spans, allowed: list[str]) -> list[str | None]:
    """The emotion of each utterance span: mean probabilities of the windows centred in it."""
    out = []
    for start, end, _ in spans:
        inside = [w for w in timeline.windows if start <= (w.start + w.end) / 2 <= end]
        if not inside:
            out.append(None)
            continue
        mean = np.mean([[w.probabilities.get(label, 0.0) for label in allowed] for w in inside], 0)
        out.append(allowed[int(np.argmax(mean))])
    return out


def fold_member(name: str, inputs, fold, setup: str, train_side: str, work: Path, args):
    """The model folder of one member trained on the fold's training side: a feature-vector
    member with its voice model, a network from the cross-corpus run's checkpoint where this
    machine has it (so it is not trained again), else trained and checkpointed there."""
    features, model = member_parts(name)
    data, copies = inputs
    table = data.table.iloc[fold.train].reset_index(drop=True)
    out = work / f"{fold.name.replace(' ', '-')}-{name}"
    if model == "crnn":
        from voxemo.models.neural.export import export_network
        from voxemo.models.neural.training import train_network

        labels = table["label"].astype(str).to_numpy()
        corpora = table["corpus"].astype(str).to_numpy()
        speakers = table["speaker"].astype(str).to_numpy()
        label_sets = corpus_label_sets(
            data.table["corpus"].astype(str), data.table["label"].astype(str)
        )

        config = training_config(model, EPOCHS[train_side])
        checkpoint = network_checkpoint(
            args.checkpoints / setup_folder(setup), config.architecture, fold.name
        )
        trained = train_network(
            [data.waves[i] for i in fold.train],
            labels,
            speakers,
            config,
            seed=SEED,
            checkpoint=checkpoint,
            corpora=corpora,
            label_sets=label_sets,
        )
        card = network_card(data, trained, model_kind=model, seed=SEED)
        return write_model(export_network(trained.net), trained.labels, card, out)
    trained = train(
        FeatureTable(table, data.features[fold.train], data.names, data.labels, []),
        model,
        features=features,
        seed=SEED,
        augment=FeatureTable(table, copies.features[fold.train], data.names, data.labels, []),
        voice=True,
    )
    return trained.save(out)


def without_voice(folder: Path) -> Path:
    """A copy of a model folder without its voice model: adapting probabilities only."""
    copy = folder.with_name(folder.name + "-no-voice")
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(VOICE_FOLDER))
    return copy


def fold_keys(setup: str, inputs: dict, folds: list) -> list[str]:
    """Per fold, a digest of all that its scores depend on, made as the evaluation makes its
    folds' keys: the members' inputs (features or audio, and each file's name, label,
    speaker and corpus, not where the corpus lies), the recipe, the networks' training
    precision, the fold's files, the library versions and the code (voxemo's, and this
    script's with the recipe's). A fold's saved scores stand for running it again only when
    all of them are the same."""
    config = {
        "benchmark": "adaptation",
        "setup": setup,
        "members": sorted(inputs),
        "seed": SEED,
        "epochs": EPOCHS,
        "pause_seconds": PAUSE_SECONDS,
        "room_level": ROOM_LEVEL,
        "precision": network_precision() if "crnn" in inputs else None,
        "code": code_digest(*ADAPTATION_CODE),
        "scripts": hashlib.blake2b(
            b"".join(Path(m.__file__).read_bytes() for m in (sys.modules[__name__], cross_corpus)),
            digest_size=8,
        ).hexdigest(),
    }
    table = next(iter(inputs.values()))[0].table
    arrays = [
        table["path"].map(lambda path: Path(path).name).to_numpy(str),
        *(table[column].astype(str).to_numpy() for column in ("label", "speaker", "corpus")),
    ]
    for name in sorted(inputs):
        for data in inputs[name]:
            if isinstance(data, FeatureTable):
                arrays.append(data.features)
            elif data is not None:
                arrays.extend(data.waves)
    return _fold_keys(arrays, config, folds, network=True)


def network_precision() -> str:
    """The precision networks train in on this machine (as the evaluation records it)."""
    from voxemo.models.neural.training import training_device, training_precision

    return str(training_precision(training_device()))


def fold_scores(fold, inputs: dict, setup: str, train_side: str, args) -> list[dict]:
    """Segment scores of one fold's long recordings for every member and ensemble: plain,
    adapting probabilities only, and adapting as shipped."""
    table = next(iter(inputs.values()))[0].table
    label_sets = corpus_label_sets(table["corpus"].astype(str), table["label"].astype(str))
    found = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        recordings = long_recordings(table, fold, work)
        folders = {
            name: fold_member(name, pair, fold, setup, train_side, work, args)
            for name, pair in inputs.items()
        }
        for ensemble, parts in ENSEMBLES.items():
            if set(parts) <= set(folders):
                folders[ensemble] = save_ensemble(
                    [folders[p] for p in parts], work / f"{fold.name}-{ensemble}"
                )
        for name, folder in folders.items():
            plain = without_voice(folder)
            for mode, model, adapt in (
                (PLAIN, plain, False),
                (PROBABILITIES, plain, True),
                (FEATURES, folder, True),
            ):
                scores = segment_scores(load_model(model), recordings, label_sets, adapt)
                print(setup, fold.name, name, mode, scores, flush=True)
                where = {"model": name, "adaptation": mode, "fold": fold.name}
                found.append(where | {"corpus": fold.corpus} | scores)
    return found


def segment_scores(model, recordings: list[dict], label_sets: dict, adapt: bool) -> dict:
    """Scores of the utterances of ``recordings`` labelled from ``model``'s timelines of them
    (among each recording's corpus's emotions), with or without ``adapt``."""
    truth, predicted = [], []
    for recording in recordings:
        timeline = predict_timeline(model, recording["path"], adapt=adapt)
        allowed = [label for label in model.labels if label in label_sets[recording["corpus"]]]
        labelled = segment_labels(timeline, recording["spans"], allowed)
        truth += [label for _, _, label in recording["spans"]]
        predicted += [p or "none" for p in labelled]
    return metrics.scores(truth, predicted, sorted(set(truth)))


def setup_rows(setup: str, corpora, members: list[str], args) -> list[dict]:
    """The table's rows of one setup: per model, adaptation mode and test corpus, the
    means over folds. Each fold's scores are kept in the setup's folder of fold results as
    soon as they are made, and read back by a later run with the same digest."""
    corpus, protocol, folds, train_side = setup_corpus(setup, corpora)
    inputs = {name: member_inputs(name, corpus) for name in members}
    table = next(iter(inputs.values()))[0].table
    if any(list(data.table["path"]) != list(table["path"]) for data, _ in inputs.values()):
        raise SystemExit("members left out different files; cannot share folds")
    fold_list = make_folds(protocol, table, folds)
    saved = args.checkpoints / setup_folder(setup)
    scored: dict[tuple[str, str], list[dict]] = {}
    for fold, key in zip(fold_list, fold_keys(setup, inputs, fold_list), strict=True):
        path = saved / f"adaptation-{key}.json"
        try:
            found = json.loads(path.read_text())["scores"]
            print(f"{setup} {fold.name}: scores read back from {path.name}", flush=True)
        except (OSError, ValueError, KeyError, TypeError):  # none yet, or cut short
            found = fold_scores(fold, inputs, setup, train_side, args)
            saved.mkdir(parents=True, exist_ok=True)
            write_json(path, {"scores": found}, indent=1)
        for row in found:
            scored.setdefault((row["model"], row["adaptation"]), []).append(row)
    rows = []
    for (name, mode), folds_scored in scored.items():
        for corpus_name in sorted({f["corpus"] for f in folds_scored}):
            mine = [f for f in folds_scored if f["corpus"] == corpus_name]
            rows.append(
                {
                    "setup": setup,
                    "model": name,
                    "adaptation": mode,
                    "test_corpus": corpus_name,
                    **{k: round(v, 4) for k, v in metrics.spread(mine).items()},
                    "folds": len(mine),
                }
            )
    return rows


def row_order(row: dict) -> tuple:
    """Rows by setup (in ``SETUPS``' order), model and test corpus, the adaptation modes of
    each in their order, whichever setups a run measured."""
    return (
        SETUPS.index(row["setup"]) if row["setup"] in SETUPS else len(SETUPS),
        row["model"],
        row["test_corpus"],
        ADAPTATION_MODES.index(row["adaptation"]),
    )


def main() -> None:
    args = arguments(
        __doc__.split("\n\n")[0],
        setups={"default": "both", "help": "comma-separated cross-corpus setups"},
    )
    start = time.perf_counter()
    corpora = read_corpora(args)
    setups = args.setups.split(",")
    rows = [
        row for setup in setups for row in setup_rows(setup, corpora, args.members.split(","), args)
    ]
    kept = kept_rows("adaptation", rows, ("setup", "model", "adaptation", "test_corpus"))
    write_results(
        "adaptation",
        {
            "setups": list(dict.fromkeys([*setups, *(row["setup"] for row in kept)])),
            "pause_seconds": PAUSE_SECONDS,
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": sorted(rows + kept, key=row_order),
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
