"""``voxemo serve``: the HTTP and WebSocket service, with its web page."""

from __future__ import annotations

import argparse
import os

from voxemo.cli.console import note
from voxemo.errors import VoxemoError

# One line per request from the service, uvicorn's own warnings and errors, on stderr.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {
        "voxemo": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve a model over HTTP and WebSocket, with a web page",
        description="Serve the bundled or any saved model: POST /v1/predict (a recording, as "
        "a multipart upload or the raw body; ?timeline=true for the emotion over time), "
        "WS /v1/stream (live audio), GET /v1/models, /healthz, /readyz, /metrics "
        "(Prometheus), OpenAPI docs at /docs and a page at / that records from the "
        "microphone or predicts a dropped file. Needs the serve extra.",
    )
    serve.add_argument("--model", metavar="NAME_OR_DIR", help="default: the bundled model")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="default: %(default)s")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes, each with the model loaded (default: %(default)s; one process "
        "already predicts on every core)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="predictions computed at once per process (default: one per core)",
    )
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        default=os.environ.get("VOXEMO_API_KEY"),
        help="require this key on /v1/* and /metrics (default: $VOXEMO_API_KEY; none: open)",
    )
    serve.add_argument(
        "--max-upload-mb",
        type=float,
        default=50.0,
        metavar="MB",
        help="larger request bodies get 413 (default: %(default)s)",
    )
    serve.add_argument(
        "--max-seconds",
        type=float,
        default=600.0,
        metavar="S",
        help="longer recordings and streams are refused (default: %(default)s)",
    )
    serve.add_argument(
        "--max-concurrent",
        type=int,
        default=256,
        metavar="N",
        help="requests and streams in flight per process; more get 503 with Retry-After "
        "(default: %(default)s)",
    )
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.service.settings import SETTINGS_VARIABLE, ServiceSettings

    for name, value in (
        ("--port", args.port if 0 < args.port < 65536 else 0),
        ("--workers", args.workers),
        ("--max-concurrent", args.max_concurrent),
        ("--max-upload-mb", args.max_upload_mb),
        ("--max-seconds", args.max_seconds),
        ("--threads", args.threads or 1),
    ):
        if value <= 0:
            raise VoxemoError(f"{name}: must be a positive number")
    load_model(resolve_model(args.model))  # a bad model fails here, in one line, not in a worker
    settings = ServiceSettings(
        model=args.model,
        api_key=args.api_key or None,
        max_upload_mb=args.max_upload_mb,
        max_seconds=args.max_seconds,
        max_concurrent=args.max_concurrent,
        threads=args.threads,
    )
    os.environ[SETTINGS_VARIABLE] = settings.to_json()  # read by every worker process
    key = "with an API key" if settings.api_key else "without an API key"
    note(f"serving {args.model or 'default'} on http://{args.host}:{args.port} {key}")
    uvicorn.run(
        "voxemo.service.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # the service logs one line per request itself
        ws_max_size=8 * 1024 * 1024,  # 10 s of f32 audio at 192 kHz fits
        log_config=LOG_CONFIG,  # each worker process logs its requests
        # Longer than clients keep idle connections (httpx, browsers: 5-60 s), so that the
        # server never closes one just as a client sends its next request on it.
        timeout_keep_alive=75,
    )
    return 0
