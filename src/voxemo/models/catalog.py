"""Where models are found by name: the ones bundled with voxemo and the user's own.

``--model`` and ``Recognizer(...)`` accept a model folder's path or a name: a folder in the
user's model directory (``$VOXEMO_MODELS_DIR``, else ``$XDG_DATA_HOME/voxemo/models``,
else ``~/.local/share/voxemo/models``) or a bundled model; a name wins over a folder of the
same name in the working directory (``./NAME`` is that folder). Without one, the bundled
``default`` model is used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from voxemo.errors import ModelError, did_you_mean
from voxemo.models.artifact import CARD_FILE

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "pretrained"
DEFAULT_MODEL = "default"


def user_models_dir() -> Path:
    if os.environ.get("VOXEMO_MODELS_DIR"):
        return Path(os.environ["VOXEMO_MODELS_DIR"])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "voxemo" / "models"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    source: str  # "bundled" or "user"
    path: Path
    card: dict


def list_models() -> list[ModelEntry]:
    """Bundled models first, then the user's; folders without a readable card are skipped."""
    entries = []
    for source, root in (("bundled", BUNDLED_DIR), ("user", user_models_dir())):
        for folder in sorted(root.glob(f"*/{CARD_FILE}")) if root.is_dir() else []:
            try:
                card = json.loads(folder.read_text())
            except (OSError, ValueError):
                continue
            entries.append(ModelEntry(folder.parent.name, source, folder.parent, card))
    return entries


def resolve_model(spec: str | Path | None = None) -> Path:
    """The folder of a model given by path or name (None: the bundled default).

    A name (no ``/``, not starting with ``.`` or ``~``) means the user's or the bundled model of
    that name first, so a folder called ``default`` in the working directory does not shadow
    the bundled ``default``; give it as a path (``./default``) to use it. A ``Path`` is
    always a path.

    Examples
    --------
    >>> resolve_model("fast").name
    'fast'
    """
    name = str(spec) if spec is not None else DEFAULT_MODEL
    as_path = isinstance(spec, Path) or "/" in name or os.sep in name or name[:1] in (".", "~")
    if not as_path:
        for root in (user_models_dir(), BUNDLED_DIR):
            if (root / name / CARD_FILE).is_file():
                return root / name
    if spec is not None and Path(spec).expanduser().exists():
        return Path(spec).expanduser()
    if spec is None:
        raise ModelError(
            f"no bundled model in this installation ({BUNDLED_DIR / DEFAULT_MODEL}); "
            "train one with 'voxemo train' and pass it with --model"
        )
    names = [entry.name for entry in list_models()]
    raise ModelError(
        f"{spec}: no such model folder, and no user or bundled model of that name"
        f"{did_you_mean(name, names)} (voxemo models lists them)"
    )


def card_summary(card: dict) -> dict:
    """What ``voxemo models`` shows of a model card: kind, emotions, training corpora and
    files, and accuracy and UAR on unseen speakers per test corpus.

    Examples
    --------
    >>> entry = next(e for e in list_models() if e.name == "fast")
    >>> summary = card_summary(entry.card)
    >>> summary["kind"], "ravdess" in summary["scores"]
    ('crnn', True)
    """
    from voxemo.emotions import display_order
    from voxemo.evaluation.protocols import BUILTIN_CORPORA
    from voxemo.models.card_text import corpus_names

    training = card.get("training", {})
    scores: dict[str, dict] = {}
    for protocol, recorded in card.get("scores", {}).items():
        if protocol == "seed":  # speakers leak: not a score on unseen speakers
            continue
        tests = recorded.get("per_corpus") or {BUILTIN_CORPORA.get(protocol, protocol): recorded}
        for test, own in tests.items():
            scores.setdefault(test, {k: own[k] for k in ("accuracy", "uar")})
    return {
        "kind": card.get("model", "?"),
        "labels": display_order(card.get("labels", [])),
        "corpus": corpus_names(training),
        "files": training.get("n_files", 0),
        "scores": scores,
    }
