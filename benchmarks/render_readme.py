"""Regenerate the README's result tables from the committed results files.

Each table sits between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers and is
rebuilt from ``benchmarks/results/name.json`` (the published anchors from
``benchmarks/anchors.json``); ``docs/leaderboard.md`` holds the whole leaderboard. Nothing in
those tables is typed by hand.

    python benchmarks/render_readme.py [--check]
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

from voxemo.evaluation.protocols import BUILTIN_CORPORA
from voxemo.provenance import measured_at, short_commit

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"

PROTOCOL_NAMES = {
    "seed": "study's random 80/20, actor id as input (speakers leak)",
    "emobox": "EmoBox 6 actor folds (speaker-independent)",
    "loso": "leave one speaker out",
}


def _machine(record: dict) -> str:
    machine = record["machine"]
    return (
        f"Measured {record['date'][:10]} on {machine['cpu']} ({machine['cores']} cores), "
        f"voxemo {record['voxemo']}, commit {short_commit(record.get('git_commit'))}."
    )


def _earlier(record: dict, name) -> str:
    """Which rows a partial run kept from earlier runs, and which this run read back from
    evaluations saved at an earlier commit (``name(row)`` names one), with those commits."""
    kept_from = "Measured by an earlier run, at commit {}"
    read_from = (
        "Read back from evaluations saved at commit {}, whose data, configuration and code "
        "had this run's digest"
    )
    names: dict[str, list[str]] = {}  # a phrase naming its commit -> rows
    for row in record["rows"]:
        kept = row.get("git_commit", record["git_commit"]) != record["git_commit"]
        # A row made of saved evaluations names the commits they were evaluated at.
        phrase = read_from if row.get("evaluated_at") and not kept else kept_from
        for commit in measured_at(record, row):
            if commit != record["git_commit"]:
                names.setdefault(phrase.format(short_commit(commit)), []).append(name(row))
    return "".join(f"{said}: {', '.join(dict.fromkeys(rows))}. " for said, rows in names.items())


def _command(row: dict) -> str:
    """The ``voxemo evaluate`` command that reproduces a row: untuned where the row chose no
    hyper-parameters (the study's models have none to choose; the baselines use defaults)."""
    untuned = row["model"] != "seed-mlp" and not any(row.get("chosen_params") or [{}])
    return (
        f"`voxemo evaluate --corpus ravdess=DIR --features {row['features']} --model "
        f"{row['model']} --protocol {row['protocol']}" + (" --no-tune`" if untuned else "`")
    )


def study_table(record: dict) -> str:
    lines = [
        "| features | model | protocol | accuracy | UAR | macro-F1 | reproduce with |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        cells = [
            f"{row[k]:.3f} ± {row[k + '_std']:.3f}" if row["folds"] > 1 else f"{row[k]:.3f}"
            for k in ("accuracy", "uar", "macro_f1")
        ]
        protocol = PROTOCOL_NAMES.get(row["protocol"], row["protocol"])
        lines.append(
            f"| {row['features']} | {row['model']} | {protocol} | "
            + " | ".join(cells)
            + f" | {_command(row)} |"
        )
    lines += [
        "",
        f"RAVDESS speech, {record['rows'][0]['files']} files, 8 emotions; ± is the "
        "standard deviation over folds. The baselines run with their default hyper-parameters "
        "(`--no-tune`), as the study's own model does; `voxemo evaluate` chooses them inside "
        "each fold by default. " + _machine(record),
    ]
    return "\n".join(lines)


def feature_speed_table(record: dict) -> str:
    return "\n".join(
        [
            "| extraction of the `seed` features | ms per file | speed-up |",
            "|---|---|---|",
            "| the study's loop (3 decodes per file, 1 process) | "
            f"{record['study_loop_ms_per_file']:.1f} | 1.0x |",
            f"| `voxemo features`, cold cache ({record['jobs']} jobs, process start included) | "
            f"{record['voxemo_cold_ms_per_file']:.1f} | {record['speedup_cold']:.1f}x |",
            f"| `voxemo features`, warm cache | {record['voxemo_warm_ms_per_file']:.1f} | "
            f"{record['speedup_warm']:.1f}x |",
            "",
            f"{record['files']} RAVDESS files. " + _machine(record),
        ]
    )


def _scores(row: dict) -> list[str]:
    return [f"{row[k]:.3f} ± {row[k + '_std']:.3f}" for k in ("accuracy", "uar", "macro_f1")]


def _leaderboard_rows(rows: list[dict]) -> list[str]:
    lines = [
        "| rank | features | model | accuracy | UAR | macro-F1 | fold accuracy range | minutes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rank, row in enumerate(sorted(rows, key=lambda r: -r["accuracy"]), start=1):
        folds = f"{min(row['fold_accuracies']):.3f}-{max(row['fold_accuracies']):.3f}"
        minutes = f"{row['seconds'] / 60:.1f}"
        cells = [str(rank), row["features"], row["model"], *_scores(row), folds, minutes]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def leaderboard_tables(record: dict, top: int | None = None) -> str:
    """One ranked table per track; ``top`` keeps the best few of each."""
    lines = []
    for track, title in TRACKS.items():
        rows = [row for row in record["rows"] if row["track"] == track]
        lines += [f"**{title}**", "", *_leaderboard_rows(rows)[: top + 2 if top else None], ""]
    lines.append(
        f"RAVDESS speech, 8 emotions, EmoBox actor folds; ± is the standard deviation over the "
        f"6 folds; hyper-parameters chosen inside each fold on its training actors only. "
        f"{len(record['rows'])} evaluations in {record['total_minutes']:.0f} minutes. "
        + _machine(record)
    )
    cross = [row for row in record["rows"] if row["track"] == "cross-corpus"]
    if cross:
        lines += [
            "",
            "**Cross-corpus: trained on all of RAVDESS, tested on another corpus**",
            "",
            *_cross_rows(cross),
        ]
    return "\n".join(lines)


def _cross_rows(rows: list[dict]) -> list[str]:
    lines = [
        "| test corpus | features | model | per-corpus normalization | shared emotions | "
        "accuracy | UAR | macro-F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            row["test_corpus"],
            row["features"],
            row["model"],
            "yes" if row["corpus_norm"] else "no",
            ", ".join(row["shared_labels"]),
            *(f"{row[k]:.3f}" for k in ("accuracy", "uar", "macro_f1")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def anchors_table(anchors: dict) -> str:
    lines = ["| published system | protocol | accuracy | UAR | source |", "|---|---|---|---|---|"]
    for row in anchors["rows"]:
        uar = "n/a" if row["uar"] is None else f"{row['uar']:.3f}"
        cells = [row["system"], row["protocol"], f"{row['accuracy']:.3f}", uar, row["source"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", anchors["about"]])


def neural_table(record: dict, top: int | None = None) -> str:
    """Networks trained here, the feature-vector models on the same folds, and ensembles
    (the ``top`` best of them per track where given; every single model always)."""
    lines = []
    for track, title in TRACKS.items():
        rows = [row for row in record["rows"] if row["track"] == track]
        ensembles = sorted(
            (row for row in rows if row["model"].startswith("ensemble(")),
            key=lambda row: -row["accuracy"],
        )
        shown = [row for row in rows if row not in ensembles[top:]] if top else rows
        if shown:
            if len(shown) < len(rows):
                title += (
                    f" (the {top} best of {len(ensembles)} ensembles; all in docs/leaderboard.md)"
                )
            lines += [f"**{title}**", "", *_leaderboard_rows(shown), ""]
    epochs = {kind: config["epochs"] for kind, config in record["training"].items()}
    return "\n".join(
        [
            *lines,
            "RAVDESS EmoBox actor folds (the same folds as the leaderboard); ± is the standard "
            "deviation over the 6 folds. Networks: "
            + ", ".join(f"{kind} {n} epochs" for kind, n in epochs.items())
            + " (seed 42; a name ending in -seedN: seed N), weights chosen on training actors "
            "held out inside each fold; ensembles "
            "average their members' probabilities. Speaker-adapted track: feature-vector "
            "models z-score their features per speaker, and the networks (the same trained "
            "networks) centre each test speaker's log-probabilities over that speaker's files. "
            "Minutes: a network's training time over its six folds where its checkpoints "
            "recorded it (over every run that resumed them), otherwise the time this run took "
            "(a network resumed from finished checkpoints only predicts); an ensemble: its "
            "members' total. "
            f"{record['total_minutes']:.0f} minutes in all. " + _machine(record),
        ]
    )


def _faster(ratio: float) -> str:
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def recognizer_speed_table(record: dict) -> str:
    targets = record["targets"]
    lines = [
        "| model | cold `voxemo predict FILE` (s) | warm `Recognizer.predict`, 3.5 s clip, "
        "1 thread (ms) | `--timeline` (x real time) | timeline peak memory (MiB) |",
        "|---|---|---|---|---|",
        f"| target | < {targets['cold_predict_seconds']} | < {targets['warm_predict_ms']} | "
        f"≥ {targets['timeline_realtime_factor']} | bounded |",
    ]
    for row in record["rows"]:
        cells = [
            f"{row['model']} (`{row['kind']}`)",
            f"{row['cold_predict_seconds']:.2f}",
            f"{row['warm_predict_ms']:.1f}",
            f"{row['timeline_realtime_factor']:.0f}x ({row['timeline_audio_seconds'] / 60:.0f} min "
            f"of audio in {row['timeline_seconds']:.0f} s)",
            str(row["timeline_peak_mib"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    ratios = record["ratios"]
    return "\n".join(
        [
            *lines,
            "",
            "Baseline: logistic regression on spectral+prosody+egemaps, the best single model "
            "of the leaderboard. The default model against it in the same run: "
            f"{_faster(ratios['warm'])} warm, {_faster(ratios['cold'])} cold, "
            f"{_faster(ratios['timeline'])} on the timeline. "
            + _against(record.get("against"))
            + _machine(record),
        ]
    )


def _against(against: dict | None) -> str:
    """How the default model's times compare with the one bundled at an earlier commit."""
    if not against:
        return ""
    change = {key: f"{100 * (against[key] - 1):+.0f}%" for key in ("cold", "warm", "timeline")}
    return (
        f"{against['model']}: the default model as bundled at that commit, measured in the "
        f"same run; the default model's times against it (+: slower): {change['cold']} cold, "
        f"{change['warm']} warm, {change['timeline']} on the timeline. "
    )


def faults_table(record: dict) -> str:
    """Peak memory and time of each command on each long or hostile input."""
    lines = [
        "| input | size on disk | command | exit | what it says | time (s) | peak memory (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        message = row["message"].strip().removeprefix("error: ").replace("|", "\\|")
        cells = [
            row["input"],
            f"{row['file_mb']:.1f} MB",
            f"`{row['command']}`",
            str(row["exit"]),
            message if len(message) <= 90 else message[:87] + "...",
            f"{row['seconds']:.1f}",
            f"{row['peak_mb']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(
        [*lines, "", f"The speech-like file: {record['speech_source']}. " + _machine(record)]
    )


def core_install_table(record: dict) -> str:
    """The core install's size and its cold prediction against the full environment's."""
    cold = record["cold_predict_seconds"]
    return "\n".join(
        [
            "| install | direct dependencies | packages | `pip install .` (s) "
            "| cold `voxemo predict FILE` (s, median) |",
            "|---|---|---|---|---|",
            f"| core | {len(record['direct_dependencies'])} | {record['packages_installed']} | "
            f"{record['install_seconds']:.0f} | {cold['core']:.2f} |",
            f"| full (`.[all]`) | | | | {cold['full']:.2f} |",
            "",
            "Core against full in the same run, alternating: "
            f"{_faster(1 / record['core_over_full'])} ({record['runs']} runs each). "
            + _machine(record),
        ]
    )


def fuzz_table(record: dict) -> str:
    """What the fuzzing pass tried, per target, and what came of it."""
    lines = [
        "| target | inputs | a result | a clear error | internal error |",
        "|---|---|---|---|---|",
    ]
    for target, counts in record["outcomes"].items():
        total = sum(counts.values())
        cells = [target, str(total), str(counts["result"]), str(counts["clear error"])]
        lines.append("| " + " | ".join([*cells, str(counts["fault"])]) + " |")
    return "\n".join(
        [
            *lines,
            "",
            f"{record['cases_per_target']} mutated audio files, {record['cases_per_target']} model "
            f"folders and {record['cases_per_target']} corpora (CSV tables and label folders in "
            f"turn), seed {record['seed']}; `features` reads all the audio files in one run. "
            + _machine(record),
        ]
    )


def service_load_table(record: dict) -> str:
    """Throughput, latency, errors and memory of a real ``voxemo serve`` under load."""
    saturated, paced, streams = record["saturation"], record["paced"], record["streams"]
    memory = record["server_memory_mib"]
    rounds = [phase for phase in memory if phase.startswith("saturation")]
    peak = max(phase["max"] for phase in memory.values())
    hostile = record["hostile"]

    def latency(cell: dict) -> str:
        return f"{cell['p50']:.0f} / {cell['p95']:.0f} / {cell['p99']:.0f}"

    def row(*cells) -> str:
        return "| " + " | ".join(str(cell) for cell in cells) + " |"

    return "\n".join(
        [
            row(
                "load",
                "requests or updates",
                "errors",
                "throughput (/s)",
                "latency p50 / p95 / p99 (ms)",
            ),
            "|---|---|---|---|---|",
            row(
                f"saturation: {record['clients']} clients posting back to back (the last of "
                f"{len(record['saturation_throughputs'])} rounds; all: "
                + ", ".join(f"{t:.1f}/s" for t in record["saturation_throughputs"])
                + ")",
                saturated["requests"],
                saturated["errors"],
                f"{saturated['throughput']:.1f}",
                latency(saturated["latency_ms"]),
            ),
            row(
                f"paced: Poisson arrivals at {paced['offered_per_second']:.0f}/s "
                f"({record['paced_share']:.0%} of in-process)",
                paced["requests"],
                paced["errors"],
                "",
                latency(paced["latency_ms"]),
            ),
            row(
                f"{streams['streams']} WebSocket streams in real time "
                f"({streams['seconds_each']:.0f} s each, an update every {streams['hop']:g} s)",
                streams["updates"],
                len(streams["failures"]),
                "",
                latency(streams["update_latency_ms"]),
            ),
            "",
            f"Model `{record['model']}`, real RAVDESS recordings of {record['clip_seconds']:.1f} s "
            "on average, one server process on loopback with the clients on the same cores. "
            f"Served throughput is {record['served_share_of_in_process']:.0%} of in-process "
            "`Recognizer.predict_many` in the same run "
            f"({record['in_process_files_per_second']:.1f} files/s). Back-to-back clients "
            "queue, so their latency is the queue (clients / throughput); the paced row is the "
            "latency of a service that is not overloaded. "
            f"Server memory: {memory['warm-up']['max']:.0f} MiB warm, at most {peak:.0f} MiB ("
            + ", ".join(f"{memory[phase]['max']:.0f} MiB in {phase}" for phase in rounds)
            + f"). {sum(hostile['statuses'].values())} hostile inputs over HTTP: "
            f"{len(hostile['not_4xx'])} without a 4xx or a result, and the server "
            f"{'still ready' if hostile['server_ready_after'] else 'NOT ready'} after. "
            + _machine(record),
        ]
    )


def actions_webhook_table(record: dict) -> str:
    """How a webhook receiver that is slow, hanging or down affects the audio path."""
    names = {
        "baseline": "no actions",
        "fast": "answers at once",
        "slow": "answers after 3 s",
        "hanging": "never answers (5 s timeout)",
        "down": "not listening (connection refused)",
    }
    lines = [
        "| receiver | replay (s) | vs no actions | longest update in watcher + dispatch (ms) "
        "| events | dropped |",
        "|---|---|---|---|---|---|",
    ]
    for mode, run in record["runs"].items():
        ratio = run.get("wall_over_baseline")
        lines.append(
            f"| {names[mode]} | {run['wall_seconds']:.2f} | "
            f"{'' if ratio is None else f'{ratio:.2f}x'} | {run['handling_ms_max']:.1f} | "
            f"{run['events']} | {run['dropped']} |"
        )
    baseline = record["runs"]["baseline"]
    return "\n".join(
        [
            *lines,
            "",
            f"`{record['recording']}` replayed through `listen` as fast as it can be predicted "
            f"(`{record['model']}`, {baseline['updates']} updates, {baseline['events']} events), "
            "one rule per emotion (`EMOTION >= 0.2 for 0s`) posting every event; replay times "
            f"are medians of {record['repeats']} replays, the receivers in turn, and the longest "
            "update is over all of them. " + _machine(record),
        ]
    )


def batch_scale_table(record: dict) -> str:
    """voxemo batch against voxemo predict, and client memory as the manifest grows."""
    runs = record["throughput"]
    names = {
        "predict": "`voxemo predict FOLDER` (one process, both cores)",
        "batch 1": "`voxemo batch --workers 1`",
        "batch 2": "`voxemo batch --workers 2`",
    }
    lines = [
        "| run | wall (s) | files/s | audio hours per hour | client peak (MiB) "
        "| worker peak (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for key, run in runs.items():
        worker = f"{run['worker_peak_mib']:.0f}" if run["worker_peak_mib"] else ""
        lines.append(
            f"| {names[key]} | {run['seconds']:.1f} | {run['files_per_second']:.1f} | "
            f"{run['audio_hours_per_hour']:.0f} | {run['client_peak_mib']:.0f} | {worker} |"
        )
    lines += [
        "",
        "| manifest entries | wall (s) | files/s | client peak (MiB) | worker peak (MiB) |",
        "|---|---|---|---|---|",
    ]
    for size, run in record["scale"].items():
        lines.append(
            f"| {int(size):,} | {run['seconds']:.1f} | {run['files_per_second']:.0f} | "
            f"{run['client_peak_mib']:.0f} | {run['worker_peak_mib']:.0f} |"
        )
    sizes = list(record["scale"])
    growth = record.get("client_growth")
    rate = runs["batch 2"]["audio_hours_per_hour"]  # on one 2-core machine
    machines = 10_000 / 24 / rate
    speed = _load(RESULTS / "recognizer_speed.json")
    timeline = next(m for m in speed["rows"] if m["model"] == "default")["timeline_realtime_factor"]
    return "\n".join(
        [
            *lines,
            "",
            f"{record['files']} {record['corpus']} recordings ({record['audio_hours']:.2f} h), "
            "the default model; the scale runs use a tiny synthetic clip (hard links, one "
            "path each) "
            "and the fast model. Two workers give "
            f"{record['two_over_one_worker']:.2f}x the files/s of one and "
            f"{record['two_workers_over_predict']:.0%} of `voxemo predict`'s"
            + (
                "; two single-thread predictors in separate processes without Dask give "
                f"{record['ceiling_two_over_one']:.2f}x of one, the ceiling on this machine"
                if "ceiling_two_over_one" in record
                else ""
            )
            + "; Dask's overhead "
            f"is {record['dask_overhead_ms_per_file']:.1f} ms per file (1-worker batch against "
            "`Recognizer(threads=1).predict_many` in one process). The client (which runs the "
            "local cluster's scheduler) peaks "
            + (
                f"{growth:+.0%} higher at {int(sizes[-1]):,} entries than at {int(sizes[0]):,}. "
                if growth is not None
                else ". "
            )
            + _machine(record),
            "",
            "A day of 10,000 one-hour calls is 10,000 hours of audio, 417 an hour around the "
            "clock. One-hour calls go through `--timeline` (one prediction decodes at most "
            "600 s): at the default model's timeline rate in the speed table "
            f"({timeline:.0f}x real time on a 2-core machine), about {417 / timeline:.1f} "
            "such machines keep up; clips of a few seconds, at the "
            f"{rate:.0f} audio hours per hour of two workers above, would need {machines:.1f}. "
            "The two rates come from separate runs, which may have had hosts of different "
            "speed.",
        ]
    )


def bundled_table(cards: dict[str, dict]) -> str:
    """The models inside the package, from their own cards: what each is, what it learned
    from, and its speaker-independent scores per test corpus."""
    lines = [
        "| bundled model | what it is | trained on | RAVDESS accuracy / UAR "
        "| CREMA-D accuracy / UAR | calibration error |",
        "|---|---|---|---|---|---|",
    ]
    for name, card in sorted(cards.items()):
        members = [
            f"`{kind}`" + ("" if features == "logmel" else f" on `{features}`")
            for kind, features in zip(
                card.get("member_models", [card["model"]]),
                card.get("member_features", [card.get("features")]),
                strict=True,
            )
        ]
        (protocol, scores), *_ = card["scores"].items()
        per_corpus = scores.get("per_corpus") or {BUILTIN_CORPORA[protocol]: scores}
        # Trained on one corpus: the other's score, trained on all of one and tested on all of
        # the other over the emotions both have.
        other = {row["test"]: row for row in card.get("cross_corpus", {}).get("rows", [])}
        cells = [
            f"`{name}` ([model card](src/voxemo/pretrained/{name}/MODEL_CARD.md))",
            ("ensemble of " if len(members) > 1 else "") + " and ".join(members),
            " and ".join(CORPUS_NAMES[c["name"]] for c in card["training"]["corpus"]),
            *(
                f"{per_corpus[c]['accuracy']:.3f} / {per_corpus[c]['uar']:.3f}"
                if c in per_corpus
                else f"{other[c]['accuracy']:.3f} / {other[c]['uar']:.3f} †"
                if c in other
                else "not measured"
                for c in CORPUS_NAMES
            ),
            f"{scores['calibration_error']:.3f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


TRACKS = {
    "utterance-level": "Utterance-level (headline): each file on its own",
    "speaker-adapted": "Speaker-adapted track: each speaker normalized over all of that "
    "speaker's utterances, test speakers included",
}
TRAINED_ON = {"ravdess": "RAVDESS", "crema-d": "CREMA-D", "both": "both"}


@functools.cache
def _bundled_recipes() -> dict[tuple[str, str], str]:
    """Each bundled model by its recipe and setup, as its card's choices section says."""
    return {
        (card["choices"]["recipe"], card["choices"]["setup"]): name
        for name, card in _load(SOURCES["bundled"]).items()
        if "choices" in card
    }


def bundled_as(model: str, trained_on: str) -> str:
    """What follows a recipe's name in the tables where a bundled model of another name
    ships it (``default`` trained on CREMA-D is ``open``), as the bundled cards say."""
    bundle = _bundled_recipes().get((model, trained_on), model)
    return f" (bundled as `{bundle}`)" if bundle != model else ""


def _cell(score: dict | None) -> str:
    if not score:
        return "n/a"
    if score["folds"] > 1:
        return f"{score['accuracy']:.3f} / {score['uar']:.3f}"
    return f"{score['accuracy']:.3f} / {score['uar']:.3f} †"


def cross_corpus_table(record: dict) -> str:
    """One row per model and training set; columns: the test sets."""
    merged: dict[tuple[str, str], dict] = {}
    for row in record["rows"]:
        entry = merged.setdefault((row["model"], row["trained_on"]), {"cells": {}, "minutes": 0})
        entry["cells"] |= row["cells"]
        entry["minutes"] += row["minutes"]
    lines = [
        "| model | trained on | RAVDESS, 8 emotions | RAVDESS, 6 shared | CREMA-D, 6 emotions "
        "| minutes |",
        "|---|---|---|---|---|---|",
    ]
    order = list(TRAINED_ON)
    for (model, trained_on), entry in sorted(
        merged.items(), key=lambda item: (item[0][0], order.index(item[0][1]))
    ):
        cells = entry["cells"]
        crema = cells.get("crema-d") or cells.get("crema-d shared")
        lines.append(
            f"| {model}{bundled_as(model, trained_on)} | {TRAINED_ON[trained_on]} | "
            f"{_cell(cells.get('ravdess'))} | "
            f"{_cell(cells.get('ravdess shared'))} | {_cell(crema)} | {entry['minutes']:.0f} |"
        )
    if any("crnn" in row["members"] for row in record["rows"]):
        epochs = ", ".join(f"{TRAINED_ON[k]} {v}" for k, v in record["epochs"].items())
        networks = f"crnn epochs: {epochs}; ensembles average crnn with logreg. "
    else:
        networks = (
            "This run trained no network (the crnn takes hours per setup on 2 cores), so "
            "neither the crnn nor the bundles' ensembles are in it. "
        )
    lines += [
        "",
        "Accuracy / UAR, means over folds; every test speaker is unseen. RAVDESS: the 6 EmoBox "
        "actor folds; CREMA-D: the 5 crema5 actor folds; trained on both, each fold trains on "
        "every other actor of both corpora. † trained on all of the other corpus's files of "
        "the emotions both corpora have, tested on all of this one's (one training). 6 "
        f"shared: scored over the emotions both corpora have ({', '.join(record['shared_labels'])}"
        "). n/a: not measured, or not measurable (a model trained on CREMA-D alone knows no "
        f"calm or surprised). {networks}Choices: nested in each fold or fixed in the benchmark "
        "before the run; those behind the RAVDESS columns and the rows trained on both had "
        "been seen on the same test folds by earlier runs (see above), so those scores are "
        "somewhat optimistic. Minutes: training on the 2 cores summed over the folds, as the "
        "run that trained each fold recorded it (a network's over every run that resumed it, a "
        "feature-vector model's with its nested search); an ensemble: its members' total. "
        + _earlier_rows(record)
        + _machine(record),
    ]
    return "\n".join(lines)


def _earlier_rows(record: dict) -> str:
    """Which setups a partial run kept from an earlier one, and that run's commit.

    A setup is named by its training corpus, then its test corpus where the two
    differ (``CREMA-D → RAVDESS``), so a row whose cells come from two runs says
    which of them is older.
    """
    return _earlier(
        record,
        lambda row: (
            f"{row['model']} ("
            + " → ".join(TRAINED_ON[corpus] for corpus in row["setup"].split("->"))
            + ")"
        ),
    )


CORPUS_NAMES = {"ravdess": "RAVDESS", "crema-d": "CREMA-D"}


def robustness_table(record: dict) -> str:
    """UAR of each model of each setup under each recording condition, and its drop from
    clean audio; a column per model and setup, its cells over the corpora it was tested on."""
    columns = sorted(
        dict.fromkeys((row["model"], row["setup"]) for row in record["rows"]),
        key=lambda column: list(ROBUSTNESS_SETUPS).index(column[1]),  # both corpora first
    )
    tested: dict[tuple, set] = {}
    for row in record["rows"]:
        tested.setdefault((row["model"], row["setup"]), set()).update(row["scores"])
    by = {(row["model"], row["setup"], row["condition"]): row for row in record["rows"]}
    lines = [
        "| condition | "
        + " | ".join(
            f"`{model}`{bundled_as(model, setup)}, {ROBUSTNESS_SETUPS[setup]}"
            for model, setup in columns
        )
        + " |",
        "|---|" + "---|" * len(columns),
    ]
    for condition in dict.fromkeys(["clean", *record["conditions"]]):
        cells = []
        for model, setup in columns:
            row = by.get((model, setup, condition))
            if row is None:
                cells.append("not measured")
                continue
            corpora = [c for c in CORPUS_NAMES if c in tested[(model, setup)]]
            uar = " / ".join(f"{row['scores'][c]['uar']:.3f}" for c in corpora)
            drop = " / ".join(f"{-100 * row['uar_drop'][c]:+.1f}" for c in corpora)
            cells.append(uar if condition == "clean" else f"{uar} ({drop})")
        lines.append(f"| {condition} | " + " | ".join(cells) + " |")
    kept = _earlier(record, lambda row: f"`{row['model']}`, {ROBUSTNESS_SETUPS[row['setup']]}")
    return "\n".join(
        [
            *lines,
            "",
            "UAR of each column's models on unseen test speakers (those of the cross-corpus "
            "table's folds for the same training corpora), RAVDESS / CREMA-D where both were "
            "tested, with every test recording heard under the condition; in brackets the "
            "change from clean audio, in points. A feature-vector model hears the condition "
            "applied at the recording's own sampling rate, a network at its 16 kHz input, each "
            "with random draws (noise, room) of its own: an ensemble's members hear the same "
            "condition, not the same draw of it. The clean row is this benchmark's own "
            "training of each recipe, so it differs from the cross-corpus table where the two "
            "ran at different commits. " + kept + _machine(record),
        ]
    )


# The robustness table's setups: what each column's models were trained and tested on.
ROBUSTNESS_SETUPS = {
    "both": "both corpora (RAVDESS / CREMA-D)",
    "ravdess": "RAVDESS",
    "crema-d": "CREMA-D",
}


# How adaptation.py adapts: not at all, probabilities only, and --adapt as voxemo ships it.
ADAPTATION_MODES = ("none", "probabilities", "as shipped")


def adaptation_table(record: dict) -> str:
    """Segment scores of long one-voice recordings: without --adapt, adapting probabilities
    only, and with --adapt as it comes (feature-vector members by their voice models)."""
    modes = {(r["setup"], r["model"], r["test_corpus"], r["adaptation"]): r for r in record["rows"]}
    lines = [
        "| model | trained on | test corpus | segment UAR | `--adapt`, probabilities only "
        "| `--adapt` | change (points) |",
        "|---|---|---|---|---|---|---|",
    ]
    for setup, model, corpus, mode in modes:
        if mode != ADAPTATION_MODES[-1]:
            continue
        plain, alone, shipped = (modes[(setup, model, corpus, m)]["uar"] for m in ADAPTATION_MODES)
        lines.append(
            f"| `{model}`{bundled_as(model, setup)} | {TRAINED_ON.get(setup, setup)} | "
            f"{CORPUS_NAMES.get(corpus, corpus)} | {plain:.3f} | {alone:.3f} | "
            f"{shipped:.3f} | {100 * (shipped - plain):+.1f} |"
        )
    kept = _earlier(record, lambda row: f"`{row['model']}` trained on {TRAINED_ON[row['setup']]}")
    return "\n".join(
        [
            *lines,
            "",
            "Each test speaker's utterances joined into one recording (with "
            f"{record['pause_seconds']} s pauses of quiet room, never louder than the voice's "
            "own room tone), its timeline scored segment by segment "
            "against the utterances' labels; means over folds. Probabilities only: each "
            "window's probabilities divided by the running mean of the windows before "
            "(the model folder without its voice model). `--adapt`: feature-vector models "
            "z-score each window's features by the recording's running statistics and predict "
            "with their voice model (trained on per-speaker z-scores of the fold's training "
            "speakers); networks adapt probabilities. " + kept + _machine(record),
        ]
    )


TABLES = {
    "study": study_table,
    "cross_corpus": cross_corpus_table,
    "robustness": robustness_table,
    "adaptation": adaptation_table,
    "feature_speed": feature_speed_table,
    "leaderboard": lambda record: leaderboard_tables(record, top=5),
    "anchors": anchors_table,
    "neural": lambda record: neural_table(record, top=8),
    "recognizer_speed": recognizer_speed_table,
    "faults": faults_table,
    "core_install": core_install_table,
    "fuzz": fuzz_table,
    "service_load": service_load_table,
    "actions_webhook": actions_webhook_table,
    "batch_scale": batch_scale_table,
    "bundled": bundled_table,
}
SOURCES = {
    "anchors": ROOT / "benchmarks" / "anchors.json",
    "bundled": ROOT / "src" / "voxemo" / "pretrained",
}
LEADERBOARD_DOC = ROOT / "docs" / "leaderboard.md"


def _load(path: Path):
    """A results file, or for a folder the model cards of its subfolders by name."""
    if path.is_dir():
        return {card.parent.name: json.loads(card.read_text()) for card in path.glob("*/card.json")}
    return json.loads(path.read_text())


def rendered(text: str) -> str:
    for name, make_table in TABLES.items():
        path = SOURCES.get(name, RESULTS / f"{name}.json")
        if not path.exists():
            continue
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        found = re.search(rf"{begin}\n.*?{end}", text, re.DOTALL)
        if not found:
            raise SystemExit(f"README.md has no {begin} ... {end} markers")
        table = make_table(_load(path))
        text = f"{text[: found.start()]}{begin}\n{table}\n{end}{text[found.end() :]}"
    return text


def leaderboard_doc() -> str | None:
    path = RESULTS / "leaderboard.json"
    if not path.exists():
        return None
    header = (
        "# Accuracy leaderboard\n\nGenerated by `python benchmarks/leaderboard.py` from "
        "`benchmarks/results/leaderboard.json`; do not edit by hand.\n\n"
    )
    text = header + leaderboard_tables(json.loads(path.read_text())) + "\n"
    neural = RESULTS / "neural.json"
    if neural.exists():
        text += (
            "\n## Neural models and ensembles\n\nGenerated by `python benchmarks/neural.py` "
            "from `benchmarks/results/neural.json`.\n\n"
            + neural_table(json.loads(neural.read_text()))
            + "\n"
        )
    return text


def render_readme() -> None:
    README.write_text(rendered(README.read_text()))
    doc = leaderboard_doc()
    if doc:
        LEADERBOARD_DOC.parent.mkdir(exist_ok=True)
        LEADERBOARD_DOC.write_text(doc)


def up_to_date() -> bool:
    doc = leaderboard_doc()
    current_doc = LEADERBOARD_DOC.read_text() if LEADERBOARD_DOC.exists() else None
    return rendered(README.read_text()) == README.read_text() and doc == current_doc


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if up_to_date() else "README or docs/leaderboard.md differ from results files")
    render_readme()
