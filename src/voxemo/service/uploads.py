"""Reading one recording from a request: a multipart upload or the raw body."""

from __future__ import annotations

import io
from pathlib import PurePath

import soundfile as sf
from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

RAW_TYPES = ("audio/", "application/octet-stream")


async def read_upload(request: Request, name: str | None) -> tuple[bytes, str]:
    """The bytes of the recording and the name errors call it: the uploaded file's name,
    else ``name``, else ``upload``.

    Raises
    ------
    HTTPException
        415 for a body that is neither ``multipart/form-data`` nor audio, 422 for a form
        without a file.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        files = [value for value in form.values() if isinstance(value, UploadFile)]
        if not files:
            raise HTTPException(422, "multipart upload: no file field (send the audio as 'file')")
        upload = files[0]
        data = await upload.read()
        await form.close()
        return data, name or PurePath(upload.filename or "upload").name
    if kind and not kind.startswith(RAW_TYPES):
        raise HTTPException(
            415,
            f"content type {kind}: send the audio as the body (audio/wav, audio/flac, "
            "audio/mpeg, ...) or as the file of a multipart/form-data upload",
        )
    return await request.body(), name or "upload"


def declared_seconds(data: bytes) -> float | None:
    """The length the recording's header declares (None: unknown, or not audio; decoding
    says why).

    Examples
    --------
    >>> import numpy as np
    >>> buffer = io.BytesIO()
    >>> sf.write(buffer, np.zeros(16000, np.float32), 8000, format="WAV")
    >>> declared_seconds(buffer.getvalue()), declared_seconds(b"not audio")
    (2.0, None)
    """
    from voxemo.audio.decode import UNKNOWN_FRAMES

    try:
        info = sf.info(io.BytesIO(data))
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError):
        return None
    if info.samplerate <= 0 or info.frames >= UNKNOWN_FRAMES:
        return None
    return info.frames / info.samplerate
