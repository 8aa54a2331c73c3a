"""The service through FastAPI's test client: the same answers and errors as the CLI, its
limits, its WebSocket stream and its page."""

from __future__ import annotations

import io
import json
import random
import re
import sys
import time

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("fastapi", reason="the service needs the serve extra")
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from conftest import REPO, run, speech_like, tone, write
from voxemo.models import load_model
from voxemo.models.catalog import resolve_model
from voxemo.recognizer.timeline import predict_timeline
from voxemo.service import ServiceSettings, create_app
from voxemo.service.guard import RequestGuard
from voxemo.service.metrics import ServiceMetrics

SPEECH = REPO / "examples" / "speech.wav"


def ready_client(**settings) -> TestClient:
    client = TestClient(create_app(ServiceSettings(model="fast", **settings)))
    client.__enter__()
    for _ in range(200):
        if client.get("/readyz").status_code == 200:
            return client
        time.sleep(0.05)
    raise AssertionError("the model did not load")


@pytest.fixture(scope="module")
def client():
    client = ready_client()
    yield client
    client.__exit__(None, None, None)


def wav_bytes(samples: np.ndarray, sr: int = 16000, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, sr, format="WAV", subtype=subtype)
    return buffer.getvalue()


def test_a_prediction_is_what_predict_json_gives(client, capsys):
    code, out, _ = run(["predict", str(SPEECH), "--model", "fast", "--json"], capsys)
    assert code == 0
    expected = json.loads(out)[0] | {"path": "speech.wav"}
    upload = client.post("/v1/predict", files={"file": ("speech.wav", SPEECH.read_bytes())})
    raw = client.post(
        "/v1/predict?name=speech.wav",
        content=SPEECH.read_bytes(),
        headers={"content-type": "audio/wav"},
    )
    assert upload.status_code == raw.status_code == 200
    assert upload.json() == raw.json() == expected


def test_a_timeline_is_what_predict_timeline_gives(client, tmp_path):
    samples = np.concatenate([speech_like(150, 4, 0.3), np.zeros(16000, np.float32)])
    path = write(tmp_path / "call.wav", np.concatenate([samples, speech_like(300, 4, 0.6, 1)]))
    response = client.post(
        "/v1/predict?timeline=true&adapt=true&hop=1.0",
        files={"file": ("call.wav", path.read_bytes())},
    )
    assert response.status_code == 200
    from voxemo.recognizer.timeline import TimelineSettings

    model = load_model(resolve_model("fast"))
    timeline = predict_timeline(model, path, TimelineSettings(hop=1.0), adapt=True)
    assert response.json() == timeline.to_dict() | {"path": "call.wav"}
    assert response.json()["segments"]


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.wav", b""),
        ("text.wav", b"this is not audio at all" * 20),
        ("short.wav", wav_bytes(tone(seconds=0.05))),
        ("silent.wav", wav_bytes(np.zeros(16000, np.float32))),
        ("nan.wav", wav_bytes(np.full(16000, np.nan, np.float32), subtype="FLOAT")),
        ("huge.wav", wav_bytes(np.full(16000, 3e37, np.float32), subtype="FLOAT")),
    ],
)
def test_bad_audio_gets_422_in_the_words_of_the_cli(client, tmp_path, capsys, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, _ = run(["predict", str(path), "--model", "fast", "--json"], capsys)
    assert code == 1
    cli_error = json.loads(out)[0]["error"].replace(str(path), name)
    response = client.post("/v1/predict", files={"file": (name, data)})
    assert response.status_code == 422
    assert response.json() == {"path": name, "error": cli_error}


def test_every_mutated_input_gets_a_4xx_and_the_server_keeps_serving(client):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    rng = random.Random(3)
    statuses = []
    for case in range(24):
        _, data = fuzz.mutate_bytes(fuzz.encoded(rng.choice(sorted(fuzz.AUDIO_FORMATS)), case), rng)
        for query in ("", "?timeline=true"):
            response = client.post(f"/v1/predict{query}", files={"file": ("m.bin", data)})
            assert response.status_code in (200, 413, 422), response.text
            assert response.status_code == 200 or response.json()["error"].startswith("m.bin: ")
            statuses.append(response.status_code)
    assert 422 in statuses  # the mutations bite
    assert client.post("/v1/predict", files={"file": ("s.wav", SPEECH.read_bytes())}).is_success


def test_bodies_over_the_limit_get_413_before_they_are_read(tmp_path):
    client = ready_client(max_upload_mb=0.05)
    try:
        big = wav_bytes(tone(seconds=3.0))  # about 94 KB
        declared = client.post("/v1/predict", content=big, headers={"content-type": "audio/wav"})
        assert declared.status_code == 413
        assert "0.05 MB" in declared.json()["error"]

        def chunks():  # no Content-Length: counted as it arrives
            for start in range(0, len(big), 8192):
                yield big[start : start + 8192]

        streamed = client.post(
            "/v1/predict", content=chunks(), headers={"content-type": "audio/wav"}
        )
        assert streamed.status_code == 413
        small = wav_bytes(tone(seconds=1.0, noise=0.05))
        assert client.post(
            "/v1/predict", content=small, headers={"content-type": "audio/wav"}
        ).is_success
    finally:
        client.__exit__(None, None, None)


def test_recordings_over_the_duration_limit_get_413():
    client = ready_client(max_seconds=2.0)
    try:
        long = wav_bytes(speech_like(200, 3.0, 0.3))
        for query in ("", "?timeline=true"):
            response = client.post(f"/v1/predict{query}", files={"file": ("long.wav", long)})
            assert response.status_code == 413
            assert response.json()["error"].startswith(
                "long.wav: 3 s of audio is longer than the 2 s"
            )
    finally:
        client.__exit__(None, None, None)


def test_an_api_key_guards_v1_and_metrics_but_not_health():
    client = ready_client(api_key="s3cret")
    try:
        assert client.get("/v1/models").status_code == 401
        assert client.get("/metrics", headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.get("/v1/models", headers={"Authorization": "Bearer s3cret"}).is_success
        assert client.get("/metrics", headers={"X-API-Key": "s3cret"}).is_success
        assert client.get("/healthz").is_success and client.get("/").is_success
        with (
            client.websocket_connect("/v1/stream") as ws,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            ws.receive_json()
        assert closed.value.code == 1008
        with client.websocket_connect("/v1/stream?api_key=s3cret") as ws:
            ws.send_json({"sample_rate": 16000, "encoding": "f32le"})
            assert ws.receive_json()["event"] == "ready"
    finally:
        client.__exit__(None, None, None)


def test_requests_beyond_max_concurrent_get_503_with_retry_after():
    import anyio

    release = anyio.Event()
    answered = []

    async def slow_app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = RequestGuard(slow_app, ServiceSettings(max_concurrent=2), ServiceMetrics())

    async def request():
        scope = {"type": "http", "path": "/v1/predict", "method": "POST", "headers": []}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                answered.append((message["status"], dict(message["headers"])))
                release.set()  # the refused request lets the others finish

        await guard(scope, receive, send)

    async def main():
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(request)
                await anyio.sleep(0.01)

    async def bounded():
        with anyio.fail_after(10):  # a guard that never refuses fails here, not hangs
            await main()

    anyio.run(bounded)
    statuses = sorted(status for status, _ in answered)
    assert statuses == [200, 200, 503]
    refused = next(headers for status, headers in answered if status == 503)
    assert refused[b"retry-after"] == b"1"
    assert guard.in_flight == 0


def test_models_health_metrics_docs_and_page(client):
    models = client.get("/v1/models").json()
    assert models["serving"]["name"] == "fast" and models["serving"]["kind"] == "crnn"
    assert {"default", "fast"} <= {entry["name"] for entry in models["available"]}
    client.post("/v1/predict", files={"file": ("s.wav", SPEECH.read_bytes())})
    text = client.get("/metrics").text
    assert re.search(
        r'voxemo_requests_total\{method="POST",path="/v1/predict",status="200"\} [1-9]', text
    )
    assert float(re.search(r"^voxemo_audio_seconds_total (\S+)$", text, re.M).group(1)) >= 3.1
    assert "voxemo_request_seconds_bucket" in text and "voxemo_in_flight" in text
    assert client.get("/docs").is_success
    assert "/v1/predict" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.is_success and "Start listening" in page.text
    assert client.get("/nowhere").json() == {"error": "Not Found"}  # errors are JSON alike
    for asset in ("/", "/static/app.js", "/static/style.css", "/static/capture-worklet.js"):
        body = client.get(asset).text
        assert not re.search(r"https?://", body), f"{asset} loads something from elsewhere"


def stream_updates(client, samples: np.ndarray, config: dict, chunk: int = 1600) -> list[dict]:
    with client.websocket_connect("/v1/stream") as ws:
        ws.send_json(config)
        assert ws.receive_json()["event"] == "ready"
        scale = 32767 if config["encoding"] == "pcm_s16le" else 1
        dtype = "<i2" if config["encoding"] == "pcm_s16le" else "<f4"
        for start in range(0, len(samples), chunk):
            ws.send_bytes((samples[start : start + chunk] * scale).astype(dtype).tobytes())
        ws.send_json({"event": "end"})
        messages = []
        while not messages or messages[-1]["event"] != "summary":
            messages.append(ws.receive_json())
    return messages


def test_a_stream_gets_an_update_every_hop_and_a_summary(client):
    samples = np.concatenate([speech_like(180, 6, 0.4), np.zeros(3 * 16000, np.float32)])
    config = {"sample_rate": 8000, "encoding": "pcm_s16le", "window": 2.0, "hop": 1.0}
    messages = stream_updates(client, samples[::2], config, chunk=800)
    updates, summary = messages[:-1], messages[-1]
    assert [u["time"] for u in updates] == [float(t) for t in range(2, 10)]
    assert updates[0]["label"] in updates[0]["probabilities"]
    assert updates[-1]["label"] is None  # the silence at the end
    assert summary["updates"] == len(updates) and summary["seconds"] == pytest.approx(9.0)
    assert sum(summary["share"].values()) == pytest.approx(1.0)


def test_chunks_of_any_size_give_an_update_every_hop_on_average(client):
    samples = speech_like(200, 12, 0.4)
    config = {"sample_rate": 16000, "encoding": "f32le", "window": 3.0, "hop": 1.0}
    times = [m["time"] for m in stream_updates(client, samples, config, chunk=4800) if "time" in m]
    assert times == [3.0, 4.2, 5.1, 6.0, 7.2, 8.1, 9.0, 10.2, 11.1, 12.0]


def test_the_stream_matches_listen_on_the_same_audio(client):
    from voxemo.recognizer.live import ArraySource, listen

    samples = speech_like(220, 5, 0.5)
    config = {"sample_rate": 16000, "encoding": "f32le", "window": 3.0, "hop": 1.0}
    streamed = [m for m in stream_updates(client, samples, config) if m["event"] == "update"]
    model = load_model(resolve_model("fast"))
    local = [
        {"event": "update", **u.__dict__}
        for u in listen(model, ArraySource(samples, 16000), window=3.0, hop=1.0)
    ]
    assert streamed == local


@pytest.mark.parametrize(
    "first, then, code",
    [
        (b"\x00\x01", None, 1003),
        ("not json", None, 1003),
        ('{"sample_rate": 16000, "encoding": "mp3"}', None, 1008),
        ('{"sample_rate": 5, "encoding": "f32le"}', None, 1008),
        ('{"sample_rate": 16000, "encoding": "f32le", "hop": 9, "window": 3}', None, 1008),
        ('{"sample_rate": 16000, "encoding": "f32le", "adapt": "false"}', None, 1008),
        ('{"sample_rate": 16000, "encoding": "' + "é" * 200 + '"}', None, 1008),
        ("[" * 100000, None, 1003),
        ('{"sample_rate": 16000, "encoding": "f32le"}', b"\x00\x01\x02", 1008),
        ('{"sample_rate": 16000, "encoding": "f32le"}', np.full(10, np.nan, "<f4").tobytes(), 1008),
        ('{"sample_rate": 16000, "encoding": "f32le"}', np.full(10, 3e37, "<f4").tobytes(), 1008),
        ('{"sample_rate": 16000, "encoding": "f32le"}', "hello", 1003),
        ('{"sample_rate": 8000, "encoding": "pcm_s16le"}', bytes(8000 * 2 * 11), 1009),
    ],
)
def test_bad_messages_close_the_stream_with_a_code_and_a_reason(client, first, then, code):
    with client.websocket_connect("/v1/stream") as ws:
        send = ws.send_bytes if isinstance(first, bytes) else ws.send_text
        send(first)
        if then is not None:
            assert ws.receive_json()["event"] == "ready"
            (ws.send_bytes if isinstance(then, bytes) else ws.send_text)(then)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == code and closed.value.reason
    assert client.get("/readyz").is_success  # and the server goes on


def test_a_stream_longer_than_the_limit_is_closed():
    client = ready_client(max_seconds=2.0)
    try:
        with client.websocket_connect("/v1/stream") as ws:
            ws.send_json({"sample_rate": 8000, "encoding": "f32le", "window": 1.0})
            ws.receive_json()
            with pytest.raises(WebSocketDisconnect) as closed:
                for _ in range(5):
                    ws.send_bytes(np.zeros(8000, "<f4").tobytes())
                    ws.receive_json()  # one update per second of audio
        assert closed.value.code == 1008 and "2 s" in closed.value.reason
    finally:
        client.__exit__(None, None, None)


def test_a_model_that_cannot_load_is_not_ready(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    client = TestClient(create_app(ServiceSettings(model=str(broken))))
    with client:
        for _ in range(100):
            response = client.get("/readyz")
            if "error" in response.json() and response.json()["error"] != "loading":
                break
            time.sleep(0.05)
        assert response.status_code == 503 and str(broken) in response.json()["error"]
        predict = client.post("/v1/predict", content=b"x", headers={"content-type": "audio/wav"})
        assert predict.status_code == 503 and str(broken) in predict.json()["error"]
