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
accuracy are averaged over folds.

    python benchmarks/adaptation.py [--setups both] [--members ...] [--checkpoints DIR]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from common import write_results
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
from render_readme import ADAPTATION_MODES, render_readme
from voxemo.audio import load_audio, resample
from voxemo.evaluation import make_folds, metrics
from voxemo.features.dataset import FeatureTable
from voxemo.models import load_model, write_model
from voxemo.models.artifact import VOICE_FOLDER
from voxemo.models.card import network_card
from voxemo.models.ensemble import save_ensemble
from voxemo.models.label_sets import corpus_label_sets
from voxemo.models.neural import training_config
from voxemo.models.training import train
from voxemo.recognizer.timeline import FRAME_SECONDS, predict_timeline

RATE = 16000
PAUSE_SECONDS = 1.0
ROOM_LEVEL = 0.0005  # RMS of the pauses' noise (-66 dBFS), or the voice's room tone if quieter
PLAIN, PROBABILITIES, FEATURES = ADAPTATION_MODES


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
        checkpoint = args.checkpoints / setup / f"crnn-{fold.name.replace(' ', '-')}.pt"
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


def main() -> None:
    args = arguments(
        __doc__.split("\n\n")[0],
        setups={"default": "both", "help": "comma-separated cross-corpus setups"},
    )
    start = time.perf_counter()
    corpora = read_corpora(args)
    members = args.members.split(",")
    models = members + [e for e, parts in ENSEMBLES.items() if set(parts) <= set(members)]
    rows = []
    for setup in args.setups.split(","):
        corpus, protocol, folds, train_side = setup_corpus(setup, corpora)
        inputs = {name: member_inputs(name, corpus) for name in members}
        table = next(iter(inputs.values()))[0].table
        if any(list(data.table["path"]) != list(table["path"]) for data, _ in inputs.values()):
            raise SystemExit("members left out different files; cannot share folds")
        label_sets = corpus_label_sets(table["corpus"].astype(str), table["label"].astype(str))
        scored: dict[tuple[str, bool], list[dict]] = {}
        for fold in make_folds(protocol, table, folds):
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                recordings = long_recordings(table, fold, work)
                folders = {
                    name: fold_member(name, inputs[name], fold, setup, train_side, work, args)
                    for name in members
                }
                for ensemble, parts in ENSEMBLES.items():
                    if set(parts) <= set(folders):
                        folders[ensemble] = save_ensemble(
                            [folders[p] for p in parts], work / f"{fold.name}-{ensemble}"
                        )
                plain = {name: without_voice(folder) for name, folder in folders.items()}
                for name in models:
                    for mode, folder, adapt in (
                        (PLAIN, plain[name], False),
                        (PROBABILITIES, plain[name], True),
                        (FEATURES, folders[name], True),
                    ):
                        model = load_model(folder)
                        truth, predicted = [], []
                        for recording in recordings:
                            timeline = predict_timeline(model, recording["path"], adapt=adapt)
                            allowed = [
                                label
                                for label in model.labels
                                if label in label_sets[recording["corpus"]]
                            ]
                            found = segment_labels(timeline, recording["spans"], allowed)
                            truth += [label for _, _, label in recording["spans"]]
                            predicted += [p or "none" for p in found]
                        scores = metrics.scores(truth, predicted, sorted(set(truth)))
                        scored.setdefault((name, mode), []).append(
                            {"fold": fold.name, "corpus": fold.corpus, **scores}
                        )
                        print(setup, fold.name, name, mode, scores, flush=True)
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
    write_results(
        "adaptation",
        {
            "setups": args.setups.split(","),
            "pause_seconds": PAUSE_SECONDS,
            "total_minutes": round((time.perf_counter() - start) / 60, 1),
            "rows": rows,
        },
    )
    render_readme()


if __name__ == "__main__":
    main()
