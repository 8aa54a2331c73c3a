"""``--on RULE`` with ``--exec CMD`` and ``--post URL``: the rule options of ``listen`` and
``predict --timeline``."""

from __future__ import annotations

import argparse
import json

from voxemo.cli.console import clock, out

RULE_HELP = (
    "Rules turn the emotion over time into events: --on 'EMOTIONS OP P for DURATION "
    "[cooldown DURATION]', e.g. --on 'angry >= 0.6 for 3s', --on 'sad or fearful >= 0.5 for "
    "10s', --on 'any negative >= 0.7 for 5s cooldown 30s' (emotions joined by 'or' add "
    "their probabilities; 'any negative' is angry, sad, fearful and disgust, 'any positive' "
    "happy, calm and surprised). Each event is printed; --exec and --post after an --on act "
    "on that rule's events."
)


class _On(argparse.Action):
    def __call__(self, parser, namespace, value, option_string=None) -> None:
        rules = list(getattr(namespace, self.dest, None) or [])
        rules.append({"rule": value, "exec": [], "post": []})
        setattr(namespace, self.dest, rules)


class _Then(argparse.Action):
    def __call__(self, parser, namespace, value, option_string=None) -> None:
        rules = getattr(namespace, "rules", None)
        if not rules:
            parser.error(f"{option_string} goes after the --on RULE whose events it acts on")
        rules[-1][self.dest].append(value)


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rules and actions", RULE_HELP)
    group.add_argument("--on", dest="rules", action=_On, metavar="RULE", help="a rule to watch")
    group.add_argument(
        "--exec",
        dest="exec",
        action=_Then,
        metavar="CMD",
        help="run CMD (split like a shell would, never run by one) for each event of the rule "
        "before it: the event as JSON on stdin and in VOXEMO_EVENT_RULE, _KIND, _TIME, _SINCE, "
        "_VALUE, _SOURCE",
    )
    group.add_argument(
        "--post",
        dest="post",
        action=_Then,
        metavar="URL",
        help="POST each event of the rule before it as JSON to URL (5 s timeout, 2 retries; "
        "failures are logged and never hold up the audio)",
    )


def rules_from(args: argparse.Namespace, labels: list[str]):
    """The command's rules, checked against the model's emotions, and the dispatcher of
    their actions ([], None without any)."""
    from voxemo.actions import parse_rule
    from voxemo.actions.dispatch import CommandAction, Dispatcher, WebhookAction

    given = getattr(args, "rules", None) or []
    if not given:
        return [], None
    rules = [parse_rule(item["rule"], labels) for item in given]
    actions = {
        rule.text: [CommandAction.parse(command) for command in item["exec"]]
        + [WebhookAction(url) for url in item["post"]]
        for rule, item in zip(rules, given, strict=True)
    }
    return rules, Dispatcher(actions)


def fire(events, dispatcher, as_json: bool) -> None:
    """Print events and hand them to their actions."""
    show_events(events, as_json)
    for event in events:
        dispatcher.submit(event)


def show_events(events, as_json: bool) -> None:
    """Print events: JSON lines, or one line each for people."""
    for event in events:
        if as_json:
            print(json.dumps(event.to_dict()), flush=True)
        else:
            value = "" if event.value is None else f" ({event.value:.2f})"
            since = "holding since" if event.kind == "start" else "the episode began"
            verb = "started" if event.kind == "start" else "ended"
            out.print(
                f"{clock(event.time)}  rule {event.rule!r} {verb}{value}: {since} "
                f"{clock(event.since)}",
                markup=False,
            )
