"""One page for one long recording, the call-centre view: the timeline, the share of speech
per emotion, the events the default rules found (with links to their audio), and the card of
the model that heard it."""

from __future__ import annotations

import os
from pathlib import Path

from voxemo.actions import RuleWatcher, timeline_events
from voxemo.actions.rules import CALL_RULES
from voxemo.models.catalog import card_summary
from voxemo.recognizer.timeline import TimelineSettings, predict_timeline, speech_shares
from voxemo.reports.html import RawHtml, escape, figure, table, write_page
from voxemo.reports.style import save


def write_call_report(
    model,
    recording: str | Path,
    out: str | Path,
    *,
    rules: tuple[str, ...] | list[str] = CALL_RULES,
    settings: TimelineSettings | None = None,
    adapt: bool = False,
) -> Path:
    """Write ``out/index.html`` (and its timeline figure) for ``recording``.

    Parameters
    ----------
    model : OnnxModel or EnsembleModel
        A loaded model, e.g. ``Recognizer().model``.
    recording : str or Path
        A recording of any length (it is streamed).
    out : str or Path
        The report's folder; the recording is linked from it, never copied.
    rules : sequence of str
        Rules whose events are listed (:mod:`voxemo.actions`).
    settings, adapt
        As for :func:`~voxemo.recognizer.timeline.predict_timeline`.

    Returns
    -------
    Path
        The page.
    """
    from voxemo.reports.timeline import timeline_figure

    out, recording = Path(out), Path(recording)
    settings = settings or TimelineSettings()
    timeline = predict_timeline(model, recording, settings, adapt=adapt)
    watcher = RuleWatcher(list(rules), model.labels, source=recording.name)
    events = timeline_events(timeline, watcher, settings.hop)
    out.mkdir(parents=True, exist_ok=True)
    save(timeline_figure(timeline, model.labels), out / "timeline.png")
    link = Path(os.path.relpath(recording.resolve(), out.resolve())).as_posix()
    shares = speech_shares(timeline, model.labels)
    sections = [
        f"<p>{escape(recording.name)}: {timeline.duration:.1f} s, {timeline.speech_seconds:.1f} s "
        f'of speech. <a href="{escape(link)}">The recording</a>.</p>',
        figure(
            "timeline.png",
            "Emotion over time: probabilities of each window of speech "
            "(top) and the smoothed segments (bottom).",
        ),
        "<h2>Share of speech per emotion</h2>",
        table(["emotion", "share of speech"], [[label, f"{s:.0%}"] for label, s in shares.items()]),
        "<h2>Events</h2>",
        _events(events, link) if events else "<p>No rule fired.</p>",
        "<p>Rules: " + ", ".join(f"<code>{escape(rule)}</code>" for rule in rules) + "</p>",
        "<h2>Model</h2>",
        _model(model.card),
    ]
    return write_page(out / "index.html", f"Call report: {recording.name}", sections)


def _events(events, link: str) -> str:
    rows = []
    starts = [event for event in events if event.kind == "start"]
    for start in starts:
        end = next(
            (
                e.time
                for e in events
                if e.kind == "end" and e.rule == start.rule and e.since == start.since
            ),
            start.time,
        )
        audio = RawHtml(
            f'<audio controls preload="none" src="{escape(link)}#t={start.since:.1f},{end:.1f}">'
            f'</audio> <a href="{escape(link)}#t={start.since:.1f},{end:.1f}">listen</a>'
        )
        rows.append([start.rule, f"{start.since:.1f}", f"{start.time:.1f}", f"{end:.1f}", audio])
    return table(["rule", "holding since (s)", "fired at (s)", "ended at (s)", "audio"], rows)


def _model(card: dict) -> str:
    summary = card_summary(card)
    scores = "; ".join(
        f"{test}: accuracy {s['accuracy']:.3f}, UAR {s['uar']:.3f}"
        for test, s in summary["scores"].items()
    )
    rows = [
        ["kind", summary["kind"]],
        ["emotions", ", ".join(summary["labels"])],
        ["trained on", f"{summary['files']} files of {', '.join(summary['corpus'])}"],
        ["on unseen speakers", scores or "-"],
    ]
    return table(["model card", ""], rows, text_columns=2)
