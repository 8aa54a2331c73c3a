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


ARCHIVE = "/Audio_Speech_Actors_01-24.zip"


class Server:
    """Serves payloads by path, with Range support; can cut the first response short."""

    def __init__(
        self,
        payload: bytes = b"",
        cut_first_at: int | None = None,
        routes: dict[str, bytes] | None = None,
    ):
        self.payload, self.cut_first_at, self.requests = payload, cut_first_at, []
        self.routes = routes if routes is not None else {ARCHIVE: payload}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.headers.get("Range"))
                if self.path not in server.routes:
                    self.send_error(404)
                    return
                data = server.routes[self.path]
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
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
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.url = self.base + ARCHIVE

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


@pytest.mark.parametrize(
    ("limits", "message"),
    [({"max_files": 2}, "more than the 2 files"), ({"max_bytes": 2_000_000}, "or 2.0 MB voxemo")],
)
def test_archives_beyond_the_limits_are_refused_before_anything_is_written(
    tmp_path, limits, message
):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for index in range(3):
            bundle.writestr(f"{index}.bin", bytes(1_000_000))  # 3 MB of zeros, 9 kB zipped
    with pytest.raises(VoxemoError, match=message):
        downloads._extract(archive, tmp_path / "out", **limits)
    assert not (tmp_path / "out").exists()


def test_a_member_larger_than_its_header_says_is_refused(tmp_path):
    import struct

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("big.bin", bytes(3_000_000))
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, 1000)  # directory: 1000 bytes
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 1000)  # local header too
    (tmp_path / "liar.zip").write_bytes(bytes(data))
    with pytest.raises(VoxemoError, match="not a usable zip archive"):
        downloads._extract(tmp_path / "liar.zip", tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").stat().st_size <= 1000


def test_unreachable_server_and_manual_corpora(tmp_path, capsys):
    with pytest.raises(VoxemoError, match="nothing was downloaded") as refused:
        downloads.download("ravdess", tmp_path / "r", url="http://127.0.0.1:9/none.zip", timeout=2)
    assert "resume" not in str(refused.value)
    assert main(["data", "download", "savee", "--to", str(tmp_path / "s")]) == 1
    assert "register on the SAVEE website" in capsys.readouterr().err


def test_data_list(capsys):
    assert main(["data", "list", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"ravdess", "tess", "crema-d", "savee", "emodb"}
    assert listed["ravdess"]["license"] == "CC BY-NC-SA 4.0" and listed["ravdess"]["md5"]
    assert main(["data", "list"]) == 0
    assert "Livingstone" in capsys.readouterr().out


def wav_bytes(freq: float) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, tone(freq, 0.5), 16000, format="WAV")
    return buffer.getvalue()


def test_file_by_file_download_verifies_each_file_against_its_lfs_pointer(tmp_path, monkeypatch):
    names = ["1001_DFA_ANG_XX", "1001_DFA_NEU_XX", "1002_IEO_HAP_HI"]
    audio = {name: wav_bytes(200.0 + 50 * i) for i, name in enumerate(names)}
    routes = {
        "/SentenceFilenames.csv": (
            "Stimulus_Number,Filename\n"
            + "".join(f'{i},"{name}"\n' for i, name in enumerate(names, 1))
        ).encode(),
        "/VideoDemographics.csv": b"ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,x,y\n",
    }
    for name, data in audio.items():
        routes[f"/media/{name}.wav"] = data
        sha = hashlib.sha256(data).hexdigest()
        routes[f"/raw/{name}.wav"] = (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\n".encode()
        )
    routes["/media/1002_IEO_HAP_HI.wav"] = b"RIFF corrupted in transit"
    server = Server(routes=routes)
    try:
        files = downloads.FileList(
            index_url=server.base + "/SentenceFilenames.csv",
            column="Filename",
            file_url=server.base + "/media/{name}.wav",
            pointer_url=server.base + "/raw/{name}.wav",
            folder="AudioWAV",
            extras=(("VideoDemographics.csv", server.base + "/VideoDemographics.csv"),),
        )
        monkeypatch.setitem(
            downloads.DATASETS, "crema-d", replace(downloads.DATASETS["crema-d"], files=files)
        )
        target = tmp_path / "crema"
        with pytest.raises(VoxemoError, match=r"1 of 3 files failed.*checksum mismatch"):
            downloads.download("crema-d", target)
        assert sorted(p.name for p in (target / "AudioWAV").iterdir()) == [
            "1001_DFA_ANG_XX.wav",
            "1001_DFA_NEU_XX.wav",
        ]
        routes["/media/1002_IEO_HAP_HI.wav"] = audio["1002_IEO_HAP_HI"]
        before = len(server.requests)
        assert downloads.download("crema-d", target) == target
        fetched_audio = len(server.requests) - before - 2 - 3  # index, extras, 3 pointers
        assert fetched_audio == 1  # only the file that was missing
        corpus = read_corpus(f"crema-d={target}")
        assert sorted(corpus.table["label"]) == ["angry", "happy", "neutral"]
        assert set(corpus.table.loc[corpus.table["speaker"] == "1001", "gender"]) == {"male"}
    finally:
        server.close()
