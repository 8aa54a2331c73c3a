"""Load on a real ``voxemo serve`` process over loopback: HTTP clients, WebSocket streams,
hostile inputs and the server's memory, against in-process prediction in the same run.

1. In process: ``Recognizer.predict_many`` over the same recordings (all cores): files/s.
2. Saturation: ``--clients`` concurrent clients (each posts a recording, waits for the
   answer, posts the next) until ``--requests`` answers: throughput, latency, errors; then
   the same again (``--rounds``), so that memory growth under the same load shows.
3. Paced: the same clients posting at random (Poisson) moments at ``--paced-share`` of the
   in-process throughput: the latency a request sees when the service is not overloaded.
4. Streams: ``--streams`` WebSocket streams at once, each sending a recording in real time
   in 100 ms chunks: latency from the chunk that completes a hop to its update.
5. Hostile inputs (the bad-input cases of the tests) over HTTP: each must get a 4xx, and the
   server must stay ready.

The server's resident memory is sampled every 0.2 s from /proc throughout.

    python benchmarks/service_load.py [--model default] [--clients 200] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ravdess_path, write_results


def recordings(corpus: Path, count: int) -> list[Path]:
    """``count`` RAVDESS recordings of 3 to 4 s, spread over actors (a fixed choice)."""
    chosen = []
    for path in sorted(corpus.glob("Actor_*/*.flac")):
        if 3.0 <= sf.info(path).duration <= 4.0:
            chosen.append(path)
    random.Random(0).shuffle(chosen)
    return sorted(chosen[:count])


def percentiles(values: list[float]) -> dict:
    ordered = np.asarray(values) * 1000
    if not len(ordered):
        return {}
    return {f"p{q}": round(float(np.percentile(ordered, q)), 1) for q in (50, 95, 99)} | {
        "max": round(float(ordered.max()), 1)
    }


class MemorySampler(threading.Thread):
    """Resident memory (MiB) of a process, every 0.2 s, with the phase it was taken in."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.phase, self.samples, self.running = pid, "start", [], True

    def rss(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def run(self) -> None:
        while self.running:
            try:
                self.samples.append((self.phase, self.rss()))
            except OSError:
                return
            time.sleep(0.2)

    def summary(self) -> dict:
        by_phase: dict[str, list[float]] = {}
        for phase, value in self.samples:
            by_phase.setdefault(phase, []).append(value)
        return {
            phase: {"max": round(max(v), 1), "last": round(v[-1], 1)}
            for phase, v in by_phase.items()
        }


def start_server(model: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "voxemo", "serve", "--model", model, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import urllib.request

    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                sys.exit("voxemo serve exited before it was ready")
            time.sleep(0.1)
    sys.exit("voxemo serve was not ready in 60 s")


async def post_and_record(http, url: str, body: bytes, latencies: list, statuses: dict) -> None:
    """Post one recording; record its latency and its status (or the client error's name)."""
    import httpx

    began = time.perf_counter()
    try:
        response = await http.post(url, content=body, headers={"content-type": "audio/flac"})
        status = response.status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    latencies.append(time.perf_counter() - began)
    statuses[str(status)] = statuses.get(str(status), 0) + 1


async def saturate(url: str, bodies: list[bytes], clients: int, total: int, limit_s: float) -> dict:
    import httpx

    latencies, statuses, done = [], {}, [0]
    deadline = time.perf_counter() + limit_s

    async def client(index: int, http) -> None:
        turn = index
        while done[0] < total and time.perf_counter() < deadline:
            done[0] += 1
            body = bodies[turn % len(bodies)]
            turn += clients
            await post_and_record(http, url, body, latencies, statuses)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(i, http) for i in range(clients)))
        seconds = time.perf_counter() - began
    answered = len(latencies)
    return {
        "requests": answered,
        "seconds": round(seconds, 2),
        "throughput": round(answered / seconds, 1),
        "statuses": statuses,
        "errors": answered - statuses.get("200", 0),
        "latency_ms": percentiles(latencies),
    }


async def paced(url: str, bodies: list[bytes], clients: int, rate: float, total: int) -> dict:
    import httpx

    rng = random.Random(1)
    moments = np.cumsum([rng.expovariate(rate) for _ in range(total)])
    latencies, statuses = [], {}
    gate = asyncio.Semaphore(clients)  # at most `clients` connections in use

    async def one(index: int, at: float, began: float, http) -> None:
        await asyncio.sleep(max(0.0, began + at - time.perf_counter()))
        async with gate:
            await post_and_record(http, url, bodies[index % len(bodies)], latencies, statuses)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        began = time.perf_counter()
        await asyncio.gather(*(one(i, at, began, http) for i, at in enumerate(moments)))
        seconds = time.perf_counter() - began
    return {
        "offered_per_second": round(rate, 1),
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "statuses": statuses,
        "errors": len(latencies) - statuses.get("200", 0),
        "latency_ms": percentiles(latencies),
    }


async def streams(ws_url: str, audio: np.ndarray, count: int, hop: float) -> dict:
    from websockets.asyncio.client import connect

    rate, chunk = 16000, 1600
    latencies, updates, failures = [], [0], []

    async def stream(index: int) -> None:
        await asyncio.sleep(index * hop / count)  # spread the hops over the streams
        sent_at: dict[int, float] = {}
        try:
            async with connect(ws_url, max_size=2**22) as ws:
                await ws.send(
                    json.dumps({"sample_rate": rate, "encoding": "pcm_s16le", "hop": hop})
                )
                json.loads(await ws.recv())

                async def reader() -> None:
                    async for message in ws:
                        update = json.loads(message)
                        if update["event"] == "update":
                            end = round(update["time"] * rate)
                            latencies.append(time.perf_counter() - sent_at[end])
                            updates[0] += 1
                        elif update["event"] == "summary":
                            return

                reading = asyncio.create_task(reader())
                began = time.perf_counter()
                pcm = (audio * 32767).astype("<i2")
                for start in range(0, len(pcm), chunk):
                    await asyncio.sleep(max(0.0, began + start / rate - time.perf_counter()))
                    block = pcm[start : start + chunk]
                    sent_at[start + len(block)] = time.perf_counter()
                    await ws.send(block.tobytes())
                await ws.send(json.dumps({"event": "end"}))
                await reading
        except Exception as exc:  # every failure is counted and reported
            failures.append(f"{type(exc).__name__}: {exc}")

    began = time.perf_counter()
    await asyncio.gather(*(stream(i) for i in range(count)))
    return {
        "streams": count,
        "seconds_each": round(len(audio) / rate, 1),
        "hop": hop,
        "updates": updates[0],
        "failures": failures,
        "wall_seconds": round(time.perf_counter() - began, 1),
        "update_latency_ms": percentiles(latencies),
    }


def hostile_inputs() -> list[tuple[str, bytes, str]]:
    """(name, body, content type): the bad inputs of the tests, and a few for HTTP alone."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fuzz

    def wav(samples, rate=16000, subtype="PCM_16") -> bytes:
        buffer = io.BytesIO()
        sf.write(buffer, samples, rate, format="WAV", subtype=subtype)
        return buffer.getvalue()

    hours = io.BytesIO()
    with sf.SoundFile(hours, "w", 8000, 1, format="FLAC") as long:
        block = np.zeros(8000 * 60, np.float32)
        for _ in range(60 * 3):  # three hours of silence, a few hundred KB
            long.write(block)
    cases = [
        ("empty.wav", b"", "audio/wav"),
        ("text.wav", b"not audio " * 100, "audio/wav"),
        ("short.wav", wav(np.full(400, 0.1, np.float32)), "audio/wav"),
        ("silent.wav", wav(np.zeros(16000, np.float32)), "audio/wav"),
        ("nan.wav", wav(np.full(16000, np.nan, np.float32), subtype="FLOAT"), "audio/wav"),
        ("three-hours.flac", hours.getvalue(), "audio/flac"),
        ("form.txt", b"x=1", "application/x-www-form-urlencoded"),
    ]
    rng = random.Random(5)
    for case in range(40):
        kind, data = fuzz.mutate_bytes(
            fuzz.encoded(rng.choice(sorted(fuzz.AUDIO_FORMATS)), case), rng
        )
        cases.append((f"mutated-{case}-{kind}", data, "audio/wav"))
    return cases


def send_hostile(url: str) -> dict:
    import httpx

    outcomes, unexpected = {}, []
    with httpx.Client(timeout=60) as http:
        for name, body, kind in hostile_inputs():
            for query in ("", "&timeline=true"):
                try:
                    status = http.post(
                        f"{url}?name={name}{query}", content=body, headers={"content-type": kind}
                    ).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                outcomes[str(status)] = outcomes.get(str(status), 0) + 1
                if not (status == 200 or (isinstance(status, int) and 400 <= status < 500)):
                    unexpected.append(f"{name}{query}: {status}")
        too_big = declared_too_big(url)
        outcomes[str(too_big)] = outcomes.get(str(too_big), 0) + 1
        if too_big != 413:
            unexpected.append(f"60 MB body: {too_big}")
        ready = http.get(url.replace("/v1/predict", "/readyz")).status_code == 200
    return {"statuses": outcomes, "not_4xx": unexpected, "server_ready_after": ready}


def declared_too_big(url: str) -> int:
    """The status of a request that declares a 60 MB body and sends none of it: the server
    must answer before reading it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: audio/wav\r\nContent-Length: {60 * 1024 * 1024}\r\n\r\n".encode()
        )
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="RAVDESS folder (default: $VOXEMO_RAVDESS or ../shared)")
    parser.add_argument("--model", default="default")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000, help="per saturation round")
    parser.add_argument("--rounds", type=int, default=2, help="saturation rounds (memory growth)")
    parser.add_argument("--paced-share", type=float, default=0.5, help="of in-process files/s")
    parser.add_argument("--paced-requests", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--stream-seconds", type=float, default=30.0)
    parser.add_argument("--limit", type=float, default=240.0, help="seconds per HTTP phase at most")
    args = parser.parse_args()

    from voxemo import Recognizer

    files = recordings(ravdess_path(args.corpus), 100)
    bodies = [path.read_bytes() for path in files]
    clip_seconds = statistics.mean(sf.info(path).duration for path in files)
    recognizer = Recognizer(args.model)
    recognizer.predict_many(files[:10])  # warm
    began = time.perf_counter()
    rounds = 4
    for _ in range(rounds):
        recognizer.predict_many(files)
    in_process = rounds * len(files) / (time.perf_counter() - began)
    print(f"in process: {in_process:.1f} files/s", flush=True)
    del recognizer

    port = None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_server(args.model, port)
    memory = MemorySampler(server.pid)
    memory.start()
    url = f"http://127.0.0.1:{port}/v1/predict"
    try:
        memory.phase = "warm-up"
        asyncio.run(saturate(url, bodies, 8, 200, args.limit))
        rounds = []
        for index in range(1, args.rounds + 1):  # the same load again: memory must not grow
            memory.phase = f"saturation {index}"
            rounds.append(
                asyncio.run(saturate(url, bodies, args.clients, args.requests, args.limit))
            )
            print(memory.phase, rounds[-1], flush=True)
        saturation = rounds[-1]
        memory.phase = "paced"
        pace = asyncio.run(
            paced(url, bodies, args.clients, args.paced_share * in_process, args.paced_requests)
        )
        print("paced", pace, flush=True)
        memory.phase = "streams"
        audio = np.concatenate(
            [
                sf.read(path, dtype="float32")[0]
                for path in files[: int(args.stream_seconds // 3) + 2]
            ]
        )
        import soxr

        audio = soxr.resample(audio, 48000, 16000)[: int(args.stream_seconds * 16000)]
        ws = asyncio.run(
            streams(
                url.replace("http", "ws").replace("/v1/predict", "/v1/stream"),
                audio,
                args.streams,
                1.0,
            )
        )
        print("streams", ws, flush=True)
        memory.phase = "hostile"
        hostile = send_hostile(url)
        print("hostile", hostile, flush=True)
        memory.phase = "after"
        time.sleep(1.0)
    finally:
        memory.running = False
        server.terminate()
        server.wait(timeout=30)
    versions = {
        name: metadata.version(name)
        for name in ("fastapi", "uvicorn", "starlette", "httpx", "websockets")
    }
    write_results(
        "service_load",
        {
            "model": args.model,
            "clients": args.clients,
            "paced_share": args.paced_share,
            "clip_seconds": round(clip_seconds, 2),
            "recordings": len(files),
            "server": {"workers": 1, "threads": os.cpu_count()},
            "service_libraries": versions,
            "in_process_files_per_second": round(in_process, 1),
            "saturation": saturation,
            "saturation_throughputs": [r["throughput"] for r in rounds],
            "served_share_of_in_process": round(saturation["throughput"] / in_process, 3),
            "paced": pace,
            "streams": ws,
            "hostile": hostile,
            "server_memory_mib": memory.summary(),
        },
    )


if __name__ == "__main__":
    main()
