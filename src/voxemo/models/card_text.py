"""The model card as a page people read (MODEL_CARD.md beside card.json)."""

from __future__ import annotations


def _corpus_names(card: dict) -> list[str]:
    return [spec.partition("=")[0].strip().lower() for spec in card["training"]["corpus"]]


def _what_it_is(card: dict) -> list[str]:
    if card["model"] == "ensemble":
        return [
            "- Averages the probabilities of its members (each has its own card under "
            "`members/`): "
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
        f"- Chosen settings: {card.get('chosen_params') or 'defaults'}.",
        "- Format: ONNX graph (`model.onnx`) and this card (`card.json`); loading runs no code.",
    ]


def card_markdown(card: dict) -> str:
    """What the model is, what it was trained on, how well it did, and where it fails."""
    from voxemo.corpora.download import DATASETS  # (pandas: only when a card is written)

    training = card["training"]
    names = _corpus_names(card)
    licenses = [f"{DATASETS[n].title}: {DATASETS[n].license}" for n in names if n in DATASETS]
    noncommercial = any("NC" in DATASETS[n].license for n in names if n in DATASETS)
    lines = [
        f"# voxemo model: {card['model']}",
        "",
        f"Emotions: {', '.join(card['labels'])}.",
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
        + ", ".join(f"{k} {v}" for k, v in sorted(training["label_counts"].items()))
        + ".",
        *(f"- License of the data: {text}." for text in licenses),
    ]
    if noncommercial:
        lines += [
            "- Because the training data is licensed for non-commercial use only, so is this "
            "model.",
        ]
    lines += ["", "## Measured scores", ""]
    if not card.get("scores"):
        lines.append("Not evaluated (train with --protocol or --scores to record scores).")
    for protocol, scores in card.get("scores", {}).items():
        lines += [
            f"Protocol `{protocol}` ({scores['folds']} folds, speaker-independent where the "
            "protocol is): accuracy "
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
            "| emotion | precision | recall | F1 |",
            "|---|---|---|---|",
            *(
                f"| {label} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1']:.2f} |"
                for label, row in scores["per_class"].items()
            ),
            "",
        ]
    lines += [
        "## Known limits",
        "",
        "- Trained on acted emotion: real, spontaneous emotion is subtler and mixed, and the "
        "scores above overstate what to expect on it.",
    ]
    if "ravdess" in names:
        lines += [
            "- RAVDESS has 24 North American English speakers saying two sentences; other "
            "languages, accents, ages, microphones and recording rooms are untested.",
        ]
    lines += [
        "- Calibration was measured on RAVDESS; on other voices and rooms the probabilities "
        "are less trustworthy, and short clips (under a second) and noisy ones least of all.",
        "",
    ]
    return "\n".join(lines)
