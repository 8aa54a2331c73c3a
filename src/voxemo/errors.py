"""Exceptions whose message is a complete one-line explanation for the user."""


class VoxemoError(Exception):
    """Base class: the CLI prints ``str(error)`` as one line and exits non-zero."""


class AudioError(VoxemoError):
    """A file could not be turned into usable audio; the message names the file."""


class CorpusError(VoxemoError):
    """A corpus could not be read or does not support the requested operation."""


class ModelError(VoxemoError):
    """A model artifact is missing, malformed or incompatible."""
