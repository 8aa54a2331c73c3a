"""Which optional extra provides each library voxemo imports only for some work.

The core install predicts (``voxemo predict``, ``voxemo models``, :class:`voxemo.Recognizer`
with the ``default`` and ``fast`` models); the rest comes in extras. A missing library is
turned into one line naming the extra to install.
"""

from __future__ import annotations

from voxemo.errors import VoxemoError

# Top-level import name -> (the package pip installs, the voxemo extra that brings it).
PROVIDERS: dict[str, tuple[str, str]] = {
    "opensmile": ("opensmile", "accurate"),
    "parselmouth": ("praat-parselmouth", "accurate"),
    "scipy": ("scipy", "research"),
    "pandas": ("pandas", "research"),
    "pyarrow": ("pyarrow", "research"),
    "librosa": ("librosa", "research"),
    "sklearn": ("scikit-learn", "research"),
    "joblib": ("joblib", "research"),
    "lightgbm": ("lightgbm", "research"),
    "onnx": ("onnx", "research"),
    "skl2onnx": ("skl2onnx", "research"),
    "onnxmltools": ("onnxmltools", "research"),
    "matplotlib": ("matplotlib", "research"),
    "torch": ("torch", "train"),
    "av": ("av", "train"),
    "pyroomacoustics": ("pyroomacoustics", "train"),
    "python_stretch": ("python-stretch", "train"),
    "transformers": ("transformers", "ssl"),
    "sounddevice": ("sounddevice", "live"),
    "dask": ("dask", "batch"),
    "distributed": ("distributed", "batch"),
    "fsspec": ("fsspec", "batch"),
    "fastapi": ("fastapi", "serve"),
    "starlette": ("fastapi", "serve"),
    "uvicorn": ("uvicorn", "serve"),
    "prometheus_client": ("prometheus-client", "serve"),
    "multipart": ("python-multipart", "serve"),
    "python_multipart": ("python-multipart", "serve"),
}

# The extra each feature-set family's libraries come in.
FEATURE_EXTRAS = {
    "egemaps": "accurate",
    "compare": "accurate",
    "prosody": "accurate",
    "seed": "research",
    "overview": "research",
    "ssl": "ssl",
}


def missing_extra(error: ModuleNotFoundError, what: str) -> VoxemoError | None:
    """The one-line error for ``what`` (a command, a feature set) that needs a library from
    an extra that is not installed; None when the missing module is not an optional one.

    Examples
    --------
    >>> str(missing_extra(ModuleNotFoundError(name="sklearn"), "voxemo evaluate"))
    "voxemo evaluate needs scikit-learn, which is not installed: pip install 'voxemo[research]'"
    """
    module = (error.name or "").split(".")[0]
    if module not in PROVIDERS:
        return None
    package, extra = PROVIDERS[module]
    return VoxemoError(
        f"{what} needs {package}, which is not installed: pip install 'voxemo[{extra}]'"
    )
