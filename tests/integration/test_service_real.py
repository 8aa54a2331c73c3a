"""A real ``voxemo serve`` process on 127.0.0.1, and its page in a real headless browser
(Debian's chromium driven by Playwright, with a fake microphone fed from a WAV file).

Screenshots of the page are written to ``test-artifacts/`` (or ``$VOXEMO_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import REPO, speech_like

pytest.importorskip("fastapi", reason="the service needs the serve extra")
pytestmark = pytest.mark.integration

SPEECH = REPO / "examples" / "speech.wav"
ARTIFACTS = Path(os.environ.get("VOXEMO_TEST_ARTIFACTS", REPO / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voxemo", "serve", "--model", "fast", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"voxemo serve exited: {process.stderr.read()}")
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("voxemo serve did not become ready in 30 s")
    yield url, process
    process.terminate()
    process.wait(timeout=20)


def post(url: str, data: bytes, query: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/v1/predict{query}", data=data, headers={"content-type": "audio/wav"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_process_predicts_streams_and_logs_one_line_per_request(server, capsys):
    from websockets.sync.client import connect

    from conftest import run

    url, process = server
    status, body = post(url, SPEECH.read_bytes(), "?name=speech.wav")
    _, out, _ = run(["predict", str(SPEECH), "--model", "fast", "--json"], capsys)
    assert status == 200 and body == json.loads(out)[0] | {"path": "speech.wav"}
    status, body = post(url, b"RIFF garbage", "?name=bad.wav")
    assert status == 422 and body["error"].startswith("bad.wav: not a readable audio file")

    samples = speech_like(200, 4.0, 0.4)
    with connect(url.replace("http", "ws") + "/v1/stream") as ws:
        ws.send(json.dumps({"sample_rate": 16000, "encoding": "pcm_s16le"}))
        assert json.loads(ws.recv())["event"] == "ready"
        for start in range(0, len(samples), 1600):
            ws.send((samples[start : start + 1600] * 32767).astype("<i2").tobytes())
        ws.send(json.dumps({"event": "end"}))
        messages = [json.loads(m) for m in ws]
    assert [m["event"] for m in messages] == ["update", "update", "summary"]
    assert messages[-1]["seconds"] == pytest.approx(4.0)
    process.terminate()
    process.wait(timeout=20)
    log = process.stderr.read()
    lines = [line for line in log.splitlines() if "/v1/" in line]
    assert any("POST /v1/predict 200" in line and "3.10 s audio" in line for line in lines), log
    assert any("POST /v1/predict 422" in line for line in lines), log
    assert any("WS /v1/stream 101" in line and "4.00 s audio" in line for line in lines), log


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no chromium: apt-get install chromium (scripts/test.sh does, as root)")
    pytest.importorskip("playwright", reason="the browser tests need playwright (the dev extra)")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voxemo", "serve", "--model", "fast", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/readyz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("voxemo serve did not become ready in 30 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


def launch(playwright, microphone: Path, allow: bool = True):
    """Chromium with a fake microphone playing ``microphone``; ``allow`` grants the page its
    use (else the permission prompt is refused)."""
    args = [
        "--no-sandbox",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if allow:
        args.append("--use-fake-ui-for-media-stream")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)


def test_the_page_shows_a_live_emotion_from_the_microphone_and_a_files_result(
    browser_server, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The fake microphone plays this file in a loop: speech, then a pause.
    voice, rate = sf.read(SPEECH, dtype="float32")
    microphone = tmp_path / "microphone.wav"
    sf.write(microphone, np.concatenate([voice, np.zeros(rate // 2, np.float32)]), rate)
    with sync_playwright() as playwright:
        browser = launch(playwright, microphone)
        page = browser.new_page(viewport={"width": 1000, "height": 1100})
        page.goto(browser_server)
        expect(page.locator("#model")).to_contain_text("Model fast (crnn)")
        page.get_by_role("button", name="Start listening").click()
        expect(page.locator("#live-status")).to_contain_text("Listening")
        with urllib.request.urlopen(f"{browser_server}/v1/models", timeout=5) as response:
            labels = json.load(response)["serving"]["labels"]
        emotions = page.locator("#live-bars li")
        expect(emotions).to_have_count(len(labels), timeout=15000)
        live = page.locator("#live-emotion").inner_text()
        assert live in {*labels, "silence"}
        page.wait_for_timeout(2500)  # a few more updates on the scrolling timeline
        page.screenshot(path=ARTIFACTS / "page-live.png", full_page=True)
        page.get_by_role("button", name="Stop").click()
        expect(page.locator("#live-status")).to_contain_text("Stopped after")

        page.locator("#file").set_input_files(str(SPEECH))
        expect(page.locator("#file-status")).to_contain_text("Done: speech.wav", timeout=15000)
        expect(page.locator("#file-emotion")).not_to_be_empty()
        assert page.locator("#file-bars li").count() == 8
        page.screenshot(path=ARTIFACTS / "page-file.png", full_page=True)

        bad = tmp_path / "notes.wav"
        bad.write_text("not audio")
        page.locator("#file").set_input_files(str(bad))
        expect(page.locator("#file-status")).to_contain_text("notes.wav: not a readable audio file")
        browser.close()


def test_the_page_says_clearly_when_the_microphone_is_refused(browser_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, SPEECH, allow=False)
        page = browser.new_context().new_page()
        page.goto(browser_server)
        page.get_by_role("button", name="Start listening").click()
        status = page.locator("#live-status")
        expect(status).to_contain_text("The microphone was refused", timeout=10000)
        expect(status).to_have_class("status problem")
        expect(page.get_by_role("button", name="Start listening")).to_be_enabled()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "page-refused.png")
        browser.close()


def test_the_call_report_opens_in_a_browser_with_its_timeline_events_and_card(tmp_path, capsys):
    if CHROMIUM is None:
        pytest.skip("no chromium: apt-get install chromium (scripts/test.sh does, as root)")
    pytest.importorskip("playwright", reason="the browser tests need playwright (the dev extra)")
    from playwright.sync_api import sync_playwright

    from conftest import run

    call = REPO / "examples" / "conversation.flac"
    out = tmp_path / "report"
    code, _, err = run(
        ["report", "--call", call, "--out", out, "--on", "any negative >= 0.5 for 2s"], capsys
    )
    assert code == 0, err
    with sync_playwright() as playwright:
        browser = launch(playwright, SPEECH)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto((out / "index.html").as_uri())
        assert page.title() == "Call report: conversation.flac"
        assert page.locator("img").evaluate("image => image.naturalWidth") > 0
        shares = page.locator("table").nth(0).locator("tbody tr")
        assert shares.count() == 8
        events = page.locator("table").nth(1).locator("tbody tr")
        assert events.count() >= 1
        audio = page.locator("audio").first.get_attribute("src")
        target = (out / audio.split("#")[0]).resolve()
        assert target == call.resolve() and "#t=" in audio  # linked, not copied
        assert page.locator("text=on unseen speakers").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "call-report.png", full_page=True)
        browser.close()
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "timeline.png"]
