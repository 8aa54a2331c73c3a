"""Make the example recordings in examples/ with the espeak-ng speech synthesizer.

They are synthetic on purpose: no corpus audio may be shipped. Voice, pitch and speed vary
between sentences, and the longer recording has pauses and a little noise, so that
``voxemo predict --timeline`` has something to segment. Needs ``espeak-ng`` on the PATH.

    python scripts/make_examples.py
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

OUT = Path(__file__).resolve().parents[1] / "examples"
RATE = 16000

# (text, voice, words per minute, pitch 0-99, amplitude 0-200, pause after in seconds)
CONVERSATION = [
    (
        "Good morning. Thank you for calling, how can I help you today?",
        "en-us+f3",
        160,
        50,
        100,
        1.2,
    ),
    (
        "I have been waiting for two hours and nobody answered my call!",
        "en-us+m3",
        190,
        75,
        180,
        0.8,
    ),
    ("I am very sorry to hear that. Let me look at your account.", "en-us+f3", 140, 40, 90, 2.0),
    (
        "This is the third time this month. It is simply not acceptable!",
        "en-us+m3",
        200,
        85,
        190,
        1.0,
    ),
    (
        "I understand. I can see the problem now, and I will fix it right away.",
        "en-us+f3",
        150,
        45,
        100,
        1.5,
    ),
    ("Oh, really? That is wonderful, thank you so much!", "en-us+m3", 175, 90, 150, 0.9),
    ("You are welcome. Is there anything else I can do for you?", "en-us+f3", 150, 55, 100, 1.8),
    ("No, that is all. I am sorry I was so upset earlier.", "en-us+m3", 120, 20, 70, 1.0),
    ("Not at all. Have a lovely day.", "en-us+f3", 140, 60, 100, 1.0),
]


def speak(text: str, voice: str, speed: int, pitch: int, amplitude: int) -> np.ndarray:
    wav = subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            str(speed),
            "-p",
            str(pitch),
            "-a",
            str(amplitude),
            "--stdout",
            text,
        ],
        check=True,
        capture_output=True,
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return soxr.resample(samples, rate, RATE)


def main() -> None:
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng not found: install it (apt-get install espeak-ng) and run again")
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    text, voice, speed, pitch, amplitude, _ = CONVERSATION[1]
    sf.write(OUT / "speech.wav", speak(text, voice, speed, pitch, amplitude), RATE, "PCM_16")
    parts = [np.zeros(RATE // 2, np.float32)]
    for text, voice, speed, pitch, amplitude, pause in CONVERSATION:
        parts += [
            speak(text, voice, speed, pitch, amplitude),
            np.zeros(int(pause * RATE), np.float32),
        ]
    conversation = np.concatenate(parts)
    conversation += 0.002 * rng.standard_normal(len(conversation)).astype(np.float32)
    sf.write(OUT / "conversation.flac", conversation, RATE)
    seconds = len(conversation) / RATE
    print(f"wrote {OUT / 'speech.wav'} and {OUT / 'conversation.flac'} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
