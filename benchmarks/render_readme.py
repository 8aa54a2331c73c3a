"""Regenerate the README's result tables from the committed results files.

Each table sits between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers and is
rebuilt from ``benchmarks/results/name.json``; nothing in those tables is typed by hand.

    python benchmarks/render_readme.py [--check]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

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
    commit = (record.get("git_commit") or "unknown")[:12]
    return (
        f"Measured {record['date'][:10]} on {machine['cpu']} ({machine['cores']} cores), "
        f"voxemo {record['voxemo']}, commit {commit}."
    )


def study_table(record: dict) -> str:
    lines = [
        "| features | model | protocol | accuracy | UAR | macro-F1 |",
        "|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        cells = [
            f"{row[k]:.3f} ± {row[k + '_std']:.3f}" if row["folds"] > 1 else f"{row[k]:.3f}"
            for k in ("accuracy", "uar", "macro_f1")
        ]
        protocol = PROTOCOL_NAMES.get(row["protocol"], row["protocol"])
        lines.append(
            f"| {row['features']} | {row['model']} | {protocol} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        f"RAVDESS speech, {record['rows'][0]['files']} files, 8 emotions; ± is the "
        "standard deviation over folds. " + _machine(record),
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


TABLES = {"study": study_table, "feature_speed": feature_speed_table}


def rendered(text: str) -> str:
    for name, make_table in TABLES.items():
        path = RESULTS / f"{name}.json"
        if not path.exists():
            continue
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        found = re.search(rf"{begin}\n.*?{end}", text, re.DOTALL)
        if not found:
            raise SystemExit(f"README.md has no {begin} ... {end} markers")
        table = make_table(json.loads(path.read_text()))
        text = f"{text[: found.start()]}{begin}\n{table}\n{end}{text[found.end() :]}"
    return text


def render_readme() -> None:
    README.write_text(rendered(README.read_text()))


if __name__ == "__main__":
    if "--check" in sys.argv:
        current = README.read_text()
        sys.exit(0 if rendered(current) == current else "README tables differ from results files")
    render_readme()
