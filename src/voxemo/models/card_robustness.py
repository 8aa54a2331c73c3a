"""A model card's recording-conditions section, from the results of the robustness benchmark.

``benchmarks/robustness.py`` measures each recipe's fold models (trained without the test
speakers) on test audio heard under each recording condition; a model trained with the same
recipe on all the speakers carries that table in its card, under "Recording conditions".
"""

from __future__ import annotations

import json
from pathlib import Path

from voxemo.errors import ModelError
from voxemo.models.artifact import CARD_FILE, CARD_TEXT_FILE
from voxemo.models.card_text import card_markdown


def robustness_section(record: dict, setup: str, model: str) -> dict:
    """The card's ``robustness`` table of the recipe ``model`` of ``setup`` in a results
    record of ``benchmarks/robustness.py``: UAR and its drop from clean audio per condition
    and test corpus, and where the numbers come from.

    Examples
    --------
    >>> def row(condition, uar):
    ...     return {"model": "default", "setup": "crema-d", "condition": condition,
    ...             "scores": {"crema-d": {"uar": uar}}, "uar_drop": {"crema-d": 0.6 - uar}}
    >>> rows = [row("clean", 0.6), row("telephone", 0.55)]
    >>> record = {"git_commit": "0123456789abcdef", "rows": rows}
    >>> section = robustness_section(record, "crema-d", "default")
    >>> section["rows"][1]["condition"], section["source"]
    ('telephone', 'benchmarks/robustness.py --setup crema-d at commit 0123456789ab')
    """
    rows = [row for row in record["rows"] if (row["model"], row["setup"]) == (model, setup)]
    if not rows:
        raise ModelError(f"the robustness results have no rows of {model} in the setup {setup}")
    commit = rows[0].get("git_commit", record["git_commit"])
    return {
        "source": f"benchmarks/robustness.py --setup {setup} at commit {commit[:12]}",
        "rows": [
            {
                "condition": row["condition"],
                "uar": {corpus: score["uar"] for corpus, score in row["scores"].items()},
                "drop": dict(row["uar_drop"]),
            }
            for row in rows
        ],
    }


def add_robustness(folder: str | Path, section: dict) -> None:
    """Write a recording-conditions ``section`` (see :func:`robustness_section`) into the
    card of the model ``folder``: its ``card.json`` and the page ``MODEL_CARD.md``.

    Examples
    --------
    >>> add_robustness("src/voxemo/pretrained/open", section)  # doctest: +SKIP
    """
    folder = Path(folder)
    try:
        card = json.loads((folder / CARD_FILE).read_text())
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder / CARD_FILE}: cannot read the model card ({error})") from None
    card["robustness"] = section
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n")
    (folder / CARD_TEXT_FILE).write_text(card_markdown(card))
