"""What a batch worker does with one partition: read each input through fsspec, predict it,
and return the partition's result tables. The model is loaded once per worker process."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from voxemo.provenance import package_version

NEGATIVE = ("angry", "sad", "fearful", "disgust")
PEAKS = 3  # the moments of strongest negative emotion kept per recording
BLOCK = 1 << 20


@lru_cache(maxsize=2)
def _recognizer(model: str | None):
    from threadpoolctl import threadpool_limits

    from voxemo import Recognizer

    threadpool_limits(1)  # one task per core: no BLAS or OpenMP pools of its own
    return Recognizer(model, threads=1)


def predict_partition(records: list[dict], model: str | None, timeline: bool, adapt: bool) -> dict:
    """The tables of one partition: ``predictions`` (one row per input, errors included)
    and, with ``timeline``, ``segments`` and ``summaries``."""
    import pyarrow as pa

    recognizer = _recognizer(model)
    labels = recognizer.labels
    rows, segments, summaries = [], [], []
    unchanged = 0
    for record in records:
        row = _predict(recognizer, record, timeline, adapt, segments, summaries)
        if row is None:  # touched, but the same content: its row stays as it is
            unchanged += 1
            continue
        rows.append(row)
    columns = ["path", "size", "mtime", "digest", "duration", "label"]
    columns += [f"p_{label}" for label in labels] + ["error", "model", "model_version", "voxemo"]
    extra = [key for key in (rows[0] if rows else {}) if key not in columns]
    tables = {
        "predictions": pa.Table.from_pylist(rows, schema=_schema(labels, rows, extra)),
        "unchanged": unchanged,
    }
    if timeline:
        tables["segments"] = pa.Table.from_pylist(
            segments,
            schema=pa.schema(
                [("path", pa.string()), ("start", pa.float64()), ("end", pa.float64()),
                 ("label", pa.string()), ("confidence", pa.float64())]
            ),
        )  # fmt: skip
        tables["summaries"] = pa.Table.from_pylist(summaries)
    return tables


def _schema(labels: list[str], rows: list[dict], extra: list[str]):
    import pyarrow as pa

    fields = [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime", pa.float64()),
        ("digest", pa.string()),
        ("duration", pa.float64()),
        ("label", pa.string()),
        *((f"p_{label}", pa.float64()) for label in labels),
        ("error", pa.string()),
        ("model", pa.string()),
        ("model_version", pa.string()),
        ("voxemo", pa.string()),
    ]
    inferred = pa.Table.from_pylist([{key: row.get(key) for key in extra} for row in rows]).schema
    return pa.schema(fields + [(name, inferred.field(name).type) for name in extra])


def _predict(recognizer, record: dict, timeline: bool, adapt: bool, segments, summaries):
    import fsspec

    from voxemo.batch.inputs import file_stamp
    from voxemo.errors import AudioError
    from voxemo.recognizer.predict import predict_bytes

    record = dict(record)
    previous = record.pop("_previous_digest", None)
    path = str(record["path"])
    model_card = recognizer.model.card
    row = {
        "path": path, "size": None, "mtime": None, "digest": None, "duration": None,
        "label": None, **{f"p_{label}": None for label in recognizer.labels}, "error": None,
        "model": model_card.get("model"), "model_version": card_version(model_card),
        "voxemo": package_version(),
        **{key: value for key, value in record.items() if key != "path"},
    }  # fmt: skip
    try:
        filesystem, location = fsspec.core.url_to_fs(path)
        info = filesystem.info(location)
        row["size"], row["mtime"] = file_stamp(info)
        with filesystem.open(location, "rb") as handle:
            row["digest"] = _digest(handle)
            if previous is not None and row["digest"] == previous:
                return None
            handle.seek(0)
            if timeline:
                _timeline(recognizer.model, handle, path, adapt, row, segments, summaries)
            else:
                prediction = predict_bytes(recognizer.model, handle.read(), path)
                if prediction.error:
                    row["error"] = prediction.error
                else:
                    row["duration"], row["label"] = prediction.duration, prediction.label
                    for label, p in prediction.probabilities.items():
                        row[f"p_{label}"] = p
    except AudioError as exc:
        row["error"] = str(exc)
    except FileNotFoundError:
        row["error"] = f"{path}: no such file"
    except OSError as exc:
        row["error"] = f"{path}: cannot read ({exc.strerror or exc})"
    return row


def _timeline(model, handle, path: str, adapt: bool, row: dict, segments, summaries) -> None:
    import numpy as np

    from voxemo.recognizer.timeline import predict_timeline, speech_shares

    timeline = predict_timeline(model, handle, adapt=adapt, name=path)
    row["duration"] = round(timeline.duration, 3)
    shares = speech_shares(timeline, model.labels)
    row["label"] = max(shares, key=shares.get) if timeline.segments else None
    mean = {label: float(np.mean([w.probabilities[label] for w in timeline.windows]))
            for label in model.labels} if timeline.windows else {}  # fmt: skip
    for label in model.labels:
        row[f"p_{label}"] = round(mean[label], 6) if mean else None
    for segment in timeline.segments:
        segments.append({"path": path, "start": segment.start, "end": segment.end,
                         "label": segment.label, "confidence": segment.confidence})  # fmt: skip
    longest = {label: 0.0 for label in model.labels}
    for segment in timeline.segments:
        longest[segment.label] = max(longest[segment.label], segment.end - segment.start)
    negative = sorted(
        ((sum(w.probabilities.get(e, 0.0) for e in NEGATIVE), w) for w in timeline.windows),
        key=lambda item: -item[0],
    )[:PEAKS]
    summaries.append(
        {
            "path": path,
            "duration": row["duration"],
            "speech_seconds": round(timeline.speech_seconds, 3),
            **{f"share_{label}": shares[label] for label in model.labels},
            **{f"longest_{label}": round(longest[label], 3) for label in model.labels},
            "negative_peaks": [
                {"start": w.start, "end": w.end, "negative": round(value, 4)}
                for value, w in negative
            ],
        }
    )


def card_version(card: dict) -> str:
    """A short digest of a model card: the version of the model that made a row."""
    import json

    return hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:16]


def _digest(handle) -> str:
    digest = hashlib.sha256()
    while block := handle.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()
