"""A fuzzing pass: mutated audio files, model folders and corpora through the voxemo CLI.

Every mutated input must give either a result or one clear error line; a finding is an
``internal error`` (an exception the code did not expect), an uncaught exception, or a feature
extraction failure that only names an exception. Inputs are built from seeded random mutations
of valid ones, so a run is reproducible:

- audio: WAV (16-bit and float), FLAC, OGG, AIFF and MP3 of a synthetic voice, cut short, with bytes
  flipped (anywhere, or in the header), header fields overwritten with extreme values, garbage
  inserted or zeroed; through ``predict``, ``predict --timeline`` and ``features``;
- model folders: the bundled ``fast`` and ``default`` models with card.json values replaced by
  other types, keys removed, member paths redirected, the text cut or bytes flipped, and the
  graph cut or flipped; through ``predict --model``;
- corpora: CSV tables with bytes flipped, columns renamed, rows cut, odd labels, speakers and
  paths; folder corpora with files at the top, empty, nested, non-audio and broken entries;
  through ``features`` and ``evaluate``.

    python benchmarks/fuzz.py [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))

RATE = 16000
AUDIO_FORMATS = {
    "voice.wav": {"subtype": "PCM_16"},
    "voice-float.wav": {"subtype": "FLOAT"},
    "voice.flac": {},
    "voice.ogg": {"subtype": "VORBIS"},
    "voice.aiff": {},
    "voice.mp3": {},
}
EXTREMES = (b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x01\x00\x00\x00")
UNEXPECTED = "(set VOXEMO_DEBUG=1 for details)"  # how the CLI ends an internal error
ODD_VALUES = (None, 0, -1, 1e308, "", "x" * 5000, [], {}, [1, "a"], {"a": None}, True, "../..")


def voice(seconds: float = 1.5, seed: int = 0) -> np.ndarray:
    """A voiced, pitch-moving tone with a little noise: decodes and has speech-like energy."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    pitch = 150 + 40 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    samples = sum(np.sin(k * phase) / k for k in range(1, 6)) * (0.5 + 0.5 * np.sin(np.pi * t))
    return (0.2 * samples + 0.002 * rng.standard_normal(len(t))).astype(np.float32)


def encoded(name: str, seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    buffer.name = name
    sf.write(buffer, voice(seed=seed), RATE, **AUDIO_FORMATS[name])
    return buffer.getvalue()


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of encoded bytes and its description."""
    data = bytearray(data)
    kind = rng.choice(["cut", "flip", "flip header", "extreme field", "insert", "zero", "junk"])
    if kind == "cut":
        data = data[: rng.randrange(0, len(data))]
    elif kind in ("flip", "flip header"):
        span = min(len(data), 64) if kind == "flip header" else len(data)
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(span)] ^= 1 << rng.randrange(8)
    elif kind == "extreme field":
        at = rng.randrange(0, max(1, min(len(data), 80) - 4))
        data[at : at + 4] = rng.choice(EXTREMES)
    elif kind == "insert":
        at = rng.randrange(len(data))
        data[at:at] = rng.randbytes(rng.randint(1, 256))
    elif kind == "zero":
        at = rng.randrange(len(data))
        end = min(len(data), at + rng.randint(1, 4096))
        data[at:end] = bytes(end - at)
    else:
        data = bytearray(rng.randbytes(rng.randint(0, 2048)))
    return kind, bytes(data)


def leaves(value, path=()) -> Iterator[tuple]:
    """Every key path of a JSON value, leaves and containers alike."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))


def mutate_card(card: dict, rng: random.Random) -> tuple[str, dict | bytes]:
    """A card with one value replaced or removed, or its text damaged."""
    paths = [path for path in leaves(card) if path]
    path = rng.choice(paths)
    kind = rng.choice(["replace", "replace", "remove", "cut text", "flip text"])
    if kind in ("cut text", "flip text"):
        return kind, mutate_bytes(json.dumps(card).encode(), rng)[1]
    card = json.loads(json.dumps(card))
    parent = card
    for key in path[:-1]:
        parent = parent[key]
    if kind == "remove":
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(ODD_VALUES)
    return f"{kind} {'.'.join(map(str, path))}", card


class Findings:
    """What each input gave: counts of outcomes, and the inputs that found a fault."""

    def __init__(self) -> None:
        self.outcomes: Counter = Counter()
        self.faults: list[dict] = []

    def run(self, target: str, case: str, argv: list[str]) -> None:
        from voxemo.cli.main import main

        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                code = main([str(a) for a in argv])
        except Exception as exc:  # an uncaught exception is what is looked for
            self._fault(target, case, f"uncaught {type(exc).__name__}: {exc}")
            return
        lines = stderr.getvalue().splitlines()
        bad = [line for line in lines if UNEXPECTED in line or "feature extraction failed" in line]
        if bad:
            self._fault(target, case, bad[0])
        else:
            self.outcomes[(target, "result" if code == 0 else "clear error")] += 1

    def _fault(self, target: str, case: str, line: str) -> None:
        self.outcomes[(target, "fault")] += 1
        self.faults.append({"target": target, "case": case, "line": line[:300]})
        print(f"FAULT {target} [{case}]: {line[:300]}", flush=True)

    def summary(self) -> dict:
        targets = sorted({target for target, _ in self.outcomes})
        return {
            target: {
                outcome: self.outcomes[(target, outcome)]
                for outcome in ("result", "clear error", "fault")
            }
            for target in targets
        }


def fuzz_audio(findings: Findings, work: Path, cases: int, rng: random.Random) -> None:
    corpus = work / "audio-corpus" / "neutral"
    corpus.mkdir(parents=True)
    for index in range(cases):
        name = rng.choice(list(AUDIO_FORMATS))
        kind, data = mutate_bytes(encoded(name, seed=index % 7), rng)
        path = corpus / f"{index:04d}-{name}"
        path.write_bytes(data)
        case = f"{name}: {kind}"
        findings.run("audio: predict", case, ["predict", "--model", "fast", path])
        findings.run("audio: predict --timeline", case, ["predict", "--timeline", path])
    out = work / "audio-features.parquet"
    findings.run(
        "audio: features",
        f"{cases} mutated files",
        [
            "features",
            "--corpus",
            f"folder={corpus.parent}",
            "--features",
            "spectral+prosody",
            "--jobs",
            "1",
            "--no-cache",
            "--out",
            out,
        ],
    )


def fuzz_models(findings: Findings, work: Path, cases: int, rng: random.Random) -> None:
    from voxemo.models.catalog import resolve_model

    clip = work / "clip.wav"
    sf.write(clip, voice(), RATE)
    for index in range(cases):
        bundled = rng.choice(["fast", "default"])
        folder = work / f"model-{index:04d}"
        shutil.copytree(resolve_model(bundled), folder)
        cards = sorted(folder.rglob("card.json"))
        card_path = rng.choice(cards)
        if rng.random() < 0.8:
            kind, card = mutate_card(json.loads(card_path.read_text()), rng)
            text = card if isinstance(card, bytes) else json.dumps(card).encode()
            card_path.write_bytes(text)
            case = f"{bundled} {card_path.relative_to(folder)}: {kind}"
        else:
            graph = rng.choice(sorted(folder.rglob("model.onnx")))
            kind, data = mutate_bytes(graph.read_bytes(), rng)
            graph.write_bytes(data)
            case = f"{bundled} {graph.relative_to(folder)}: {kind}"
        findings.run("model folder: predict --model", case, ["predict", "--model", folder, clip])
        shutil.rmtree(folder)


def csv_variants(rng: random.Random, files: list[Path]) -> Iterator[tuple[str, bytes]]:
    header = ["path", "label", "speaker", "gender"]
    rows = [
        [file.name, rng.choice(["angry", "sad", "neutral"]), f"s{index % 3}", "f"]
        for index, file in enumerate(files)
    ]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    while True:
        kind = rng.choice(["bytes", "column", "cut", "cell"])
        if kind == "bytes":
            how, data = mutate_bytes(text.encode(), rng)
            yield f"bytes: {how}", data
        elif kind == "column":
            names = list(header)
            names[rng.randrange(4)] = rng.choice(["", "Path", "label", "x,y", '"', "\ufeffpath"])
            body = "\n".join(",".join(row) for row in [names, *rows])
            yield f"header {names}", body.encode()
        elif kind == "cut":
            kept = rows[: rng.randrange(len(rows) + 1)]
            yield f"{len(kept)} rows", "\n".join(",".join(r) for r in [header, *kept]).encode()
        else:
            changed = [list(row) for row in rows]
            row, column = rng.randrange(len(rows)), rng.randrange(4)
            value = rng.choice(
                [
                    "",
                    " ",
                    '"',
                    "\x00",
                    "é" * 3,
                    "../" * 8 + "etc",
                    "/",
                    ".",
                    "nan",
                    "NA",
                    "a" * 300,
                    "1e9",
                    "surprised",
                    "Angry ",
                    "a\nb",
                ]
            )
            changed[row][column] = value
            body = "\n".join(",".join(r) for r in [header, *changed])
            yield f"cell {header[column]}={value!r}", body.encode()


def folder_variants(rng: random.Random, root: Path, files: list[Path]) -> Iterator[str]:
    """Make an odd folder corpus at ``root`` (built afresh each time) and say how it is odd."""
    while True:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        labels = ["angry", "sad", "neutral", "Angry", "ünï cødé", "x y", "1"]
        for index, file in enumerate(files):
            label = rng.choice(labels[: rng.randint(1, len(labels))])
            (root / label).mkdir(exist_ok=True)
            shutil.copy(file, root / label / f"{index}{file.suffix}")
        kind = rng.choice(
            [
                "plain",
                "top file",
                "empty label",
                "nested",
                "not audio",
                "broken link",
                "link loop",
                "empty audio",
                "label is a file",
            ]
        )
        if kind == "top file":
            shutil.copy(files[0], root / "loose.wav")
        elif kind == "empty label":
            (root / "calm").mkdir()
        elif kind == "nested":
            (root / "sad" / "deeper").mkdir(parents=True, exist_ok=True)
            shutil.copy(files[0], root / "sad" / "deeper" / "x.wav")
        elif kind == "not audio":
            (root / "sad").mkdir(exist_ok=True)
            (root / "sad" / "notes.wav").write_text("not audio")
        elif kind == "broken link":
            (root / "sad").mkdir(exist_ok=True)
            (root / "sad" / "gone.wav").symlink_to(root / "missing.wav")
        elif kind == "link loop":
            (root / "sad").mkdir(exist_ok=True)
            (root / "sad" / "loop").symlink_to(root)
        elif kind == "empty audio":
            (root / "sad").mkdir(exist_ok=True)
            (root / "sad" / "empty.wav").write_bytes(b"")
        elif kind == "label is a file":
            shutil.rmtree(root / labels[0], ignore_errors=True)
            (root / labels[0]).write_bytes(b"RIFF")
        yield kind


def fuzz_corpora(findings: Findings, work: Path, cases: int, rng: random.Random) -> None:
    audio = work / "corpus-audio"
    audio.mkdir()
    files = []
    for index in range(9):
        path = audio / f"clip{index}.wav"
        sf.write(path, voice(seed=index) * (1 + index % 3), RATE)
        files.append(path)
    csvs = csv_variants(rng, files)
    folders = folder_variants(rng, work / "folder-corpus", files)
    for index in range(cases):
        if index % 2:
            kind, text = next(csvs)
            table = audio / "corpus.csv"
            table.write_bytes(text)
            spec, target = f"csv={table}", "csv corpus"
        else:
            kind, spec, target = next(folders), f"folder={work / 'folder-corpus'}", "folder corpus"
        out = work / "out.parquet"
        findings.run(
            f"{target}: features", kind, ["features", "--corpus", spec, "--jobs", "1", "--out", out]
        )
        findings.run(
            f"{target}: evaluate",
            kind,
            [
                "evaluate",
                "--corpus",
                spec,
                "--features",
                "spectral",
                "--model",
                "logreg",
                "--no-tune",
                "--protocol",
                rng.choice(["loso", "seed"]),
                "--jobs",
                "1",
            ],
        )


TARGETS: dict[str, Callable] = {"audio": fuzz_audio, "models": fuzz_models, "corpora": fuzz_corpora}


def fuzz(cases: int, seed: int, targets=tuple(TARGETS)) -> Findings:
    """Run ``cases`` mutated inputs per target; the cache goes to a temporary folder."""
    findings = Findings()
    with tempfile.TemporaryDirectory(prefix="voxemo-fuzz-") as folder:
        work = Path(folder)
        previous = os.environ.get("VOXEMO_CACHE_DIR")
        os.environ["VOXEMO_CACHE_DIR"] = str(work / "cache")
        try:
            for name in targets:
                TARGETS[name](findings, work, cases, random.Random(f"{seed}-{name}"))
        finally:
            if previous is None:
                os.environ.pop("VOXEMO_CACHE_DIR")
            else:
                os.environ["VOXEMO_CACHE_DIR"] = previous
    return findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="inputs per target (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    findings = fuzz(args.cases, args.seed)
    from common import write_results

    write_results(
        "fuzz",
        {
            "cases_per_target": args.cases,
            "seed": args.seed,
            "outcomes": findings.summary(),
            "faults": findings.faults,
        },
    )
    sys.exit(1 if findings.faults else 0)


if __name__ == "__main__":
    main()
