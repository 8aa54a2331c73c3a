"""Fetching openly downloadable corpora: resumable, checksum-verified, extracted in place.

The archive is downloaded to ``<to>/<file>.part`` and resumed with an HTTP range request
when a download was interrupted; it is checked against its published MD5 where one exists,
then unpacked into ``<to>`` in the layout the corpus reader expects.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from voxemo.errors import VoxemoError

CHUNK = 1 << 20
DONE_MARKER = ".voxemo-download-complete"
MAX_EXTRACTED_BYTES = 20 * 10**9  # every corpus voxemo fetches is far smaller once extracted
MAX_EXTRACTED_FILES = 200_000
ByteProgress = Callable[[int, int | None], None]  # (bytes so far, total or None)


@dataclass(frozen=True)
class FileList:
    """A corpus published file by file: an index (CSV) of names, a URL per file, and
    optionally a Git LFS pointer per file whose SHA-256 every download is checked against."""

    index_url: str
    column: str
    file_url: str  # with {name}
    folder: str
    pointer_url: str | None = None  # with {name}
    extras: tuple[tuple[str, str], ...] = ()  # (file name, URL) fetched beside the audio


@dataclass(frozen=True)
class Dataset:
    """A corpus voxemo can fetch or point to: what it is, its terms and where it lives."""

    name: str  # as voxemo's readers and ``voxemo data`` name it
    corpus: str  # as its authors write it
    summary: str  # speakers, files, emotions
    license: str  # the licence's name
    citation: str
    homepage: str
    noncommercial: bool  # whether its licence forbids commercial use
    license_contents: str | None = None  # a separate licence of the database's contents
    url: str | None = None
    filename: str | None = None
    md5: str | None = None
    files: FileList | None = None
    manual: str | None = None  # how to get it where there is no open download

    @property
    def title(self) -> str:
        return f"{self.corpus} ({self.summary})"

    @property
    def terms(self) -> str:
        """The licence, with that of the contents where they have their own."""
        if self.license_contents:
            return f"{self.license}, its contents under the {self.license_contents}"
        return self.license


CREMA_RAW = "https://raw.githubusercontent.com/CheyneyComputerScience/CREMA-D/master"
CREMA_MEDIA = "https://media.githubusercontent.com/media/CheyneyComputerScience/CREMA-D/master"
PARALLEL_FILES = 8

DATASETS = {
    "ravdess": Dataset(
        "ravdess",
        "RAVDESS",
        "speech, audio only: 24 actors, 1440 files, 8 emotions",
        "CC BY-NC-SA 4.0",
        "Livingstone & Russo (2018), PLoS ONE 13(5): e0196391",
        "https://zenodo.org/records/1188976",
        noncommercial=True,
        url="https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1",
        filename="Audio_Speech_Actors_01-24.zip",
        md5="bc696df654c87fed845eb13823edef8a",
    ),
    "tess": Dataset(
        "tess",
        "Toronto emotional speech set",
        "2 speakers, 2800 files, 7 emotions",
        "CC BY-NC-ND 4.0",
        "Pichora-Fuller & Dupuis (2020), Toronto emotional speech set (TESS), Borealis, "
        "doi:10.5683/SP2/E8H2MF",
        "https://doi.org/10.5683/SP2/E8H2MF",
        noncommercial=True,
        url="https://borealisdata.ca/api/access/dataset/:persistentId/"
        "?persistentId=doi:10.5683/SP2/E8H2MF",
        filename="tess.zip",
    ),
    "crema-d": Dataset(
        "crema-d",
        "CREMA-D",
        "91 actors, 7442 files, 6 emotions",
        "Open Database License (ODbL) 1.0",
        "Cao et al. (2014), IEEE Transactions on Affective Computing 5(4): 377-390",
        "https://github.com/CheyneyComputerScience/CREMA-D",
        noncommercial=False,
        license_contents="Database Contents License 1.0",
        files=FileList(
            index_url=f"{CREMA_RAW}/SentenceFilenames.csv",
            column="Filename",
            file_url=f"{CREMA_MEDIA}/AudioWAV/{{name}}.wav",
            pointer_url=f"{CREMA_RAW}/AudioWAV/{{name}}.wav",
            folder="AudioWAV",
            extras=(("VideoDemographics.csv", f"{CREMA_RAW}/VideoDemographics.csv"),),
        ),
    ),
    "savee": Dataset(
        "savee",
        "SAVEE",
        "4 male speakers, 480 files, 7 emotions",
        "free for research; registration required",
        "Haq & Jackson (2009), Proc. AVSP",
        "http://kahlan.eps.surrey.ac.uk/savee/",
        noncommercial=True,
        manual="register on the SAVEE website, download AudioData and read it as savee=DIR",
    ),
    "emodb": Dataset(
        "emodb",
        "Berlin Database of Emotional Speech",
        "10 speakers, 535 files, 7 emotions, German",
        "see the EmoDB website",
        "Burkhardt et al. (2005), Proc. Interspeech",
        "http://emodb.bilderbar.info/",
        noncommercial=True,
        manual="download it from the EmoDB website and read it as emodb=DIR",
    ),
}


def dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise VoxemoError(f"data '{name}': unknown corpus (known: {', '.join(DATASETS)})")
    return DATASETS[name]


def download(
    name: str,
    to: Path,
    *,
    url: str | None = None,
    progress: ByteProgress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download (resuming a partial file), verify and extract ``name`` into ``to``."""
    spec = dataset(name)
    if spec.url is None and spec.files is None and url is None:
        raise VoxemoError(f"{name}: no open download; {spec.manual}")
    to = Path(to)
    marker = to / DONE_MARKER
    if marker.exists():
        return to
    to.mkdir(parents=True, exist_ok=True)
    if spec.files and url is None:
        _fetch_file_list(spec.files, to, progress, timeout)
        marker.write_text(f"{spec.name} {len(list((to / spec.files.folder).iterdir()))} files\n")
        return to
    archive = to / (spec.filename or f"{name}.zip")
    if not archive.exists():
        partial = archive.with_name(archive.name + ".part")
        _fetch(url or spec.url, partial, progress, timeout)
        partial.replace(archive)
    if spec.md5:
        digest = _digest(archive)
        if digest != spec.md5:
            archive.unlink()
            raise VoxemoError(
                f"{archive}: checksum mismatch (MD5 {digest}, expected "
                f"{spec.md5}); the file was deleted: run the command again (without --url, "
                "if a mirror served it)"
            )
    _extract(archive, to)
    archive.unlink()
    marker.write_text(f"{spec.name} {spec.md5 or 'no published checksum'}\n")
    return to


@contextmanager
def _opened(url: str, timeout: float, headers: dict[str, str] | None = None) -> Iterator:
    """The response to a GET of ``url``; every network failure becomes one VoxemoError."""
    request = urllib.request.Request(url, headers={"User-Agent": "voxemo", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            yield response
    except urllib.error.HTTPError as exc:
        raise VoxemoError(f"{url}: download failed (HTTP {exc.code} {exc.reason})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise VoxemoError(f"{url}: download failed ({reason})") from None


def _fetch(
    url: str, partial: Path, progress: ByteProgress | None, timeout: float, fresh: bool = False
) -> None:
    """Download ``url`` into ``partial``, resuming what is there unless ``fresh``; a failure
    says whether anything was kept to resume from."""
    try:
        total = _fetch_into(url, partial, progress, timeout, fresh)
    except VoxemoError as exc:
        kept = partial.stat().st_size if partial.exists() else 0
        hint = (
            f"; {kept} bytes are kept: run the command again to resume"
            if kept
            else "; nothing was downloaded: check the address and the connection"
        )
        raise VoxemoError(f"{exc}{hint}") from None
    if total is not None and partial.stat().st_size < total:
        raise VoxemoError(
            f"{url}: download interrupted at {partial.stat().st_size} of "
            f"{total} bytes; run the command again to resume"
        )


def _fetch_into(
    url: str, partial: Path, progress: ByteProgress | None, timeout: float, fresh: bool
) -> int | None:
    """The download itself; returns the expected size, where the server gave it."""
    have = partial.stat().st_size if partial.exists() and not fresh else 0
    with _opened(url, timeout, {"Range": f"bytes={have}-"} if have else None) as response:
        if have and response.status != 206:  # the server ignored the range: start again
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length else None
        with partial.open("ab" if have else "wb") as out:
            done = have
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    return total


def _fetch_file_list(
    files: FileList, to: Path, progress: ByteProgress | None, timeout: float
) -> None:
    """Fetch every listed file not already present and verified; report all failures at the
    end, so one bad file costs a re-run of that file only."""
    index = to / Path(files.index_url.split("?")[0]).name
    _fetch(files.index_url, index, None, timeout, fresh=True)
    for name, extra_url in files.extras:
        _fetch(extra_url, to / name, None, timeout, fresh=True)
    with index.open(newline="") as f:
        names = sorted({row[files.column] for row in csv.DictReader(f) if row.get(files.column)})
    folder = to / files.folder
    folder.mkdir(exist_ok=True)
    failures, done = [], 0

    def one(name: str) -> str | None:
        try:
            _fetch_verified(files, name, folder, timeout)
        except VoxemoError as exc:
            return str(exc)
        return None

    with ThreadPoolExecutor(PARALLEL_FILES) as pool:
        for error in pool.map(one, names):
            done += 1
            if error:
                failures.append(error)
            if progress:
                progress(done, len(names))
    if failures:
        raise VoxemoError(
            f"{len(failures)} of {len(names)} files failed (first: {failures[0]}); "
            "run the command again to fetch the rest"
        )


def _fetch_verified(files: FileList, name: str, folder: Path, timeout: float) -> None:
    target = folder / Path(files.file_url.format(name=name)).name
    expected = None
    if files.pointer_url:
        with _opened(files.pointer_url.format(name=name), timeout) as response:
            pointer = response.read().decode(errors="replace")
        expected = next(
            (
                line.split(":", 1)[1].strip()
                for line in pointer.splitlines()
                if line.startswith("oid sha256:")
            ),
            None,
        )
    if target.exists() and (expected is None or _digest(target, "sha256") == expected):
        return
    partial = target.with_name(target.name + ".part")
    _fetch(files.file_url.format(name=name), partial, None, timeout, fresh=True)
    if expected and _digest(partial, "sha256") != expected:
        partial.unlink()
        raise VoxemoError(
            f"{target.name}: checksum mismatch (SHA-256 differs from the "
            "published Git LFS pointer); deleted"
        )
    partial.replace(target)


def _digest(path: Path, algorithm: str = "md5") -> str:
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.1f} MB"


def _extract(
    archive: Path,
    to: Path,
    max_bytes: int = MAX_EXTRACTED_BYTES,
    max_files: int = MAX_EXTRACTED_FILES,
) -> None:
    """Unzip, refusing members that would land outside ``to``, and archives that hold more
    than ``max_files`` entries or ``max_bytes`` once extracted, from the archive's directory
    before anything is written (zipfile stops each member at its declared size, and a
    member that holds more fails its checksum)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            declared = sum(member.file_size for member in members)
            if len(members) > max_files or declared > max_bytes:
                raise VoxemoError(
                    f"{archive}: holds {len(members)} files, {_size(declared)} extracted; more "
                    f"than the {max_files} files or {_size(max_bytes)} voxemo extracts"
                )
            root = to.resolve()
            for member in members:
                target = (root / member.filename).resolve()
                if not target.is_relative_to(root):
                    raise VoxemoError(
                        f"{archive}: refuses to extract {member.filename} outside the target folder"
                    )
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile as exc:
        raise VoxemoError(f"{archive}: not a usable zip archive ({exc})") from None
