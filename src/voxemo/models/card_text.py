"""The model card as a page people read (MODEL_CARD.md beside card.json)."""

from __future__ import annotations

from voxemo.emotions import display_order
from voxemo.extras import FEATURE_EXTRAS

OPENSMILE_SETS = ("egemaps", "compare")
OPENSMILE_TERMS = (
    "openSMILE (audEERING), whose licence allows private, research and educational use and "
    "requires a commercial licence from audEERING for any other"
)


def corpus_names(training: dict) -> list[str]:
    """The training corpora's names (cards of older versions recorded ``NAME=PATH``)."""
    return [
        entry["name"] if isinstance(entry, dict) else entry.partition("=")[0].strip().lower()
        for entry in training.get("corpus", [])
    ]


def uses_opensmile(card: dict) -> bool:
    """Whether the model computes openSMILE features (itself or through a member)."""
    features = [card.get("features", ""), *card.get("member_features", [])]
    return any(name in str(spec).split("+") for spec in features for name in OPENSMILE_SETS)


def needed_extras(card: dict) -> list[str]:
    """The extras a model's feature sets need to be computed (itself or its members).

    Examples
    --------
    >>> needed_extras({"member_features": ["logmel", "spectral+prosody+egemaps"]})
    ['accurate']
    """
    features = [card.get("features", ""), *card.get("member_features", [])]
    families = {part.split(":")[0] for spec in features for part in str(spec).split("+")}
    return sorted({FEATURE_EXTRAS[f] for f in families if f in FEATURE_EXTRAS})


def _use(card: dict, names: list[str]) -> list[str]:
    """What the model may be used for, from its data's and its feature extractors' terms."""
    from voxemo.corpora.download import DATASETS

    noncommercial = [n for n in names if n in DATASETS and DATASETS[n].noncommercial]
    lines = []
    if noncommercial:
        lines.append(
            f"- Because {', '.join(noncommercial)} is licensed for non-commercial use only, so "
            "is this model."
        )
    if uses_opensmile(card):
        lines.append(f"- It computes features with {OPENSMILE_TERMS}.")
    else:
        lines.append(
            "- None of its features come from openSMILE, so openSMILE's licence does not bind it."
        )
    extras = needed_extras(card)
    if extras:
        install = "pip install 'voxemo[" + ",".join(extras) + "]'"
        lines.append(f"- Beyond the core install, it needs `{install}`.")
    known = [n for n in names if n in DATASETS]
    if known:
        notices = "; ".join(
            f"{DATASETS[n].corpus} ({DATASETS[n].homepage}), available under the "
            f"{DATASETS[n].license}"
            for n in known
        )
        cited = "; ".join(DATASETS[n].citation for n in known)
        free = not noncommercial and not uses_opensmile(card)
        lines.append(
            ("- Free of non-commercial terms: it may be used commercially, with a notice where "
             "it is used " if free else "- Wherever it is used, give a notice ")
            + f"that it was made from {notices}, as "
            + ("that licence asks" if len(known) == 1 else "those licences ask")
            + " of a work produced from the data; "
            + ("its authors ask" if len(known) == 1 else "their authors ask")
            + f" to be cited as {cited}. Whether a licence's share-alike terms reach your "
            "product is a question for your own legal advice."
        )  # fmt: skip
    return lines


def _folds(count: int) -> str:
    return "1 fold" if count == 1 else f"{count} folds"


def _scores(protocol: str, scores: dict) -> list[str]:
    if protocol == "seed":
        kind = "the study's random split: the same speakers are in training and test, and the "
        kind += "score was measured with the speaker number as an extra input this model does "
        kind += "not have, so it is inflated"
    else:
        kind = "speaker-independent: no test speaker was trained on"
    lines = [
        f"Protocol `{protocol}` ({_folds(scores['folds'])}, {kind}): accuracy "
        f"{scores['accuracy']:.3f} ± {scores['accuracy_std']:.3f}, UAR "
        f"{scores['uar']:.3f} ± {scores['uar_std']:.3f}, macro-F1 {scores['macro_f1']:.3f}"
        + (
            f"; expected calibration error of the top probability "
            f"{scores['calibration_error']:.3f} (0 is perfect"
            + (
                f"; {scores['calibration_error_before_scaling']:.3f} before temperature "
                "scaling, the error after it cross-validated over the folds)."
                if "calibration_error_before_scaling" in scores
                else ")."
            )
            if scores.get("calibration_error") is not None
            else "."
        ),
        "",
    ]
    for corpus, own in scores.get("per_corpus", {}).items():
        lines += [
            f"- Test speakers of {corpus} ({_folds(own['folds'])}, scored over its "
            f"{len(own['labels'])} emotions): accuracy {own['accuracy']:.3f} ± "
            f"{own['accuracy_std']:.3f}, UAR {own['uar']:.3f} ± {own['uar_std']:.3f}."
        ]
    if scores.get("per_corpus"):
        lines.append("")
    return lines + _per_emotion(scores)


def _per_emotion(scores: dict) -> list[str]:
    """Precision, recall and F1 per emotion: over all test files and, where the model was
    tested on several corpora, on each (scored over its own emotions)."""
    per_corpus = {
        f"{corpus}'s test speakers": own["per_class"]
        for corpus, own in scores.get("per_corpus", {}).items()
        if "per_class" in own
    }
    if len(per_corpus) < 2:
        return [
            "| emotion | precision | recall | F1 |",
            "|---|---|---|---|",
            *(
                f"| {label} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1']:.2f} |"
                for label, row in scores["per_class"].items()
            ),
            "",
        ]
    tables = {"all test files": scores["per_class"], **per_corpus}

    def cell(rows: dict, label: str) -> str:
        row = rows.get(label)
        if row is None:
            return "not in this corpus"
        return f"{row['precision']:.2f} / {row['recall']:.2f} / {row['f1']:.2f}"

    return [
        "| emotion | " + " | ".join(f"{name}: precision / recall / F1" for name in tables) + " |",
        "|---|" + "---|" * len(tables),
        *(
            f"| {label} | " + " | ".join(cell(rows, label) for rows in tables.values()) + " |"
            for label in scores["per_class"]
        ),
        "",
    ]


def _missing_emotions(card: dict) -> list[str]:
    """Per test corpus without some of the model's emotions: that the model may still answer
    them for its voices, which the corpus's scores do not count.

    Examples
    --------
    >>> card = {"labels": ["calm", "sad", "angry"], "scores": {"folds": {"per_corpus": {
    ...     "ravdess": {"labels": ["calm", "sad", "angry"]},
    ...     "crema-d": {"labels": ["sad", "angry"]}}}}}
    >>> print(_missing_emotions(card)[0])  # doctest: +NORMALIZE_WHITESPACE
    - crema-d has no calm recordings: the model learned calm from ravdess alone and may
    answer it for any voice. Its scores on crema-d's test speakers count only crema-d's 2
    emotions (the probability of calm left out, the others scaled to sum to one), so how often
    it answers calm for voices like crema-d's is not in them.
    """
    labels = card.get("labels", [])
    tested = {
        corpus: own["labels"]
        for scores in card.get("scores", {}).values()
        for corpus, own in scores.get("per_corpus", {}).items()
    }
    lines = []
    for corpus, own in tested.items():
        missing = [label for label in labels if label not in own]
        if not missing:
            continue
        sources = [c for c, theirs in tested.items() if set(missing) <= set(theirs)]
        learned = f"{' and '.join(sources)} alone" if sources else "its other corpora"
        it, left = ("it", "probability") if len(missing) == 1 else ("them", "probabilities")
        lines.append(
            f"- {corpus} has no {' or '.join(missing)} recordings: the model learned "
            f"{' and '.join(missing)} from {learned} and may answer {it} for any voice. Its "
            f"scores on {corpus}'s test speakers count only {corpus}'s {len(own)} emotions "
            f"(the {left} of {' and '.join(missing)} left out, the others scaled to sum to "
            f"one), so how often it answers {' or '.join(missing)} for voices like {corpus}'s "
            "is not in them."
        )
    return lines


def _robustness(card: dict) -> list[str]:
    table = card.get("robustness")
    if not table:
        return []
    corpora = list(dict.fromkeys(c for row in table["rows"] for c in row["uar"]))
    lines = [
        "## Recording conditions",
        "",
        "UAR of this recipe's fold models (trained without their test speakers) on test "
        "speakers heard under each condition, in brackets the change from clean audio in "
        f"points ({table['source']}):",
        "",
        "| condition | " + " | ".join(corpora) + " |",
        "|---|" + "---|" * len(corpora),
    ]
    for row in table["rows"]:
        cells = [
            f"{row['uar'][c]:.3f}"
            + (f" ({-100 * row['drop'][c]:+.1f})" if row["condition"] != "clean" else "")
            for c in corpora
        ]
        lines.append(f"| {row['condition']} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _choices(card: dict) -> list[str]:
    section = card.get("choices")
    if not section:
        return []
    return [
        "## How the recipe was chosen",
        "",
        f"For the scores in this card ({section['source']}, recipe `{section['recipe']}` "
        f"trained on {section['setup']}):",
        "",
        *(f"- {line}" for line in section["lines"]),
        "",
    ]


def _other_corpora(card: dict) -> list[str]:
    section = card.get("cross_corpus")
    if not section:
        return []
    shared = ", ".join(display_order(section["labels"]))
    return [
        "## Other corpora",
        "",
        "The same recipe, trained on all of this model's training corpus and tested on all of "
        f"another corpus, scored over the emotions both have ({shared}; "
        f"{section['source']}):",
        "",
        *(
            f"- {row['test']}: accuracy {row['accuracy']:.3f}, UAR {row['uar']:.3f} "
            f"(chance {1 / len(section['labels']):.3f})."
            for row in section["rows"]
        ),
        "",
    ]


def _what_it_is(card: dict) -> list[str]:
    if card["model"] == "ensemble":
        return [
            "- Averages the probabilities of its members (each has its own card, under "
            "`members/` or, for a bundled model it shares, in that model's folder): "
            + "; ".join(
                f"`{kind}` on `{features}`, weight {weight}"
                for kind, features, weight in zip(
                    card["member_models"], card["member_features"], card["weights"], strict=True
                )
            )
            + ".",
            *(
                [
                    f"- Probabilities are temperature-scaled (T = {card['temperature']}), fitted "
                    "on out-of-fold predictions of the evaluation below."
                ]
                if card.get("temperature")
                else []
            ),
            "- Format: ONNX graphs and JSON cards only; loading runs no code.",
        ]
    return [
        f"- Kind: `{card['model']}`; inputs: `{card['features']}`"
        + (f" at {card['frontend']['sample_rate']} Hz" if card.get("frontend") else "")
        + ".",
        _chosen(card),
        "- Format: ONNX graph (`model.onnx`) and this card (`card.json`); loading runs no code.",
    ]


def _chosen(card: dict) -> str:
    """The settings chosen on the training speakers, a network's epoch out of its epochs.

    Examples
    --------
    >>> print(_chosen({"chosen_params": {"epoch": 12, "weights": "averaged"},
    ...                "training_config": {"epochs": 16}}))  # doctest: +NORMALIZE_WHITESPACE
    - Chosen on its training speakers alone (some held out by speaker): `epoch` 12 of 16,
    `weights` averaged.
    >>> _chosen({})
    '- Settings: the defaults, none chosen on data.'
    """
    chosen = card.get("chosen_params")
    if not chosen:
        return "- Settings: the defaults, none chosen on data."
    epochs = card.get("training_config", {}).get("epochs")
    parts = [
        f"`{name}` {value}" + (f" of {epochs}" if name == "epoch" and epochs else "")
        for name, value in chosen.items()
    ]
    return (
        "- Chosen on its training speakers alone (some held out by speaker): "
        + ", ".join(parts)
        + "."
    )


def card_markdown(card: dict) -> str:
    """What the model is, what it was trained on, how well it did, and where it fails."""
    from voxemo.corpora.download import DATASETS  # (pandas: only when a card is written)

    training = card["training"]
    names = corpus_names(training)
    licenses = [f"{DATASETS[n].title}: {DATASETS[n].terms}" for n in names if n in DATASETS]
    lines = [
        f"# voxemo model: {card['model']}",
        "",
        f"Emotions: {', '.join(display_order(card['labels']))}.",
        "",
        "## What it is",
        "",
        *_what_it_is(card),
        f"- Made with voxemo {card.get('voxemo', '?')} at commit {card.get('git_commit', '?')}.",
        "",
        "## Training data",
        "",
        f"- {training['n_files']} recordings of {training['n_speakers']} speakers from "
        f"{', '.join(names)}; seed {training['seed']}.",
        "- Files per emotion: "
        + ", ".join(
            f"{k} {training['label_counts'][k]}" for k in display_order(training["label_counts"])
        )
        + ".",
        *(f"- License of the data: {text}." for text in licenses),
        "",
        "## What it may be used for",
        "",
        *_use(card, names),
    ]
    lines += ["", "## Measured scores", ""]
    if not card.get("scores"):
        how = (
            "voxemo ensemble --scores EVAL.json"
            if card["model"] == "ensemble"
            else "voxemo train --protocol or --scores"
        )
        lines.append(f"Not evaluated ({how} records scores).")
    for protocol, scores in card.get("scores", {}).items():
        lines += _scores(protocol, scores)
    lines += _robustness(card)
    lines += _other_corpora(card)
    lines += _choices(card)
    lines += [
        "## Known limits",
        "",
        "- Trained on acted emotion: real, spontaneous emotion is subtler and mixed, and the "
        "scores above overstate what to expect on it.",
    ]
    if "ravdess" in names:
        lines += [
            "- RAVDESS has 24 North American English speakers saying two sentences in one studio.",
        ]
    if "crema-d" in names:
        lines += [
            "- CREMA-D has 91 American English actors (ages 20-74, several ethnicities) saying "
            "12 sentences; its recordings vary in quality, and some are noisy.",
        ]
    lines += _missing_emotions(card)
    lines += [
        "- Other languages, accents, microphones and rooms than its training data's are "
        "untested: the scores above overstate what to expect on them.",
        (
            f"- Calibration was measured on {', '.join(names)}; on other voices and rooms the "
            "probabilities are less trustworthy, and short clips (under a second) and noisy "
            "ones least of all."
            if any(s.get("calibration_error") is not None for s in card.get("scores", {}).values())
            else "- Calibration was not measured: treat the probabilities as a ranking."
        ),
        "",
    ]
    return "\n".join(lines)
