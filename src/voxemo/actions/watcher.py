"""Following a stream of predictions and saying when each rule's episode starts and ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from voxemo.actions.rules import Rule, parse_rule


@dataclass(frozen=True)
class Event:
    """One rule's episode starting or ending.

    ``time`` is the update that fired it; ``since`` when the condition began to hold (for a
    ``start``, ``time - since`` is at least the rule's duration); ``value`` the rule's
    summed probability at ``time`` (None when silence ended the episode); ``source`` the
    recording or stream it was heard in, where the watcher was told.
    """

    rule: str
    kind: str  # "start" or "end"
    time: float
    since: float
    value: float | None
    source: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready, with ``"event": "rule"`` to tell it from updates in one stream."""
        return {"event": "rule", **asdict(self)}


@dataclass
class _State:
    since: float | None = None  # the condition has held since
    active: bool = False  # an episode is open
    failing_since: float | None = None
    silent_since: float | None = None
    ready_at: float = float("-inf")  # the end of the cool-down


class RuleWatcher:
    """Events from a stream of updates, rule by rule, with hysteresis.

    An episode starts once, at the first update where the condition has held for the rule's
    duration, and ends once, at the first update where it has failed for ``release``
    seconds; after it ends the rule waits its cool-down before it may start again. Silence
    (an update without probabilities) neither holds nor fails the condition for up to
    ``grace`` seconds; longer silence fails it.

    Parameters
    ----------
    rules : sequence of str or Rule
        Rules in the rule language (:mod:`voxemo.actions.rules`).
    labels : list of str or None
        The model's emotions: rules naming others are refused.
    release : float
        Seconds the condition must fail before an episode ends (0: at the first failing
        update).
    grace : float
        Seconds of silence that neither hold nor fail a condition.
    source : str or None
        What the stream is (a path, a call id), carried into every event.

    Examples
    --------
    >>> watcher = RuleWatcher(["angry >= 0.6 for 2s"])
    >>> stream = [0.2, 0.7, 0.8, 0.9, 0.9, 0.3]  # angry's probability, one update a second
    >>> for t, p in enumerate(stream):
    ...     for event in watcher.update(float(t), {"angry": p, "calm": 1 - p}):
    ...         print(event.kind, event.time, event.since)
    start 3.0 1.0
    end 5.0 1.0
    """

    def __init__(
        self,
        rules: Sequence[str | Rule],
        labels: list[str] | None = None,
        *,
        release: float = 0.0,
        grace: float = 2.0,
        source: str | None = None,
    ) -> None:
        self.rules = [
            rule if isinstance(rule, Rule) else parse_rule(rule, labels) for rule in rules
        ]
        self.release, self.grace, self.source = release, grace, source
        self._states = [_State() for _ in self.rules]

    def update(self, time: float, probabilities: dict[str, float] | None) -> list[Event]:
        """The events due at this update (``probabilities`` None: silence)."""
        events = []
        for rule, state in zip(self.rules, self._states, strict=True):
            event = self._step(rule, state, time, probabilities)
            if event is not None:
                events.append(event)
        return events

    def finish(self, time: float) -> list[Event]:
        """End every open episode (the stream is over); returns their ``end`` events."""
        events = []
        for rule, state in zip(self.rules, self._states, strict=True):
            if state.active:
                events.append(self._end(rule, state, time, None))
        return events

    def _step(self, rule: Rule, state: _State, time: float, probabilities) -> Event | None:
        if probabilities is None:
            if state.silent_since is None:
                state.silent_since = time
            if time - state.silent_since <= self.grace:
                return None  # a pause: the condition neither holds nor fails
            return self._fail(rule, state, time, None)
        state.silent_since = None
        if not rule.holds(probabilities):
            return self._fail(rule, state, time, rule.value(probabilities))
        state.failing_since = None
        if state.since is None:
            state.since = time
        if state.active or time - state.since < rule.duration or time < state.ready_at:
            return None
        state.active = True
        value = round(rule.value(probabilities), 4)
        return Event(rule.text, "start", time, state.since, value, self.source)

    def _fail(self, rule: Rule, state: _State, time: float, value) -> Event | None:
        if not state.active:
            state.since = None
            return None
        if state.failing_since is None:
            state.failing_since = time
        if time - state.failing_since < self.release:
            return None
        return self._end(rule, state, time, value)

    def _end(self, rule: Rule, state: _State, time: float, value) -> Event:
        since = state.since
        state.active, state.since, state.failing_since = False, None, None
        state.ready_at = time + rule.cooldown
        value = None if value is None else round(value, 4)
        return Event(rule.text, "end", time, since, value, self.source)


def timeline_events(timeline, watcher: RuleWatcher, hop: float) -> list[Event]:
    """The events of a recording's timeline: each window is an update at its end, a gap
    between stretches of speech is silence, and episodes still open end with the recording.

    Examples
    --------
    >>> from voxemo.recognizer.timeline import Timeline, Window
    >>> windows = [Window(t, t + 3, {"angry": 0.9, "calm": 0.1}) for t in (0.0, 1.5, 3.0)]
    >>> timeline = Timeline("call.wav", 10.0, 6.0, windows)
    >>> events = timeline_events(timeline, RuleWatcher(["angry >= 0.6 for 3s"]), hop=1.5)
    >>> [(e.kind, e.time, e.since) for e in events]
    [('start', 6.0, 3.0), ('end', 10.0, 3.0)]
    """
    events, last = [], None
    for window in timeline.windows:
        if last is not None and window.end - last > 1.5 * hop:
            events += watcher.update(round(last + hop, 3), None)  # no speech in between
        events += watcher.update(window.end, window.probabilities)
        last = window.end
    return events + watcher.finish(round(timeline.duration, 3))
