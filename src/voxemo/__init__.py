"""voxemo: recognize emotion in the human voice.

``from voxemo import Recognizer`` is the entry point for applications; it is imported on
first use so that ``import voxemo`` stays cheap.
"""

from voxemo.provenance import package_version

__version__ = package_version()
__all__ = ["EmotionResult", "Recognizer", "__version__"]


def __getattr__(name: str):
    if name in ("Recognizer", "EmotionResult"):
        from voxemo import recognizer

        return getattr(recognizer, name)
    raise AttributeError(f"module 'voxemo' has no attribute {name!r}")
