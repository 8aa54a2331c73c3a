"""Corpus readers, chosen by name: ``NAME=PATH`` on the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voxemo.audio.formats import AUDIO_EXTENSIONS, is_audio_file
from voxemo.corpora.acted import read_crema_d, read_emodb, read_savee, read_tess
from voxemo.corpora.combine import combine_corpora, cross_corpora
from voxemo.corpora.csv_table import read_csv_corpus
from voxemo.corpora.folder import read_folder
from voxemo.corpora.ravdess import EMOBOX_FOLDS, parse_ravdess_name, read_ravdess
from voxemo.corpora.table import Corpus
from voxemo.errors import CorpusError, did_you_mean

READERS: dict[str, Callable[[Path], Corpus]] = {
    "ravdess": read_ravdess,
    "tess": read_tess,
    "crema-d": read_crema_d,
    "savee": read_savee,
    "emodb": read_emodb,
    "folder": read_folder,
    "csv": read_csv_corpus,
}

__all__ = [
    "AUDIO_EXTENSIONS",
    "EMOBOX_FOLDS",
    "READERS",
    "Corpus",
    "combine_corpora",
    "cross_corpora",
    "is_audio_file",
    "parse_corpus_spec",
    "parse_ravdess_name",
    "read_corpus",
]


def parse_corpus_spec(spec: str) -> tuple[str, Path]:
    """Split ``NAME=PATH`` and check that NAME is a known reader."""
    name, sep, path = spec.partition("=")
    name = name.strip().lower()
    if not sep or not path:
        raise CorpusError(f"corpus '{spec}': expected NAME=PATH, e.g. ravdess=/data/ravdess")
    if name not in READERS:
        known = ", ".join(sorted(READERS))
        raise CorpusError(
            f"corpus '{spec}': unknown corpus '{name}'{did_you_mean(name, READERS)} "
            f"(known: {known})"
        )
    return name, Path(path)


def read_corpus(spec: str) -> Corpus:
    """Read a labelled corpus given as ``NAME=PATH``, as ``--corpus`` takes it.

    Parameters
    ----------
    spec : str
        A reader and its folder or file: ``ravdess=DIR``, ``crema-d=DIR``, ``tess=DIR``,
        ``savee=DIR``, ``emodb=DIR`` (each in its official layout), ``folder=DIR`` (one
        sub-folder per label) or ``csv=FILE`` (columns ``path,label[,speaker][,gender]``).

    Returns
    -------
    Corpus
        A table with one row per recording (``path``, ``label``, ``speaker``, ``corpus`` and
        the corpus's own fields), its labels, and the ``problems``: files left out, each
        with the reason.

    Raises
    ------
    CorpusError
        An unknown reader, a missing folder, or no usable recording.

    Examples
    --------
    >>> import tempfile, numpy as np, soundfile as sf
    >>> root = Path(tempfile.mkdtemp())
    >>> for label in ("calm", "angry"):
    ...     (root / label).mkdir()
    ...     sf.write(root / label / "take1.wav", 0.3 * np.sin(np.arange(16000) / 5), 16000)
    >>> corpus = read_corpus(f"folder={root}")
    >>> corpus.labels, len(corpus.table), corpus.problems
    (['angry', 'calm'], 2, [])
    """
    name, path = parse_corpus_spec(spec)
    return READERS[name](path)
