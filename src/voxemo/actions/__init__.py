"""From emotion to action: rules that turn a stream of predictions into events.

``parse_rule("angry >= 0.6 for 3s")`` reads a rule; :class:`RuleWatcher` follows a stream of
updates (from ``listen``, a timeline's windows, or the service's stream) and says when each
rule's episode starts and ends.
"""

from voxemo.actions.rules import Rule, RuleError, parse_rule
from voxemo.actions.watcher import Event, RuleWatcher, timeline_events

__all__ = ["Event", "Rule", "RuleError", "RuleWatcher", "parse_rule", "timeline_events"]
