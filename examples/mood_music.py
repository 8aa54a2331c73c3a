"""A mood-aware music assistant: it listens and switches playlist when the mood settles.

Each playlist of a small local catalogue is tagged with a mood rule (voxemo's rule language).
When a rule's episode starts (the mood has held long enough), the assistant switches to that
playlist and says why; a mood that comes and goes within the rule's duration changes
nothing.

    python examples/mood_music.py                        # replays examples/conversation.flac
    python examples/mood_music.py --file my-voice.wav
    python examples/mood_music.py --microphone           # needs voxemo[live]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo import Recognizer
from voxemo.actions import RuleWatcher
from voxemo.recognizer.live import FileSource, MicrophoneSource, listen
from voxemo.recognizer.predict import model_rate

HERE = Path(__file__).resolve().parent

# Playlists and the mood each one is for (the first whose mood settles wins).
CATALOGUE = {
    "Slow Sunday (comfort)": "sad or fearful >= 0.6 for 1s",
    "Bright Side (upbeat)": "happy or surprised >= 0.5 for 2s",
    "Release Valve (let it out)": "angry or disgust >= 0.6 for 3s",
    "Still Water (ambient)": "neutral or calm >= 0.6 for 4s",
}


def clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=HERE / "conversation.flac")
    parser.add_argument("--microphone", action="store_true", help="listen instead of replaying")
    parser.add_argument("--realtime", action="store_true", help="replay the file in real time")
    args = parser.parse_args()

    model = Recognizer().model
    rules = {rule: playlist for playlist, rule in CATALOGUE.items()}
    watcher = RuleWatcher(list(rules), model.labels)
    if args.microphone:
        source = MicrophoneSource()
    else:
        source = FileSource(str(args.file), model_rate(model), realtime=args.realtime)
    playing = None
    print("catalogue:", ", ".join(CATALOGUE))
    for update in listen(model, source, window=3.0, hop=1.0):
        for event in watcher.update(update.time, update.probabilities):
            playlist = rules[event.rule]
            if event.kind == "start" and playlist != playing:
                playing = playlist
                print(
                    f"{clock(event.time)}  now playing {playlist!r}: {event.rule!r} has held "
                    f"since {clock(event.since)} ({event.value:.2f} now)"
                )
    print(f"done; last playlist: {playing or 'none (no mood settled)'}")


if __name__ == "__main__":
    main()
