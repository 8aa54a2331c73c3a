"""``prosody``: pitch, voice quality, loudness and rhythm measured with Praat (parselmouth).

F0 is taken in semitones relative to 100 Hz over voiced frames; jitter, shimmer and the
harmonics-to-noise ratio come from Praat's standard voice-report algorithms; intensity is
Praat's dB contour; speaking-rate proxies count voiced stretches and intensity peaks (a
stand-in for syllable nuclei) per second.
"""

from __future__ import annotations

import numpy as np
import parselmouth
from parselmouth.praat import call
from scipy.signal import find_peaks

from voxemo.audio import Audio
from voxemo.features.base import FeatureSet, register
from voxemo.features.functionals import functional_names, functionals

PITCH_FLOOR = 75.0
PITCH_CEILING = 600.0
TIME_STEP = 0.01
SEMITONE_REFERENCE_HZ = 100.0
# Praat's default voice-report arguments: shortest/longest period, maximum period factor,
# maximum amplitude factor.
PERIOD = (0.0001, 0.02, 1.3)
AMPLITUDE_FACTOR = 1.6

CONTOURS = ["f0_semitones", "f0_delta", "intensity_db", "hnr_db"]
SCALARS = [
    "voiced_ratio",
    "jitter_local",
    "jitter_rap",
    "jitter_ppq5",
    "shimmer_local",
    "shimmer_local_db",
    "shimmer_apq3",
    "shimmer_apq5",
    "hnr_mean_db",
    "voiced_segments_per_s",
    "intensity_peaks_per_s",
    "mean_voiced_segment_s",
    "duration_s",
]


def semitones(f0_hz: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(f0_hz / SEMITONE_REFERENCE_HZ)


def voiced_segments(voiced: np.ndarray) -> list[int]:
    """Lengths (in frames) of the runs of voiced frames."""
    edges = np.diff(np.r_[0, voiced.astype(int), 0])
    return list(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1))


def _finite(value: float) -> float:
    return float(value) if np.isfinite(value) else 0.0


@register("prosody")
class ProsodyFeatures(FeatureSet):
    """``prosody``: pitch, jitter, shimmer, harmonicity, loudness and rhythm from Praat.

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("prosody")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (41,)
    >>> features.names()[:2]
    ['prosody_f0_semitones_mean', 'prosody_f0_semitones_std']
    """

    version = 1
    sample_rate = 16000

    def params(self) -> dict:
        return {
            "pitch_floor": PITCH_FLOOR,
            "pitch_ceiling": PITCH_CEILING,
            "time_step": TIME_STEP,
            "semitone_reference_hz": SEMITONE_REFERENCE_HZ,
            "praat": parselmouth.PRAAT_VERSION,
        }

    def names(self) -> list[str]:
        return functional_names("prosody", CONTOURS) + [f"prosody_{s}" for s in SCALARS]

    def compute(self, audio: Audio) -> np.ndarray:
        sound = parselmouth.Sound(audio.samples.astype(np.float64), self.sample_rate)
        pitch = sound.to_pitch(
            time_step=TIME_STEP, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING
        )
        f0 = pitch.selected_array["frequency"]
        voiced = f0 > 0
        f0_st = semitones(f0[voiced])
        intensity = sound.to_intensity(minimum_pitch=PITCH_FLOOR, time_step=TIME_STEP).values[0]
        harmonicity = sound.to_harmonicity_cc(time_step=TIME_STEP, minimum_pitch=PITCH_FLOOR)
        hnr = harmonicity.values[0]
        hnr = hnr[hnr > -199]  # Praat marks unvoiced frames with -200 dB
        contours = np.concatenate(
            [
                functionals(f0_st),
                functionals(np.diff(f0_st)),
                functionals(intensity),
                functionals(hnr),
            ]
        )
        duration = audio.duration
        segments = voiced_segments(voiced)
        peaks, _ = find_peaks(intensity, prominence=3.0, distance=int(0.1 / TIME_STEP))
        scalars = [
            voiced.mean() if len(voiced) else 0.0,
            *self._voice_quality(sound, pitch),
            float(hnr.mean()) if len(hnr) else 0.0,
            len(segments) / duration,
            len(peaks) / duration,
            np.mean(segments) * TIME_STEP if segments else 0.0,
            duration,
        ]
        return np.concatenate([contours, np.asarray(scalars, dtype=np.float32)])

    @staticmethod
    def _voice_quality(sound: parselmouth.Sound, pitch: parselmouth.Pitch) -> list[float]:
        """Jitter (local, RAP, PPQ5) and shimmer (local, dB, APQ3, APQ5); zeros if unvoiced."""
        points = call([sound, pitch], "To PointProcess (cc)")
        if call(points, "Get number of points") < 3:
            return [0.0] * 7
        jitter = [
            _finite(call(points, f"Get jitter ({kind})", 0, 0, *PERIOD))
            for kind in ("local", "rap", "ppq5")
        ]
        shimmer = [
            _finite(call([sound, points], f"Get shimmer ({kind})", 0, 0, *PERIOD, AMPLITUDE_FACTOR))
            for kind in ("local", "local_dB", "apq3", "apq5")
        ]
        return jitter + shimmer
