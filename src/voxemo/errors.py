"""Exceptions whose message is a complete one-line explanation for the user."""


class VoxemoError(Exception):
    """Base class: the CLI prints ``str(error)`` as one line and exits non-zero."""


class AudioError(VoxemoError):
    """A file could not be turned into usable audio; the message names the file."""


class CorpusError(VoxemoError):
    """A corpus could not be read or does not support the requested operation."""


class ModelError(VoxemoError):
    """A model artifact is missing, malformed or incompatible."""


def did_you_mean(given: str, choices) -> str:
    """``"; did you mean X?"`` for the closest of ``choices`` to a mistyped ``given``, or "".

    Examples
    --------
    >>> did_you_mean("logrg", ["logreg", "svm"])
    '; did you mean logreg?'
    """
    import difflib

    near = difflib.get_close_matches(str(given), [str(c) for c in choices], n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(near)}?" if near else ""
