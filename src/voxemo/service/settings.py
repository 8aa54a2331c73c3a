"""What ``voxemo serve`` is configured with, passed to each worker process as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

SETTINGS_VARIABLE = "VOXEMO_SERVICE_SETTINGS"


@dataclass(frozen=True)
class ServiceSettings:
    """Limits and model of one service.

    Attributes
    ----------
    model : str or None
        A model name or folder (None: the bundled ``default``).
    api_key : str or None
        When set, ``/v1/*`` and ``/metrics`` need ``Authorization: Bearer KEY`` (or
        ``X-API-Key: KEY``; a WebSocket may pass ``?api_key=KEY``).
    max_upload_mb : float
        Larger request bodies are refused with 413 before they are read whole.
    max_seconds : float
        Longer recordings are refused with 413 (a stream is closed after that much audio).
    max_concurrent : int
        Requests and streams in flight at once; more get 503 with ``Retry-After``.
    threads : int or None
        Predictions computed at once (None: one per core); each uses one core.

    Examples
    --------
    >>> settings = ServiceSettings(model="fast", max_upload_mb=5)
    >>> ServiceSettings.from_json(settings.to_json()) == settings
    True
    """

    model: str | None = None
    api_key: str | None = None
    max_upload_mb: float = 50.0
    max_seconds: float = 600.0
    max_concurrent: int = 256
    threads: int | None = None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def compute_threads(self) -> int:
        return self.threads or os.cpu_count() or 1

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceSettings:
        return cls(**json.loads(text))

    @classmethod
    def from_environment(cls) -> ServiceSettings:
        """The settings ``voxemo serve`` left for its workers, else the defaults (with
        ``VOXEMO_API_KEY`` as the key)."""
        if os.environ.get(SETTINGS_VARIABLE):
            return cls.from_json(os.environ[SETTINGS_VARIABLE])
        return cls(api_key=os.environ.get("VOXEMO_API_KEY") or None)
