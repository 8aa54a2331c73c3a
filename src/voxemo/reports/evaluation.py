"""An HTML report of one evaluation (or of its utterance-level and speaker-adapted tracks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from voxemo.jsonfile import write_json
from voxemo.reports import figures, html
from voxemo.reports.style import save

MAX_MISCLASSIFIED = 200
TOP_CONFUSIONS = 8
SCORES = (("accuracy", "accuracy"), ("uar", "UAR"), ("macro_f1", "macro-F1"))


def evaluation_title(result: dict) -> str:
    config = result["config"]
    return (
        f"{config['model']} / {config['features']} / {config['protocol']} / "
        f"{result['track']}: accuracy {result['accuracy']:.3f}, UAR {result['uar']:.3f}"
    )


def most_confused(result: dict, top: int = TOP_CONFUSIONS) -> list[tuple[str, str, int, float]]:
    """The largest off-diagonal cells: (true, predicted, count, share of the true class)."""
    counts = np.asarray(result["confusion_matrix"])
    totals = np.maximum(counts.sum(axis=1), 1)
    labels = result["labels"]
    cells = [
        (labels[i], labels[j], int(counts[i, j]), counts[i, j] / totals[i])
        for i in range(len(labels))
        for j in range(len(labels))
        if i != j and counts[i, j]
    ]
    return sorted(cells, key=lambda cell: -cell[2])[:top]


def write_evaluation_report(results: list[dict], out: Path, svg: bool = False) -> Path:
    """Write ``out/index.html`` with figures and the evaluation JSON files beside it."""
    out.mkdir(parents=True, exist_ok=True)
    sections = [_configuration(results[0]["config"]), _summary(results)]
    for number, result in enumerate(results, start=1):
        name = f"track{number}"
        write_json(out / f"{name}-evaluation.json", result, indent=2)
        sections += _track(result, name, out, svg)
    config = results[0]["config"]
    title = f"Evaluation: {config['model']} on {config['features']} features, {config['protocol']}"
    return html.write_page(out / "index.html", title, sections)


def _configuration(config: dict) -> str:
    tuning = config.get("tuning", {})
    rows = [
        ["corpus", ", ".join(config["corpus"])],
        ["files", config["n_files"]],
        ["features", config["features"]],
        ["model", config["model"]],
        ["protocol", f"{config['protocol']}: {config['protocol_description']}"],
        ["hyper-parameter search", json.dumps(tuning.get("search_space") or "none (defaults)")],
        ["feature selection", config.get("feature_selection") or "none"],
        ["seeds", json.dumps(config["seeds"])],
        ["voxemo", f"{config['voxemo']} (commit {config['git_commit'] or 'unknown'})"],
    ]
    skipped = len(config.get("skipped_files", []))
    if skipped:
        rows.append(["files left out", f"{skipped} (unreadable; listed in the JSON)"])
    return "<h2>Configuration</h2>" + html.table(["setting", "value"], rows, text_columns=2)


def _summary(results: list[dict]) -> str:
    rows = []
    for result in results:
        cells = [f"{result[k]:.3f} ± {result[k + '_std']:.3f}" for k, _ in SCORES]
        pooled = [f"{result['pooled'][k]:.3f}" for k, _ in SCORES]
        rows.append([result["track"], len(result["folds"]), *cells, *pooled])
    header = [
        "track",
        "folds",
        *(f"{name} (mean ± sd over folds)" for _, name in SCORES),
        *(f"{name} (all predictions)" for _, name in SCORES),
    ]
    warning = "".join(
        f'<p class="note">{html.escape(r["warning"])}</p>' for r in results[:1] if "warning" in r
    )
    note = (
        (
            "<p>The speaker-adapted track normalizes features per speaker over all of that "
            "speaker's utterances, test speakers included; it is reported beside, never "
            "instead of, the utterance-level track.</p>"
        )
        if len(results) > 1
        else ""
    )
    return "<h2>Scores</h2>" + html.table(header, rows) + warning + note


def _track(result: dict, name: str, out: Path, svg: bool) -> list[str]:
    labels = result["labels"]
    predictions = pd.DataFrame(result["predictions"])
    sections = [f"<h2>Track: {html.escape(result['track'])}</h2>"]
    fold_rows = [
        [
            f["fold"],
            ", ".join(f["test_speakers"]),
            f["n_train"],
            f["n_test"],
            f["accuracy"],
            f["uar"],
            f["macro_f1"],
            ", ".join(f"{k}={v}" for k, v in f.get("chosen_params", {}).items()) or "-",
        ]
        for f in result["folds"]
    ]
    sections.append(
        "<h3>Folds</h3>"
        + html.table(
            [
                "fold",
                "test speakers",
                "train",
                "test",
                "accuracy",
                "UAR",
                "macro-F1",
                "chosen on training speakers",
            ],
            fold_rows,
            text_columns=2,
        )
    )
    per_class = [
        [
            label,
            *(result["per_class"][label][k] for k in ("precision", "recall", "f1")),
            result["per_class"][label]["support"],
        ]
        for label in labels
    ]
    sections.append(
        "<h3>Per class</h3>"
        + html.table(["emotion", "precision", "recall", "F1", "support"], per_class)
    )
    save(
        figures.confusion_figure(result["confusion_matrix"], labels, evaluation_title(result)),
        out / f"{name}-confusion.png",
        svg,
    )
    counts = [[label, *row] for label, row in zip(labels, result["confusion_matrix"], strict=True)]
    sections.append(
        "<h3>Confusion matrix</h3>"
        + html.figure(
            f"{name}-confusion.png",
            "Rows: true emotion; columns: predicted. Each cell: share of the true class (count).",
        )
        + html.table(["true \\ predicted", *labels], counts)
    )
    by_speaker = predictions.assign(correct=predictions["label"] == predictions["predicted"])
    accuracy = by_speaker.groupby("speaker")["correct"].mean()
    save(
        figures.accuracy_by_group_figure(accuracy, "test speaker", "accuracy per speaker"),
        out / f"{name}-speakers.png",
        svg,
    )
    sections.append(
        "<h3>Per speaker</h3>"
        + html.figure(
            f"{name}-speakers.png",
            "Accuracy on each speaker's recordings when that speaker was in the test part.",
        )
    )
    confused = [[t, p, c, share] for t, p, c, share in most_confused(result)]
    sections.append(
        "<h3>Most confused pairs</h3>"
        + html.table(
            ["true", "predicted as", "count", "share of the true class"], confused, text_columns=2
        )
    )
    sections.append(_misclassified(by_speaker[~by_speaker["correct"]], out))
    return sections


def _misclassified(rows: pd.DataFrame, out: Path) -> str:
    """A table of wrong predictions, each with a player that links to (never copies) the file."""
    shown = rows.head(MAX_MISCLASSIFIED)
    table_rows = []
    for _, row in shown.iterrows():
        source = os.path.relpath(row["path"], out)
        player = html.RawHtml(
            f'<audio controls preload="none" src="{html.escape(source)}"></audio>'
        )
        table_rows.append(
            [
                Path(row["path"]).name,
                row["speaker"],
                row["label"],
                row["predicted"],
                row["fold"],
                player,
            ]
        )
    more = (
        f"<p>The first {MAX_MISCLASSIFIED} of {len(rows)} are shown; all are in the JSON.</p>"
        if len(rows) > MAX_MISCLASSIFIED
        else ""
    )
    return (
        f"<h3>Misclassified recordings ({len(rows)})</h3>"
        + more
        + html.table(
            ["file", "speaker", "true", "predicted", "fold", "listen"], table_rows, text_columns=5
        )
    )
