"""Corpus downloads against a local HTTP server serving a zip the test builds."""

import hashlib
import http.server
import io
import json
import threading
import zipfile
from dataclasses import replace

import pytest
import soundfile as sf

from conftest import tone
from voxemo.cli.main import main
from voxemo.corpora import download as downloads
from voxemo.corpora import read_corpus
from voxemo.errors import VoxemoError


def ravdess_zip() -> bytes:
    """A tiny zip in the official layout: Actor_XX/<name>.wav."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for actor in (1, 2):
            for emotion in (1, 5):
                wav = io.BytesIO()
                sf.write(wav, tone(150.0 * emotion, 0.5), 16000, format="WAV")
                name = f"Actor_{actor:02d}/03-01-{emotion:02d}-01-01-01-{actor:02d}.wav"
                bundle.writestr(name, wav.getvalue())
    return buffer.getvalue()


class Server:
    """Serves one payload with Range support; can cut the first response short."""

    def __init__(self, payload: bytes, cut_first_at: int | None = None):
        self.payload, self.cut_first_at, self.requests = payload, cut_first_at, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.headers.get("Range"))
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                    self.send_response(206)
                    self.send_header(
                        "Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}"
                    )
                else:
                    self.send_response(200)
                body = payload[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut_first_at and len(server.requests) == 1:
                    self.wfile.write(body[: server.cut_first_at])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/Audio_Speech_Actors_01-24.zip"

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def payload():
    return ravdess_zip()


@pytest.fixture
def served(payload, monkeypatch):
    """A local server, and the registry's RAVDESS entry pointed at it with its real MD5."""
    server = Server(payload, cut_first_at=len(payload) // 2)
    spec = replace(
        downloads.DATASETS["ravdess"], url=server.url, md5=hashlib.md5(payload).hexdigest()
    )
    monkeypatch.setitem(downloads.DATASETS, "ravdess", spec)
    yield server
    server.close()


def test_interrupted_download_resumes_verifies_and_extracts(served, tmp_path, capsys):
    target = tmp_path / "ravdess"
    assert main(["data", "download", "ravdess", "--to", str(target)]) == 1
    assert "run the command again to resume" in capsys.readouterr().err
    partial = target / "Audio_Speech_Actors_01-24.zip.part"
    assert 0 < partial.stat().st_size < len(served.payload)

    assert main(["data", "download", "ravdess", "--to", str(target)]) == 0
    assert served.requests == [None, f"bytes={len(served.payload) // 2}-"]
    corpus = read_corpus(f"ravdess={target}")
    assert len(corpus.table) == 4 and not corpus.problems
    assert not partial.exists() and not (target / "Audio_Speech_Actors_01-24.zip").exists()
    # A second run finds the finished download and asks the server nothing.
    assert main(["data", "download", "ravdess", "--to", str(target)]) == 0
    assert len(served.requests) == 2


def test_checksum_mismatch_deletes_the_file(served, tmp_path, monkeypatch):
    spec = replace(downloads.DATASETS["ravdess"], md5="0" * 32)
    monkeypatch.setitem(downloads.DATASETS, "ravdess", spec)
    served.cut_first_at = None
    with pytest.raises(VoxemoError, match="checksum mismatch"):
        downloads.download("ravdess", tmp_path / "r")
    assert not list((tmp_path / "r").glob("*.zip*"))


def test_unsafe_zip_members_are_refused(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("../escape.txt", "no")
    server = Server(buffer.getvalue())
    try:
        spec = replace(downloads.DATASETS["ravdess"], url=server.url, md5=None)
        monkeypatch.setitem(downloads.DATASETS, "ravdess", spec)
        with pytest.raises(VoxemoError, match="outside the target folder"):
            downloads.download("ravdess", tmp_path / "r")
        assert not (tmp_path / "escape.txt").exists()
    finally:
        server.close()


def test_unreachable_server_and_manual_corpora(tmp_path, capsys):
    with pytest.raises(VoxemoError, match="download interrupted"):
        downloads.download("ravdess", tmp_path / "r", url="http://127.0.0.1:9/none.zip", timeout=2)
    assert main(["data", "download", "crema-d", "--to", str(tmp_path / "c")]) == 1
    assert "git lfs clone" in capsys.readouterr().err


def test_data_list(capsys):
    assert main(["data", "list", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"ravdess", "tess", "crema-d", "savee", "emodb"}
    assert listed["ravdess"]["license"] == "CC BY-NC-SA 4.0" and listed["ravdess"]["md5"]
    assert main(["data", "list"]) == 0
    assert "Livingstone" in capsys.readouterr().out
