"""The rule language: ``EMOTIONS OP THRESHOLD for DURATION [cooldown DURATION]``.

- ``EMOTIONS``: one emotion (``angry``), several joined by ``or`` (``sad or fearful``: the
  sum of their probabilities, i.e. the probability that the voice is one of them), or a
  group: ``any negative`` (angry, sad, fearful, disgust), ``any positive`` (happy, calm,
  surprised), ``any`` followed by emotions joined by ``or`` is the same as without ``any``.
- ``OP``: ``>=``, ``>``, ``<=`` or ``<``; ``THRESHOLD``: a probability from 0 to 1.
- ``for DURATION``: how long the condition must hold (``3s``, ``1.5s``, ``500ms``, ``2m``).
- ``cooldown DURATION``: after an episode ends, how long before the rule may fire again
  (default: none).

Examples: ``angry >= 0.6 for 3s``, ``sad or fearful >= 0.5 for 10s``,
``any negative >= 0.7 for 5s cooldown 30s``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voxemo.emotions import EMOTIONS
from voxemo.errors import VoxemoError

GROUPS = {
    "negative": ("angry", "sad", "fearful", "disgust"),
    "positive": ("happy", "calm", "surprised"),
}
OPERATORS = {
    ">=": lambda value, threshold: value >= threshold,
    ">": lambda value, threshold: value > threshold,
    "<=": lambda value, threshold: value <= threshold,
    "<": lambda value, threshold: value < threshold,
}
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}
# The rules of a call report: sustained anger, distress, and the caller settling.
CALL_RULES = (
    "angry >= 0.6 for 3s cooldown 10s",
    "sad or fearful >= 0.5 for 4s cooldown 10s",
    "any negative >= 0.8 for 5s cooldown 20s",
    "happy or calm >= 0.5 for 3s cooldown 10s",
)
_RULE = re.compile(
    r"^\s*(?P<emotions>.+?)\s*(?P<op>>=|<=|>|<)\s*(?P<threshold>\S+)\s+for\s+(?P<duration>.+?)"
    r"(?:\s+cooldown\s+(?P<cooldown>.+?))?\s*$",
    re.IGNORECASE,
)


class RuleError(VoxemoError):
    """A rule that cannot be read; the message names the rule and the bad part."""


@dataclass(frozen=True)
class Rule:
    """A parsed rule: the emotions whose probabilities are summed, the comparison, and how
    long it must hold."""

    text: str
    emotions: tuple[str, ...]
    operator: str
    threshold: float
    duration: float
    cooldown: float = 0.0

    def value(self, probabilities: dict[str, float]) -> float:
        """The summed probability of the rule's emotions (those the model knows)."""
        return float(sum(probabilities.get(emotion, 0.0) for emotion in self.emotions))

    def holds(self, probabilities: dict[str, float]) -> bool:
        """Whether the condition (not yet its duration) is met by one update."""
        return OPERATORS[self.operator](self.value(probabilities), self.threshold)


def parse_rule(text: str, labels: list[str] | None = None) -> Rule:
    """Read a rule; ``labels`` (a model's emotions) refuses emotions the model cannot hear.

    Examples
    --------
    >>> rule = parse_rule("sad or fearful >= 0.5 for 10s cooldown 1m")
    >>> rule.emotions, rule.threshold, rule.duration, rule.cooldown
    (('sad', 'fearful'), 0.5, 10.0, 60.0)
    >>> parse_rule("any negative > 0.7 for 500ms").emotions
    ('angry', 'sad', 'fearful', 'disgust')
    >>> parse_rule("angry >= 1.6 for 3s")
    Traceback (most recent call last):
    ...
    voxemo.actions.rules.RuleError: rule 'angry >= 1.6 for 3s': threshold '1.6' is not a \
probability from 0 to 1
    """
    found = _RULE.match(text or "")
    if not found:
        raise RuleError(
            f"rule {text!r}: expected EMOTIONS OP THRESHOLD for DURATION [cooldown DURATION], "
            "e.g. 'angry >= 0.6 for 3s'"
        )
    emotions = _emotions(text, found["emotions"], labels)
    try:
        threshold = float(found["threshold"])
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise RuleError(
            f"rule {text!r}: threshold {found['threshold']!r} is not a probability from 0 to 1"
        )
    duration = _seconds(text, found["duration"], "duration")
    cooldown = _seconds(text, found["cooldown"], "cooldown") if found["cooldown"] else 0.0
    return Rule(text.strip(), emotions, found["op"], threshold, duration, cooldown)


def _emotions(text: str, part: str, labels: list[str] | None) -> tuple[str, ...]:
    words = part.lower().split()
    if words and words[0] == "any":
        words = words[1:]
        if len(words) == 1 and words[0] in GROUPS:
            return GROUPS[words[0]]
    names = " ".join(words).split(" or ")
    known = labels if labels is not None else EMOTIONS
    emotions = []
    for name in (name.strip() for name in names):
        if name not in known:
            choices = ", ".join([*known, *(f"any {group}" for group in GROUPS)])
            raise RuleError(f"rule {text!r}: unknown emotion {name!r} (one of {choices})")
        emotions.append(name)
    if len(set(emotions)) != len(emotions):
        raise RuleError(f"rule {text!r}: an emotion is named twice in {part.strip()!r}")
    return tuple(emotions)


def _seconds(text: str, value: str, what: str) -> float:
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", value.lower())
    if not found:
        raise RuleError(
            f"rule {text!r}: {what} {value!r} is not a length of time like 3s, 500ms or 2m"
        )
    return float(found[1]) * UNITS[found[2]]
