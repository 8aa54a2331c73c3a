"""The FastAPI application of ``voxemo serve``.

Every route is a thin layer over the library: ``POST /v1/predict`` gives exactly what
``voxemo predict --json`` (or ``--timeline --json``) gives for the recording, and its
errors are the command line's words.
"""

from __future__ import annotations

import asyncio
import hmac
import io
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import CapacityLimiter, fail_after, to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from voxemo.audio.decode import MAX_DECODED_SECONDS
from voxemo.errors import AudioError, VoxemoError
from voxemo.provenance import package_version
from voxemo.service.guard import RequestGuard
from voxemo.service.metrics import ServiceMetrics
from voxemo.service.settings import ServiceSettings
from voxemo.service.stream import serve_stream
from voxemo.service.uploads import declared_seconds, read_upload

STATIC = Path(__file__).parent / "static"
UPLOAD_SECONDS = 120.0  # a body that takes longer to arrive gets 408
log = logging.getLogger("voxemo.service")


class TooLong(Exception):
    """Raised while a timeline streams, once it passes the duration limit."""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The application serving ``settings.model``; the model loads in the background, so
    ``/healthz`` answers at once and ``/readyz`` once it is loaded.

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> with TestClient(create_app(ServiceSettings(model="fast"))) as client:
    ...     client.get("/healthz").json()
    {'status': 'ok'}
    """
    settings = settings or ServiceSettings.from_environment()
    metrics = ServiceMetrics()
    limiter = CapacityLimiter(settings.compute_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.recognizer, app.state.load_error = None, None
        loading = asyncio.create_task(_load(app, settings))
        yield
        loading.cancel()

    app = FastAPI(
        title="voxemo",
        version=package_version(),
        summary="Emotion in the human voice: predictions, timelines and live streams.",
        lifespan=lifespan,
    )
    app.add_middleware(RequestGuard, settings=settings, metrics=metrics)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def authorized(request: Request) -> None:
        if settings.api_key and not _key_matches(request, settings.api_key):
            raise HTTPException(
                401,
                "missing or wrong API key: send Authorization: Bearer KEY or X-API-Key: KEY",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def recognizer(request: Request):
        state = request.app.state
        if state.recognizer is None:
            detail = state.load_error or f"model {settings.model or 'default'} is still loading"
            raise HTTPException(503, detail, headers={"Retry-After": "1"})
        return state.recognizer

    @app.exception_handler(StarletteHTTPException)  # FastAPI's, and Starlette's 404, 405, 400
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        return JSONResponse({"error": problems}, 422)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/healthz", summary="The process is alive")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", summary="The model is loaded and predictions are served")
    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        if state.recognizer is None:
            problem = state.load_error or "loading"
            return JSONResponse({"status": "not ready", "error": problem}, 503)
        return JSONResponse({"status": "ready", "model": _model_name(settings)})

    @app.get("/metrics", dependencies=[Depends(authorized)], summary="Prometheus metrics")
    async def metrics_text() -> Response:
        return Response(metrics.text(), media_type=metrics.content_type)

    @app.get("/v1/models", dependencies=[Depends(authorized)], summary="Models and their cards")
    async def models(request: Request) -> dict:
        from voxemo.models.catalog import card_summary, list_models

        served = request.app.state.recognizer
        return {
            "serving": {
                "name": _model_name(settings),
                **(card_summary(served.model.card) if served else {}),
            },
            "available": [
                {"name": entry.name, "source": entry.source, **card_summary(entry.card)}
                for entry in list_models()
            ],
        }

    @app.post(
        "/v1/predict",
        dependencies=[Depends(authorized)],
        summary="The emotion of one recording (multipart upload or raw audio body)",
        responses={
            413: {"description": "too large or too long"},
            422: {"description": "bad audio"},
        },
    )
    async def predict(
        request: Request,
        timeline: bool = Query(False, description="the emotion over time instead"),
        adapt: bool = Query(False, description="with timeline: adapt to the recording's voice"),
        window: float = Query(
            3.0, ge=0.5, le=30, description="with timeline: seconds per prediction"
        ),
        hop: float = Query(
            1.5, ge=0.1, le=30, description="with timeline: seconds between windows"
        ),
        name: str | None = Query(None, description="what errors call a raw-body upload"),
    ) -> JSONResponse:
        served = recognizer(request)
        if adapt and not timeline:
            raise HTTPException(422, "adapt goes with timeline=true")
        if timeline and hop > window:
            raise HTTPException(422, f"hop {hop} s is longer than the window {window} s")
        try:
            with fail_after(UPLOAD_SECONDS):
                data, name = await read_upload(request, name)
        except TimeoutError:
            raise HTTPException(
                408, f"request body: not received within {UPLOAD_SECONDS:g} s"
            ) from None
        limit = settings.max_seconds if timeline else min(settings.max_seconds, MAX_DECODED_SECONDS)
        seconds = declared_seconds(data)
        if seconds is not None and seconds > limit:
            raise HTTPException(413, _too_long(name, seconds, limit, timeline))
        if timeline:
            body = await to_thread.run_sync(
                _timeline, served.model, data, name, adapt, window, hop, limit, limiter=limiter
            )
            if "error" not in body:
                request.state.audio_seconds = body["duration"]
        else:
            from voxemo.recognizer.predict import predict_bytes

            result = await to_thread.run_sync(
                predict_bytes, served.model, data, name, limiter=limiter
            )
            body = result.to_dict()
            request.state.audio_seconds = result.duration or 0.0
            if result.duration and result.duration > limit:  # a header that did not say
                raise HTTPException(413, _too_long(name, result.duration, limit, False))
        if "error" in body:
            status = 413 if body.get("too_long") else 422
            return JSONResponse({"path": name, "error": body["error"]}, status)
        return JSONResponse(body)

    @app.websocket("/v1/stream")
    async def stream(websocket: WebSocket) -> None:
        await websocket.accept()
        if settings.api_key and not _key_matches(websocket, settings.api_key):
            await websocket.close(1008, "missing or wrong API key (?api_key=KEY)")
            return
        served = websocket.app.state.recognizer
        if served is None:
            await websocket.close(1013, "the model is still loading; retry shortly")
            return
        await serve_stream(websocket, served.model, limiter, settings.max_seconds)

    return app


def app_from_environment() -> FastAPI:
    """What each uvicorn worker of ``voxemo serve`` runs (the settings come as JSON)."""
    return create_app(ServiceSettings.from_environment())


async def _load(app: FastAPI, settings: ServiceSettings) -> None:
    from threadpoolctl import threadpool_limits

    from voxemo import Recognizer

    # Requests run side by side, each on one core: BLAS and OpenMP pools of their own would
    # only oversubscribe the cores (and spin while waiting).
    threadpool_limits(1)
    try:
        app.state.recognizer = await to_thread.run_sync(
            lambda: Recognizer(settings.model, threads=1)
        )
    except VoxemoError as exc:
        app.state.load_error = str(exc)
    except Exception as exc:  # anything else must not leave the service "loading" for good
        log.exception("loading the model failed")
        app.state.load_error = f"loading the model failed: {type(exc).__name__}: {exc}"


def _timeline(
    model, data: bytes, name: str, adapt: bool, window: float, hop: float, limit: float
) -> dict:
    from voxemo.recognizer.timeline import TimelineSettings, predict_timeline

    heard = [0.0]

    def count(seconds: float) -> None:
        heard[0] += seconds
        if heard[0] > limit:
            raise TooLong

    try:
        timeline = predict_timeline(
            model,
            io.BytesIO(data),
            TimelineSettings(window=window, hop=hop),
            adapt=adapt,
            name=name,
            progress=count,
        )
    except AudioError as exc:
        return {"error": str(exc)}
    except TooLong:
        return {"error": _too_long(name, None, limit, True), "too_long": True}
    return timeline.to_dict()


def _too_long(name: str, seconds: float | None, limit: float, timeline: bool) -> str:
    length = "more" if seconds is None else f"{seconds:.0f} s of audio is longer"
    hint = "" if timeline else "; send long recordings with timeline=true"
    return f"{name}: {length} than the {limit:g} s this service accepts{hint}"


def _key_matches(connection, key: str) -> bool:
    headers = connection.headers
    given = headers.get("x-api-key") or ""
    bearer = headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if not given and connection.scope["type"] == "websocket":  # browsers cannot set headers
        given = connection.query_params.get("api_key", "")
    return hmac.compare_digest(given.encode(), key.encode())


def _model_name(settings: ServiceSettings) -> str:
    return settings.model or "default"
