"""``WS /v1/stream``: live emotion of audio streamed by a client (a browser's microphone, a
telephony bridge).

The client's first message is JSON text: ``{"sample_rate": 16000, "encoding": "pcm_s16le"}``
(or ``"f32le"``), optionally ``"window"``, ``"hop"`` (seconds), ``"adapt"`` and ``"rules"``
(rule strings of :mod:`voxemo.actions`, whose events come as ``{"event": "rule", ...}``
messages after the update that fired them). The server answers ``{"event": "ready", ...}``;
then each binary message is a chunk of mono samples, and the server sends ``{"event":
"update", "time", "label", "confidence", "probabilities"}`` every hop (``label`` null for
silence). ``{"event": "end"}`` (or closing) ends the stream with ``{"event": "summary",
...}``. A bad message closes the socket with code 1003 (wrong kind of data) or 1008 (bad
content) and a reason.

The server reads one chunk at a time and keeps one window of audio, so a client that sends
faster than it is predicted is slowed by the socket, never buffered without bound.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass

import numpy as np
from anyio import CapacityLimiter, fail_after, to_thread
from starlette.websockets import WebSocket, WebSocketDisconnect

from voxemo.actions import RuleError, RuleWatcher
from voxemo.audio.decode import MAX_PEAK
from voxemo.recognizer.live import LiveSession, LiveUpdate

ENCODINGS = {"pcm_s16le": ("<i2", 32768.0), "f32le": ("<f4", 1.0)}
MAX_CHUNK_SECONDS = 10.0
MAX_RULES = 20
FIRST_MESSAGE_SECONDS = 10.0  # a socket that says nothing this long is closed
IDLE_SECONDS = 30.0  # and one that goes quiet this long mid-stream
UNSUPPORTED, POLICY, TOO_BIG = 1003, 1008, 1009


def _fits(reason: str) -> str:
    """A close reason cut to the 123 bytes a close frame holds (UTF-8, whole characters)."""
    return reason.encode()[:120].decode(errors="ignore")


class StreamError(Exception):
    """A message the stream cannot take: its close code and the reason sent."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, _fits(reason)


@dataclass(frozen=True)
class StreamConfig:
    """What a client's first message asks for."""

    sample_rate: int
    encoding: str
    window: float = 3.0
    hop: float = 1.0
    adapt: bool = False
    rules: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> StreamConfig:
        """The configuration in a first message, or :class:`StreamError` naming the problem.

        Examples
        --------
        >>> StreamConfig.parse('{"sample_rate": 16000, "encoding": "f32le"}').hop
        1.0
        >>> StreamConfig.parse('{"sample_rate": 16000, "encoding": "mp3"}')
        Traceback (most recent call last):
        ...
        voxemo.service.stream.StreamError: encoding 'mp3': use pcm_s16le or f32le
        """
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            raise StreamError(UNSUPPORTED, "first message: not JSON") from None
        if not isinstance(message, dict):
            raise StreamError(POLICY, "first message: must be a JSON object")
        rate, encoding = message.get("sample_rate"), message.get("encoding")
        if not isinstance(rate, int) or isinstance(rate, bool) or not 8000 <= rate <= 192000:
            raise StreamError(POLICY, f"sample_rate {rate!r}: an integer from 8000 to 192000 Hz")
        if encoding not in ENCODINGS:
            raise StreamError(POLICY, f"encoding {encoding!r}: use pcm_s16le or f32le")
        window, hop = message.get("window", 3.0), message.get("hop", 1.0)
        for key, value in (("window", window), ("hop", hop)):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise StreamError(POLICY, f"{key} {value!r}: a number of seconds")
        if not 0.5 <= window <= 30:
            raise StreamError(POLICY, f"window {window}: from 0.5 to 30 seconds")
        if not 0.1 <= hop <= window:
            raise StreamError(POLICY, f"hop {hop}: from 0.1 seconds to the window ({window})")
        rules = message.get("rules", [])
        if not isinstance(rules, list) or len(rules) > MAX_RULES:
            raise StreamError(POLICY, f"rules: a list of at most {MAX_RULES} rule strings")
        if not all(isinstance(rule, str) for rule in rules):
            raise StreamError(POLICY, "rules: each rule is a string, e.g. 'angry >= 0.6 for 3s'")
        adapt = message.get("adapt", False)
        if not isinstance(adapt, bool):
            raise StreamError(POLICY, f"adapt {adapt!r}: true or false")
        return cls(rate, encoding, float(window), float(hop), adapt, tuple(rules))

    def samples(self, chunk: bytes) -> np.ndarray:
        """Float32 samples of a binary chunk, or :class:`StreamError`."""
        dtype, scale = ENCODINGS[self.encoding]
        width = np.dtype(dtype).itemsize
        if len(chunk) % width:
            raise StreamError(
                POLICY, f"audio chunk of {len(chunk)} bytes: not whole {width}-byte samples"
            )
        if len(chunk) > MAX_CHUNK_SECONDS * self.sample_rate * width:
            raise StreamError(TOO_BIG, f"audio chunk longer than {MAX_CHUNK_SECONDS:g} s")
        samples = np.frombuffer(chunk, dtype).astype(np.float32) / scale
        if not np.isfinite(samples).all():
            raise StreamError(POLICY, "audio chunk holds NaN or infinite samples")
        if np.abs(samples).max(initial=0.0) > MAX_PEAK:
            raise StreamError(POLICY, "audio chunk: samples far outside the -1 to 1 of audio")
        return samples


class StreamSummary:
    """What the final message says of a stream: seconds heard, updates, and the share of
    the speech updates each emotion won."""

    def __init__(self) -> None:
        self.updates, self.labels = 0, Counter()

    def add(self, update: LiveUpdate) -> None:
        self.updates += 1
        if update.label is not None:
            self.labels[update.label] += 1

    def message(self, seconds: float) -> dict:
        speech = sum(self.labels.values())
        return {
            "event": "summary",
            "seconds": round(seconds, 3),
            "updates": self.updates,
            "speech_updates": speech,
            "share": {label: round(n / speech, 4) for label, n in self.labels.most_common()},
        }


async def serve_stream(
    websocket: WebSocket, model, limiter: CapacityLimiter, max_seconds: float
) -> None:
    """Run one stream on an accepted socket until the client ends it or breaks the rules."""
    summary, session = StreamSummary(), None
    try:
        with fail_after(FIRST_MESSAGE_SECONDS):
            first = await websocket.receive()
        if first["type"] == "websocket.disconnect":
            return
        if first.get("text") is None:
            raise StreamError(UNSUPPORTED, "first message: JSON text expected, not binary audio")
        config = StreamConfig.parse(first["text"])
        watcher = _watcher(config, model.labels)
        session = LiveSession(
            model, config.sample_rate, window=config.window, hop=config.hop, adapt=config.adapt
        )
        await websocket.send_json(
            {
                "event": "ready",
                "labels": model.labels,
                "window": config.window,
                "hop": config.hop,
                "sample_rate": config.sample_rate,
                "encoding": config.encoding,
            }
        )
        while True:
            with fail_after(IDLE_SECONDS):
                message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                samples = config.samples(message["bytes"])
                if session.seconds + len(samples) / config.sample_rate > max_seconds:
                    raise StreamError(POLICY, f"stream longer than the {max_seconds:g} s allowed")
                for update in await to_thread.run_sync(session.feed, samples, limiter=limiter):
                    summary.add(update)
                    await websocket.send_json({"event": "update", **update.__dict__})
                    for event in watcher.update(update.time, update.probabilities):
                        await websocket.send_json(event.to_dict())
                continue
            if _is_end(message.get("text")):
                for event in watcher.finish(round(session.seconds, 3)):
                    await websocket.send_json(event.to_dict())
                await websocket.send_json(summary.message(session.seconds))
                await websocket.close(1000)
                return
            raise StreamError(UNSUPPORTED, 'text message: only {"event": "end"} is understood')
    except StreamError as exc:
        await websocket.close(exc.code, exc.reason)
    except TimeoutError:
        await websocket.close(POLICY, "no message for too long; the stream is closed")
    except WebSocketDisconnect:
        return
    except Exception as exc:  # never a stream the server leaves half open
        with suppress(Exception):
            await websocket.close(1011, _fits(f"internal error: {type(exc).__name__}"))
        raise
    finally:  # for the request log and the metrics
        websocket.scope.setdefault("state", {})["audio_seconds"] = session.seconds if session else 0


def _watcher(config: StreamConfig, labels: list[str]) -> RuleWatcher:
    try:
        return RuleWatcher(config.rules, labels, source="stream")
    except RuleError as exc:
        raise StreamError(POLICY, str(exc)) from None


def _is_end(text: str | None) -> bool:
    try:
        return json.loads(text or "").get("event") == "end"
    except (ValueError, AttributeError, RecursionError):
        return False
