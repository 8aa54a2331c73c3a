"""Doing something when an event fires: run a command or post a webhook, off the audio path.

Actions run on a worker thread behind a bounded queue, so a slow command or a receiver that
is down never delays the next prediction: when the queue is full the event is dropped and
logged. A command gets the event as JSON on standard input and in ``VOXEMO_EVENT_*``
environment variables, started from an argument list (never a shell string built from
data); a webhook gets it as a JSON ``POST``, with a timeout and retries.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shlex
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from voxemo.actions.watcher import Event
from voxemo.errors import VoxemoError

log = logging.getLogger("voxemo.actions")


@dataclass(frozen=True)
class CommandAction:
    """Run ``argv`` for each event; ``argv`` comes from :func:`shlex.split` of the user's
    command line, and the event reaches it on stdin and in the environment."""

    argv: tuple[str, ...]
    timeout: float = 30.0

    @classmethod
    def parse(cls, command: str) -> CommandAction:
        """A command line as a shell would split it (without running a shell).

        Examples
        --------
        >>> CommandAction.parse("notify-send 'caller is angry'").argv
        ('notify-send', 'caller is angry')
        """
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise VoxemoError(f"--exec {command!r}: cannot be split into words ({exc})") from None
        if not argv:
            raise VoxemoError("--exec: the command is empty")
        return cls(argv)

    def __call__(self, event: Event) -> None:
        environment = os.environ | {
            f"VOXEMO_EVENT_{key.upper()}": "" if value is None else str(value)
            for key, value in event.to_dict().items()
            if key != "event"
        }
        try:
            done = subprocess.run(
                self.argv,
                input=json.dumps(event.to_dict()),
                text=True,
                env=environment,
                capture_output=True,
                timeout=self.timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("--exec %s: %s", self.argv[0], exc)
            return
        if done.returncode:
            log.warning("--exec %s: exited %d", self.argv[0], done.returncode)


@dataclass(frozen=True)
class WebhookAction:
    """POST each event as JSON to ``url``; ``retries`` more tries after a failure, with a
    short pause between them."""

    url: str
    timeout: float = 5.0
    retries: int = 2

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise VoxemoError(f"--post {self.url!r}: not an http:// or https:// URL")

    def __call__(self, event: Event) -> None:
        body = json.dumps(event.to_dict()).encode()
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.url, data=body, headers={"content-type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read()
                return
            except (OSError, urllib.error.URLError) as exc:
                problem = exc
            if attempt < self.retries:
                time.sleep(0.5 * (attempt + 1))
        log.warning("--post %s: %s (gave up after %d tries)", self.url, problem, self.retries + 1)


@dataclass
class Dispatcher:
    """Runs each rule's actions on a worker thread; :meth:`submit` never blocks.

    Parameters
    ----------
    actions : dict of str to list of callables
        For each rule's text, what to do with its events.
    capacity : int
        Events waiting at most; more are dropped (and logged).

    Examples
    --------
    >>> seen = []
    >>> dispatcher = Dispatcher({"angry >= 0.6 for 3s": [seen.append]})
    >>> dispatcher.submit(Event("angry >= 0.6 for 3s", "start", 3.0, 0.0, 0.8))
    True
    >>> dispatcher.close()
    >>> [event.kind for event in seen]
    ['start']
    """

    actions: dict[str, list]
    capacity: int = 100
    dropped: int = 0
    done: int = 0
    _queue: queue.Queue = field(init=False)
    _worker: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self._queue = queue.Queue(self.capacity)
        self._worker = threading.Thread(target=self._run, name="voxemo-actions", daemon=True)
        self._worker.start()

    def submit(self, event: Event) -> bool:
        """Queue ``event`` for its rule's actions; False (and a log line) when the queue is
        full and it was dropped."""
        if not self.actions.get(event.rule):
            return True
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            log.warning(
                "actions: %d events waiting; dropped %s %s", self.capacity, event.kind, event.rule
            )
            return False
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Let waiting actions finish (at most ``timeout`` seconds), then stop the worker."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._worker.join(timeout)

    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            for action in self.actions.get(event.rule, []):
                try:
                    action(event)
                except Exception as exc:  # an action's failure must not stop the others
                    log.warning("action for %s failed: %s", event.rule, exc)
            self.done += 1
