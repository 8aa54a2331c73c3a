"""Prometheus metrics of one service process: requests by status, latency, audio processed,
requests in flight."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class ServiceMetrics:
    """The counters of one application (its own registry, so several apps never collide).

    Examples
    --------
    >>> metrics = ServiceMetrics()
    >>> metrics.observe("POST", "/v1/predict", 200, 0.05, 3.5)
    >>> 'voxemo_audio_seconds_total 3.5' in metrics.text().decode()
    True
    """

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "voxemo_requests",
            "HTTP requests and WebSocket streams, by method, route and status",
            ["method", "path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "voxemo_request_seconds",
            "Time from request to response, by route",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.audio = Counter(
            "voxemo_audio_seconds", "Seconds of audio predicted", registry=self.registry
        )
        self.in_flight = Gauge(
            "voxemo_in_flight", "Requests and streams being handled", registry=self.registry
        )

    def observe(self, method: str, path: str, status: int, seconds: float, audio: float) -> None:
        """Count one finished request."""
        self.requests.labels(method, path, str(status)).inc()
        self.latency.labels(path).observe(seconds)
        if audio:
            self.audio.inc(audio)

    def text(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
