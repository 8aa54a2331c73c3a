"""The middleware every request passes: request-body and in-flight limits, one log line
and the metrics of each request."""

from __future__ import annotations

import json
import logging
import time

from voxemo.service.metrics import ServiceMetrics
from voxemo.service.settings import ServiceSettings

log = logging.getLogger("voxemo.service")

ROUTES = ("/v1/predict", "/v1/models", "/v1/stream", "/healthz", "/readyz", "/metrics", "/")
LIMITED = ("/v1/predict", "/v1/stream")  # the routes that compute, and so queue


def route_label(path: str) -> str:
    """The metrics label of a path: a route, ``/static``, or ``other`` (never the raw path,
    so odd requests cannot grow the metrics without bound).

    Examples
    --------
    >>> route_label("/v1/predict"), route_label("/static/app.js"), route_label("/x/../y")
    ('/v1/predict', '/static', 'other')
    """
    if path in ROUTES:
        return path
    if path.startswith("/static/"):
        return "/static"
    return "other"


class BodyTooLarge(Exception):
    """Raised while a request body is read, once it passes the upload limit."""


class RequestGuard:
    """Pure ASGI middleware: refuses bodies over the limit (413, from ``Content-Length``
    before anything is read, else as soon as the body passes it) and work beyond
    ``max_concurrent`` in flight (503 with ``Retry-After``), then logs and counts the
    request."""

    def __init__(self, app, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        self.app, self.settings, self.metrics = app, settings, metrics
        self.in_flight = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        path, method = scope["path"], scope.get("method", "WS")
        outcome = {"status": 500}
        state = scope.setdefault("state", {})

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
            elif message["type"] == "websocket.accept":
                outcome["status"] = 101
            elif message["type"] == "websocket.close" and outcome["status"] != 101:
                outcome["status"] = 403
            await send(message)

        limited = path in LIMITED
        try:
            if limited and self.in_flight >= self.settings.max_concurrent:
                await self._busy(scope, receive, sending)
                return
            self.in_flight += limited
            self.metrics.in_flight.inc(limited)
            try:
                await self._guarded(scope, receive, sending)
            finally:
                self.in_flight -= limited
                self.metrics.in_flight.dec(limited)
        finally:  # every request is counted and logged, a failed one too
            elapsed = time.perf_counter() - began
            audio = float(state.get("audio_seconds") or 0.0)
            self.metrics.observe(method, route_label(path), outcome["status"], elapsed, audio)
            log.info(
                "%s %s %s %.1f ms %.2f s audio",
                method,
                path,
                outcome["status"],
                elapsed * 1000,
                audio,
            )

    async def _guarded(self, scope, receive, send) -> None:
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_upload_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _json(send, 413, self._too_large(), close=True)
            return
        received, started = [0], [False]

        async def counting():
            message = await receive()
            if message["type"] == "http.request":
                received[0] += len(message.get("body", b""))
                if received[0] > limit:
                    raise BodyTooLarge
            return message

        async def watching(message) -> None:
            started[0] = started[0] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, watching)
        except BodyTooLarge:
            if not started[0]:
                await _json(send, 413, self._too_large(), close=True)

    def _too_large(self) -> str:
        return (
            f"request body: larger than the {self.settings.max_upload_mb:g} MB this service accepts"
        )

    async def _busy(self, scope, receive, send) -> None:
        reason = f"busy: {self.settings.max_concurrent} requests in flight; retry shortly"
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1013, "reason": reason})
            return
        await _json(send, 503, reason, headers=[(b"retry-after", b"1")])


async def _json(send, status: int, error: str, headers=(), close: bool = False) -> None:
    body = json.dumps({"error": error}).encode()
    extra = [(b"connection", b"close")] if close else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
