"""``overview``: a few numbers that describe a recording rather than its emotion.

Duration, how much of it is silence, and its level. ``voxemo explore`` uses them to show a
corpus; they are cached like every feature set and can be used as features too.
"""

from __future__ import annotations

import librosa
import numpy as np

from voxemo.audio import Audio
from voxemo.features.base import FeatureSet, register

FRAME = 400  # 25 ms at 16 kHz
HOP = 160
SILENCE_DB = 40.0  # frames this far below the loudest frame count as silence


@register("overview")
class OverviewFeatures(FeatureSet):
    """``overview``: duration, share of silence and level of a recording.

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("overview")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (4,)
    >>> features.names()[:2]
    ['overview_duration_s', 'overview_silence_ratio']
    """

    version = 1
    sample_rate = 16000

    def params(self) -> dict:
        return {"frame": FRAME, "hop": HOP, "silence_db": SILENCE_DB}

    def names(self) -> list[str]:
        return [
            "overview_duration_s",
            "overview_silence_ratio",
            "overview_peak_dbfs",
            "overview_active_rms_dbfs",
        ]

    def compute(self, audio: Audio) -> np.ndarray:
        rms = librosa.feature.rms(y=audio.samples, frame_length=FRAME, hop_length=HOP)[0]
        level = librosa.amplitude_to_db(rms, ref=1.0, top_db=None)
        active = level > level.max() - SILENCE_DB
        return np.array(
            [
                audio.duration,
                1.0 - active.mean(),
                20 * np.log10(np.abs(audio.samples).max()),
                10 * np.log10(np.mean(rms[active] ** 2)),
            ]
        )
